import { isStoredLedgerEntry } from '../trust/ledgerDocument';
import type { LedgerEntry } from '../trust/types';
import { LEDGER_BY_ROOM, STORES } from './extensionDatabase';
import { requestResult, transactionDone } from './indexedDb';

/** A damaged ledger record, kept as it was found, with when and under which key. */
export interface SetAsideRecord {
  setAsideAt: number;
  key: IDBValidKey;
  record: unknown;
}

export interface LedgerStoreOptions {
  /** Told the number of records set aside so far, each time reading sets more aside. */
  onSetAside?: (count: number) => void;
  now?: () => number;
}

/**
 * The warned-device ledger at rest. Every write is one readwrite transaction, so a batch of
 * changed entries lands whole or not at all (docs/architecture.md, the ledger).
 *
 * Every read checks each record field by field. A damaged one is moved, in one transaction,
 * to a store of its own as it was found: never handed to the trust logic (which would then
 * warn wrongly or not at all), never silently dropped; the status counts them so the user
 * sees a notice, and they stay available for inspection.
 */
export class LedgerStore {
  private readonly onSetAside: (count: number) => void;
  private readonly now: () => number;

  constructor(
    private readonly db: IDBDatabase,
    options: LedgerStoreOptions = {},
  ) {
    this.onSetAside = options.onSetAside ?? (() => undefined);
    this.now = options.now ?? Date.now;
  }

  async entriesForRoom(roomId: string): Promise<LedgerEntry[]> {
    const index = this.db.transaction(STORES.ledger, 'readonly').objectStore(STORES.ledger).index(LEDGER_BY_ROOM);
    // In one transaction and in the same (index) order, so keys and records pair up.
    const [records, keys] = await Promise.all([requestResult(index.getAll(roomId)), requestResult(index.getAllKeys(roomId))]);
    return this.checked(records, keys);
  }

  async allEntries(): Promise<LedgerEntry[]> {
    const store = this.db.transaction(STORES.ledger, 'readonly').objectStore(STORES.ledger);
    const [records, keys] = await Promise.all([requestResult(store.getAll()), requestResult(store.getAllKeys())]);
    return this.checked(records, keys);
  }

  /** Stores the entries `observeRoom`, `acknowledge` or `markWarned` reported as changed. */
  write(changed: readonly LedgerEntry[]): Promise<void> {
    return this.readWrite((store) => changed.forEach((entry) => store.put(entry)));
  }

  /** For an import: the ledger becomes exactly `entries`, or stays as it was. */
  replaceAll(entries: readonly LedgerEntry[]): Promise<void> {
    return this.readWrite((store) => {
      store.clear();
      entries.forEach((entry) => store.put(entry));
    });
  }

  /**
   * Clears the ledger and the records set aside, in one transaction: signing out deletes the
   * warning history whole, damaged records included (README).
   */
  async clear(): Promise<void> {
    const transaction = this.db.transaction([STORES.ledger, STORES.ledgerSetAside], 'readwrite');
    const done = transactionDone(transaction);
    transaction.objectStore(STORES.ledger).clear();
    transaction.objectStore(STORES.ledgerSetAside).clear();
    await done;
    this.onSetAside(0);
  }

  /** The records set aside so far, oldest first. */
  async setAside(): Promise<SetAsideRecord[]> {
    const store = this.db.transaction(STORES.ledgerSetAside, 'readonly').objectStore(STORES.ledgerSetAside);
    return (await requestResult(store.getAll())) as SetAsideRecord[];
  }

  async setAsideCount(): Promise<number> {
    const store = this.db.transaction(STORES.ledgerSetAside, 'readonly').objectStore(STORES.ledgerSetAside);
    return requestResult(store.count());
  }

  private async checked(records: unknown[], keys: IDBValidKey[]): Promise<LedgerEntry[]> {
    const entries: LedgerEntry[] = [];
    const damaged: SetAsideRecord[] = [];
    const setAsideAt = this.now();
    records.forEach((record, i) => {
      if (isStoredLedgerEntry(record)) entries.push(record);
      else damaged.push({ setAsideAt, key: keys[i] as IDBValidKey, record });
    });
    if (damaged.length > 0) await this.moveAside(damaged);
    return entries;
  }

  private async moveAside(damaged: SetAsideRecord[]): Promise<void> {
    const transaction = this.db.transaction([STORES.ledger, STORES.ledgerSetAside], 'readwrite');
    const done = transactionDone(transaction);
    const ledger = transaction.objectStore(STORES.ledger);
    const aside = transaction.objectStore(STORES.ledgerSetAside);
    for (const item of damaged) {
      // Only if it is still there: two reads that found the same record set it aside once.
      ledger.getKey(item.key).onsuccess = (event) => {
        if ((event.target as IDBRequest<IDBValidKey | undefined>).result === undefined) return;
        aside.add(item);
        ledger.delete(item.key);
      };
    }
    await done;
    this.onSetAside(await this.setAsideCount());
  }

  private async readWrite(fill: (store: IDBObjectStore) => void): Promise<void> {
    const transaction = this.db.transaction(STORES.ledger, 'readwrite');
    const done = transactionDone(transaction);
    try {
      fill(transaction.objectStore(STORES.ledger));
    } catch (error) {
      // A request that throws as it is made (e.g. an entry without a key field) does not abort
      // the transaction by itself: the requests made before it would still commit.
      transaction.abort();
      await done.catch(() => undefined);
      throw error;
    }
    await done;
  }
}
