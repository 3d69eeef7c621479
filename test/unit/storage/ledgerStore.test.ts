import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { EXTENSION_DATABASE, LEDGER_BY_ROOM, openExtensionDatabase, STORES } from '../../../src/storage/extensionDatabase';
import { openDatabase } from '../../../src/storage/indexedDb';
import { LedgerStore } from '../../../src/storage/ledgerStore';
import { RecordStore } from '../../../src/storage/recordStore';
import { SecretVault } from '../../../src/storage/secretVault';
import type { LedgerEntry } from '../../../src/trust/types';

const PLANS = '!plans:example.org';
const GAMES = '!games:example.org';
const T0 = Date.UTC(2026, 0, 5, 9, 0);

function entry(roomId: string, deviceId: string, rest: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    roomId,
    userId: '@dave:example.org',
    deviceId,
    ed25519Key: `${deviceId}key`,
    firstSeenAt: T0,
    firstClass: 'unsigned',
    lastClass: 'unsigned',
    ...rest,
  };
}

/** An entry IndexedDB cannot key: its put throws in the middle of a batch. */
const keyless = { ...entry(PLANS, 'BROKEN'), deviceId: undefined } as unknown as LedgerEntry;

function byDevice(entries: LedgerEntry[]): LedgerEntry[] {
  return entries.toSorted((a, b) => a.deviceId.localeCompare(b.deviceId));
}

describe('the ledger store', () => {
  let factory: IDBFactory;
  let store: LedgerStore;
  beforeEach(async () => {
    factory = new IDBFactory();
    store = new LedgerStore(await openExtensionDatabase(factory));
  });

  it("gives back one room's entries, and only those", async () => {
    await store.write([entry(PLANS, 'A'), entry(GAMES, 'B'), entry(PLANS, 'C')]);
    expect(byDevice(await store.entriesForRoom(PLANS))).toEqual([entry(PLANS, 'A'), entry(PLANS, 'C')]);
    expect(await store.entriesForRoom('!empty:example.org')).toEqual([]);
  });

  it('gives back every entry of every room', async () => {
    await store.write([entry(PLANS, 'A'), entry(GAMES, 'B')]);
    expect(byDevice(await store.allEntries())).toEqual([entry(PLANS, 'A'), entry(GAMES, 'B')]);
  });

  it('stores a changed entry in place of its earlier version', async () => {
    await store.write([entry(PLANS, 'A')]);
    await store.write([entry(PLANS, 'A', { lastClass: 'unsigned-of-verified', warnedAt: T0 })]);
    expect(await store.allEntries()).toEqual([entry(PLANS, 'A', { lastClass: 'unsigned-of-verified', warnedAt: T0 })]);
  });

  it('keeps a device id that came back with another key as another entry', async () => {
    await store.write([entry(PLANS, 'A'), entry(PLANS, 'A', { ed25519Key: 'forgedkey' })]);
    expect(await store.entriesForRoom(PLANS)).toHaveLength(2);
  });

  it('writes a batch all or nothing: with one bad entry in it, none of the batch is stored', async () => {
    await store.write([entry(PLANS, 'A')]);
    const batch = [entry(PLANS, 'A', { acknowledgedAt: T0, acknowledgedClass: 'unsigned' }), entry(PLANS, 'B'), keyless, entry(PLANS, 'C')];
    await expect(store.write(batch)).rejects.toMatchObject({ name: 'DataError' });
    expect(await store.allEntries()).toEqual([entry(PLANS, 'A')]);
  });

  it('replaces the whole ledger on import', async () => {
    await store.write([entry(PLANS, 'A'), entry(GAMES, 'B')]);
    await store.replaceAll([entry(PLANS, 'C')]);
    expect(await store.allEntries()).toEqual([entry(PLANS, 'C')]);
  });

  it('leaves the ledger as it was when an import fails halfway', async () => {
    await store.write([entry(PLANS, 'A'), entry(GAMES, 'B')]);
    await expect(store.replaceAll([entry(PLANS, 'C'), keyless])).rejects.toMatchObject({ name: 'DataError' });
    expect(byDevice(await store.allEntries())).toEqual([entry(PLANS, 'A'), entry(GAMES, 'B')]);
  });

  it('clears the ledger', async () => {
    await store.write([entry(PLANS, 'A'), entry(GAMES, 'B')]);
    await store.clear();
    expect(await store.allEntries()).toEqual([]);
  });

  it('keeps the ledger when the database is closed and opened again', async () => {
    const db = await openExtensionDatabase(factory);
    await new LedgerStore(db).write([entry(PLANS, 'A')]);
    db.close();
    expect(await new LedgerStore(await openExtensionDatabase(factory)).allEntries()).toEqual([entry(PLANS, 'A')]);
  });
});

