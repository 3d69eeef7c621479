import { createLogger, errorSummary } from '../log';
import type { AccountCredentials } from '../model/accountCredentials';
import { AccountVault } from '../storage/accountVault';
import { discoverHomeserver } from '../matrix/homeserverDiscovery';
import { loginFlows, loginTokenFrom, signInWithLoginToken, signInWithPassword, ssoStartUrl } from '../matrix/signIn';
import { fetchAuthMetadata, oauthOffer } from '../matrix/authMetadata';
import { authorizeInBrowser, clientIdFor, credentialsFrom, startDeviceGrant } from '../matrix/oauthSignIn';
import { DeviceGrantSignIn } from './deviceGrantSignIn';
import { loginOptionsFrom } from './loginOptions';
import { oauthClientIds } from './oauthClientIds';
import { SignInError } from '../matrix/signInErrors';
import { recordStoreOpening } from '../matrix/storeIdentity';
import type { SyncStatus } from '../matrix/syncStatus';
import type { AccountStatus, LoginOptionsResult, SecurityStatus } from '../messaging/protocol';
import { isNonNegativeInteger, isPlainObject } from '../validation/shape';
import { UserFacingError } from '../errors';
import type { IndexedDbDeviceListStore } from '../storage/deviceListStore';
import type { HistoryStore } from '../storage/historyStore';
import type { LedgerStore } from '../storage/ledgerStore';
import type { RecordStore } from '../storage/recordStore';
import type { SecretVault } from '../storage/secretVault';
import { emptyOverview, type TrustOverview } from '../trust/trustOverview';
import type { RoomTrustReport } from '../trust/types';
import { AccountHistory } from './accountHistory';
import { AccountRooms } from './accountRooms';
import { AcknowledgementSync } from './acknowledgementSync';
import { acknowledgementsOf } from '../trust/syncedAcknowledgements';
import { AccountRuntime } from './accountRuntime';
import type { AccountDevice } from './ports/accountDevice';
import type { BackgroundRecords } from './backgroundRecords';
import { SecurityService, type SecurityListeners } from './securityService';
import type { IdentityMemoryPersistence } from './trustEngine';
import { OverviewPublisher } from './overviewPublisher';
import { SignedInStatus } from './signedInStatus';
import type { StatusStore } from './statusStore';
import { t } from '../text/i18n';

const log = createLogger('account');

/** What the account service needs from the browser; injected so it runs in tests too. */
export interface Platform {
  /** e.g. "Matrix Trust Guard on Chrome": how this device appears in the user's session list. */
  deviceName: string;
  /** Runs single sign-on in a browser window and returns the URL it ended on (undefined if closed). */
  launchWebAuthFlow(url: string): Promise<string | undefined>;
  ssoRedirectUrl(): string;
  /** Where the OAuth provider sends the browser back (`identity.getRedirectURL('oauth')`). */
  oauthRedirectUrl(): string;
}

export interface AccountServiceDeps {
  vault: SecretVault;
  records: RecordStore<BackgroundRecords>;
  ledger: LedgerStore;
  /** The trust history; cleared with the ledger at sign-out. */
  history: HistoryStore;
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
 * The account's life in the background: resumes the stored device at start, signs in and out,
 * follows sync, and notices when the server ends the session. At most one account at a time;
 * `rooms` answers the trust questions the pages ask of it.
 */
export class AccountService {
  readonly rooms: AccountRooms;
  /** The trust history (local data: there signed in or out). */
  readonly history: AccountHistory;
  private runtime: AccountRuntime | undefined;
  private securityService: SecurityService | undefined;
  private acknowledgementSync: AcknowledgementSync | undefined;
  private busy: Promise<unknown> | undefined;
  private retryNotBefore = 0;
  private readonly accountVault: AccountVault;
  private readonly signedIn: SignedInStatus;
  private readonly overviewPublisher: OverviewPublisher;
  private readonly deviceGrants: DeviceGrantSignIn;

