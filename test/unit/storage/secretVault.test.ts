import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { openExtensionDatabase, STORES } from '../../../src/storage/extensionDatabase';
import { requestResult } from '../../../src/storage/indexedDb';
import { SecretVault } from '../../../src/storage/secretVault';

const secret = new TextEncoder().encode('syt_access_token_abc123');

describe('the secret vault', () => {
  let factory: IDBFactory;
  beforeEach(() => {
    factory = new IDBFactory();
  });

  it('gives back what it sealed, after the database is closed and opened again', async () => {
    const db = await openExtensionDatabase(factory);
    await (await SecretVault.open(db)).seal('access-token', secret);
    db.close();
    const reopened = await SecretVault.open(await openExtensionDatabase(factory));
    expect(await reopened.unseal('access-token')).toEqual(secret);
  });

  it('keeps no secret in clear in IndexedDB', async () => {
    const db = await openExtensionDatabase(factory);
    await (await SecretVault.open(db)).seal('access-token', secret);
    const stored: unknown = await requestResult(db.transaction(STORES.sealedSecrets).objectStore(STORES.sealedSecrets).get('access-token'));
    const bytes = new Uint8Array((stored as { ciphertext: ArrayBuffer }).ciphertext);
    expect(Buffer.from(bytes).toString('latin1')).not.toContain('syt_access_token');
    expect(bytes.length).toBe(secret.length + 16); // the plaintext plus the GCM tag, nothing more
  });

  it('stores its key as a non-extractable CryptoKey', async () => {
    const db = await openExtensionDatabase(factory);
    await SecretVault.open(db);
    const key = (await requestResult(db.transaction(STORES.vaultKey).objectStore(STORES.vaultKey).getAll()))[0] as CryptoKey;
    expect(key).toBeInstanceOf(CryptoKey);
    expect(key.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow();
  });

  it('answers undefined for a secret it never sealed', async () => {
    const vault = await SecretVault.open(await openExtensionDatabase(factory));
    expect(await vault.unseal('recovery-key')).toBeUndefined();
  });

  it('refuses a sealed value moved to another name', async () => {
    const db = await openExtensionDatabase(factory);
    const vault = await SecretVault.open(db);
    await vault.seal('a', secret);
    const sealed: unknown = await requestResult(db.transaction(STORES.sealedSecrets).objectStore(STORES.sealedSecrets).get('a'));
    const transaction = db.transaction(STORES.sealedSecrets, 'readwrite');
    transaction.objectStore(STORES.sealedSecrets).put(sealed, 'b');
    await new Promise((resolve) => (transaction.oncomplete = resolve));
    await expect(vault.unseal('b')).rejects.toThrow();
  });

  it('creates a secret once and returns the same one ever after', async () => {
    const vault = await SecretVault.open(await openExtensionDatabase(factory));
    const first = await vault.getOrCreate('store-key', () => crypto.getRandomValues(new Uint8Array(32)));
    const second = await vault.getOrCreate('store-key', () => crypto.getRandomValues(new Uint8Array(32)));
    expect(second).toEqual(first);
  });

  it('settles on one value when two starts race to create the same secret', async () => {
    const db = await openExtensionDatabase(factory);
    const [a, b] = await Promise.all([SecretVault.open(db), SecretVault.open(db)]);
    const [x, y] = await Promise.all([
      a.getOrCreate('store-key', () => new Uint8Array(32).fill(1)),
      b.getOrCreate('store-key', () => new Uint8Array(32).fill(2)),
    ]);
    expect(x).toEqual(y);
    expect(await a.unseal('store-key')).toEqual(x);
  });

  it('removes a secret', async () => {
    const vault = await SecretVault.open(await openExtensionDatabase(factory));
    await vault.seal('access-token', secret);
    await vault.remove('access-token');
    expect(await vault.unseal('access-token')).toBeUndefined();
  });
});
