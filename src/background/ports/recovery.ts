/**
 * A new recovery key, made but not set up yet. Only the background and the crypto library see
 * it; the recovery flow zeroes `privateKey` when the flow ends.
 */
export interface NewRecoveryKey {
  /** The key as the user is shown it and types it back ("EsTc …"). */
  readonly encodedPrivateKey: string;
  readonly privateKey: Uint8Array<ArrayBuffer>;
  /** How the key is described on the server (the passphrase's salt, when made from one). */
  readonly keyInfo?: {
    passphrase?: { algorithm: 'm.pbkdf2'; iterations: number; salt: string; bits?: number };
    name?: string;
  };
}

/** The account's existing recovery key, found from what the user typed; held only while it unlocks. */
export interface FoundRecoveryKey {
  readonly keyId: string;
  readonly privateKey: Uint8Array<ArrayBuffer>;
}

/**
 * What the recovery flow needs of the crypto: implemented over matrix-js-sdk in
 * `src/matrix/sdkRecovery.ts`. Each operation that needs the account password throws
 * `PasswordRequired` or `WrongPassword` (src/matrix/passwordAuth.ts).
 */
export interface RecoveryCrypto {
  /** Whether the account has a cross-signing identity on the server, and this device holds its private keys. */
  identity(): Promise<{ onServer: boolean; heldHere: boolean }>;
  /** A new recovery key, from the passphrase when one is given; nothing reaches the server. */
  createKey(passphrase: string | undefined): Promise<NewRecoveryKey>;
  /**
   * Uploads the identity (unless this device already holds it), then secret storage under
   * `key` and a new key backup. When it returns or throws, the crypto holds no copy of `key`.
   */
  setUp(key: NewRecoveryKey, password: string | undefined): Promise<void>;
  /** The recovery key the user typed (or the passphrase it was made from), if it opens the account's secret storage. */
  findKey(input: string): Promise<FoundRecoveryKey | 'not-set-up' | 'no-match'>;
  /** Verifies this device with the identity's keys from secret storage, and enables key backup; forgets `key` after. */
  unlockWith(key: FoundRecoveryKey): Promise<void>;
  /** Replaces the account's cross-signing identity. */
  resetIdentity(password: string | undefined): Promise<void>;
}
