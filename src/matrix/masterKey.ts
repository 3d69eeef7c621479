import type { MatrixClient } from 'matrix-js-sdk';
import type { CryptoApi } from 'matrix-js-sdk/lib/crypto-api/index.js';
import { isPlainObject } from '../validation/shape';

/**
 * The public master key of the user's cross-signing identity as the crypto holds it now, or
 * undefined when they have none: what a pin or a withdrawal is about.
 */
export async function currentMasterKey(crypto: CryptoApi, userId: string): Promise<string | undefined> {
  return publicKeyOf((await crypto.getUserCrossSigningKeys(userId))?.master_key);
}

/** The public key of a cross-signing key as the crypto hands it out. */
export function publicKeyOf(key: { keys: Record<string, string> } | undefined): string | undefined {
  const [value] = Object.values(key?.keys ?? {});
  return typeof value === 'string' ? value : undefined;
}

/**
 * The user's master key as the server has it now: a key query of its own, not the crypto
 * store's copy (which is what may be out of date). Undefined when the answer names none.
 */
export async function serverMasterKey(client: Pick<MatrixClient, 'downloadKeysForUsers'>, userId: string): Promise<string | undefined> {
  const answer: unknown = await client.downloadKeysForUsers([userId]);
  const masterKeys = isPlainObject(answer) ? answer.master_keys : undefined;
  const key = isPlainObject(masterKeys) ? masterKeys[userId] : undefined;
  const keys = isPlainObject(key) ? key.keys : undefined;
  return isPlainObject(keys) ? publicKeyOf({ keys: keys as Record<string, string> }) : undefined;
}
