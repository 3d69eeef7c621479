import type { AccountCredentials } from '../model/accountCredentials';
import { isBoundedString, isPlainObject } from '../validation/shape';
import type { SecretVault } from './secretVault';

const CREDENTIALS = 'account-credentials';
const CRYPTO_STORE_KEY = 'account-crypto-store-key';

/** The account's secrets, sealed in the vault: never in storage.local, never in clear. */
export class AccountVault {
  constructor(private readonly vault: SecretVault) {}

  async load(): Promise<AccountCredentials | undefined> {
    const sealed = await this.vault.unseal(CREDENTIALS);
    if (sealed === undefined) return undefined;
    const parsed: unknown = JSON.parse(new TextDecoder().decode(sealed));
    if (!isCredentials(parsed)) throw new Error('stored account credentials are damaged');
    return parsed;
  }

  async save(credentials: AccountCredentials): Promise<void> {
    await this.vault.seal(CREDENTIALS, new TextEncoder().encode(JSON.stringify(credentials)));
  }

  /** The key of this device's Rust crypto store, created with the device. */
  cryptoStoreKey(): Promise<Uint8Array<ArrayBuffer>> {
    return this.vault.getOrCreate(CRYPTO_STORE_KEY, () => crypto.getRandomValues(new Uint8Array(32)));
  }

  async clear(): Promise<void> {
    await this.vault.remove(CREDENTIALS);
    await this.vault.remove(CRYPTO_STORE_KEY);
  }
}

function isCredentials(value: unknown): value is AccountCredentials {
  return (
    isPlainObject(value) &&
    isBoundedString(value.homeserverUrl, 2048) &&
    isBoundedString(value.userId, 255) &&
    isBoundedString(value.deviceId, 255) &&
    isBoundedString(value.accessToken, 4096)
  );
}
