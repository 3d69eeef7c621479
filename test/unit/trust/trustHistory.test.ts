import { describe, expect, it } from 'vitest';
import { emptyIdentityMemory, type IdentityMemory } from '../../../src/trust/identityMemory';
import {
  compactHistory,
  type HistoryEvent,
  historyEvent,
  historyOfIdentityChange,
  historyOfLedgerChange,
  isHistoryEvent,
  MAX_NAME_LENGTH,
  mergeHistories,
  withKnownNames,
} from '../../../src/trust/trustHistory';
import type { LedgerEntry } from '../../../src/trust/types';
import { acknowledge, markWarned, observeRoom, type ObservedDevice } from '../../../src/trust/warnedDeviceLedger';
import { keyOf, ROOM } from './facts';

const T0 = Date.UTC(2026, 10, 23, 20, 22);
const DAY = 24 * 60 * 60 * 1000;
const BOB = '@bob:example.org';
const carolPhone: ObservedDevice = {
  userId: '@carol:example.org',
  deviceId: 'CAROLPHONE',
  ed25519Key: keyOf('CAROLPHONE'),
  class: 'owner-signed',
};
const bobLaptop: ObservedDevice = { userId: BOB, deviceId: 'ZMFQWERTYU', ed25519Key: keyOf('ZMFQWERTYU'), class: 'unsigned' };
const NAMES = { roomName: 'Plans', userName: () => 'Bob', deviceName: () => 'new laptop' };

function look(entries: readonly LedgerEntry[], devices: ObservedDevice[], at: number) {
  return observeRoom(entries, { roomId: ROOM, devices, pendingUserIds: new Set() }, at);
}

/** The room as first found (Carol's phone), then Bob's new laptop appearing. */
function roomWithNewLaptop() {
  const found = look([], [carolPhone], T0 - DAY);
  const appeared = look(found.entries, [carolPhone, bobLaptop], T0);
  return { found, appeared };
}

const kinds = (events: HistoryEvent[]) => events.map((event) => event.kind);

describe('events from ledger transitions', () => {
  it('makes no event for the devices a room has when first looked at (the room as found, not news)', () => {
    const { found } = roomWithNewLaptop();
    expect(historyOfLedgerChange([], found, { now: T0 - DAY })).toEqual([]);
  });

  it('tells of a device that appeared in a room already known, with room, user, device, key, class and names', () => {
    const { found, appeared } = roomWithNewLaptop();
    const [event, ...rest] = historyOfLedgerChange(found.entries, appeared, { now: T0, names: NAMES });
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      kind: 'device-appeared',
      at: T0,
      roomId: ROOM,
      userId: BOB,
      deviceId: 'ZMFQWERTYU',
      ed25519Key: keyOf('ZMFQWERTYU'),
      class: 'unsigned',
      roomName: 'Plans',
      userName: 'Bob',
      deviceName: 'new laptop',
    });
    expect(isHistoryEvent(event)).toBe(true);
  });

  it('tells where a warning was shown and in which client', () => {
    const { appeared } = roomWithNewLaptop();
    const warned = markWarned(appeared.entries, (entry) => entry.deviceId === 'ZMFQWERTYU', T0 + 1000);
    const events = historyOfLedgerChange(appeared.entries, warned, { now: T0 + 1000, where: 'banner', client: 'Element Web' });
    expect(events).toEqual([
      expect.objectContaining({ kind: 'warned', at: T0 + 1000, where: 'banner', client: 'Element Web', deviceId: 'ZMFQWERTYU' }),
    ]);
  });

  it('tells of an acknowledgement with the class acknowledged', () => {
    const { appeared } = roomWithNewLaptop();
    const acked = acknowledge(appeared.entries, ROOM, [bobLaptop], 'default', T0 + 9 * 60_000);
    expect(historyOfLedgerChange(appeared.entries, acked, { now: T0 + 9 * 60_000 })).toEqual([
      expect.objectContaining({ kind: 'acknowledged', at: T0 + 9 * 60_000, class: 'unsigned' }),
    ]);
  });

  it('tells of a device that got worse, with both classes', () => {
    const found = look([], [{ ...carolPhone }], T0);
    const worse = look(found.entries, [{ ...carolPhone, class: 'unsigned' }], T0 + 1);
    expect(historyOfLedgerChange(found.entries, worse, { now: T0 + 1 })).toEqual([
      expect.objectContaining({ kind: 'got-worse', at: T0 + 1, class: 'unsigned', previousClass: 'owner-signed' }),
    ]);
  });

  it('makes no event for a device that got better', () => {
    const found = look([], [{ ...carolPhone, class: 'unsigned' }], T0);
    const better = look(found.entries, [carolPhone], T0 + 1);
    expect(better.changed).toHaveLength(1);
    expect(historyOfLedgerChange(found.entries, better, { now: T0 + 1 })).toEqual([]);
  });

  it('tells of a device that departed, and of its coming back', () => {
    const { appeared } = roomWithNewLaptop();
    const left = look(appeared.entries, [carolPhone], T0 + 5000);
    expect(kinds(historyOfLedgerChange(appeared.entries, left, { now: T0 + 5000 }))).toEqual(['departed']);
    const back = look(left.entries, [carolPhone, bobLaptop], T0 + 9000);
    expect(historyOfLedgerChange(left.entries, back, { now: T0 + 9000 })).toEqual([
      expect.objectContaining({ kind: 'device-appeared', at: T0 + 9000, deviceId: 'ZMFQWERTYU' }),
    ]);
  });

  it('makes no event when nothing changed', () => {
    const { appeared } = roomWithNewLaptop();
    expect(historyOfLedgerChange(appeared.entries, look(appeared.entries, [carolPhone, bobLaptop], T0 + 1), { now: T0 + 1 })).toEqual([]);
  });

  it('cuts names from the network to the bound', () => {
    const { found, appeared } = roomWithNewLaptop();
    const long = 'x'.repeat(10_000);
    const [event] = historyOfLedgerChange(found.entries, appeared, {
      now: T0,
      names: { roomName: long, userName: () => long, deviceName: () => long },
    });
    expect(event?.roomName).toHaveLength(MAX_NAME_LENGTH);
    expect(event?.deviceName).toHaveLength(MAX_NAME_LENGTH);
    expect(isHistoryEvent(event)).toBe(true);
  });
});

