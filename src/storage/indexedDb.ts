/** Promise wrappers around IndexedDB, nothing more: callers own their schema. */

export function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

/**
 * Resolves when the transaction committed; rejects if it aborted (nothing of it was written).
 * A failed request aborts its transaction, and by then `transaction.error` names the cause
 * (e.g. a ConstraintError from `add`), so the abort is the one place to listen.
 */
export function transactionDone(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
  });
}

export type Migration = (db: IDBDatabase, transaction: IDBTransaction) => void;

/**
 * Opens `name` at the version implied by `migrations` (migration i upgrades to version
 * i + 1). Migrations run inside the upgrade transaction, so a crash mid-upgrade leaves
 * the old version intact.
 */
export function openDatabase(factory: IDBFactory, name: string, migrations: readonly Migration[]): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const open = factory.open(name, migrations.length);
    open.onupgradeneeded = (event) => {
      const transaction = open.transaction;
      if (!transaction) return;
      for (let version = event.oldVersion; version < migrations.length; version++) {
        migrations[version]?.(open.result, transaction);
      }
    };
    open.onsuccess = () => {
      const db = open.result;
      // Another context (a newer worker) wants to upgrade: step aside rather than block it.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    open.onerror = () => reject(open.error ?? new Error(`could not open IndexedDB database ${name}`));
    open.onblocked = () => reject(new Error(`IndexedDB database ${name} is held open by an older version`));
  });
}

export function deleteDatabase(factory: IDBFactory, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = factory.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error ?? new Error(`could not delete IndexedDB database ${name}`));
    request.onblocked = () => reject(new Error(`IndexedDB database ${name} is still open elsewhere`));
  });
}
