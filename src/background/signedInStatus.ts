import type { SyncStatus } from '../model/deviceStatus';
import type { OwnDeviceSummary } from '../trust/trustOverview';
import type { AccountDevice } from './ports/accountDevice';
import type { StatusStore } from './statusStore';

type DeviceNames = Pick<AccountDevice, 'userId' | 'deviceId' | 'homeserverUrl'>;

/**
 * The account line of the background's status while signed in: who, on which server, how
 * fresh the sync is, how long the first sync took, and the account's other sessions.
 */
export class SignedInStatus {
  private firstSyncAfterMs: number | undefined;

  constructor(
    private readonly status: StatusStore,
    /** Milliseconds since the background started. */
    private readonly elapsedMs: () => number,
  ) {}

  /** A device started (signed in or resumed): its first sync is still to come. */
  started(device: DeviceNames, sync: SyncStatus): void {
    this.firstSyncAfterMs = undefined;
    this.publish(device, sync);
  }

  /** A sync state came; true when rooms became known with it (the first sync after a start). */
  synced(device: DeviceNames, sync: SyncStatus): boolean {
    const previous = this.status.get().account;
    if (sync.state === 'syncing' && this.firstSyncAfterMs === undefined) this.firstSyncAfterMs = Math.round(this.elapsedMs());
    this.publish(device, sync);
    return previous.state !== 'signed-in' || previous.sync.state === 'starting';
  }

  /** The account's other sessions, when known (undefined keeps what was shown). */
  ownSessions(device: DeviceNames, sessions: OwnDeviceSummary[] | undefined): void {
    const account = this.status.get().account;
    if (account.state === 'signed-in') this.publish(device, account.sync, sessions);
  }

  private publish(device: DeviceNames, sync: SyncStatus, ownDevices?: OwnDeviceSummary[]): void {
    const current = this.status.get().account;
    this.status.setAccount({
      state: 'signed-in',
      userId: device.userId,
      deviceId: device.deviceId,
      homeserverUrl: device.homeserverUrl,
      sync,
      ownDevices: ownDevices ?? (current.state === 'signed-in' ? current.ownDevices : undefined),
      firstSyncAfterMs: this.firstSyncAfterMs,
    });
  }
}