  constructor(private readonly deps: AccountServiceDeps) {
    this.accountVault = new AccountVault(deps.vault);
    this.deviceGrants = new DeviceGrantSignIn({
      vault: this.accountVault,
      fetchFn: deps.fetchFn,
      now: deps.now,
      publish: (deviceGrant) => {
        if (!this.runtime) deps.status.setAccount({ state: 'signed-out', ...(deviceGrant && { deviceGrant }) });
      },
      finish: async (credentials) => {
        await this.whenIdle(() => this.signInWith(() => Promise.resolve(credentials)));
      },
    });
    this.signedIn = new SignedInStatus(deps.status, deps.elapsedMs);
    const runtime = () => this.runtime;
    this.overviewPublisher = new OverviewPublisher({
      runtime,
      onOverview: deps.onOverview,
      onOwnSessions: (sessions) => {
        if (this.runtime) this.signedIn.ownSessions(this.runtime.device, sessions);
      },
    });
    this.history = new AccountHistory(deps.history, deps.records, deps.now);
    this.rooms = new AccountRooms({
      runtime,
      ledger: deps.ledger,
      history: deps.history,
      records: deps.records,
      status: deps.status,
      now: deps.now,
      onChanged: () => this.overviewPublisher.schedule(),
      onDecision: (decision) => {
        if (decision.kind === 'acknowledged') this.acknowledgementSync?.noteAcknowledged();
        else void this.acknowledgementSync?.notePinned(decision.userId, decision.masterKey);
      },
    });
  }

  /** The sealed credentials as the next start reads them (for tests of what is stored when). */
  storedCredentials(): Promise<AccountCredentials | undefined> {
    return this.accountVault.load();
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
      this.fail(t('errStoredSignInUnreadable'), error);
      return true;
    }
    if (!credentials) {
      const ended = await this.deps.records.get('account-ended');
      this.deps.status.setAccount({ state: 'signed-out', endedByServerAt: ended?.byServerAt });
      await this.deviceGrants.resume();
      return false;
    }
    this.deps.status.setAccount({ state: 'resuming' });
    await this.launch(credentials, 'resume').catch((error: unknown) => {
      this.fail(t('errDeviceNotStarted'), error);
    });
    return true;
  }

  async loginOptions(homeserver: string): Promise<LoginOptionsResult> {
    return asUserFacing(async () => {
      const baseUrl = await discoverHomeserver(homeserver, this.deps.fetchFn);
      // A server that cannot tell (or says nonsense) offers no OAuth; its /login still counts.
      const metadata = await fetchAuthMetadata(baseUrl, this.deps.fetchFn).catch(() => undefined);
      const flows = await loginFlows(baseUrl, this.deps.fetchFn).catch((error: unknown) => {
        if (metadata) return { password: false, sso: false };
        throw error;
      });
      return loginOptionsFrom(baseUrl, flows, oauthOffer(metadata));
    });
  }

  signIn(params: { homeserver: string; user: string; password: string }): Promise<AccountStatus> {
    return this.exclusive(() => this.signInWith(() => signInWithPassword(params, this.deps.platform.deviceName, this.deps.fetchFn)));
  }

  /**
   * Through the homeserver's OAuth 2.0 provider: a device authorization when it offers one (the
   * status returned carries the code; sign-in completes in the background once approved), else
   * the authorization code grant with PKCE in a browser window.
   */
  signInWithOAuth(homeserver: string): Promise<AccountStatus> {
    return this.exclusive(async () => {
      if (this.runtime) throw new UserFacingError(t('errAlreadySignedIn', this.runtime.userId));
      await this.deviceGrants.cancel();
      return asUserFacing(async () => {
        const { fetchFn, now } = this.deps;
        const baseUrl = await discoverHomeserver(homeserver, fetchFn);
        const metadata = await fetchAuthMetadata(baseUrl, fetchFn);
        if (!metadata) throw new SignInError('sso-unavailable', t('errOAuthUnavailable'));
        const redirectUri = this.deps.platform.oauthRedirectUrl();
        const clientId = await clientIdFor(metadata, redirectUri, oauthClientIds(this.deps.records));
        if (oauthOffer(metadata)?.deviceGrant) {
          await this.deviceGrants.begin(await startDeviceGrant(baseUrl, metadata, clientId, now()), metadata);
          return this.deps.status.get().account;
        }
        return this.signInWith(async () => {
          const { deviceId, tokens } = await authorizeInBrowser(metadata, clientId, redirectUri, (url) =>
            this.deps.platform.launchWebAuthFlow(url),
          );
          return credentialsFrom(baseUrl, metadata.issuer, clientId, deviceId, tokens, now(), fetchFn);
        });
      });
    });
  }

