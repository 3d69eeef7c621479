import type { AccountCredentials } from '../model/accountCredentials';
import type { TokenAnswer } from '../model/tokenRotation';
import type { AccountVault } from '../storage/accountVault';
import { DeviceListWatch, type DeviceListStore } from '../matrix/deviceListWatch';
import { MatrixDevice } from '../matrix/matrixDevice';
import { providerMetadata } from '../matrix/authMetadata';
import { refreshAtStart } from '../matrix/oauthTokens';
import { OAuthTokenKeeper } from './oauthTokenKeeper';
import type { SyncStatus } from '../matrix/syncStatus';
import type { AcknowledgedElsewhere } from '../trust/syncedAcknowledgements';
import type { Policy } from '../trust/types';
import type { AccountDevice } from './ports/accountDevice';
import { type HistoryAppender, type IdentityMemoryPersistence, type LedgerPersistence, TrustEngine } from './trustEngine';

export interface AccountDeps {
  vault: AccountVault;
  ledger: LedgerPersistence;
  /** Where identities are remembered, for the account of this user id. */
  identities?: (userId: string) => IdentityMemoryPersistence;
  /** Where identity changes are written in the trust history. */
  history?: HistoryAppender;
  /** Whose device lists are current, kept across worker starts; cleared with the device. */
  deviceLists: DeviceListStore & { clear(): Promise<void> };
  /** Where the sync and crypto stores live. */
  indexedDB: IDBFactory;
  fetchFn?: typeof fetch;
  now: () => number;
  policy: () => Policy;
  onSyncStatus: (status: SyncStatus) => void;
  /** The user's acknowledgements from their other browsers, for the engine. */
  acknowledgedElsewhere?: () => AcknowledgedElsewhere;
}

/**
 * A signed-in account at run time: this extension's Matrix device and the trust engine over it.
 * The same code runs in the extension's background and in integration tests.
 */
export class AccountRuntime {
  private constructor(
    readonly device: AccountDevice,
    readonly engine: TrustEngine,
    private readonly deps: AccountDeps,
  ) {}

  /** A device that just logged in: its credentials are sealed before anything else happens. */
  static async adopt(credentials: AccountCredentials, deps: AccountDeps): Promise<AccountRuntime> {
    await deps.vault.save(credentials);
    // A new device has fetched nobody's devices yet, whatever an earlier one had.
    await deps.deviceLists.clear();
    return AccountRuntime.start(credentials, deps);
  }

  /** The device signed in before: same device, same stores, no new login. */
  static async start(credentials: AccountCredentials, deps: AccountDeps): Promise<AccountRuntime> {
    const deviceLists = await DeviceListWatch.open(deps.deviceLists, deps.now);
    const tokens = credentials.oauth && (await oauthTokens(credentials, credentials.oauth.issuer, deps));
    const device = await MatrixDevice.start({
      credentials: tokens?.keeper.current ?? credentials,
      storageKey: await deps.vault.cryptoStoreKey(),
      indexedDB: deps.indexedDB,
      deviceLists,
      fetchFn: deps.fetchFn,
      now: deps.now,
      onStatus: (status) => {
        if (status.state === 'syncing') tokens?.keeper.worked().catch(() => undefined);
        deps.onSyncStatus(status);
      },
      ...(tokens && { tokens: tokens.hooks }),
    });
    const engine = new TrustEngine({
      facts: device.facts,
      ledger: deps.ledger,
      ...(deps.identities && { identities: deps.identities(device.userId) }),
      ...(deps.history && { history: deps.history }),
      policy: deps.policy,
      now: deps.now,
      ...(deps.acknowledgedElsewhere && { acknowledgedElsewhere: deps.acknowledgedElsewhere }),
    });
    return new AccountRuntime(device, engine, deps);
  }

  get userId(): string {
    return this.device.userId;
  }

  get deviceId(): string {
    return this.device.deviceId;
  }

  /** Logs the device out on the server and deletes its stores and credentials. */
  async signOut(): Promise<{ removedFromServer: boolean }> {
    this.engine.stop();
    const result = await this.device.signOut();
    await this.deps.vault.clear();
    await this.deps.deviceLists.clear();
    return result;
  }

  /** The server already ended the session: delete what is left of the device here. */
  async discardAfterServerSignOut(): Promise<void> {
    this.engine.stop();
    await this.device.wipeStores();
    await this.deps.vault.clear();
    await this.deps.deviceLists.clear();
  }

  /** Stops syncing, keeping everything for the next start. */
  stop(): void {
    this.engine.stop();
    this.device.stop();
  }
}

/** An OAuth session's tokens: refreshed first if they expired while the worker slept, then kept by the SDK. */
async function oauthTokens(credentials: AccountCredentials, issuer: string, deps: AccountDeps) {
  const keeper = new OAuthTokenKeeper(credentials, deps.vault);
  const authMetadata = () => providerMetadata(credentials.homeserverUrl, issuer, deps.fetchFn);
  await refreshAtStart(credentials, authMetadata, (next) => keeper.save(next), deps.now);
  return { keeper, hooks: { onRefreshed: (tokens: TokenAnswer) => keeper.refreshed(tokens), authMetadata } };
}
