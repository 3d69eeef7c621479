import { describe, expect, it } from 'vitest';
import type { DeviceClass, LedgerEntry } from '../../../src/trust/types';
import {
  acknowledge,
  isNewWarning,
  ledgerKeyOf,
  markWarned,
  type ObservedDevice,
  observeRoom,
  type RoomObservation,
} from '../../../src/trust/warnedDeviceLedger';
import { keyOf, ROOM, shown } from './facts';

const BOB = '@bob:example.org';
const DAVE = '@dave:example.org';
const OTHER_ROOM = '!elsewhere:example.org';
const T0 = Date.UTC(2026, 0, 5, 9, 0);
const T1 = T0 + 60_000;
const T2 = T1 + 60_000;

function seen(userId: string, deviceId: string, cls: DeviceClass, ed25519Key = keyOf(deviceId)): ObservedDevice {
  return { userId, deviceId, ed25519Key, class: cls };
}

function look(devices: ObservedDevice[], pendingUserIds: string[] = [], roomId = ROOM): RoomObservation {
  return { roomId, devices, pendingUserIds: new Set(pendingUserIds) };
}

function entry(userId: string, deviceId: string, cls: DeviceClass, rest: Partial<LedgerEntry> = {}): LedgerEntry {
  return { roomId: ROOM, userId, deviceId, ed25519Key: keyOf(deviceId), firstSeenAt: T0, firstClass: cls, lastClass: cls, ...rest };
}

/** The entries after looking at the room once at T0 with `devices`. */
function firstLook(devices: ObservedDevice[]): LedgerEntry[] {
  return observeRoom([], look(devices), T0).entries;
}

function only<T>(list: readonly T[]): T {
  expect(list).toHaveLength(1);
  return list[0] as T;
}

