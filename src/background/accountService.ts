import { createLogger, errorSummary } from '../log';
import type { AccountCredentials } from '../model/accountCredentials';
import { AccountVault } from '../storage/accountVault';
import { discoverHomeserver } from '../matrix/homeserverDiscovery';
import { loginFlows, loginTokenFrom, signInWithLoginToken, signInWithPassword, ssoStartUrl } from '../matrix/signIn';
import { SignInError } from '../matrix/signInErrors';
import { recordStoreOpening } from '../matrix/storeIdentity';
import type { SyncStatus } from '../matrix/syncStatus';
import type { AccountStatus, LoginOptionsResult, OwnDeviceSummary, RoomSummary, SecurityStatus, TrustOverview } from '../messaging/protocol';
import { isNonNegativeInteger, isPlainObject } from '../validation/shape';
import { UserFacingError } from '../errors';
import type { IndexedDbDeviceListStore } from '../storage/deviceListStore';
import type { LedgerStore } from '../storage/ledgerStore';
import type { RecordStore } from '../storage/recordStore';
import type { SecretVault } from '../storage/secretVault';
import { classifyDevice } from '../trust/classifyDevice';
import { exportLedger, mergeLedgers, parseLedgerDocument } from '../trust/ledgerDocument';
import type { Policy, RoomTrustReport, UserFacts } from '../trust/types';
import type { ShownDevice } from '../trust/warnedDeviceLedger';
import { AccountRuntime } from './accountRuntime';
import type { AccountDevice } from './ports/accountDevice';
import type { BackgroundRecords } from './backgroundRecords';
import { SecurityService, type SecurityListeners } from './securityService';
import type { StatusStore } from './statusStore';
import type { RoomRef } from '../clients/clientAdapter';
import { UnknownRoomError } from './trustEngine';

const log = createLogger('account');

/** What the account service needs from the browser; injected so it runs in tests too. */
export interface Platform {
  /** e.g. "Matrix Trust Guard on Chrome": how this device appears in the user's session list. */
  deviceName: string;
  /** Runs single sign-on in a browser window and returns the URL it ended on (undefined if closed). */
  launchWebAuthFlow(url: string): Promise<string | undefined>;
  ssoRedirectUrl(): string;
}

export interface AccountServiceDeps {
  vault: SecretVault;
  records: RecordStore<BackgroundRecords>;
  ledger: LedgerStore;
  deviceLists: IndexedDbDeviceListStore;
  status: StatusStore;
  platform: Platform;
  indexedDB: IDBFactory;
  fetchFn?: typeof fetch;
  now: () => number;
  /** Milliseconds since the background started. */
  elapsedMs: () => number;
  onOverview: (overview: TrustOverview) => void;
  onReport: (report: RoomTrustReport) => void;
  security: SecurityListeners;
}

/**
 * The account side of the background: resumes the stored device at start, signs in and out,
 * follows sync, and answers the trust questions the UI asks. At most one account at a time.
 */
export class AccountService {
  private runtime: AccountRuntime | undefined;
  private securityService: SecurityService | undefined;
  private busy: Promise<unknown> | undefined;
  private retryNotBefore = 0;
  private firstSyncAfterMs: number | undefined;
  private overviewTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly accountVault: AccountVault;

  constructor(private readonly deps: AccountServiceDeps) {
    this.accountVault = new AccountVault(deps.vault);
  }

  /** This extension's running Matrix device, if signed in. */
  get device(): AccountDevice | undefined {
    return this.runtime?.device;
  }

  /** Resumes the stored device, if there is one. Returns false when signed out. */
  async resume(): Promise<boolean> {
    const settings = await this.deps.records.get('settings');
    this.deps.status.setPolicy(settings?.policy ?? 'default');
    let credentials: AccountCredentials | undefined;
    try {
      credentials = await this.accountVault.load();
    } catch (error) {
      this.fail('The stored sign-in could not be read. Sign out and sign in again.', error);
      return true;
    }
    if (!credentials) {
      const ended = await this.deps.records.get('account-ended');
      this.deps.status.setAccount({ state: 'signed-out', endedByServerAt: ended?.byServerAt });
      return false;
    }
    this.deps.status.setAccount({ state: 'resuming' });
    await this.launch(credentials, 'resume').catch((error: unknown) => {
      this.fail('This device could not be started. Sign out and sign in again if this persists.', error);
    });
    return true;
  }

  async loginOptions(homeserver: string): Promise<LoginOptionsResult> {
    return asUserFacing(async () => {
      const baseUrl = await discoverHomeserver(homeserver, this.deps.fetchFn);
      return { baseUrl, ...(await loginFlows(baseUrl, this.deps.fetchFn)) };
    });
  }

