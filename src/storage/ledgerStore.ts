import { isStoredLedgerEntry } from '../trust/ledgerDocument';
import type { LedgerEntry } from '../trust/types';
import { LEDGER_BY_ROOM, STORES } from './extensionDatabase';
import { requestResult, transactionDone } from './indexedDb';
import { countIn, keepValid, type SetAsideRecord } from './setAside';
import type { HistoryEvent } from '../trust/trustHistory';

export type { SetAsideRecord } from './setAside';

export interface LedgerStoreOptions {
  /** Told the number of records set aside so far, each time reading sets more aside. */
  onSetAside?: (count: number) => void;
  /** Told after a write that carried history events (the history store compacts now and then). */
  onHistoryWritten?: () => void;
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
  private readonly onHistoryWritten: () => void;
  private readonly now: () => number;

  constructor(
    private readonly db: IDBDatabase,
    options: LedgerStoreOptions = {},
  ) {
    this.onSetAside = options.onSetAside ?? (() => undefined);
    this.onHistoryWritten = options.onHistoryWritten ?? (() => undefined);
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

  /**
   * Stores the entries `observeRoom`, `acknowledge` or `markWarned` reported as changed, and the
   * history events that change stands for (historyOfLedgerChange), in the same transaction: the
   * history never tells of a change the ledger does not hold, nor misses one it does.
   */
  async write(changed: readonly LedgerEntry[], events: readonly HistoryEvent[] = []): Promise<void> {
    if (events.length === 0) return this.readWrite((store) => changed.forEach((entry) => store.put(entry)));
    await this.readWrite(
      (ledger, history) => {
        changed.forEach((entry) => ledger.put(entry));
        events.forEach((event) => history?.put(event));
      },
      [STORES.ledger, STORES.history],
    );
    this.onHistoryWritten();
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

  setAsideCount(): Promise<number> {
    return countIn(this.db, STORES.ledgerSetAside);
  }

  private async checked(records: unknown[], keys: IDBValidKey[]): Promise<LedgerEntry[]> {
    const stores = { store: STORES.ledger, asideStore: STORES.ledgerSetAside };
    const { valid, setAside } = await keepValid(this.db, stores, { records, keys }, isStoredLedgerEntry, this.now());
    if (setAside) this.onSetAside(await this.setAsideCount());
    return valid;
  }

  private async readWrite(
    fill: (ledger: IDBObjectStore, history?: IDBObjectStore) => void,
    stores: string[] = [STORES.ledger],
  ): Promise<void> {
    const transaction = this.db.transaction(stores, 'readwrite');
    const done = transactionDone(transaction);
    try {
      fill(transaction.objectStore(STORES.ledger), stores.includes(STORES.history) ? transaction.objectStore(STORES.history) : undefined);
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
