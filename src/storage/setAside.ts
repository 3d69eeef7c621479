import { requestResult, transactionDone } from './indexedDb';

/** A damaged record, kept as it was found, with when and under which key. */
export interface SetAsideRecord {
  setAsideAt: number;
  key: IDBValidKey;
  record: unknown;
}

/**
 * Splits records read back from `store` into the valid ones and the damaged ones, and moves
 * the damaged ones, in one transaction, to `asideStore` as they were found: never handed to
 * the trust logic, never silently dropped (the ledger's rule, shared by the history).
 * Resolves to the valid records and whether any were set aside.
 */
export async function keepValid<T>(
  db: IDBDatabase,
  stores: { store: string; asideStore: string },
  read: { records: unknown[]; keys: IDBValidKey[] },
  isValid: (record: unknown) => record is T,
  setAsideAt: number,
): Promise<{ valid: T[]; setAside: boolean }> {
  const valid: T[] = [];
  const damaged: SetAsideRecord[] = [];
  read.records.forEach((record, i) => {
    if (isValid(record)) valid.push(record);
    else damaged.push({ setAsideAt, key: read.keys[i] as IDBValidKey, record });
  });
  if (damaged.length === 0) return { valid, setAside: false };
  const transaction = db.transaction([stores.store, stores.asideStore], 'readwrite');
  const done = transactionDone(transaction);
  const source = transaction.objectStore(stores.store);
  const aside = transaction.objectStore(stores.asideStore);
  for (const item of damaged) {
    // Only if it is still there: two reads that found the same record set it aside once.
    source.getKey(item.key).onsuccess = (event) => {
      if ((event.target as IDBRequest<IDBValidKey | undefined>).result === undefined) return;
      aside.add(item);
      source.delete(item.key);
    };
  }
  await done;
  return { valid, setAside: true };
}

export function countIn(db: IDBDatabase, store: string): Promise<number> {
  return requestResult(db.transaction(store, 'readonly').objectStore(store).count());
}
