import type { SecretStorageKeyDescription } from 'matrix-js-sdk/lib/secret-storage.js';

/**
 * The secret storage (recovery) key while one flow needs it, and no longer: matrix-js-sdk asks
 * for it through `getSecretStorageKey`, sometimes several times in a row, and we answer from
 * here. It lives in memory only, expires on its own, and is zeroed when dropped.
 */
export class SecretStorageKeyCache {
  private entry: { keyId: string | undefined; key: Uint8Array<ArrayBuffer>; timer: ReturnType<typeof setTimeout> } | undefined;

  /** Holds `key` (for `keyId`, or whichever key is asked for when undefined) for at most `ttlMs`. */
  hold(key: Uint8Array<ArrayBuffer>, keyId: string | undefined, ttlMs: number): void {
    this.drop();
    this.entry = { keyId, key, timer: setTimeout(() => this.drop(), ttlMs) };
  }

  drop(): void {
    if (!this.entry) return;
    clearTimeout(this.entry.timer);
    this.entry.key.fill(0);
    this.entry = undefined;
  }

  /** The callback matrix-js-sdk calls; null (no key) makes the operation needing it fail. */
  readonly getSecretStorageKey = ({
    keys,
  }: {
    keys: Record<string, SecretStorageKeyDescription>;
  }): Promise<[string, Uint8Array<ArrayBuffer>] | null> => {
    const entry = this.entry;
    if (!entry) return Promise.resolve(null);
    const keyId = entry.keyId ?? Object.keys(keys)[0];
    if (keyId === undefined || !Object.hasOwn(keys, keyId)) return Promise.resolve(null);
    // A copy: the SDK may keep what it gets, and ours is zeroed when dropped.
    return Promise.resolve([keyId, entry.key.slice()]);
  };

  /** Called by the SDK when it creates a new default key (setting up recovery): keep it for the rest of the flow. */
  readonly cacheSecretStorageKey = (keyId: string, _info: SecretStorageKeyDescription, key: Uint8Array<ArrayBuffer>): void => {
    if (this.entry && this.entry.keyId === undefined) this.entry.keyId = keyId;
    else this.hold(key.slice(), keyId, 60_000);
  };
}