describe('the database migration to the ledger', () => {
  it('adds the ledger to a database of the first release and keeps its sealed secret and records intact', async () => {
    const factory = new IDBFactory();
    const secret = new TextEncoder().encode('syt_access_token_abc123');
    // Version 1 exactly as the foundation shipped it, written out so later edits cannot change it.
    const shipped = await openDatabase(factory, EXTENSION_DATABASE, [
      (db) => {
        db.createObjectStore('vault-key');
        db.createObjectStore('sealed-secrets');
        db.createObjectStore('records');
      },
    ]);
    await (await SecretVault.open(shipped)).seal('access-token', secret);
    await new RecordStore<{ 'crypto-store': { createdAt: number } }>(shipped).put('crypto-store', { createdAt: T0 });
    shipped.close();

    const db = await openExtensionDatabase(factory);
    expect(db.version).toBe(5);
    expect([...db.objectStoreNames].sort()).toEqual([
      'device-lists',
      'history',
      'history-set-aside',
      'ledger',
      'ledger-set-aside',
      'records',
      'sealed-secrets',
      'vault-key',
    ]);
    const ledger = db.transaction(STORES.ledger).objectStore(STORES.ledger);
    expect(ledger.keyPath).toEqual(['roomId', 'userId', 'deviceId', 'ed25519Key']);
    expect(ledger.index(LEDGER_BY_ROOM).keyPath).toBe('roomId');
    expect(await (await SecretVault.open(db)).unseal('access-token')).toEqual(secret);
    expect(await new RecordStore<{ 'crypto-store': { createdAt: number } }>(db).get('crypto-store')).toEqual({ createdAt: T0 });
    expect(await new LedgerStore(db).allEntries()).toEqual([]);
  });

  it('adds the store for damaged records to a database with a ledger, keeping its entries', async () => {
    const factory = new IDBFactory();
    // Version 2 as issue 3 shipped it.
    const shipped = await openDatabase(factory, EXTENSION_DATABASE, [
      (db) => {
        db.createObjectStore('vault-key');
        db.createObjectStore('sealed-secrets');
        db.createObjectStore('records');
      },
      (db) => {
        db.createObjectStore('ledger', { keyPath: ['roomId', 'userId', 'deviceId', 'ed25519Key'] }).createIndex('byRoom', 'roomId');
      },
    ]);
    await new LedgerStore(shipped).write([entry(PLANS, 'A'), entry(GAMES, 'B')]);
    shipped.close();

    const db = await openExtensionDatabase(factory);
    expect(db.version).toBe(5);
    const store = new LedgerStore(db);
    expect(byDevice(await store.allEntries())).toEqual([entry(PLANS, 'A'), entry(GAMES, 'B')]);
    expect(await store.setAsideCount()).toBe(0);
  });
});

describe('damaged ledger records', () => {
  let factory: IDBFactory;
  let db: IDBDatabase;
  let counts: number[];
  let store: LedgerStore;
  beforeEach(async () => {
    factory = new IDBFactory();
    db = await openExtensionDatabase(factory);
    counts = [];
    store = new LedgerStore(db, { onSetAside: (count) => counts.push(count), now: () => T0 });
  });

  /** Writes a record straight into the object store, as a disk fault or an old bug could leave it. */
  async function plant(record: Record<string, unknown>): Promise<void> {
    const transaction = db.transaction(STORES.ledger, 'readwrite');
    transaction.objectStore(STORES.ledger).put(record);
    await new Promise((resolve, reject) => {
      transaction.oncomplete = resolve;
      transaction.onerror = () => reject(transaction.error ?? new Error('write failed'));
    });
  }

  const DAMAGED: [string, Record<string, unknown>][] = [
    ['a class that does not exist', { ...entry(PLANS, 'D1'), lastClass: 'trusted-by-magic' }],
    ['a timestamp that is text', { ...entry(PLANS, 'D2'), firstSeenAt: 'yesterday' }],
    ['a key that is not base64', { ...entry(PLANS, 'D3'), ed25519Key: '<script>' }],
    ['half an acknowledgement', { ...entry(PLANS, 'D4'), acknowledgedAt: T0 }],
    ['a field nobody wrote', { ...entry(PLANS, 'D5'), trusted: true }],
  ];

  it.each(DAMAGED)('sets aside a record with %s, keeps it as found, and says how many there are', async (_what, record) => {
    await store.write([entry(PLANS, 'GOOD')]);
    await plant(record);
    expect(await store.entriesForRoom(PLANS)).toEqual([entry(PLANS, 'GOOD')]);
    expect(await store.setAside()).toEqual([
      { setAsideAt: T0, key: [PLANS, '@dave:example.org', record.deviceId, record.ed25519Key], record },
    ]);
    expect(counts).toEqual([1]);
    // Gone from the ledger, so the next read finds nothing more to set aside.
    expect(await store.allEntries()).toEqual([entry(PLANS, 'GOOD')]);
    expect(counts).toEqual([1]);
  });

  it('finds damaged records through a read of everything too, and sets each aside once when two reads race', async () => {
    await store.write([entry(PLANS, 'GOOD'), entry(GAMES, 'ALSO')]);
    await plant({ ...entry(GAMES, 'BAD'), firstClass: 42 });
    const [all, games] = await Promise.all([store.allEntries(), store.entriesForRoom(GAMES)]);
    expect(byDevice(all)).toEqual([entry(GAMES, 'ALSO'), entry(PLANS, 'GOOD')]);
    expect(games).toEqual([entry(GAMES, 'ALSO')]);
    expect(await store.setAsideCount()).toBe(1);
  });

  it('reads an entry whose optional fields were written as undefined as a good entry', async () => {
    const withHoles = { ...entry(PLANS, 'HOLES'), warnedAt: undefined, acknowledgedAt: undefined, acknowledgedClass: undefined };
    await plant(withHoles);
    expect(await store.entriesForRoom(PLANS)).toHaveLength(1);
    expect(await store.setAsideCount()).toBe(0);
  });

  it('deletes what was set aside along with the ledger when it is cleared (sign-out), and says so', async () => {
    await plant({ ...entry(PLANS, 'BAD'), lastClass: null });
    await store.allEntries();
    expect(await store.setAsideCount()).toBe(1);
    await store.clear();
    expect(await store.setAside()).toEqual([]);
    expect(counts.at(-1)).toBe(0);
  });
});
