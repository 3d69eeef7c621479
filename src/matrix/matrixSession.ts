import { KeyQueryFence } from './keyQueryFence';
import {
  type AccessTokens,
  type TokenRefreshCallback,
  ClientEvent,
  createClient,
  HttpApiEvent,
  IndexedDBStore,
  type MatrixClient,
  SyncState,
  type ValidatedAuthMetadata,
} from 'matrix-js-sdk';
import type { SyncCryptoCallbacks } from 'matrix-js-sdk/lib/common-crypto/CryptoBackend.js';
import type { CryptoApi } from 'matrix-js-sdk/lib/crypto-api/index.js';
import type { AccountCredentials } from '../model/accountCredentials';
import type { TokenAnswer } from '../model/tokenRotation';
import type { DeviceListWatch } from './deviceListWatch';
import { createSdkLogger } from './sdkLogger';
import { SecretStorageKeyCache } from './secretStorageKeyCache';
import { rateLimitedFetch } from './rateLimit';
import { OverdueSyncWatch } from './overdueSyncWatch';
import { nextSyncStatus, type SyncStatus } from './syncStatus';

/** IndexedDB names of this account's stores; sign-out deletes them. */
export const SYNC_DATABASE = 'mtg-account-sync';
export const CRYPTO_DATABASE_PREFIX = 'mtg-account';

/**
 * The server holds each /sync up to this long. Chrome may stop an extension worker whose
 * fetch waits longer than 30 s, so every long-poll must end well before that.
 */
export const POLL_TIMEOUT_MS = 20_000;

/** How often the sync state (and its token) is written out while syncing. */
const SAVE_EVERY_MS = 5_000;

export interface SessionOptions {
  credentials: AccountCredentials;
  /** Key of the Rust crypto store; the same key opens the same store after every restart. */
  storageKey: Uint8Array;
  indexedDB: IDBFactory;
  /** Watches this device's key queries and syncs, so reports know whose devices are current. */
  deviceLists: DeviceListWatch;
  fetchFn?: typeof fetch;
  now?: () => number;
  onStatus: (status: SyncStatus) => void;
  /** For an OAuth 2.0 session (credentials.oauth): how the SDK's token refresh reaches us. */
  tokens?: TokenHooks;
}

export interface TokenHooks {
  /** Seals rotated tokens; the SDK waits for it before it uses them (crash-safe rotation). */
  onRefreshed: (tokens: TokenAnswer) => Promise<void>;
  /** The provider's metadata, for refreshing and revoking (stable or unstable endpoint). */
  authMetadata: () => Promise<ValidatedAuthMetadata>;
}

/**
 * The extension's own Matrix device: a matrix-js-sdk client with Rust crypto whose sync state
 * and crypto store live in IndexedDB, so a restarted worker resumes the same device from the
 * stored sync token, without logging in again.
 */
export class MatrixSession {
  private status: SyncStatus = { state: 'starting' };
  private lastSaveAt = 0;
  /** Says offline when the current long-poll is overdue. */
  private readonly overdue: OverdueSyncWatch;
  private stopped = false;

  private constructor(
    readonly client: MatrixClient,
    readonly crypto: CryptoApi,
    private readonly store: IndexedDBStore,
    private readonly options: SessionOptions,
    private readonly requests: StoppableFetch,
    /** The recovery key while a flow needs it (see SecretStorageKeyCache). */
    readonly secretStorageKeys: SecretStorageKeyCache,
    /** Closed while this device replaces the account's identity (see KeyQueryFence). */
    readonly keyQueries: KeyQueryFence,
  ) {
    this.overdue = new OverdueSyncWatch(POLL_TIMEOUT_MS, options.now ?? Date.now, (status) => this.setStatus(status));
  }

  static async start(options: SessionOptions): Promise<MatrixSession> {
    const { credentials } = options;
    // The SDK retries a rate-limited /sync after a few seconds whatever the server asked for;
    // the gate holds every request until the server's retry time has passed.
    const network = rateLimitedFetch(options.fetchFn ?? ((input, init) => fetch(input, init)), options.now ?? Date.now);
    const keyQueries = new KeyQueryFence();
    const requests = stoppableFetch(options.deviceLists.wrap(keyQueries.wrap(network)));
    const store = new IndexedDBStore({ indexedDB: options.indexedDB, dbName: SYNC_DATABASE });
    const secretStorageKeys = new SecretStorageKeyCache();
    const client = createClient({
      baseUrl: credentials.homeserverUrl,
      userId: credentials.userId,
      deviceId: credentials.deviceId,
      accessToken: credentials.accessToken,
      ...(credentials.oauth &&
        options.tokens && {
          oauthClientId: credentials.oauth.clientId,
          refreshToken: credentials.oauth.refreshToken,
          onTokenRefresh: sealBeforeUse(options.tokens),
        }),
      store,
      fetchFn: requests.fetch,
      logger: createSdkLogger('session'),
      cryptoCallbacks: {
        getSecretStorageKey: secretStorageKeys.getSecretStorageKey,
        cacheSecretStorageKey: secretStorageKeys.cacheSecretStorageKey,
      },
    });
    // The SDK asks only the stable auth_metadata endpoint; ours falls back to the unstable one.
    if (options.tokens) client.http.opts.authMetadataCallback = options.tokens.authMetadata;
    await store.startup();
    await client.initRustCrypto({ storageKey: options.storageKey, cryptoDatabasePrefix: CRYPTO_DATABASE_PREFIX });
    const crypto = client.getCrypto();
    if (!crypto) throw new Error('Rust crypto did not initialise');
    // The Rust backend also takes the sync loop's calls, which the CryptoApi type leaves out.
    const backend = crypto as Partial<SyncCryptoCallbacks>;
    // A held-back key query is due: have the crypto send its pending requests now rather than
    // after the next sync, which may be a long-poll away. (The sync loop calls the same.)
    options.deviceLists.onRetryDue = () => backend.onSyncCompleted?.({});
    // A store from before the watch existed: nothing is known to be current, so have every
    // tracked user fetched again rather than showing them all as being checked for good.
    if (options.deviceLists.isEmpty) await backend.markAllTrackedUsersAsDirty?.();
    const session = new MatrixSession(client, crypto, store, options, requests, secretStorageKeys, keyQueries);
    session.followSync();
    await client.startClient({
      pollTimeout: POLL_TIMEOUT_MS,
      initialSyncLimit: 1,
      // Trust reports need every member of every encrypted room, not just recent senders.
      lazyLoadMembers: false,
      disablePresence: true,
    });
    return session;
  }

