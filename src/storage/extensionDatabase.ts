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
  /** The warned-device ledger (src/trust/warnedDeviceLedger.ts), one record per room, user, device and key. */
  ledger: 'ledger',
  /** Ledger records found damaged, set aside as they were found (see LedgerStore). */
  ledgerSetAside: 'ledger-set-aside',
  /** Whose device lists are current (src/trust/deviceListFreshness.ts), one record per user. */
  deviceLists: 'device-lists',
  /** The trust history (src/trust/trustHistory.ts), one record per event, by its id. */
  history: 'history',
  /** History records found damaged, set aside as they were found (see HistoryStore). */
  historySetAside: 'history-set-aside',
} as const;

/** The ledger's index by room id: every look at a room reads that room's entries only. */
export const LEDGER_BY_ROOM = 'byRoom';
/** The history's index by time: compaction and paging go oldest or newest first. */
export const HISTORY_BY_TIME = 'byTime';

const MIGRATIONS: readonly Migration[] = [
  (db) => {
    db.createObjectStore(STORES.vaultKey);
    db.createObjectStore(STORES.sealedSecrets);
    db.createObjectStore(STORES.records);
  },
  (db) => {
    // The key is the ledger's identity: the same device id with another ed25519 key is another entry.
    const ledger = db.createObjectStore(STORES.ledger, { keyPath: ['roomId', 'userId', 'deviceId', 'ed25519Key'] });
    ledger.createIndex(LEDGER_BY_ROOM, 'roomId');
  },
  (db) => {
    db.createObjectStore(STORES.ledgerSetAside, { autoIncrement: true });
  },
  (db) => {
    db.createObjectStore(STORES.deviceLists, { keyPath: 'userId' });
  },
  (db) => {
    db.createObjectStore(STORES.history, { keyPath: 'id' }).createIndex(HISTORY_BY_TIME, 'at');
    db.createObjectStore(STORES.historySetAside, { autoIncrement: true });
  },
];

export function openExtensionDatabase(factory: IDBFactory = indexedDB): Promise<IDBDatabase> {
  return openDatabase(factory, EXTENSION_DATABASE, MIGRATIONS);
}
