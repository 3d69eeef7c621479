import { ClientEvent, type MatrixEvent } from 'matrix-js-sdk';
import { CryptoEvent } from 'matrix-js-sdk/lib/crypto-api/index.js';
import type { AccountSessions, SecurityStatusSource } from '../background/ports/security';
import type { SecurityStatus } from '../model/deviceStatus';
import type { MatrixSession } from './matrixSession';
import { withPasswordAuth } from './passwordAuth';
import { readSecurityStatus } from './securityStatus';
import { accountActionUrl } from './accountPage';
import type { SdkAccountPage } from './sdkAccountPage';

/** The account's encryption setup over matrix-js-sdk: read on demand, followed through the crypto's events. */
export class SdkSecurity implements SecurityStatusSource {
  constructor(private readonly session: MatrixSession) {}

  read(keysRemaining: number | null): Promise<SecurityStatus> {
    return readSecurityStatus(this.session, keysRemaining);
  }

  watch(listener: { changed(): void; keysRemaining(count: number): void }): () => void {
    const { client, userId } = this.session;
    const changed = () => listener.changed();
    const onRemaining = (remaining: number) => listener.keysRemaining(remaining);
    const onOwnChange = (userIds: string[] | string) => {
      if ((Array.isArray(userIds) ? userIds : [userIds]).includes(userId)) listener.changed();
    };
    const onAccountData = (event: MatrixEvent) => {
      if (/^m\.(secret_storage|cross_signing|megolm_backup)/.test(event.getType())) listener.changed();
    };
    // One list for on and off, so no listener outlives the session. The SDK types each event's
    // listener separately; the table holds them loosely, which on/off accept as they are.
    const listeners: [Parameters<typeof client.on>[0], (...args: never[]) => void][] = [
      [CryptoEvent.KeysChanged, changed],
      [CryptoEvent.KeyBackupStatus, changed],
      [CryptoEvent.KeyBackupDecryptionKeyCached, changed],
      [CryptoEvent.KeyBackupSessionsRemaining, onRemaining],
      [CryptoEvent.UserTrustStatusChanged, onOwnChange],
      [CryptoEvent.DevicesUpdated, onOwnChange],
      [ClientEvent.AccountData, onAccountData],
    ];
    for (const [event, handler] of listeners) client.on(event, handler);
    return () => {
      for (const [event, handler] of listeners) client.off(event, handler);
    };
  }
}

/**
 * The account's other sessions, signed out as Element's "Sign out old devices" does, or on the
 * account page of a server that delegates auth (where deleting a device answers 404).
 */
export class SdkAccountSessions implements AccountSessions {
  constructor(
    private readonly session: MatrixSession,
    private readonly accountPage: SdkAccountPage,
  ) {}

  async signOut(deviceId: string, password: string | undefined): Promise<{ accountPage?: string }> {
    const page = await this.accountPage.read();
    if (page !== undefined) return { accountPage: accountActionUrl(page, { action: 'device-delete', deviceId }) };
    await withPasswordAuth(this.session.userId, password, (auth) => this.session.client.deleteDevice(deviceId, auth));
    return {};
  }

  async listed(): Promise<string[]> {
    const { devices } = await this.session.client.getDevices();
    return devices.map((device) => device.device_id);
  }
}