describe('events from identity changes', () => {
  const KEY1 = keyOf('MASTER1');
  const KEY2 = keyOf('MASTER2');
  const before: IdentityMemory = {
    own: { masterKey: KEY1, seenAt: T0 },
    contacts: { [BOB]: { masterKey: KEY1, seenAt: T0, pinned: true } },
  };

  it("tells of our own reset and of a contact's changed identity", () => {
    const after: IdentityMemory = {
      own: { masterKey: KEY2, seenAt: T0 + 1, replaced: { previousKey: KEY1, at: T0 + 1 } },
      contacts: {
        [BOB]: { masterKey: KEY2, seenAt: T0 + 2, pinned: false, replaced: { previousKey: KEY1, at: T0 + 2, previousPinned: true } },
      },
    };
    expect(historyOfIdentityChange(before, after)).toEqual([
      expect.objectContaining({ kind: 'own-identity-reset', at: T0 + 1, masterKey: KEY2, previousMasterKey: KEY1 }),
      expect.objectContaining({ kind: 'identity-changed', at: T0 + 2, userId: BOB, masterKey: KEY2, previousMasterKey: KEY1 }),
    ]);
  });

  it('makes no event for identities seen for the first time', () => {
    expect(historyOfIdentityChange(emptyIdentityMemory(), before)).toEqual([]);
  });
});