  signIn(params: { homeserver: string; user: string; password: string }): Promise<AccountStatus> {
    return this.exclusive(() =>
      this.signInWith(() => signInWithPassword(params, this.deps.platform.deviceName, this.deps.fetchFn)),
    );
  }

  signInWithSso(homeserver: string): Promise<AccountStatus> {
    return this.exclusive(() =>
      this.signInWith(async () => {
        const baseUrl = await discoverHomeserver(homeserver, this.deps.fetchFn);
        if (!(await loginFlows(baseUrl, this.deps.fetchFn)).sso) {
          throw new SignInError('sso-unavailable', 'This homeserver does not offer single sign-on.');
        }
        const redirectUrl = this.deps.platform.ssoRedirectUrl();
        const finalUrl = await this.deps.platform.launchWebAuthFlow(ssoStartUrl(baseUrl, redirectUrl));
        const token = loginTokenFrom(finalUrl, redirectUrl);
        return signInWithLoginToken({ baseUrl, deviceName: this.deps.platform.deviceName, fetchFn: this.deps.fetchFn }, token);
      }),
    );
  }

  /** Logs the device out on the server and wipes every local store, the ledger included. */
  signOut(): Promise<{ removedFromServer: boolean }> {
    return this.exclusive(async () => {
      const runtime = this.runtime;
      this.runtime = undefined;
      this.endSecurity();
      const result = runtime ? await runtime.signOut() : { removedFromServer: true };
      if (!runtime) await this.accountVault.clear();
      await this.deps.ledger.clear();
      await this.deps.deviceLists.clear();
      await this.deps.records.delete('security-status');
      await this.deps.records.delete('account-crypto-store');
      await this.deps.records.delete('account-ended');
      this.deps.status.setAccount({ state: 'signed-out' });
      this.deps.onOverview(emptyOverview());
      return result;
    });
  }

  async overview(): Promise<TrustOverview> {
    const reports = await this.requireRuntime().engine.allReports();
    return overviewOf(reports);
  }

  /** A joined room's report. */
  async report(roomId: string): Promise<RoomTrustReport> {
    try {
      return await this.requireRuntime().engine.report(roomId);
    } catch (error) {
      if (error instanceof UnknownRoomError) throw new UserFacingError(error.message);
      throw error;
    }
  }

  /**
   * The room's new warnings were put in front of the user (an extension page showed the room,
   * or a visible tab placed its banner or badges): stamp them as shown. With `userIds`, only
   * the warnings about those members were.
   */
  async noteShown(roomId: string, userIds?: ReadonlySet<string>): Promise<void> {
    await this.runtime?.engine.markShown(roomId, userIds);
  }

  /**
   * The room a page shows, as a joined room id: an alias is resolved through the homeserver
   * (and remembered by the device, so a new sign-in starts afresh). Undefined when the account
   * is not in that room.
   */
  joinedRoomFor(room: RoomRef): Promise<string | undefined> {
    return this.requireRuntime().device.rooms.joinedRoom(room);
  }

  /** Imports a ledger file, merged into the current ledger; never loses an entry. */
  async importLedger(json: string): Promise<number> {
    const parsed = parseLedgerDocument(json);
    if (!parsed.ok) throw new UserFacingError(`This file cannot be imported: ${parsed.error}`);
    let count = 0;
    const replace = async () => {
      const merged = mergeLedgers(await this.deps.ledger.allEntries(), parsed.entries);
      await this.deps.ledger.replaceAll(merged);
      count = merged.length;
    };
    await (this.runtime ? this.runtime.engine.replaceLedger(replace) : replace());
    return count;
  }

  async exportLedger(): Promise<string> {
    return exportLedger(await this.deps.ledger.allEntries(), this.deps.now());
  }

  /** Acknowledges exactly the devices (and keys) the user was shown in the room. */
  acknowledge(roomId: string, devices: readonly ShownDevice[]): Promise<RoomTrustReport> {
    return this.requireRuntime().engine.acknowledge(roomId, devices);
  }

  /**
   * Accepts a user's new identity ("I know they reset it"), as Element's Dismiss does: the one
   * whose master key the user was shown, never one that replaced it since.
   */
  async pinIdentity(userId: string, masterKey: string): Promise<void> {
    const runtime = this.requireRuntime();
    await this.requireShownIdentity(runtime, userId, masterKey);
    await runtime.device.identities.pin(userId);
    runtime.engine.refreshUsers([userId]);
  }

  /** Stops requiring the identity we once verified, for the new identity the user was shown. */
  async withdrawVerification(userId: string, masterKey: string): Promise<void> {
    const runtime = this.requireRuntime();
    await this.requireShownIdentity(runtime, userId, masterKey);
    await runtime.device.identities.withdrawVerification(userId);
    runtime.engine.refreshUsers([userId]);
  }

