import { describe, expect, it } from 'vitest';
import {
  acknowledgementsOf,
  applyToLedger,
  boundedForWrite,
  emptySynced,
  holdsAll,
  indexAcknowledgements,
  MAX_SYNCED_ACKNOWLEDGEMENTS,
  mergeSynced,
  parseSynced,
  type SyncedAcknowledgement,
  type SyncedAcknowledgements,
} from '../../../src/trust/syncedAcknowledgements';
import type { LedgerEntry } from '../../../src/trust/types';
import { isNewWarning } from '../../../src/trust/warnedDeviceLedger';
import { keyOf, ROOM } from './facts';

const T0 = Date.UTC(2026, 0, 5, 9, 0);
const T1 = T0 + 60_000;

const daveAck: SyncedAcknowledgement = {
  roomId: ROOM,
  userId: '@dave:example.org',
  deviceId: 'DAVEBOT',
  ed25519Key: keyOf('DAVEBOT'),
  acknowledgedClass: 'unsigned',
  acknowledgedAt: T0,
};
const davePin = { userId: '@dave:example.org', masterKey: keyOf('DAVEMASTER'), pinnedAt: T0 };

function synced(acknowledgements: SyncedAcknowledgement[] = [daveAck], pins = [davePin]): SyncedAcknowledgements {
  return { version: 1, acknowledgements, pins };
}

/** Dave's bot as this browser sees it, warned about and not acknowledged here. */
function daveEntry(overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    roomId: ROOM,
    userId: '@dave:example.org',
    deviceId: 'DAVEBOT',
    ed25519Key: keyOf('DAVEBOT'),
    firstSeenAt: T0,
    firstClass: 'unsigned',
    lastClass: 'unsigned',
    ...overrides,
  };
}

describe('parsing a synced document', () => {
  it('reads back what we write', () => {
    expect(parseSynced(JSON.parse(JSON.stringify(synced())))).toEqual(synced());
  });

  it.each([
    ['another version', { ...synced(), version: 2 }],
    ['an extra top-level field', { ...synced(), extra: 1 }],
    ['an acknowledgement with an extra field', synced([{ ...daveAck, note: 'x' } as SyncedAcknowledgement])],
    ['an acknowledgement without a key', synced([{ ...daveAck, ed25519Key: undefined } as unknown as SyncedAcknowledgement])],
    ['an unknown class', synced([{ ...daveAck, acknowledgedClass: 'fine' } as unknown as SyncedAcknowledgement])],
    ['an overlong key', synced([{ ...daveAck, ed25519Key: 'A'.repeat(65) }])],
    ['a room id that is not one', synced([{ ...daveAck, roomId: 'plans' }])],
    ['a negative time', synced([{ ...daveAck, acknowledgedAt: -1 }])],
    ['a pin without a master key', synced([], [{ userId: davePin.userId, pinnedAt: T0 } as typeof davePin])],
    ['too many acknowledgements', synced(Array.from({ length: MAX_SYNCED_ACKNOWLEDGEMENTS + 1 }, () => daveAck))],
    ['not an object', 'acknowledgements'],
  ])('refuses a document with %s, whole', (_name, value) => {
    expect(parseSynced(value)).toBeUndefined();
  });
});

describe('merging synced documents', () => {
  const carolAck: SyncedAcknowledgement = {
    ...daveAck,
    userId: '@carol:example.org',
    deviceId: 'CAROLPHONE',
    ed25519Key: keyOf('CAROLPHONE'),
  };

  it('never loses an acknowledgement or a pin of either side', () => {
    const otherPin = { ...davePin, masterKey: keyOf('DAVENEWMASTER') };
    const merged = mergeSynced(synced([daveAck], [davePin]), synced([carolAck], [otherPin]));
    expect(merged.acknowledgements).toHaveLength(2);
    expect(merged.pins).toHaveLength(2);
  });

  it('keeps, for the same device and key, the acknowledgement of the worse class, whatever the order', () => {
    const worse = { ...daveAck, acknowledgedClass: 'unsigned-of-verified' as const, acknowledgedAt: T0 - 1 };
    expect(mergeSynced(synced([daveAck]), synced([worse])).acknowledgements).toEqual([worse]);
    expect(mergeSynced(synced([worse]), synced([daveAck])).acknowledgements).toEqual([worse]);
  });

  it('keeps the later acknowledgement of the same class', () => {
    const later = { ...daveAck, acknowledgedAt: T1 };
    expect(mergeSynced(synced([later]), synced([daveAck])).acknowledgements).toEqual([later]);
  });

  it('keeps the acknowledgements of a device id under two keys apart', () => {
    const otherKey = { ...daveAck, ed25519Key: keyOf('DAVEBOT2') };
    expect(mergeSynced(synced([daveAck]), synced([otherKey])).acknowledgements).toHaveLength(2);
  });

  it('is bounded for writing by leaving out the oldest', () => {
    const many = Array.from({ length: MAX_SYNCED_ACKNOWLEDGEMENTS + 2 }, (_, i) => ({ ...daveAck, deviceId: `D${i}`, acknowledgedAt: i }));
    const bounded = boundedForWrite(synced(many));
    expect(bounded.acknowledgements).toHaveLength(MAX_SYNCED_ACKNOWLEDGEMENTS);
    expect(bounded.acknowledgements.map((ack) => ack.acknowledgedAt)).not.toContain(0);
    expect(parseSynced(bounded)).toBeDefined();
  });
});