describe('observeRoom', () => {
  it('gives a device seen for the first time an entry: first seen now, with its class then and now', () => {
    const { entries, changed } = observeRoom([], look([seen(DAVE, 'DAVEBOT', 'unsigned')]), T0);
    expect(entries).toEqual([entry(DAVE, 'DAVEBOT', 'unsigned')]);
    expect(changed).toEqual(entries);
  });

  it('reports no change when the facts have not changed', () => {
    const devices = [seen(DAVE, 'DAVEBOT', 'unsigned'), seen(BOB, 'BOBPHONE', 'verified')];
    const before = firstLook(devices);
    const { entries, changed } = observeRoom(before, look(devices), T1);
    expect(changed).toEqual([]);
    expect(entries).toEqual(before);
  });

  it('keeps the first sighting of a device whose class changes, and takes the new class as its last', () => {
    const before = firstLook([seen(BOB, 'BOBNEW', 'owner-signed')]);
    const { changed } = observeRoom(before, look([seen(BOB, 'BOBNEW', 'unsigned')]), T1);
    expect(only(changed)).toEqual(entry(BOB, 'BOBNEW', 'owner-signed', { lastClass: 'unsigned' }));
  });

  it('keeps a device that left the room as history, departed when it was first missed', () => {
    const before = firstLook([seen(DAVE, 'DAVEBOT', 'unsigned'), seen(BOB, 'BOBPHONE', 'verified')]);
    const { entries, changed } = observeRoom(before, look([seen(BOB, 'BOBPHONE', 'verified')]), T1);
    expect(entries).toHaveLength(2);
    expect(only(changed)).toEqual(entry(DAVE, 'DAVEBOT', 'unsigned', { departedAt: T1 }));
  });

  it('stamps a departure once: later looks without the device change nothing', () => {
    const gone = observeRoom(firstLook([seen(DAVE, 'DAVEBOT', 'unsigned')]), look([]), T1).entries;
    const { entries, changed } = observeRoom(gone, look([]), T2);
    expect(changed).toEqual([]);
    expect(only(entries).departedAt).toBe(T1);
  });

  it('clears the departure of a device that returns, keeping its history', () => {
    const warned = markWarned(firstLook([seen(DAVE, 'DAVEBOT', 'unsigned')]), () => true, T0).entries;
    const gone = observeRoom(warned, look([]), T1).entries;
    const { changed } = observeRoom(gone, look([seen(DAVE, 'DAVEBOT', 'unsigned')]), T2);
    expect(only(changed)).toEqual(entry(DAVE, 'DAVEBOT', 'unsigned', { warnedAt: T0 }));
    expect(only(changed)).not.toHaveProperty('departedAt');
  });

  it('treats a device id that comes back with a new key as a new device, and the old key as departed', () => {
    const before = firstLook([seen(DAVE, 'DAVEBOT', 'unsigned')]);
    const { entries, changed } = observeRoom(before, look([seen(DAVE, 'DAVEBOT', 'unsigned', keyOf('forged'))]), T1);
    expect(changed).toEqual([
      entry(DAVE, 'DAVEBOT', 'unsigned', { departedAt: T1 }),
      entry(DAVE, 'DAVEBOT', 'unsigned', { ed25519Key: keyOf('forged'), firstSeenAt: T1 }),
    ]);
    expect(entries).toEqual(changed);
  });

  it('neither departs nor changes the devices of a member whose facts are still being fetched', () => {
    const before = firstLook([seen(DAVE, 'DAVEBOT', 'unsigned'), seen(BOB, 'BOBPHONE', 'verified')]);
    const { changed } = observeRoom(before, look([seen(BOB, 'BOBPHONE', 'verified')], [DAVE]), T1);
    expect(changed).toEqual([]);
  });

  it('still updates an observed device of a member marked pending', () => {
    const before = firstLook([seen(DAVE, 'DAVEBOT', 'unsigned')]);
    const { changed } = observeRoom(before, look([seen(DAVE, 'DAVEBOT', 'unsigned-of-verified')], [DAVE]), T1);
    expect(only(changed).lastClass).toBe('unsigned-of-verified');
  });

  it('departs the devices of a user who left the room, of whom there are no facts at all', () => {
    const before = firstLook([seen(DAVE, 'DAVEBOT', 'unsigned'), seen(DAVE, 'DAVEPHONE', 'unsigned')]);
    const { changed } = observeRoom(before, look([]), T1);
    expect(changed.map((departed) => departed.departedAt)).toEqual([T1, T1]);
  });

  it('leaves the entries of other rooms as they are', () => {
    const elsewhere = entry(DAVE, 'DAVEBOT', 'unsigned', { roomId: OTHER_ROOM });
    const { entries, changed } = observeRoom([elsewhere], look([]), T1);
    expect(changed).toEqual([]);
    expect(entries).toEqual([elsewhere]);
  });

  it('stores only the key and the class of what it observed', () => {
    const sloppy = { ...seen(DAVE, 'DAVEBOT', 'unsigned'), displayName: 'Dave bot', signedByOwner: false };
    expect(Object.keys(only(observeRoom([], look([sloppy]), T0).entries)).sort()).toEqual([
      'deviceId',
      'ed25519Key',
      'firstClass',
      'firstSeenAt',
      'lastClass',
      'roomId',
      'userId',
    ]);
  });

  it('never changes the entries it is given', () => {
    const before = firstLook([seen(DAVE, 'DAVEBOT', 'unsigned'), seen(BOB, 'BOBNEW', 'owner-signed')]);
    const snapshot = structuredClone(before);
    observeRoom(Object.freeze(before.map((e) => Object.freeze(e))), look([seen(BOB, 'BOBNEW', 'unsigned')]), T1);
    expect(before).toEqual(snapshot);
  });
});