  /** Stops waiting for a device authorization. */
  async cancelSignIn(): Promise<AccountStatus> {
    await this.deviceGrants.cancel();
    return this.deps.status.get().account;
  }

  signInWithSso(homeserver: string): Promise<AccountStatus> {
    return this.exclusive(() =>
      this.signInWith(async () => {
        const baseUrl = await discoverHomeserver(homeserver, this.deps.fetchFn);
        if (!(await loginFlows(baseUrl, this.deps.fetchFn)).sso) {
          throw new SignInError('sso-unavailable', t('errSsoUnavailable'));
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
      await this.endAcknowledgementSync();
      const result = runtime ? await runtime.signOut() : { removedFromServer: true };
      if (!runtime) await this.accountVault.clear();
      await this.deps.ledger.clear();
      await this.deps.history.clear();
      await this.deps.records.delete('history-settings');
      await this.rooms.forgetDisagreements();
      await this.deps.deviceLists.clear();
      await this.deps.records.delete('security-status');
      await this.deps.records.delete('account-crypto-store');
      await this.deps.records.delete('account-ended');
      await this.deps.records.delete('identity-memory');
      await this.deps.records.delete('synced-pins');
      this.deps.status.setAccount({ state: 'signed-out' });
      this.deps.onOverview(emptyOverview());
      return result;
    });
  }

  /** Encryption setup, recovery and verification for the signed-in session. */
  security(): SecurityService {
    if (!this.securityService) throw new UserFacingError(t('errNotSignedIn'));
    return this.securityService;
  }

  stop(): void {
    this.deviceGrants.stop();
    this.overviewPublisher.stop();
    this.endSecurity();
    this.acknowledgementSync?.stop();
    this.acknowledgementSync = undefined;
    this.runtime?.stop();
    this.runtime = undefined;
  }

  private endSecurity(): void {
    this.securityService?.stop();
    this.securityService = undefined;
  }

  /** Signed out: this browser forgets the sync key (the account's copy stays the account's). */
  private async endAcknowledgementSync(): Promise<void> {
    const sync = this.acknowledgementSync;
    this.acknowledgementSync = undefined;
    this.deps.status.setAcknowledgementSync(undefined);
    await sync?.forget().catch((error: unknown) => log.warn('sync key not forgotten', { error: errorSummary(error) }));
  }

  private startAcknowledgementSync(runtime: AccountRuntime): void {
    const { records } = this.deps;
    const userId = runtime.userId;
    const sync = new AcknowledgementSync({
      userId,
      channel: runtime.device.acknowledgements,
      vault: this.deps.vault,
      localAcknowledgements: async () => acknowledgementsOf(await this.deps.ledger.allEntries()),
      localPins: {
        load: async () => {
          const record = await records.get('synced-pins');
          return record?.userId === userId && Array.isArray(record.pins) ? record.pins : [];
        },
        save: (pins) => records.put('synced-pins', { userId, pins }),
      },
      recompute: () => runtime.engine.recomputeAll(),
      onStatus: (status) => this.deps.status.setAcknowledgementSync(status),
      now: this.deps.now,
    });
    this.acknowledgementSync = sync;
    runtime.engine.onReport((report) => {
      for (const { userId: pinned, masterKey } of sync.pinsToApply(report)) {
        this.rooms
          .pinIdentity(pinned, masterKey)
          .catch((error: unknown) => log.warn('synced pin not applied', { error: errorSummary(error) }));
      }
    });
    sync.start().catch((error: unknown) => log.warn('acknowledgement sync not started', { error: errorSummary(error) }));
  }

  private async signInWith(obtain: () => Promise<AccountCredentials>): Promise<AccountStatus> {
    if (this.runtime) throw new UserFacingError(t('errAlreadySignedIn', this.runtime.userId));
    const waitMs = this.retryNotBefore - this.deps.now();
    if (waitMs > 0) throw new UserFacingError(t('errSignInWait', String(Math.ceil(waitMs / 1000))));
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
      history: this.deps.history,
      identities: (userId: string) => identityMemoryRecord(this.deps.records, userId),
      deviceLists: this.deps.deviceLists,
      indexedDB: this.deps.indexedDB,
      fetchFn: this.deps.fetchFn,
      now: this.deps.now,
      policy: () => this.deps.status.get().policy,
      onSyncStatus: (sync: SyncStatus) => this.onSync(sync),
      acknowledgedElsewhere: () => this.acknowledgementSync?.acknowledgedElsewhere ?? new Map(),
    };
    const runtime = how === 'adopt' ? await AccountRuntime.adopt(credentials, deps) : await AccountRuntime.start(credentials, deps);
    this.runtime = runtime;
    this.startAcknowledgementSync(runtime);
    this.securityService = new SecurityService(runtime.device, this.deps.security, this.deps.now, {
      load: async () => {
        const last = await this.deps.records.get('security-status');
        return last !== undefined && isSecurityStatusRecord(last) ? last : undefined;
      },
      save: (last) => this.deps.records.put('security-status', last),
    });
    runtime.engine.onReport((report) => {
      this.deps.onReport(report);
      this.overviewPublisher.schedule();
    });
    const store = await runtime.device.storeIdentity();
    const engine = await recordStoreOpening<'account-crypto-store'>(
      this.deps.records,
      'account-crypto-store',
      { ...store, startupMs: this.deps.elapsedMs() },
      this.deps.now(),
      t('errCryptoStoreLost'),
    );
    this.deps.status.setCryptoEngine(engine);
    this.signedIn.started(runtime.device, runtime.device.syncStatus);
  }

  private onSync(sync: SyncStatus): void {
    if (sync.state === 'signed-out-by-server') {
      this.endedByServer(sync.at).catch((error: unknown) => log.error('could not clear the ended session', { error: errorSummary(error) }));
      return;
    }
    const runtime = this.runtime;
    // The first sync after a start is when rooms are known: time for the first overview. A sync
    // can come while the device is still starting (no runtime yet): the overview then follows
    // once it has (the publisher waits for the runtime; launch publishes the status itself).
    if (!runtime || this.signedIn.synced(runtime.device, sync)) this.overviewPublisher.schedule();
  }

  /** Token revoked or device deleted: the device is gone, its local stores too; the ledger stays. */
  private async endedByServer(at: number): Promise<void> {
    const runtime = this.runtime;
    // Several failing requests can each report the lost session; the first one handles it.
    if (!runtime) return;
    this.runtime = undefined;
    this.endSecurity();
    await this.endAcknowledgementSync();
    log.warn('session ended by the server');
    await runtime.discardAfterServerSignOut();
    await this.deps.records.put('account-ended', { byServerAt: at });
    await this.deps.records.delete('account-crypto-store');
    await this.deps.records.delete('security-status');
    this.deps.status.setAccount({ state: 'signed-out', endedByServerAt: at });
    this.deps.onOverview(emptyOverview());
  }

  private fail(reason: string, error: unknown): void {
    log.error('account failed', { error: errorSummary(error) });
    this.deps.status.setAccount({ state: 'failed', reason });
  }

  /** For work that must not be refused: waits for a sign-in or sign-out under way to end. */
  private async whenIdle<T>(work: () => Promise<T>): Promise<T> {
    while (this.busy) await this.busy.catch(() => undefined);
    return this.exclusive(work);
  }

  /** Sign-in and sign-out never overlap: the second one is refused, not queued. */
  private async exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.busy) throw new UserFacingError(t('errSignInBusy'));
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
  return (
    isPlainObject(crossSigning) &&
    isPlainObject(crossSigning.privateKeysCachedLocally) &&
    isPlainObject(secretStorage) &&
    isPlainObject(keyBackup)
  );
}

function userFacing(error: unknown): Error {
  if (error instanceof SignInError) return new UserFacingError(error.message);
  return error instanceof UserFacingError ? error : new UserFacingError(t('signInFailed'));
}

async function asUserFacing<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw userFacing(error);
  }
}

/**
 * The identity memory kept as a background record, for one account: a record left by another
 * account is not read (and is replaced at the first write).
 */
function identityMemoryRecord(records: RecordStore<BackgroundRecords>, userId: string): IdentityMemoryPersistence {
  return {
    load: async () => {
      const record = await records.get('identity-memory');
      // Our own record, but read like anything stored: a damaged one is forgotten, not trusted.
      return record?.userId === userId && isPlainObject(record.memory) && isPlainObject(record.memory.contacts) ? record.memory : undefined;
    },
    save: (memory) => records.put('identity-memory', { userId, memory }),
  };
}
