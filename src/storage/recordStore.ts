import { STORES } from './extensionDatabase';
import { requestResult, transactionDone } from './indexedDb';

/**
 * Small, non-secret records by name; each write is one IndexedDB transaction. `Records` maps
 * each name to the type stored under it.
 */
export class RecordStore<Records extends object> {
  constructor(private readonly db: IDBDatabase) {}

  async get<K extends keyof Records & string>(name: K): Promise<Records[K] | undefined> {
    const transaction = this.db.transaction(STORES.records, 'readonly');
    return (await requestResult(transaction.objectStore(STORES.records).get(name))) as Records[K] | undefined;
  }

  async put<K extends keyof Records & string>(name: K, value: Records[K]): Promise<void> {
    const transaction = this.db.transaction(STORES.records, 'readwrite');
    const done = transactionDone(transaction);
    transaction.objectStore(STORES.records).put(value, name);
    await done;
  }

  async delete(name: keyof Records & string): Promise<void> {
    const transaction = this.db.transaction(STORES.records, 'readwrite');
    const done = transactionDone(transaction);
    transaction.objectStore(STORES.records).delete(name);
    await done;
  }
}