  /** Encryption setup, recovery and verification for the signed-in session. */
  security(): SecurityService {
    if (!this.securityService) throw new UserFacingError('Not signed in.');
    return this.securityService;
  }

  async setPolicy(policy: Policy): Promise<void> {
    await this.deps.records.put('settings', { policy });
    this.deps.status.setPolicy(policy);
    await this.runtime?.engine.recomputeAll();
    this.scheduleOverview();
  }

  stop(): void {
    this.endSecurity();
    this.runtime?.stop();
    this.runtime = undefined;
  }

  private endSecurity(): void {
    this.securityService?.stop();
    this.securityService = undefined;
  }

  private async signInWith(obtain: () => Promise<AccountCredentials>): Promise<AccountStatus> {
    if (this.runtime) throw new UserFacingError(`Already signed in as ${this.runtime.userId}. Sign out first.`);
    const waitMs = this.retryNotBefore - this.deps.now();
    if (waitMs > 0) throw new UserFacingError(`The homeserver asked to wait; try again in ${Math.ceil(waitMs / 1000)} s.`);
    let credentials: AccountCredentials;
    try {
      credentials = await obtain();
    } catch (error) {
      if (error instanceof SignInError && error.retryAfterMs !== undefined) this.retryNotBefore = this.deps.now() + error.retryAfterMs;
      throw userFacing(error);
    }
    await this.deps.records.delete('account-ended');
    await this.deps.records.delete('account-crypto-store');
    await this.deps.records.delete('security-status');
    await this.launch(credentials, 'adopt');
    return this.deps.status.get().account;
  }

  private async launch(credentials: AccountCredentials, how: 'adopt' | 'resume'): Promise<void> {
    const deps = {
      vault: this.accountVault,
      ledger: this.deps.ledger,
      deviceLists: this.deps.deviceLists,
      indexedDB: this.deps.indexedDB,
      fetchFn: this.deps.fetchFn,
      now: this.deps.now,
      policy: () => this.deps.status.get().policy,
      onSyncStatus: (sync: SyncStatus) => this.onSync(sync),
    };
    const runtime = how === 'adopt' ? await AccountRuntime.adopt(credentials, deps) : await AccountRuntime.start(credentials, deps);
    this.runtime = runtime;
    this.securityService = new SecurityService(runtime.device, this.deps.security, this.deps.now, {
      load: async () => {
        const last = await this.deps.records.get('security-status');
        return last !== undefined && isSecurityStatusRecord(last) ? last : undefined;
      },
      save: (last) => this.deps.records.put('security-status', last),
    });
    this.firstSyncAfterMs = undefined;
    runtime.engine.onReport((report) => {
      this.deps.onReport(report);
      this.scheduleOverview();
    });
    const store = await runtime.device.storeIdentity();
    const engine = await recordStoreOpening<'account-crypto-store'>(
      this.deps.records,
      'account-crypto-store',
      { ...store, startupMs: this.deps.elapsedMs() },
      this.deps.now(),
      'The encryption store of this device was lost, so its keys are gone. Sign out and sign in again.',
    );
    this.deps.status.setCryptoEngine(engine);
    this.setSignedIn(runtime.device.syncStatus);
  }

  private onSync(sync: SyncStatus): void {
    if (sync.state === 'signed-out-by-server') {
      this.endedByServer(sync.at).catch((error: unknown) => log.error('could not clear the ended session', { error: errorSummary(error) }));
      return;
    }
    const previous = this.deps.status.get().account;
    if (sync.state === 'syncing' && this.firstSyncAfterMs === undefined) this.firstSyncAfterMs = Math.round(this.deps.elapsedMs());
    this.setSignedIn(sync);
    // The first sync after a start is when rooms are known: time for the first overview.
    if (previous.state !== 'signed-in' || previous.sync.state === 'starting') this.scheduleOverview();
  }

  /** Token revoked or device deleted: the device is gone, its local stores too; the ledger stays. */
  private async endedByServer(at: number): Promise<void> {
    const runtime = this.runtime;
    // Several failing requests can each report the lost session; the first one handles it.
    if (!runtime) return;
    this.runtime = undefined;
    this.endSecurity();
    log.warn('session ended by the server');
    await runtime.discardAfterServerSignOut();
    await this.deps.records.put('account-ended', { byServerAt: at });
    await this.deps.records.delete('account-crypto-store');
    await this.deps.records.delete('security-status');
    this.deps.status.setAccount({ state: 'signed-out', endedByServerAt: at });
    this.deps.onOverview(emptyOverview());
  }

