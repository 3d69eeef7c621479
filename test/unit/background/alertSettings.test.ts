import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { alertMemoryIn, AlertSettingsStore } from '../../../src/background/alertSettings';
import type { BackgroundRecords } from '../../../src/background/backgroundRecords';
import type { AlertSettings } from '../../../src/messaging/protocol';
import { openExtensionDatabase } from '../../../src/storage/extensionDatabase';
import { RecordStore } from '../../../src/storage/recordStore';
import { DEFAULT_ALERT_KINDS, MAX_WATCHED_ROOMS } from '../../../src/trust/alertPolicy';

async function setup() {
  const records = new RecordStore<BackgroundRecords>(await openExtensionDatabase(new IDBFactory()));
  const published: AlertSettings[] = [];
  return { records, published, store: new AlertSettingsStore(records, (settings) => published.push(settings)) };
}

describe('alert settings', () => {
  it('starts with the own unsigned session and the verified contact’s change on, the rest off, no room watched', async () => {
    const { store } = await setup();
    expect(await store.get()).toEqual({
      kinds: { 'own-unsigned-session': true, 'verified-identity-changed': true, 'critical-any-room': false, 'watched-room': false },
      watchedRoomIds: [],
    });
  });

  it('keeps each change in its own record and publishes it, so open pages follow', async () => {
    const { store, records, published } = await setup();
    await store.setKind('own-unsigned-session', false);
    await store.watchRoom('!a:example.org', true);
    await store.watchRoom('!b:example.org', true);
    await store.watchRoom('!a:example.org', false);
    expect(await records.get('alert-settings')).toEqual({ kinds: { ...DEFAULT_ALERT_KINDS, 'own-unsigned-session': false } });
    expect(await records.get('watched-rooms')).toEqual({ roomIds: ['!b:example.org'] });
    expect(published.at(-1)).toEqual({
      kinds: { ...DEFAULT_ALERT_KINDS, 'own-unsigned-session': false },
      watchedRoomIds: ['!b:example.org'],
    });
    expect(await new AlertSettingsStore(records, () => undefined).get()).toEqual(published.at(-1));
  });

  it('reads damaged records as far as they make sense: defaults for odd kinds, room ids only', async () => {
    const { store, records } = await setup();
    await records.put('alert-settings', { kinds: { 'watched-room': 'yes', 'critical-any-room': true } as never });
    await records.put('watched-rooms', { roomIds: ['!a:example.org', '<b>', '#alias:example.org'] });
    expect(await store.get()).toEqual({ kinds: { ...DEFAULT_ALERT_KINDS, 'critical-any-room': true }, watchedRoomIds: ['!a:example.org'] });
  });

  it('watches at most MAX_WATCHED_ROOMS rooms, and forgets them at sign-out', async () => {
    const { store, records } = await setup();
    await records.put('watched-rooms', { roomIds: Array.from({ length: MAX_WATCHED_ROOMS }, (_, index) => `!r${index}:example.org`) });
    await expect(store.watchRoom('!one-more:example.org', true)).rejects.toThrow(`at most ${MAX_WATCHED_ROOMS} rooms`);
    await store.forgetRooms();
    expect((await store.get()).watchedRoomIds).toEqual([]);
  });

  it('keeps what was notified, and reads a damaged record as far as it makes sense', async () => {
    const { records } = await setup();
    const memory = alertMemoryIn(records);
    await memory.save({ keys: ['a', 'b'], shownAt: { '!a:example.org': 1_000 } });
    expect(await memory.load()).toEqual({ keys: ['a', 'b'], shownAt: { '!a:example.org': 1_000 } });
    await records.put('alerted-facts', { keys: ['a', 7], shownAt: { '!a:example.org': -1, '!b:example.org': 5, nonsense: 3 } } as never);
    expect(await memory.load()).toEqual({ keys: ['a'], shownAt: { '!b:example.org': 5 } });
    await records.put('alerted-facts', 'garbage' as never);
    expect(await memory.load()).toEqual({ keys: [], shownAt: {} });
    await memory.clear();
    expect(await records.get('alerted-facts')).toBeUndefined();
  });
});
