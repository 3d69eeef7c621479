import type { CryptoApi } from 'matrix-js-sdk/lib/crypto-api/index.js';

/**
 * The public master key of the user's cross-signing identity as the crypto holds it now, or
 * undefined when they have none: what a pin or a withdrawal is about.
 */
export async function currentMasterKey(crypto: CryptoApi, userId: string): Promise<string | undefined> {
  const keys = await crypto.getUserCrossSigningKeys(userId);
  const [key] = Object.values(keys?.master_key?.keys ?? {});
  return typeof key === 'string' ? key : undefined;
}
