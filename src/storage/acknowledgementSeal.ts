import { isPlainObject } from '../validation/shape';
import { parseSynced, type SyncedAcknowledgements } from '../trust/syncedAcknowledgements';

/**
 * The synced acknowledgements as the server stores them: `{ v, kid, iv, ciphertext }`, AES-GCM under
 * a key derived (HKDF) from the account's sync key, which lives in the account's secret storage.
 * The server sees only ciphertext, a key id (`kid`), and the length, padded to a multiple of PAD_TO bytes; no user
 * id, device id, key or room id. GCM authenticates: a flipped byte fails. The additional data
 * binds the event type and the user id, so a ciphertext moved from another type or account fails.
 *
 * What the server can still do: delete the event or replay an older ciphertext of ours. Both
 * only take acknowledgements away (another browser warns again, never less), and the next write
 * from a browser that holds them merges them back (merge-before-write, never lose).
 */

export const SEAL_VERSION = 1;
const PAD_TO = 512;
const HKDF_INFO = 'matrix-trust-guard/acknowledgements/v1';
const MAX_CIPHERTEXT_CHARS = 4_000_000;

export interface SealedAcknowledgements {
  v: number;
  /**
   * Which sync key sealed it (derived from the key, reveals nothing of it): a browser holding an
   * older key (recovery was set up anew elsewhere) tells "not mine" from "damaged", and does not
   * write over its newer copy.
   */
  kid: string;
  iv: string;
  ciphertext: string;
}

/** What the key and the ciphertext are bound to. */
export interface SealContext {
  eventType: string;
  userId: string;
}

/** A new 256-bit sync key, made once per account and kept in its secret storage. */
export function newSyncKey(): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(32));
}

export async function sealAcknowledgements(
  synced: SyncedAcknowledgements,
  syncKey: Uint8Array<ArrayBuffer>,
  context: SealContext,
): Promise<SealedAcknowledgements> {
  const json = JSON.stringify(synced);
  // Trailing spaces are valid JSON: the length tells the server little about the count.
  const padded = json.padEnd(Math.ceil((json.length + 1) / PAD_TO) * PAD_TO, ' ');
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await deriveKey(syncKey);
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: additionalData(context) },
    key,
    new TextEncoder().encode(padded),
  );
  return { v: SEAL_VERSION, kid: await keyIdOf(syncKey), iv: toBase64(iv), ciphertext: toBase64(new Uint8Array(ciphertext)) };
}

/** Whether `content` says it was sealed under another sync key than this one (unauthenticated: a hint, never trust). */
export async function sealedUnderAnotherKey(content: unknown, syncKey: Uint8Array<ArrayBuffer>): Promise<boolean> {
  return isPlainObject(content) && typeof content.kid === 'string' && content.kid !== (await keyIdOf(syncKey));
}

/**
 * The document, or undefined when the content is not ours, does not decrypt under this key and
 * context, or does not validate. Never throws: whatever the server sent is refused, not trusted.
 */
export async function openAcknowledgements(
  content: unknown,
  syncKey: Uint8Array<ArrayBuffer>,
  context: SealContext,
): Promise<SyncedAcknowledgements | undefined> {
  if (!isPlainObject(content) || content.v !== SEAL_VERSION || Object.keys(content).length !== 4) return undefined;
  const { kid, iv, ciphertext } = content;
  if (kid !== (await keyIdOf(syncKey))) return undefined;
  if (typeof iv !== 'string' || typeof ciphertext !== 'string' || ciphertext.length > MAX_CIPHERTEXT_CHARS) return undefined;
  try {
    const ivBytes = fromBase64(iv);
    if (ivBytes.length !== 12) return undefined;
    const plaintext = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: ivBytes, additionalData: additionalData(context) },
      await deriveKey(syncKey),
      fromBase64(ciphertext),
    );
    return parseSynced(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext)));
  } catch {
    return undefined;
  }
}

/** A key for this one purpose: the sync key could serve others later without sharing keys. */
async function deriveKey(syncKey: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', syncKey, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(hkdf(HKDF_INFO), material, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

/** 96 bits derived apart from the encryption key: names the sync key without revealing it. */
async function keyIdOf(syncKey: Uint8Array<ArrayBuffer>): Promise<string> {
  const material = await crypto.subtle.importKey('raw', syncKey, 'HKDF', false, ['deriveBits']);
  return toBase64(new Uint8Array(await crypto.subtle.deriveBits(hkdf(`${HKDF_INFO}/key-id`), material, 96)));
}

function hkdf(info: string): HkdfParams {
  return { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(32), info: new TextEncoder().encode(info) };
}

function additionalData({ eventType, userId }: SealContext): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`${eventType.length}:${eventType}${userId.length}:${userId}`);
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Throws on anything that is not base64. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new Error('not base64');
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
