import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { AccountHistory } from '../../../src/background/accountHistory';
import type { BackgroundRecords } from '../../../src/background/backgroundRecords';
import { openExtensionDatabase } from '../../../src/storage/extensionDatabase';
import { HistoryStore } from '../../../src/storage/historyStore';
import { RecordStore } from '../../../src/storage/recordStore';
import { historyEvent } from '../../../src/trust/trustHistory';

const PLANS = '!plans:example.org';
const T0 = Date.UTC(2026, 10, 23, 20, 22);
const DAY = 24 * 60 * 60 * 1000;
const bobAppeared = historyEvent({
  kind: 'device-appeared',
  at: T0 - 40 * DAY,
  roomId: PLANS,
  roomName: 'Plans',
  userId: '@bob:example.org',
  userName: 'Bob',
  deviceId: 'ZMF',
});
const bobWarned = historyEvent({ kind: 'warned', at: T0, roomId: PLANS, userId: '@bob:example.org', deviceId: 'ZMF', where: 'popup' });
const carolPinned = historyEvent({ kind: 'identity-pinned', at: T0 + 1, userId: '@carol:example.org' });

async function setup() {
  const db = await openExtensionDatabase(new IDBFactory());
  const records = new RecordStore<BackgroundRecords>(db);
  const store = new HistoryStore(db, {
    now: () => T0,
    retentionDays: async () => (await records.get('history-settings'))?.retentionDays ?? 365,
  });
  await store.append([bobAppeared, bobWarned, carolPinned]);
  return { history: new AccountHistory(store, records, () => T0), store };
}

describe('the trust history as the options page asks for it', () => {
  it('filters by room, person and kind, newest first, with the rooms and people to choose from', async () => {
    const { history } = await setup();
    const all = await history.query({});
    expect(all.events).toEqual([carolPinned, { ...bobWarned, roomName: 'Plans', userName: 'Bob' }, bobAppeared]);
    expect(all.rooms).toEqual([{ id: PLANS, name: 'Plans' }]);
    expect(all.users).toEqual([{ id: '@carol:example.org' }, { id: '@bob:example.org', name: 'Bob' }]);
    expect(all.retentionDays).toBe(365);
    expect((await history.query({ roomId: PLANS })).total).toBe(2);
    expect((await history.query({ userId: '@carol:example.org' })).events).toEqual([carolPinned]);
    // The warned event names the room and Bob as the events that named them did.
    expect((await history.query({ kind: 'warned', roomId: PLANS })).events).toEqual([{ ...bobWarned, roomName: 'Plans', userName: 'Bob' }]);
  });

  it('pages: a limit gives the newest events and the total', async () => {
    const { history } = await setup();
    const page = await history.query({ limit: 1 });
    expect(page.events).toEqual([carolPinned]);
    expect(page.total).toBe(3);
  });

  it('applies a shorter retention period at once', async () => {
    const { history } = await setup();
    await history.setRetention(30);
    expect((await history.query({})).events).toEqual([carolPinned, bobWarned]);
    expect((await history.query({})).retentionDays).toBe(30);
  });

  it('imports its own export into another browser, merging without losing anything', async () => {
    const { history } = await setup();
    const { text } = await history.export('json');
    const other = await setup();
    const extra = historyEvent({ kind: 'departed', at: T0 + 5, roomId: PLANS });
    await other.store.append([extra]);
    expect(await other.history.import(text)).toEqual({ added: 0 });
    expect((await other.history.query({})).total).toBe(4);
  });

  it('refuses a file that is no history export, in the user’s words', async () => {
    const { history } = await setup();
    await expect(history.import('{"format":"matrix-trust-guard/warned-device-ledger","version":1}')).rejects.toThrow(
      'This file cannot be imported: it is not a trust history exported by Matrix Trust Guard.',
    );
  });

  it('exports CSV with one row per event', async () => {
    const { history } = await setup();
    expect((await history.export('csv')).text.trim().split('\r\n')).toHaveLength(4);
  });
});
