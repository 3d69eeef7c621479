/**
 * Which of the account's devices signed its master key, checked against each device's own key:
 * the device that makes a new identity signs it, so this is how "reset from <device>" is known.
 * A signature the server could have added under a device's name without its key counts for
 * nothing; when the check cannot run (no Ed25519 in WebCrypto) nobody is named.
 */

/** A cross-signing key as the crypto hands it out (the public parts of the spec's CrossSigningKey). */
export interface SignedKey {
  user_id: string;
  usage: string[];
  keys: Record<string, string>;
  signatures?: Record<string, Record<string, string>>;
}

export async function masterKeySigners(
  masterKey: SignedKey,
  userId: string,
  devices: readonly { deviceId: string; ed25519Key: string }[],
): Promise<string[]> {
  const signatures = masterKey.signatures?.[userId] ?? {};
  const message = new TextEncoder().encode(canonicalJson(withoutSignatures(masterKey)));
  const signers: string[] = [];
  for (const { deviceId, ed25519Key } of devices) {
    const signature = signatures[`ed25519:${deviceId}`];
    if (signature !== undefined && (await verifies(ed25519Key, signature, message))) signers.push(deviceId);
  }
  return signers;
}

async function verifies(publicKey: string, signature: string, message: Uint8Array<ArrayBuffer>): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey('raw', unpaddedBase64(publicKey), { name: 'Ed25519' }, false, ['verify']);
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, unpaddedBase64(signature), message);
  } catch {
    // A malformed key or signature, or no Ed25519 here: not a signature we can vouch for.
    return false;
  }
}

function withoutSignatures(key: SignedKey): Omit<SignedKey, 'signatures'> & { unsigned?: unknown } {
  const { signatures: _signatures, ...rest } = key as SignedKey & { unsigned?: unknown };
  delete rest.unsigned;
  return rest;
}

/** The spec's canonical JSON: keys sorted by code point, no insignificant whitespace. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function unpaddedBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(
    text
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(text.length / 4) * 4, '='),
  );
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
