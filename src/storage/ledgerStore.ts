import type { LedgerEntry } from '../trust/types';
import { LEDGER_BY_ROOM, STORES } from './extensionDatabase';
import { requestResult, transactionDone } from './indexedDb';

/**
 * The warned-device ledger at rest. Every write is one readwrite transaction, so a batch of
 * changed entries lands whole or not at all (DESIGN.md: "every write is atomic").
 */
export class LedgerStore {
  constructor(private readonly db: IDBDatabase) {}

  async entriesForRoom(roomId: string): Promise<LedgerEntry[]> {
    const store = this.db.transaction(STORES.ledger, 'readonly').objectStore(STORES.ledger);
    return (await requestResult(store.index(LEDGER_BY_ROOM).getAll(roomId))) as LedgerEntry[];
  }

  async allEntries(): Promise<LedgerEntry[]> {
    const store = this.db.transaction(STORES.ledger, 'readonly').objectStore(STORES.ledger);
    return (await requestResult(store.getAll())) as LedgerEntry[];
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

  clear(): Promise<void> {
    return this.readWrite((store) => store.clear());
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
