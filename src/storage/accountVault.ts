import type { AccountCredentials } from '../model/accountCredentials';
import type { PendingDeviceGrant } from '../model/deviceGrant';
import { exactly, isBoundedString, isNonNegativeInteger, isPlainObject, nonEmptyText, type Check } from '../validation/shape';
import type { SecretVault } from './secretVault';

const CREDENTIALS = 'account-credentials';
const CRYPTO_STORE_KEY = 'account-crypto-store-key';
const DEVICE_GRANT = 'oauth-device-grant';

/** The account's secrets, sealed in the vault: never in storage.local, never in clear. */
export class AccountVault {
  constructor(private readonly vault: SecretVault) {}

  async load(): Promise<AccountCredentials | undefined> {
    const parsed = await this.unsealJson(CREDENTIALS);
    if (parsed === undefined) return undefined;
    if (!isCredentials(parsed)) throw new Error('stored account credentials are damaged');
    return parsed;
  }

  async save(credentials: AccountCredentials): Promise<void> {
    await this.sealJson(CREDENTIALS, credentials);
  }

  /** A device authorization waiting for the user's approval (its device code is a secret). */
  async pendingDeviceGrant(): Promise<PendingDeviceGrant | undefined> {
    const parsed = await this.unsealJson(DEVICE_GRANT);
    // A damaged one is dropped: the user starts again, nothing is lost.
    return isPendingDeviceGrant(parsed) ? parsed : undefined;
  }

  async savePendingDeviceGrant(grant: PendingDeviceGrant): Promise<void> {
    await this.sealJson(DEVICE_GRANT, grant);
  }

  async clearPendingDeviceGrant(): Promise<void> {
    await this.vault.remove(DEVICE_GRANT);
  }

  /** The key of this device's Rust crypto store, created with the device. */
  cryptoStoreKey(): Promise<Uint8Array<ArrayBuffer>> {
    return this.vault.getOrCreate(CRYPTO_STORE_KEY, () => crypto.getRandomValues(new Uint8Array(32)));
  }

  async clear(): Promise<void> {
    await this.vault.remove(CREDENTIALS);
    await this.vault.remove(CRYPTO_STORE_KEY);
    await this.vault.remove(DEVICE_GRANT);
  }

  private async unsealJson(name: string): Promise<unknown> {
    const sealed = await this.vault.unseal(name);
    if (sealed === undefined) return undefined;
    try {
      return JSON.parse(new TextDecoder().decode(sealed)) as unknown;
    } catch {
      return null;
    }
  }

  private async sealJson(name: string, value: unknown): Promise<void> {
    await this.vault.seal(name, new TextEncoder().encode(JSON.stringify(value)));
  }
}

const token = nonEmptyText(4096);
const url = nonEmptyText(2048);

const isOAuthGrant: Check = exactly(
  { issuer: url, clientId: nonEmptyText(255), refreshToken: token },
  { accessTokenExpiresAt: isNonNegativeInteger, previousRefreshToken: token },
);

export function isCredentials(value: unknown): value is AccountCredentials {
  return (
    isPlainObject(value) &&
    isBoundedString(value.homeserverUrl, 2048) &&
    isBoundedString(value.userId, 255) &&
    isBoundedString(value.deviceId, 255) &&
    isBoundedString(value.accessToken, 4096) &&
    (value.oauth === undefined || isOAuthGrant(value.oauth))
  );
}

export const isPendingDeviceGrant = exactly(
  {
    homeserverUrl: url,
    issuer: url,
    clientId: nonEmptyText(255),
    deviceId: nonEmptyText(255),
    deviceCode: token,
    userCode: nonEmptyText(64),
    verificationUri: url,
    expiresAt: isNonNegativeInteger,
    intervalSeconds: isNonNegativeInteger,
  },
  { verificationUriComplete: url },
) as (value: unknown) => value is PendingDeviceGrant;