describe('ledgerKeyOf', () => {
  it('gives the same key the same id and any other key another id', () => {
    const key = { roomId: ROOM, userId: DAVE, deviceId: 'DAVEBOT', ed25519Key: keyOf('DAVEBOT') };
    expect(ledgerKeyOf({ ...key })).toBe(ledgerKeyOf(key));
    expect(ledgerKeyOf({ ...key, ed25519Key: keyOf('other') })).not.toBe(ledgerKeyOf(key));
  });

  it('cannot be fooled by ids that contain what a separator would be', () => {
    const a = { roomId: ROOM, userId: '@a|b:x', deviceId: 'c', ed25519Key: 'K' };
    const b = { roomId: ROOM, userId: '@a', deviceId: 'b:x|c', ed25519Key: 'K' };
    const c = { roomId: ROOM, userId: '@a","b', deviceId: 'c', ed25519Key: 'K' };
    const d = { roomId: ROOM, userId: '@a', deviceId: 'b","c', ed25519Key: 'K' };
    expect(new Set([a, b, c, d].map(ledgerKeyOf)).size).toBe(4);
  });

  it('cannot be fooled by ids that imitate the length prefixes', () => {
    const split = (userId: string, deviceId: string) => ({ roomId: ROOM, userId, deviceId, ed25519Key: 'K' });
    const keys = [split('@u:x', '7:DEVICED'), split('@u:x7:DEVICE', 'D'), split('@u:x7:DEVICED', ''), split('@u:', 'x7:DEVICED')];
    expect(new Set(keys.map(ledgerKeyOf)).size).toBe(keys.length);
  });
});

describe('isNewWarning', () => {
  it('is true for a warning-worthy device nobody acknowledged', () => {
    expect(isNewWarning(entry(DAVE, 'DAVEBOT', 'unsigned'), 'default')).toBe(true);
    expect(isNewWarning(entry(BOB, 'BOBNEW', 'unsigned-of-verified'), 'default')).toBe(true);
  });

  it('is false for a device that warrants no warning', () => {
    expect(isNewWarning(entry(BOB, 'BOBPHONE', 'verified'), 'strict')).toBe(false);
    expect(isNewWarning(entry(BOB, 'CAROLPHONE', 'owner-signed'), 'default')).toBe(false);
  });

  it('is true for an owner-signed device under the strict policy', () => {
    expect(isNewWarning(entry(BOB, 'CAROLPHONE', 'owner-signed'), 'strict')).toBe(true);
  });

  it('is false for an acknowledged device whose class stayed the same', () => {
    expect(isNewWarning(entry(DAVE, 'DAVEBOT', 'unsigned', { acknowledgedAt: T1, acknowledgedClass: 'unsigned' }), 'default')).toBe(false);
  });

  it('is false for an acknowledged device that got better', () => {
    const better = entry(DAVE, 'DAVEBOT', 'unsigned-of-verified', {
      lastClass: 'unsigned',
      acknowledgedAt: T1,
      acknowledgedClass: 'unsigned-of-verified',
    });
    expect(isNewWarning(better, 'default')).toBe(false);
  });

  it('is true again for an acknowledged device whose class got worse', () => {
    const worse = entry(DAVE, 'DAVEBOT', 'unsigned', {
      lastClass: 'unsigned-of-verified',
      acknowledgedAt: T1,
      acknowledgedClass: 'unsigned',
    });
    expect(isNewWarning(worse, 'default')).toBe(true);
  });

  it('is false for a departed device, whatever its class', () => {
    expect(isNewWarning(entry(BOB, 'BOBNEW', 'unsigned-of-verified', { departedAt: T1 }), 'strict')).toBe(false);
  });
});

