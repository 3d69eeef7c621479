import { type Migration, openDatabase } from './indexedDb';

/** The extension's own database (the Rust crypto store lives in databases of its own). */
export const EXTENSION_DATABASE = 'matrix-trust-guard';

export const STORES = {
  /** The non-extractable AES-GCM key that seals secrets; one record under `VAULT_KEY_ID`. */
  vaultKey: 'vault-key',
  /** Secrets sealed with that key, by name. */
  sealedSecrets: 'sealed-secrets',
  /** Small non-secret records (e.g. what the crypto store looked like when first created). */
  records: 'records',
} as const;

const MIGRATIONS: readonly Migration[] = [
  (db) => {
    db.createObjectStore(STORES.vaultKey);
    db.createObjectStore(STORES.sealedSecrets);
    db.createObjectStore(STORES.records);
  },
];

export function openExtensionDatabase(factory: IDBFactory = indexedDB): Promise<IDBDatabase> {
  return openDatabase(factory, EXTENSION_DATABASE, MIGRATIONS);
}
