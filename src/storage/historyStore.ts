import {
  compactHistory,
  DEFAULT_RETENTION_DAYS,
  type HistoryEvent,
  type HistoryFilter,
  isHistoryEvent,
  matchesFilter,
  newestFirst,
  type RetentionDays,
} from '../trust/trustHistory';
import { STORES } from './extensionDatabase';
import { requestResult, transactionDone } from './indexedDb';
import { countIn, keepValid } from './setAside';

export interface HistoryStoreOptions {
  now?: () => number;
  /** The retention period in force (a background record); read at each compaction. */
  retentionDays?: () => Promise<RetentionDays>;
}

/** Compaction reads the whole history: at most once an hour, never on every write. */
export const COMPACTION_INTERVAL_MS = 60 * 60 * 1000;

/**
 * The trust history at rest: one record per event, keyed by its id (which is derived from its
 * content, so storing an event twice stores it once). Events that come from a ledger change
 * are written by LedgerStore in the ledger's own transaction; everything else is appended
 * here. Reads check every record (isHistoryEvent) and set damaged ones aside, as the ledger does.
 */
export class HistoryStore {
  private readonly now: () => number;
  private readonly retentionDays: () => Promise<RetentionDays>;
  private lastCompaction = -Infinity;
  private compacting: Promise<void> | undefined;

  constructor(
    private readonly db: IDBDatabase,
    options: HistoryStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.retentionDays = options.retentionDays ?? (() => Promise.resolve(DEFAULT_RETENTION_DAYS));
  }

  /** Appends events in one transaction, then compacts if the last compaction is an hour old. */
  async append(events: readonly HistoryEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.readWrite((store) => events.forEach((event) => store.put(event)));
    this.compactSoon();
  }

  /**
   * Adds the imported events this history does not hold yet (by id), in one transaction that
   * looks before it adds: an event already here (or appended meanwhile) stays as it is. Answers
   * how many were added.
   */
  async importEvents(events: readonly HistoryEvent[]): Promise<number> {
    let added = 0;
    await this.readWrite((store) => {
      // Each id once: two lookups of one id would both find nothing, and the second add fail.
      for (const event of new Map(events.map((e) => [e.id, e])).values()) {
        store.getKey(event.id).onsuccess = (found) => {
          if ((found.target as IDBRequest<IDBValidKey | undefined>).result !== undefined) return;
          store.add(event);
          added += 1;
        };
      }
    });
    return added;
  }

  /** Every valid event, newest first; damaged records are set aside on the way. */
  async all(): Promise<HistoryEvent[]> {
    const store = this.objectStore('readonly');
    const [records, keys] = await Promise.all([requestResult(store.getAll()), requestResult(store.getAllKeys())]);
    const stores = { store: STORES.history, asideStore: STORES.historySetAside };
    const { valid } = await keepValid(this.db, stores, { records, keys }, isHistoryEvent, this.now());
    return newestFirst(valid);
  }

  async query(filter: HistoryFilter): Promise<HistoryEvent[]> {
    return (await this.all()).filter((event) => matchesFilter(event, filter));
  }

  /** Compacts in the background when due; a failure waits for the next chance. */
  compactSoon(): void {
    if (this.compacting || this.now() - this.lastCompaction < COMPACTION_INTERVAL_MS) return;
    this.compacting = this.compact()
      .catch(() => undefined)
      .finally(() => (this.compacting = undefined));
  }

  /** Drops what the retention period and the size bound leave out (compactHistory), in one transaction. */
  async compact(): Promise<void> {
    this.lastCompaction = this.now();
    const events = await this.all();
    const kept = new Set(compactHistory(events, { now: this.now(), retentionDays: await this.retentionDays() }).map((e) => e.id));
    const dropped = events.filter((event) => !kept.has(event.id));
    if (dropped.length > 0) await this.readWrite((store) => dropped.forEach((event) => store.delete(event.id)));
  }

  /** Resolves once a compaction started by compactSoon has finished (tests, benchmarks). */
  async settled(): Promise<void> {
    await this.compacting;
  }

  /** Clears the history and its damaged records (signing out deletes the history with the ledger). */
  async clear(): Promise<void> {
    const transaction = this.db.transaction([STORES.history, STORES.historySetAside], 'readwrite');
    const done = transactionDone(transaction);
    transaction.objectStore(STORES.history).clear();
    transaction.objectStore(STORES.historySetAside).clear();
    await done;
  }

  setAsideCount(): Promise<number> {
    return countIn(this.db, STORES.historySetAside);
  }

  private objectStore(mode: IDBTransactionMode): IDBObjectStore {
    return this.db.transaction(STORES.history, mode).objectStore(STORES.history);
  }

  private async readWrite(fill: (store: IDBObjectStore) => void): Promise<void> {
    const transaction = this.db.transaction(STORES.history, 'readwrite');
    const done = transactionDone(transaction);
    try {
      fill(transaction.objectStore(STORES.history));
    } catch (error) {
      // As in LedgerStore: a request that throws as it is made does not abort by itself.
      transaction.abort();
      await done.catch(() => undefined);
      throw error;
    }
    await done;
  }
}