describe('acknowledge', () => {
  const devices = [
    seen(BOB, 'BOBNEW', 'unsigned-of-verified'),
    seen(BOB, 'BOBTABLET', 'unsigned-of-verified'),
    seen(DAVE, 'DAVEBOT', 'unsigned'),
  ];

  function newOnes(entries: readonly LedgerEntry[]): string[] {
    return entries.filter((e) => isNewWarning(e, 'default')).map((e) => e.deviceId);
  }

  it('records when the device was acknowledged and at which class', () => {
    const { changed } = acknowledge(
      firstLook(devices),
      ROOM,
      shown(firstLook(devices), { userId: DAVE, deviceId: 'DAVEBOT' }),
      'default',
      T1,
    );
    expect(only(changed)).toEqual(entry(DAVE, 'DAVEBOT', 'unsigned', { acknowledgedAt: T1, acknowledgedClass: 'unsigned' }));
  });

  it('quiets one device when one device is acknowledged', () => {
    const { entries } = acknowledge(
      firstLook(devices),
      ROOM,
      shown(firstLook(devices), { userId: BOB, deviceId: 'BOBNEW' }),
      'default',
      T1,
    );
    expect(newOnes(entries)).toEqual(['BOBTABLET', 'DAVEBOT']);
  });

  it('quiets every device of one user when all of them are acknowledged, and nobody else', () => {
    const { entries, changed } = acknowledge(firstLook(devices), ROOM, shown(firstLook(devices), { userId: BOB }), 'default', T1);
    expect(newOnes(entries)).toEqual(['DAVEBOT']);
    expect(changed.map((e) => e.deviceId)).toEqual(['BOBNEW', 'BOBTABLET']);
  });

  it('quiets the whole room when the room is acknowledged, and leaves other rooms alone', () => {
    const elsewhere = entry(DAVE, 'DAVEBOT', 'unsigned', { roomId: OTHER_ROOM });
    const { entries, changed } = acknowledge(
      [...firstLook(devices), elsewhere],
      ROOM,
      shown([...firstLook(devices), elsewhere]),
      'default',
      T1,
    );
    expect(changed).toHaveLength(3);
    expect(newOnes(entries)).toEqual(['DAVEBOT']);
    expect(entries.at(-1)).toBe(elsewhere);
  });

  it('does not touch a device of another user that happens to have the same device id', () => {
    const twins = firstLook([seen(BOB, 'SAMEID', 'unsigned'), seen(DAVE, 'SAMEID', 'unsigned')]);
    const { changed } = acknowledge(twins, ROOM, shown(twins, { userId: BOB, deviceId: 'SAMEID' }), 'default', T1);
    expect(only(changed).userId).toBe(BOB);
  });

  it('leaves alone what is not a new warning: trusted, already acknowledged and departed devices', () => {
    const entries = [
      entry(BOB, 'BOBPHONE', 'verified'),
      entry(BOB, 'CAROLPHONE', 'owner-signed'),
      entry(DAVE, 'DAVEBOT', 'unsigned', { acknowledgedAt: T0, acknowledgedClass: 'unsigned' }),
      entry(DAVE, 'DAVEOLD', 'unsigned', { departedAt: T0 }),
    ];
    expect(acknowledge(entries, ROOM, shown(entries), 'default', T1)).toEqual({ entries, changed: [] });
  });

  it('acknowledges owner-signed devices only under the strict policy, where they warn', () => {
    const carols = [entry(BOB, 'CAROLPHONE', 'owner-signed')];
    expect(acknowledge(carols, ROOM, shown(carols), 'default', T1).changed).toEqual([]);
    expect(acknowledge(carols, ROOM, shown(carols), 'strict', T1).changed).toHaveLength(1);
  });

  it('acknowledges only the keys named: a device id that came back with another key after the list was drawn stays new', () => {
    const drawn = firstLook([seen(DAVE, 'DAVEBOT', 'unsigned')]);
    const onScreen = shown(drawn);
    // The server swaps the key under the same device id while the popup shows the old line.
    const later = observeRoom(
      drawn,
      look([seen(DAVE, 'DAVEBOT', 'unsigned'), seen(DAVE, 'DAVEBOT', 'unsigned', keyOf('swapped'))]),
      T1,
    ).entries;
    const { entries, changed } = acknowledge(later, ROOM, onScreen, 'default', T2);
    expect(only(changed).ed25519Key).toBe(keyOf('DAVEBOT'));
    expect(entries.filter((e) => isNewWarning(e, 'default')).map((e) => e.ed25519Key)).toEqual([keyOf('swapped')]);
  });

  it('acknowledges nothing that arrived after the room was drawn, when all shown are acknowledged', () => {
    const drawn = firstLook([seen(DAVE, 'DAVEBOT', 'unsigned')]);
    const onScreen = shown(drawn);
    const later = observeRoom(drawn, look([seen(DAVE, 'DAVEBOT', 'unsigned'), seen(BOB, 'BOBNEW', 'unsigned-of-verified')]), T1).entries;
    const { entries } = acknowledge(later, ROOM, onScreen, 'default', T2);
    expect(newOnes(entries)).toEqual(['BOBNEW']);
  });

  it('never acknowledges in another room, even for the same user, device and key', () => {
    const elsewhere = entry(DAVE, 'DAVEBOT', 'unsigned', { roomId: OTHER_ROOM });
    const { changed } = acknowledge(
      [elsewhere],
      ROOM,
      [{ userId: DAVE, deviceId: 'DAVEBOT', ed25519Key: keyOf('DAVEBOT') }],
      'default',
      T1,
    );
    expect(changed).toEqual([]);
  });

  it('moves the acknowledgement to the worse class when a worsened device is acknowledged again', () => {
    const worse = entry(DAVE, 'DAVEBOT', 'unsigned', {
      lastClass: 'unsigned-of-verified',
      acknowledgedAt: T0,
      acknowledgedClass: 'unsigned',
    });
    const { changed } = acknowledge([worse], ROOM, shown([worse]), 'default', T1);
    expect(only(changed)).toMatchObject({ acknowledgedAt: T1, acknowledgedClass: 'unsigned-of-verified' });
  });
});

