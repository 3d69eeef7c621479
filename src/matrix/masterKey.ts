import type { CryptoApi } from 'matrix-js-sdk/lib/crypto-api/index.js';

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
