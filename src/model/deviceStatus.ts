/**
 * What the extension's own device knows of itself: how fresh its sync is, its crypto engine,
 * its account's encryption setup. Shared by the Matrix layer that produces these, the protocol
 * that carries them and the pages that show them, so it imports none of them.
 */

/** How fresh the extension's view of the account is; every UI shows this next to its warnings. */
export type SyncStatus =
  | { state: 'starting' }
  /** Working through what happened while we were away (after a restart or an outage). */
  | { state: 'catching-up'; lastSyncAt?: number }
  | { state: 'syncing'; lastSyncAt: number }
  | { state: 'offline'; since: number; lastSyncAt?: number }
  /** The server ended this device's session (token revoked, device deleted). */
  | { state: 'signed-out-by-server'; at: number };

/** The Rust crypto engine as seen by the background; see `src/matrix/cryptoEngineCheck.ts`. */
export type CryptoEngineStatus =
  | { state: 'starting' }
  | {
      state: 'ready';
      /** e.g. "Rust SDK 0.x (…), Vodozemac 0.x" as reported by the crypto module. */
      engineVersion: string;
      /** Public ed25519 key of the crypto store's device: the same value after every restart proves the store persisted. */
      identityKey: string;
      /** When this browser profile's crypto store was first created (ms since epoch). */
      storeCreatedAt: number;
      /** How many background starts have opened this same store. */
      storeOpenCount: number;
      /** Time from the background script starting to the store being open, in ms. */
      startupMs: number;
    }
  | { state: 'failed'; reason: string };

/** The account's encryption setup as this device sees it (see `readSecurityStatus`). */
export interface SecurityStatus {
  /** The account has a cross-signing identity on the server. */
  identityOnServer: boolean;
  /** This extension's device is signed by the account's identity, and trusted here. */
  thisDeviceVerified: boolean;
  crossSigning: {
    ready: boolean;
    publicKeysOnDevice: boolean;
    privateKeysInSecretStorage: boolean;
    privateKeysCachedLocally: { masterKey: boolean; selfSigningKey: boolean; userSigningKey: boolean };
  };
  secretStorage: { ready: boolean; defaultKeyId: string | null; passphraseBased: boolean };
  keyBackup: { serverVersion: string | null; activeVersion: string | null; trusted: boolean; keysRemaining: number | null };
}