describe('the validator', () => {
  const valid = historyEvent({
    kind: 'warned',
    at: T0,
    roomId: ROOM,
    userId: BOB,
    deviceId: 'ZMF',
    ed25519Key: keyOf('ZMF'),
    where: 'badge',
  });

  it('takes an event as written', () => {
    expect(isHistoryEvent(valid)).toBe(true);
    expect(isHistoryEvent({ ...valid, client: undefined })).toBe(true);
  });

  it.each([
    ['not an object', 'warned'],
    ['without an id', { ...valid, id: undefined }],
    ['with an id that is not its own', { ...valid, id: historyEvent({ kind: 'departed', at: T0 }).id }],
    ['changed after its id was made', { ...valid, at: T0 + 1 }],
    ['of an unknown kind', { ...valid, kind: 'deleted' }],
    ['with a negative time', { ...valid, at: -1 }],
    ['with an unknown place', { ...valid, where: 'email' }],
    ['with a room id that is no room id', { ...valid, roomId: 'plans' }],
    ['with a key that is not base64', { ...valid, ed25519Key: '<script>' }],
    ['with a name over the bound', { ...valid, deviceName: 'x'.repeat(MAX_NAME_LENGTH + 1) }],
    ['with an unexpected field', { ...valid, html: '<b>' }],
    ['with a prototype', Object.assign(Object.create({ polluted: true }) as object, valid)],
  ])('refuses a record %s', (_label, record) => {
    expect(isHistoryEvent(record)).toBe(false);
  });
});

describe('compaction', () => {
  const at = (days: number, kind: HistoryEvent['kind'] = 'departed') => historyEvent({ kind, at: T0 - days * DAY, roomId: ROOM });

  it('drops events older than the retention period and keeps the rest, newest first', () => {
    const events = [at(400), at(10), at(364), at(366)];
    expect(compactHistory(events, { now: T0, retentionDays: 365 }).map((event) => event.at)).toEqual([T0 - 10 * DAY, T0 - 364 * DAY]);
  });

  it('keeps everything within the size bound when kept "forever"', () => {
    expect(compactHistory([at(5000), at(1)], { now: T0, retentionDays: null })).toHaveLength(2);
  });

  it('drops the oldest first when over the size bound', () => {
    const events = [at(3), at(1), at(4), at(2)];
    expect(compactHistory(events, { now: T0, retentionDays: null, maxEvents: 2 }).map((event) => event.at)).toEqual([
      T0 - DAY,
      T0 - 2 * DAY,
    ]);
  });

  it('merges duplicate events into one', () => {
    expect(compactHistory([at(1), at(1), at(2)], { now: T0, retentionDays: 30 })).toHaveLength(2);
  });
});

describe('merging histories', () => {
  it('never loses an event of either side and keeps one copy of events in both', () => {
    const mine = [historyEvent({ kind: 'warned', at: T0, roomId: ROOM }), historyEvent({ kind: 'departed', at: T0 + 1, roomId: ROOM })];
    const theirs = [mine[0] as HistoryEvent, historyEvent({ kind: 'acknowledged', at: T0 - 1, roomId: ROOM })];
    const merged = mergeHistories(mine, theirs);
    expect(merged.map((event) => event.kind)).toEqual(['departed', 'warned', 'acknowledged']);
  });

  it('keeps the event already held when an imported one has its id (names differ)', () => {
    const mine = historyEvent({ kind: 'device-appeared', at: T0, roomId: ROOM, roomName: 'Plans' });
    const theirs = historyEvent({ kind: 'device-appeared', at: T0, roomId: ROOM, roomName: 'Renamed' });
    expect(theirs.id).toBe(mine.id);
    expect(mergeHistories([mine], [theirs])).toEqual([mine]);
  });
});

describe('names for a page of events', () => {
  it("fills a departed device's names from the events that named it, without touching its id", () => {
    const appeared = historyEvent({
      kind: 'device-appeared',
      at: T0,
      roomId: ROOM,
      roomName: 'Plans',
      userId: BOB,
      userName: 'Bob',
      deviceId: 'ZMF',
      deviceName: 'new laptop',
    });
    const departed = historyEvent({ kind: 'departed', at: T0 + 1, roomId: ROOM, userId: BOB, deviceId: 'ZMF' });
    const [named] = withKnownNames([departed], [departed, appeared]);
    expect(named).toEqual({ ...departed, roomName: 'Plans', userName: 'Bob', deviceName: 'new laptop' });
    expect(isHistoryEvent(named)).toBe(true);
  });

  it("does not lend one person's device name to another's device of the same id", () => {
    const bobs = historyEvent({ kind: 'device-appeared', at: T0, userId: BOB, deviceId: 'ZMF', deviceName: 'new laptop' });
    const carols = historyEvent({ kind: 'departed', at: T0 + 1, userId: '@carol:example.org', deviceId: 'ZMF' });
    expect(withKnownNames([carols], [bobs, carols])).toEqual([carols]);
  });
});
