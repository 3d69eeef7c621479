/**
 * The database, with every readwrite transaction killed (aborted, never committed) once
 * `killAfter` requests of it were made; a negative `killAfter` kills none.
 */
export function killingDatabase(db: IDBDatabase, killAfter: () => number): IDBDatabase {
  return new Proxy(db, {
    get(target, property) {
      if (property !== 'transaction') return Reflect.get(target, property, target) as unknown;
      return (stores: string | string[], mode?: IDBTransactionMode) => {
        const transaction = target.transaction(stores, mode);
        const limit = killAfter();
        if (mode !== 'readwrite' || limit < 0) return transaction;
        let made = 0;
        const objectStore = transaction.objectStore.bind(transaction);
        transaction.objectStore = (name: string) => {
          const store = objectStore(name);
          const put = store.put.bind(store);
          store.put = (value: unknown, key?: IDBValidKey) => {
            if (made === limit) transaction.abort();
            made += 1;
            if (made > limit) {
              // After the kill nothing more reaches the database, as in a stopped worker.
              return { readyState: 'done' } as IDBRequest<IDBValidKey>;
            }
            return put(value, key);
          };
          return store;
        };
        return transaction;
      };
    },
  });
}