  get syncStatus(): SyncStatus {
    return this.status;
  }

  get userId(): string {
    return this.options.credentials.userId;
  }

  get deviceId(): string {
    return this.options.credentials.deviceId;
  }

  /** What this device's HTTP layer saw of whose device lists are current. */
  get deviceLists(): DeviceListWatch {
    return this.options.deviceLists;
  }

  /** Stops syncing; stores stay as they are for the next start. */
  stop(): void {
    this.stopped = true;
    this.overdue.stop();
    this.secretStorageKeys.drop();
    this.options.deviceLists.stop();
    this.requests.stop();
    this.client.stopClient();
  }

  /**
   * Logs this device out on the server (for an OAuth session: revokes its refresh and access
   * tokens at the provider, RFC 7009), then deletes its sync and crypto stores. If the server
   * cannot be reached the local stores are deleted all the same, and the result says so.
   */
  async signOut(): Promise<{ removedFromServer: boolean }> {
    let removedFromServer = true;
    this.requests.stop();
    try {
      await this.client.logout(true);
    } catch {
      removedFromServer = false;
      this.client.stopClient();
    }
    await this.wipeStores();
    return { removedFromServer };
  }

  /** Deletes this device's sync and crypto stores (after the server ended the session). */
  async wipeStores(): Promise<void> {
    this.stop();
    await this.client.clearStores({ cryptoDatabasePrefix: CRYPTO_DATABASE_PREFIX });
  }

  private followSync(): void {
    const now = this.options.now ?? Date.now;
    this.client.on(ClientEvent.Sync, (state, _previous, data) => {
      this.setStatus(nextSyncStatus(this.status, state, { catchingUp: data?.catchingUp, fromCache: data?.fromCache }, now()));
      if (state === SyncState.Syncing) void this.saveSyncState(now());
    });
    this.client.on(HttpApiEvent.SessionLoggedOut, () => {
      this.client.stopClient();
      this.setStatus({ state: 'signed-out-by-server', at: now() });
    });
  }

  /**
   * matrix-js-sdk writes its sync state every five minutes; a worker lives about thirty seconds
   * when idle, so write it (and the sync token in it) more often.
   */
  private async saveSyncState(now: number): Promise<void> {
    if (now - this.lastSaveAt < SAVE_EVERY_MS) return;
    this.lastSaveAt = now;
    await this.store.save(true);
  }

  private setStatus(status: SyncStatus): void {
    // Back from an outage: key queries held back meanwhile can go now.
    if (this.status.state === 'offline' && status.state === 'syncing') this.options.deviceLists.retryNow();
    this.status = status;
    this.options.onStatus(status);
    this.watchForOverdueSync();
  }

  /** A stopped client still emits STOPPED, which keeps the status: no timer outlives the session. */
  private watchForOverdueSync(): void {
    if (this.stopped) this.overdue.stop();
    else this.overdue.watch(this.status);
  }
}

/**
 * The SDK types its refresh callback as returning nothing, but awaits what it returns before it
 * uses the new tokens (oauth/tokenRefresher.js): returning the sealing promise makes the rotation
 * crash-safe.
 */
function sealBeforeUse(hooks: TokenHooks): TokenRefreshCallback {
  const seal = (tokens: AccessTokens): Promise<void> =>
    hooks.onRefreshed({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiry?.getTime() });
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- awaited by the SDK, as said above
  return seal;
}

interface StoppableFetch {
  fetch: typeof fetch;
  stop(): void;
}

/**
 * matrix-js-sdk aborts its requests in flight when it stops, and a few of the promises it
 * makes of them (the first /sync after a start) have no handler left by then, so the abort
 * surfaces as an unhandled rejection. A stopped session has no use for any answer: aborted
 * requests of a stopped session never settle, and are simply dropped.
 */
function stoppableFetch(fetchFn: typeof fetch): StoppableFetch {
  let stopped = false;
  return {
    fetch: (input, init) =>
      fetchFn(input, init).catch((error: unknown) => {
        if (stopped && error instanceof Error && error.name === 'AbortError') return new Promise<Response>(() => undefined);
        throw error;
      }),
    stop: () => {
      stopped = true;
    },
  };
}