  private setSignedIn(sync: SyncStatus, ownDevices?: OwnDeviceSummary[]): void {
    const runtime = this.runtime;
    if (!runtime) return;
    const current = this.deps.status.get().account;
    this.deps.status.setAccount({
      state: 'signed-in',
      userId: runtime.userId,
      deviceId: runtime.deviceId,
      homeserverUrl: runtime.device.homeserverUrl,
      sync,
      ownDevices: ownDevices ?? (current.state === 'signed-in' ? current.ownDevices : undefined),
      firstSyncAfterMs: this.firstSyncAfterMs,
    });
  }

  /** Reports come in bursts; the overview (and own devices) is recomputed once per burst. */
  private scheduleOverview(): void {
    if (this.overviewTimer !== undefined) return;
    this.overviewTimer = setTimeout(() => {
      this.overviewTimer = undefined;
      void this.refreshOverview();
    }, 50);
  }

  private async refreshOverview(): Promise<void> {
    const runtime = this.runtime;
    if (!runtime) return;
    try {
      const overview = overviewOf(await runtime.engine.allReports());
      const own = await runtime.engine.ownUserFacts();
      if (this.runtime !== runtime) return;
      this.deps.onOverview(overview);
      const account = this.deps.status.get().account;
      if (account.state === 'signed-in') this.setSignedIn(account.sync, own && ownDeviceSummaries(own, runtime.deviceId));
    } catch (error) {
      // A runtime that was stopped meanwhile fails its pending work; that is not news.
      if (this.runtime === runtime) log.warn('overview failed', { error: errorSummary(error) });
    }
  }

  /** Refuses when the identity changed again after the page showed it (the user saw another). */
  private async requireShownIdentity(runtime: AccountRuntime, userId: string, masterKey: string): Promise<void> {
    const current = await runtime.device.identities.currentMasterKey(userId);
    if (current !== masterKey) {
      runtime.engine.refreshUsers([userId]);
      throw new UserFacingError('Their identity changed again since this page showed it. Look at it again before you accept it.');
    }
  }

  private requireRuntime(): AccountRuntime {
    if (!this.runtime) throw new UserFacingError('Not signed in.');
    return this.runtime;
  }

  private fail(reason: string, error: unknown): void {
    log.error('account failed', { error: errorSummary(error) });
    this.deps.status.setAccount({ state: 'failed', reason });
  }

  /** Sign-in and sign-out never overlap: the second one is refused, not queued. */
  private async exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.busy) throw new UserFacingError('Another sign-in or sign-out is in progress.');
    const running = work();
    this.busy = running;
    try {
      return await running;
    } finally {
      this.busy = undefined;
    }
  }
}

/** A stored status is our own write, but storage can be damaged: show it only if it reads back whole. */
function isSecurityStatusRecord(value: unknown): value is { status: SecurityStatus; checkedAt: number } {
  if (!isPlainObject(value) || !isNonNegativeInteger(value.checkedAt) || !isPlainObject(value.status)) return false;
  const { crossSigning, secretStorage, keyBackup } = value.status;
  return isPlainObject(crossSigning) && isPlainObject(crossSigning.privateKeysCachedLocally) && isPlainObject(secretStorage) && isPlainObject(keyBackup);
}

function ownDeviceSummaries(own: UserFacts, thisDeviceId: string): OwnDeviceSummary[] {
  // A key the server offered under a known session's id is not a session: rooms warn about it.
  return own.devices
    .filter((device) => device.deviceId !== thisDeviceId && device.conflictsWithKey === undefined)
    .map((device) => ({ deviceId: device.deviceId, displayName: device.displayName, class: classifyDevice(device, own) }));
}

function overviewOf(reports: readonly RoomTrustReport[]): TrustOverview {
  const rooms: RoomSummary[] = reports.map((report) => ({
    roomId: report.roomId,
    name: report.name,
    encrypted: report.encrypted,
    memberCount: report.memberCount,
    warnings: report.warnings,
    newWarnings: report.newWarnings,
    checking: report.checking.length,
  }));
  return {
    rooms,
    newWarnings: {
      warn: rooms.reduce((sum, room) => sum + room.newWarnings.warn, 0),
      critical: rooms.reduce((sum, room) => sum + room.newWarnings.critical, 0),
    },
  };
}

function emptyOverview(): TrustOverview {
  return { rooms: [], newWarnings: { warn: 0, critical: 0 } };
}

function userFacing(error: unknown): Error {
  if (error instanceof SignInError) return new UserFacingError(error.message);
  return error instanceof UserFacingError ? error : new UserFacingError('Signing in failed.');
}

async function asUserFacing<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw userFacing(error);
  }
}