describe('markWarned', () => {
  it('records when a warning was first shown, for the entries shown only', () => {
    const entries = firstLook([seen(DAVE, 'DAVEBOT', 'unsigned'), seen(BOB, 'BOBPHONE', 'verified')]);
    const { changed } = markWarned(entries, (e) => isNewWarning(e, 'default'), T1);
    expect(only(changed)).toEqual(entry(DAVE, 'DAVEBOT', 'unsigned', { warnedAt: T1 }));
  });

  it('never moves an earlier warnedAt', () => {
    const warned = [entry(DAVE, 'DAVEBOT', 'unsigned', { warnedAt: T0 })];
    expect(markWarned(warned, () => true, T2)).toEqual({ entries: warned, changed: [] });
  });
});

describe('the ledger over time', () => {
  it('warns once, stays quiet once acknowledged, and warns again when the device gets worse', () => {
    const atFirst = firstLook([seen(BOB, 'BOBNEW', 'owner-signed')]);
    expect(isNewWarning(only(atFirst), 'strict')).toBe(true);

    const quiet = acknowledge(atFirst, ROOM, shown(atFirst, { userId: BOB }), 'strict', T1).entries;
    expect(isNewWarning(only(quiet), 'strict')).toBe(false);
    expect(observeRoom(quiet, look([seen(BOB, 'BOBNEW', 'owner-signed')]), T1).changed).toEqual([]);

    const worse = observeRoom(quiet, look([seen(BOB, 'BOBNEW', 'unsigned')]), T2).entries;
    expect(isNewWarning(only(worse), 'strict')).toBe(true);
  });

  it('warns again about a device that reappears with a new key, though the old one was acknowledged', () => {
    const quiet = acknowledge(
      firstLook([seen(DAVE, 'DAVEBOT', 'unsigned')]),
      ROOM,
      shown(firstLook([seen(DAVE, 'DAVEBOT', 'unsigned')])),
      'default',
      T1,
    ).entries;
    const swapped = observeRoom(quiet, look([seen(DAVE, 'DAVEBOT', 'unsigned', keyOf('attacker'))]), T2).entries;
    expect(swapped.filter((e) => isNewWarning(e, 'default')).map((e) => e.ed25519Key)).toEqual([keyOf('attacker')]);
  });

  it('keeps an acknowledged device that got better quiet when it falls back to the class acknowledged', () => {
    const quiet = acknowledge(
      firstLook([seen(DAVE, 'DAVEBOT', 'unsigned')]),
      ROOM,
      shown(firstLook([seen(DAVE, 'DAVEBOT', 'unsigned')])),
      'default',
      T1,
    ).entries;
    const better = observeRoom(quiet, look([seen(DAVE, 'DAVEBOT', 'owner-signed')]), T1).entries;
    const back = observeRoom(better, look([seen(DAVE, 'DAVEBOT', 'unsigned')]), T2).entries;
    expect(isNewWarning(only(back), 'default')).toBe(false);
  });

  it('does not warn about a departed device, and warns again if it returns unacknowledged', () => {
    const gone = observeRoom(firstLook([seen(DAVE, 'DAVEBOT', 'unsigned')]), look([]), T1).entries;
    expect(isNewWarning(only(gone), 'default')).toBe(false);
    const back = observeRoom(gone, look([seen(DAVE, 'DAVEBOT', 'unsigned')]), T2).entries;
    expect(isNewWarning(only(back), 'default')).toBe(true);
  });
});
