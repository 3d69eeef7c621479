import type { CryptoApi, GeneratedSecretStorageKey } from 'matrix-js-sdk/lib/crypto-api/index.js';
import { decodeRecoveryKey } from 'matrix-js-sdk/lib/crypto-api/recovery-key.js';
import { deriveRecoveryKeyFromPassphrase } from 'matrix-js-sdk/lib/crypto-api/key-passphrase.js';
import type { ServerSideSecretStorage } from 'matrix-js-sdk/lib/secret-storage.js';
import type { FoundRecoveryKey, NewRecoveryKey, RecoveryCrypto } from '../background/ports/recovery';
import type { NewIdentityKeeper } from './newIdentityKeeper';
import { authWithPassword } from './passwordAuth';
import type { SecretStorageKeyCache } from './secretStorageKeyCache';

/** How long an entered recovery key stays usable while one unlock runs. */
const UNLOCK_KEY_TTL_MS = 60_000;

/** How many times a reset makes new keys when an older key query's answer took them before their upload. */
const RESET_ATTEMPTS = 3;

/** An older key query's answer took a reset's new keys before they were uploaded (see NewIdentityKeeper). */
class KeysTakenBeforeUpload extends Error {
  override name = 'KeysTakenBeforeUpload';
}

/** The parts of matrix-js-sdk recovery uses; tests hand in their own. */
export type RecoverySdk = {
  userId: string;
  crypto: Pick<
    CryptoApi,
    | 'getCrossSigningStatus'
    | 'userHasCrossSigningKeys'
    | 'createRecoveryKeyFromPassphrase'
    | 'bootstrapCrossSigning'
    | 'bootstrapSecretStorage'
    | 'getKeyBackupInfo'
    | 'loadSessionBackupPrivateKeyFromSecretStorage'
    | 'checkKeyBackupAndEnable'
  >;
  secretStorage: Pick<ServerSideSecretStorage, 'getDefaultKeyId' | 'setDefaultKeyId' | 'getKey' | 'checkKey'>;
  /** The session's cache, which answers the SDK's requests for the secret storage key. */
  keys: SecretStorageKeyCache;
  /** The account page's link for approving a reset, for a server that asks without naming one. */
  resetApprovalUrl?: () => Promise<string | undefined>;
  /** Called while a flow holds the secret storage key, for secrets of ours (the acknowledgement sync key). */
  whileOpen?: () => Promise<void>;
  /** Runs a reset with the answers to key queries held until it is over (see KeyQueryFence). */
  whileReplacingIdentity?: <T>(work: () => Promise<T>) => Promise<T>;
  /** Keeps a reset's new keys from being taken by an older key query's answer (see there). */
  newIdentityKeeper?: () => Pick<NewIdentityKeeper, 'capture' | 'guard' | 'discard'>;
};

/** Recovery (set up, unlock, reset) over matrix-js-sdk's Rust crypto. */
export class SdkRecovery implements RecoveryCrypto {
  constructor(private readonly sdk: RecoverySdk) {}

  async identity(): Promise<{ onServer: boolean; heldHere: boolean }> {
    const { onServer, privateKeysHere } = await this.crossSigning();
    return { onServer, heldHere: privateKeysHere };
  }

  async createKey(passphrase: string | undefined): Promise<NewRecoveryKey> {
    const generated = await this.sdk.crypto.createRecoveryKeyFromPassphrase(passphrase);
    const { encodedPrivateKey, privateKey, keyInfo } = generated;
    if (encodedPrivateKey === undefined) throw new Error('the crypto library made no displayable key');
    return { encodedPrivateKey, privateKey, ...(keyInfo && { keyInfo }) };
  }

  async setUp(key: NewRecoveryKey, password: string | undefined): Promise<void> {
    const { crypto, userId } = this.sdk;
    try {
      // An identity this device already holds needs no upload. Bootstrapping it anyway would
      // export its keys to the account's current secret storage, whose key may be the one a
      // setup cut short made and lost (the worker stopped between uploads): that fails, and
      // the setup could never be finished. bootstrapSecretStorage below stores the held keys
      // under the new key instead.
      const { onServer, publicKeysHere, privateKeysHere } = await this.crossSigning();
      if (!(onServer && publicKeysHere && privateKeysHere)) {
        await crypto.bootstrapCrossSigning({ authUploadDeviceSigningKeys: authWithPassword(userId, password) });
      }
      const generated: GeneratedSecretStorageKey = { ...key };
      await crypto.bootstrapSecretStorage({
        createSecretStorageKey: () => Promise.resolve(generated),
        setupNewSecretStorage: true,
        setupNewKeyBackup: true,
      });
      await this.sdk.whileOpen?.();
    } finally {
      // matrix-js-sdk hands a new default key to the session's cache (cacheSecretStorageKey)
      // to store the secrets under it; the setup ends here, and so does that copy.
      this.sdk.keys.drop();
    }
  }

