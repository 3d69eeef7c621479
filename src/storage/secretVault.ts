import { STORES } from './extensionDatabase';
import { requestResult, transactionDone } from './indexedDb';

const VAULT_KEY_ID = 'aes-gcm-256';

interface SealedSecret {
  iv: Uint8Array<ArrayBuffer>;
  ciphertext: ArrayBuffer;
}

/**
 * Secrets at rest (access token, crypto store key), sealed with AES-GCM under a key that is
 * generated non-extractable and stored as a `CryptoKey` in IndexedDB: the browser keeps its
 * bytes, no script can read them out, and a copy of the profile's storage files alone does
 * not reveal the secrets in clear. Element Web protects its pickle key the same way.
 */
export class SecretVault {
  private constructor(
    private readonly db: IDBDatabase,
    private readonly key: CryptoKey,
    private readonly subtle: SubtleCrypto,
  ) {}

  static async open(db: IDBDatabase, subtle: SubtleCrypto = crypto.subtle): Promise<SecretVault> {
    const key = await loadOrCreateKey(db, subtle);
    return new SecretVault(db, key, subtle);
  }

  async seal(name: string, plaintext: Uint8Array<ArrayBuffer>): Promise<void> {
    await this.write(name, await this.encrypt(name, plaintext), 'put');
  }

  async unseal(name: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
    const sealed = await this.read(name);
    if (sealed === undefined) return undefined;
    const plaintext = await this.subtle.decrypt(
      // The name is bound in as additional data: a sealed value moved to another slot fails.
      { name: 'AES-GCM', iv: sealed.iv, additionalData: encodeName(name) },
      this.key,
      sealed.ciphertext,
    );
    return new Uint8Array(plaintext);
  }

  /**
   * The secret under `name`, created with `create` the first time. Never overwrites: if two
   * starts race, both end up with whichever value was stored first.
   */
  async getOrCreate(name: string, create: () => Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
    const existing = await this.unseal(name);
    if (existing !== undefined) return existing;
    try {
      await this.write(name, await this.encrypt(name, create()), 'add');
    } catch (error) {
      if (!isConstraintError(error)) throw error;
    }
    const stored = await this.unseal(name);
    if (stored === undefined) throw new Error(`sealed secret ${name} vanished while being created`);
    return stored;
  }

  async remove(name: string): Promise<void> {
    const transaction = this.db.transaction(STORES.sealedSecrets, 'readwrite');
    transaction.objectStore(STORES.sealedSecrets).delete(name);
    await transactionDone(transaction);
  }

  private async encrypt(name: string, plaintext: Uint8Array<ArrayBuffer>): Promise<SealedSecret> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ciphertext = await this.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: encodeName(name) }, this.key, plaintext);
    return { iv, ciphertext };
  }

  private async write(name: string, sealed: SealedSecret, mode: 'put' | 'add'): Promise<void> {
    const transaction = this.db.transaction(STORES.sealedSecrets, 'readwrite');
    const done = transactionDone(transaction);
    transaction.objectStore(STORES.sealedSecrets)[mode](sealed, name);
    await done;
  }

  private async read(name: string): Promise<SealedSecret | undefined> {
    const transaction = this.db.transaction(STORES.sealedSecrets, 'readonly');
    return (await requestResult(transaction.objectStore(STORES.sealedSecrets).get(name))) as SealedSecret | undefined;
  }
}

async function loadOrCreateKey(db: IDBDatabase, subtle: SubtleCrypto): Promise<CryptoKey> {
  const existing = await readKey(db);
  if (existing) return existing;
  const key = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const transaction = db.transaction(STORES.vaultKey, 'readwrite');
  const done = transactionDone(transaction);
  transaction.objectStore(STORES.vaultKey).add(key, VAULT_KEY_ID);
  try {
    await done;
  } catch (error) {
    // Another start stored its key first; use that one so nothing sealed with it is orphaned.
    if (!isConstraintError(error)) throw error;
  }
  const stored = await readKey(db);
  if (!stored) throw new Error('the vault key could not be stored');
  return stored;
}

async function readKey(db: IDBDatabase): Promise<CryptoKey | undefined> {
  const transaction = db.transaction(STORES.vaultKey, 'readonly');
  return (await requestResult(transaction.objectStore(STORES.vaultKey).get(VAULT_KEY_ID))) as CryptoKey | undefined;
}

function encodeName(name: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`matrix-trust-guard/${name}`);
}

function isConstraintError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'ConstraintError';
}
