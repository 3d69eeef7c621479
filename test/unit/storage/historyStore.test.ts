import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { EXTENSION_DATABASE, openExtensionDatabase, STORES } from '../../../src/storage/extensionDatabase';
import { COMPACTION_INTERVAL_MS, HistoryStore } from '../../../src/storage/historyStore';
import { openDatabase, transactionDone } from '../../../src/storage/indexedDb';
import { LedgerStore } from '../../../src/storage/ledgerStore';
import { type HistoryEvent, historyEvent } from '../../../src/trust/trustHistory';
import type { LedgerEntry } from '../../../src/trust/types';
import { killingDatabase } from '../../support/killingDatabase';

const ROOM = '!plans:example.org';
const T0 = Date.UTC(2026, 10, 23, 20, 22);
const DAY = 24 * 60 * 60 * 1000;

function entry(deviceId: string, rest: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    roomId: ROOM,
    userId: '@bob:example.org',
    deviceId,
    ed25519Key: `${deviceId}key`,
    firstSeenAt: T0,
    firstClass: 'unsigned',
    lastClass: 'unsigned',
    ...rest,
  };
}

function event(kind: HistoryEvent['kind'], at: number, deviceId = 'ZMF'): HistoryEvent {
  return historyEvent({ kind, at, roomId: ROOM, userId: '@bob:example.org', deviceId, ed25519Key: `${deviceId}key` });
}

async function putRaw(db: IDBDatabase, record: unknown): Promise<void> {
  const transaction = db.transaction(STORES.history, 'readwrite');
  const done = transactionDone(transaction);
  transaction.objectStore(STORES.history).put(record);
  await done;
}

describe('the history store', () => {
  let factory: IDBFactory;
  beforeEach(() => {
    factory = new IDBFactory();
  });

  it('keeps appended events across a reopen, newest first, each once', async () => {
    const db = await openExtensionDatabase(factory);
    const events = [event('device-appeared', T0), event('warned', T0 + 1000)];
    await new HistoryStore(db).append(events);
    await new HistoryStore(db).append([events[0] as HistoryEvent]);
    db.close();
    expect(await new HistoryStore(await openExtensionDatabase(factory)).all()).toEqual([events[1], events[0]]);
  });

  it('imports only the events it does not hold, and says how many', async () => {
    const store = new HistoryStore(await openExtensionDatabase(factory));
    const held = event('warned', T0);
    await store.append([held]);
    const departed = event('departed', T0 + 1);
    expect(await store.importEvents([held, departed, departed])).toBe(1);
    expect(await store.all()).toHaveLength(2);
  });

  it('sets damaged records aside on reading, counts them, and hands out only valid events', async () => {
    const db = await openExtensionDatabase(factory);
    const store = new HistoryStore(db, { now: () => T0 });
    const good = event('warned', T0);
    await store.append([good]);
    await putRaw(db, { ...event('departed', T0 + 1), at: 'yesterday' });
    await putRaw(db, { ...event('acknowledged', T0 + 2), deviceName: 'x'.repeat(10_000) });
    expect(await store.all()).toEqual([good]);
    expect(await store.setAsideCount()).toBe(2);
    // Set aside once: reading again finds nothing more.
    expect(await store.all()).toEqual([good]);
    expect(await store.setAsideCount()).toBe(2);
  });

  it('drops events older than the retention period when it compacts, and the oldest beyond the bound', async () => {
    const clock = { now: T0 };
    const store = new HistoryStore(await openExtensionDatabase(factory), {
      now: () => clock.now,
      retentionDays: () => Promise.resolve(30),
    });
    await store.append([event('warned', T0 - 31 * DAY), event('departed', T0 - 29 * DAY)]);
    await store.compact();
    expect((await store.all()).map((e) => e.kind)).toEqual(['departed']);
  });

  it('compacts at most once an hour as events are appended', async () => {
    const clock = { now: T0 };
    const retention = { days: 365 };
    const store = new HistoryStore(await openExtensionDatabase(factory), {
      now: () => clock.now,
      retentionDays: () => Promise.resolve(retention.days),
    });
    await store.append([event('warned', T0 - 10 * DAY)]);
    await store.settled();
    retention.days = 1;
    clock.now += COMPACTION_INTERVAL_MS - 1;
    await store.append([event('departed', clock.now)]);
    await store.settled();
    expect(await store.all()).toHaveLength(2);
    clock.now += 1;
    await store.append([event('acknowledged', clock.now)]);
    await store.settled();
    expect((await store.all()).map((e) => e.kind)).toEqual(['acknowledged', 'departed']);
  });

  it('is cleared with the records set aside', async () => {
    const db = await openExtensionDatabase(factory);
    const store = new HistoryStore(db);
    await store.append([event('warned', T0)]);
    await putRaw(db, { id: 'broken' });
    await store.all();
    await store.clear();
    expect(await store.all()).toEqual([]);
    expect(await store.setAsideCount()).toBe(0);
  });
});

describe('the database migration to the history', () => {
  it('adds the history to a database of the previous release, keeping its ledger', async () => {
    const factory = new IDBFactory();
    // Version 4 as it shipped before the history.
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
      (db) => {
        db.createObjectStore('device-lists', { keyPath: 'userId' });
      },
    ]);
    await new LedgerStore(shipped).write([entry('A')]);
    shipped.close();
    const db = await openExtensionDatabase(factory);
    expect(await new LedgerStore(db).allEntries()).toEqual([entry('A')]);
    expect(await new HistoryStore(db).all()).toEqual([]);
    await new HistoryStore(db).append([event('warned', T0)]);
    expect(await new HistoryStore(db).all()).toHaveLength(1);
  });
});

describe('a ledger write that carries history events', () => {
  let factory: IDBFactory;
  beforeEach(() => {
    factory = new IDBFactory();
  });

  const changed = [entry('A', { warnedAt: T0 }), entry('B', { warnedAt: T0 })];
  const events = [event('warned', T0, 'A'), event('warned', T0, 'B')];

  it('writes both', async () => {
    const db = await openExtensionDatabase(factory);
    await new LedgerStore(db).write(changed, events);
    expect(await new LedgerStore(db).allEntries()).toHaveLength(2);
    expect(await new HistoryStore(db).all()).toHaveLength(2);
  });

  it.each([0, 1, 2, 3])('killed after %i of 4 writes, writes neither the ledger nor the history', async (killAfter) => {
    const db = await openExtensionDatabase(factory);
    await expect(new LedgerStore(killingDatabase(db, () => killAfter)).write(changed, events)).rejects.toThrow('aborted');
    db.close();
    const reopened = await openExtensionDatabase(factory);
    expect(await new LedgerStore(reopened).allEntries()).toEqual([]);
    expect(await new HistoryStore(reopened).all()).toEqual([]);
  });

  it('tells the history store to compact when due', async () => {
    const db = await openExtensionDatabase(factory);
    let told = 0;
    await new LedgerStore(db, { onHistoryWritten: () => (told += 1) }).write(changed, events);
    await new LedgerStore(db, { onHistoryWritten: () => (told += 1) }).write(changed);
    expect(told).toBe(1);
  });
});