  async findKey(input: string): Promise<FoundRecoveryKey | 'not-set-up' | 'no-match'> {
    const { secretStorage } = this.sdk;
    const keyId = await secretStorage.getDefaultKeyId();
    const stored = keyId === null ? null : await secretStorage.getKey(keyId);
    if (keyId === null || stored === null) return 'not-set-up';
    const [, keyInfo] = stored;
    const privateKey = await keyFromInput(input, keyInfo.passphrase);
    if (!privateKey || !(await secretStorage.checkKey(privateKey, keyInfo))) return 'no-match';
    return { keyId, privateKey };
  }

  async unlockWith(key: FoundRecoveryKey): Promise<void> {
    const { crypto, keys } = this.sdk;
    keys.hold(key.privateKey, key.keyId, UNLOCK_KEY_TTL_MS);
    try {
      await crypto.bootstrapCrossSigning({});
      if (await crypto.getKeyBackupInfo()) {
        await crypto.loadSessionBackupPrivateKeyFromSecretStorage();
        await crypto.checkKeyBackupAndEnable();
      }
      await this.sdk.whileOpen?.();
    } finally {
      keys.drop();
    }
  }

  async resetIdentity(password: string | undefined): Promise<void> {
    const { crypto, secretStorage, userId } = this.sdk;
    // A reset is for a lost recovery key, and no flow keeps one in memory afterwards; but
    // matrix-js-sdk stores a new identity in the account's secret storage, under its key, and
    // fails without it. So secret storage is unset for the reset (a new recovery key is set up
    // after it), and set back if the reset did not happen (password asked, refused).
    const recoveryKeyId = await secretStorage.getDefaultKeyId();
    if (recoveryKeyId !== null) await secretStorage.setDefaultKeyId(null);
    const auth = authWithPassword(userId, password, this.sdk.resetApprovalUrl);
    const replace = async (): Promise<void> => {
      for (let attempt = 1; ; attempt++) {
        const keeper = this.sdk.newIdentityKeeper?.();
        try {
          await crypto.bootstrapCrossSigning({
            setupNewCrossSigning: true,
            // The SDK asks for auth once the new keys exist, just before uploading them.
            authUploadDeviceSigningKeys: async (makeRequest) => {
              if ((await keeper?.capture()) === 'gone') throw new KeysTakenBeforeUpload();
              await auth(makeRequest);
            },
          });
          keeper?.guard();
          return;
        } catch (error) {
          keeper?.discard();
          // The keys were taken before their upload: nothing was published, so make new ones.
          if (error instanceof KeysTakenBeforeUpload && attempt < RESET_ATTEMPTS) continue;
          if (recoveryKeyId !== null) await secretStorage.setDefaultKeyId(recoveryKeyId);
          throw error;
        }
      }
    };
    await (this.sdk.whileReplacingIdentity ? this.sdk.whileReplacingIdentity(replace) : replace());
  }

  private async crossSigning(): Promise<{ onServer: boolean; publicKeysHere: boolean; privateKeysHere: boolean }> {
    const { crypto, userId } = this.sdk;
    const [onServer, status] = await Promise.all([crypto.userHasCrossSigningKeys(userId, true), crypto.getCrossSigningStatus()]);
    return {
      onServer,
      publicKeysHere: status.publicKeysOnDevice,
      privateKeysHere: Object.values(status.privateKeysCachedLocally).every(Boolean),
    };
  }
}

async function keyFromInput(
  input: string,
  passphrase: { salt: string; iterations: number } | undefined,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  try {
    return decodeRecoveryKey(input);
  } catch {
    // Not a recovery key: perhaps the passphrase it was made from.
  }
  if (passphrase === undefined || input.length === 0) return undefined;
  return deriveRecoveryKeyFromPassphrase(input, passphrase.salt, passphrase.iterations);
}