describe('applying synced acknowledgements to this browser', () => {
  const apply = (entries: LedgerEntry[], from = synced()) => applyToLedger(entries, indexAcknowledgements(from), 'default');

  it('quiets a device acknowledged elsewhere with the same id and key', () => {
    const { entries, changed } = apply([daveEntry()]);
    expect(changed).toHaveLength(1);
    expect(entries[0]).toMatchObject({ acknowledgedAt: T0, acknowledgedClass: 'unsigned' });
    expect(entries.map((entry) => isNewWarning(entry, 'default'))).toEqual([false]);
  });

  it('never covers the same device id with a changed key', () => {
    const { changed } = apply([daveEntry({ ed25519Key: keyOf('DAVEBOT-NEW') })]);
    expect(changed).toEqual([]);
  });

  it('never covers a class worse than the one acknowledged', () => {
    const { changed } = apply([daveEntry({ lastClass: 'unsigned-of-verified' })]);
    expect(changed).toEqual([]);
  });

  it('covers a class better than the one acknowledged', () => {
    const worse = { ...daveAck, acknowledgedClass: 'unsigned-of-verified' as const };
    const { entries } = apply([daveEntry()], synced([worse]));
    expect(entries.map((entry) => isNewWarning(entry, 'default'))).toEqual([false]);
  });

  it('never lowers an acknowledgement made here', () => {
    const here = daveEntry({ lastClass: 'unsigned-of-verified', acknowledgedAt: T1, acknowledgedClass: 'unsigned-of-verified' });
    expect(apply([here]).changed).toEqual([]);
  });

  it('leaves other rooms and departed devices alone', () => {
    const elsewhere = daveEntry({ roomId: '!other:example.org' });
    const departed = daveEntry({ departedAt: T1 });
    expect(apply([elsewhere, departed]).changed).toEqual([]);
  });

  it('changes nothing with no synced acknowledgements', () => {
    expect(apply([daveEntry()], emptySynced()).changed).toEqual([]);
  });
});

describe('what a ledger shares', () => {
  it('shares acknowledged entries only, with the acknowledgement fields only', () => {
    const acknowledged = daveEntry({ warnedAt: T0, acknowledgedAt: T1, acknowledgedClass: 'unsigned' });
    expect(acknowledgementsOf([acknowledged, daveEntry({ deviceId: 'OTHER' })])).toEqual([{ ...daveAck, acknowledgedAt: T1 }]);
  });
});

describe('whether a document needs writing back', () => {
  it('holds all when it already has every decision as merged', () => {
    expect(holdsAll(synced(), synced())).toBe(true);
    expect(holdsAll(synced(), emptySynced())).toBe(true);
  });

  it('does not hold all when a replayed older document lacks a decision', () => {
    expect(holdsAll(synced([]), synced())).toBe(false);
    expect(holdsAll(synced([daveAck], []), synced())).toBe(false);
  });

  it('does not hold all when the other side acknowledged the same device at a worse class', () => {
    expect(holdsAll(synced(), synced([{ ...daveAck, acknowledgedClass: 'unsigned-of-verified' }]))).toBe(false);
  });
});

describe('the bounds, between browsers', () => {
  it('trim the same union the same way whatever its order, so a trimmed copy needs no writing back', () => {
    const same = Array.from({ length: MAX_SYNCED_ACKNOWLEDGEMENTS + 3 }, (_, i) => ({ ...daveAck, deviceId: `D${i}`, acknowledgedAt: T0 }));
    const one = boundedForWrite(synced(same));
    const other = boundedForWrite(synced([...same].reverse()));
    expect(new Set(one.acknowledgements.map((a) => a.deviceId))).toEqual(new Set(other.acknowledgements.map((a) => a.deviceId)));
    expect(holdsAll(one, boundedForWrite(mergeSynced(one, synced(same))))).toBe(true);
  });
});
