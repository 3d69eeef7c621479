import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { IndexedDbDeviceListStore } from '../../../src/storage/deviceListStore';
import { EXTENSION_DATABASE, openExtensionDatabase, STORES } from '../../../src/storage/extensionDatabase';
import { openDatabase, requestResult, transactionDone } from '../../../src/storage/indexedDb';
import { LedgerStore } from '../../../src/storage/ledgerStore';
import type { DeviceListRecord } from '../../../src/trust/deviceListFreshness';

const BOB: DeviceListRecord = { userId: '@bob:example.org', failures: 0, fetchedAt: 1_000, offeredKeys: { BOBPHONE: 'key1' } };
const DAVE: DeviceListRecord = { userId: '@dave:example.org', failures: 3, outdatedSince: 2_000, reason: 'omitted', retryAt: 9_000 };

async function putRaw(db: IDBDatabase, value: unknown): Promise<void> {
  const transaction = db.transaction(STORES.deviceLists, 'readwrite');
  const done = transactionDone(transaction);
  transaction.objectStore(STORES.deviceLists).put(value);
  await done;
}

describe('the device-list store', () => {
  it('reads back what it wrote, one record per user, the newest write winning', async () => {
    const store = new IndexedDbDeviceListStore(await openExtensionDatabase(new IDBFactory()));
    await store.write([BOB, DAVE]);
    await store.write([{ ...DAVE, failures: 4 }]);
    const loaded = await store.load();
    expect(loaded.sort((a, b) => a.userId.localeCompare(b.userId))).toEqual([BOB, { ...DAVE, failures: 4 }]);
  });

  it('leaves out a damaged record, so that user counts as never fetched (checked, never clear)', async () => {
    const db = await openExtensionDatabase(new IDBFactory());
    const store = new IndexedDbDeviceListStore(db);
    await store.write([BOB]);
    for (const damaged of [
      { userId: '@eve:example.org', failures: -1 },
      { userId: '@eve2:example.org', failures: 0, reason: 'fine' },
      { userId: '@eve3:example.org', failures: 0, offeredKeys: { X: 7 } },
      { userId: '@eve4:example.org', failures: 0, fetchedAt: 'yesterday' },
      { userId: 'not a user', failures: 0 },
    ]) {
      await putRaw(db, damaged);
    }
    expect(await store.load()).toEqual([BOB]);
  });

  it('is emptied for another device (sign-out, a new sign-in)', async () => {
    const store = new IndexedDbDeviceListStore(await openExtensionDatabase(new IDBFactory()));
    await store.write([BOB, DAVE]);
    await store.clear();
    expect(await store.load()).toEqual([]);
  });

  it('is added to a database of the previous release, keeping its ledger and set-aside records', async () => {
    const factory = new IDBFactory();
    // Version 3 as it shipped before the device-list store.
    const shipped = await openDatabase(factory, EXTENSION_DATABASE, [
      (db) => {
        db.createObjectStore('vault-key');
        db.createObjectStore('sealed-secrets');
        db.createObjectStore('records');
      },
      (db) => {
        db.createObjectStore('ledger', { keyPath: ['roomId', 'userId', 'deviceId', 'ed25519Key'] }).createIndex('byRoom', 'roomId');
      },
      (db) => {
        db.createObjectStore('ledger-set-aside', { autoIncrement: true });
      },
    ]);
    const entry = {
      roomId: '!plans',
      userId: BOB.userId,
      deviceId: 'BOBPHONE',
      ed25519Key: 'key1',
      firstSeenAt: 1,
      firstClass: 'unsigned' as const,
      lastClass: 'unsigned' as const,
    };
    await new LedgerStore(shipped).write([entry]);
    const aside = shipped.transaction('ledger-set-aside', 'readwrite');
    aside.objectStore('ledger-set-aside').add({ setAsideAt: 1, key: 'k', record: 'junk' });
    await transactionDone(aside);
    shipped.close();

    const db = await openExtensionDatabase(factory);
    expect(db.version).toBe(5);
    expect(await new LedgerStore(db).allEntries()).toEqual([entry]);
    expect(await new LedgerStore(db).setAsideCount()).toBe(1);
    expect(await new IndexedDbDeviceListStore(db).load()).toEqual([]);
    expect(await requestResult(db.transaction(STORES.deviceLists).objectStore(STORES.deviceLists).count())).toBe(0);
  });
});
