import { describe, expect, it } from 'vitest';
import { exportLedger, MAX_ENTRIES, mergeLedgers, parseLedgerDocument } from '../../../src/trust/ledgerDocument';
import type { LedgerEntry } from '../../../src/trust/types';
import { keyOf, ROOM } from './facts';

const T0 = Date.UTC(2026, 0, 5, 9, 0);
const T1 = T0 + 60_000;
const T2 = T1 + 60_000;
const FORMAT = 'matrix-trust-guard/warned-device-ledger';

const daveBot: LedgerEntry = {
  roomId: ROOM,
  userId: '@dave:example.org',
  deviceId: 'DAVEBOT',
  ed25519Key: keyOf('DAVEBOT'),
  firstSeenAt: T0,
  firstClass: 'owner-signed',
  lastClass: 'unsigned',
  warnedAt: T0,
  acknowledgedAt: T1,
  acknowledgedClass: 'unsigned',
  departedAt: T2,
};
const bobNew: LedgerEntry = {
  roomId: ROOM,
  userId: '@bob:example.org',
  deviceId: 'BOBNEW',
  ed25519Key: keyOf('BOBNEW'),
  firstSeenAt: T1,
  firstClass: 'unsigned-of-verified',
  lastClass: 'unsigned-of-verified',
};

/** A document as our export writes it, with `entries` and any top-level field replaced. */
function document(entries: unknown[] = [bobNew], top: Record<string, unknown> = {}): string {
  return JSON.stringify({ format: FORMAT, version: 1, exportedAt: T2, entries, ...top });
}

function withEntryField(field: string, value: unknown): string {
  return document([{ ...bobNew, [field]: value }]);
}

function refusal(json: string): string {
  const parsed = parseLedgerDocument(json);
  if (parsed.ok) throw new Error('expected the document to be refused');
  return parsed.error;
}

describe('exportLedger', () => {
  it('writes the format, its version, when it was exported and the entries', () => {
    expect(JSON.parse(exportLedger([bobNew], T2))).toEqual({ format: FORMAT, version: 1, exportedAt: T2, entries: [bobNew] });
  });

  it('writes the same ledger the same way whatever the order of entries and fields', () => {
    const shuffled = Object.fromEntries(Object.entries(daveBot).reverse()) as unknown as LedgerEntry;
    expect(exportLedger([shuffled, bobNew], T2)).toBe(exportLedger([bobNew, daveBot], T2));
  });

  it('sorts entries by room, user, device and key, and writes fields in a fixed order', () => {
    const exported = JSON.parse(exportLedger([daveBot, bobNew], T2)) as { entries: LedgerEntry[] };
    expect(exported.entries.map((e) => e.userId)).toEqual(['@bob:example.org', '@dave:example.org']);
    expect(Object.keys(exported.entries[1] ?? {})).toEqual([
      'roomId',
      'userId',
      'deviceId',
      'ed25519Key',
      'firstSeenAt',
      'firstClass',
      'lastClass',
      'warnedAt',
      'acknowledgedAt',
      'acknowledgedClass',
      'departedAt',
    ]);
  });

  it('leaves out fields an entry does not have rather than writing them empty', () => {
    expect(exportLedger([{ ...bobNew, warnedAt: undefined }], T2)).not.toMatch(/warnedAt|null/);
  });
});

describe('parseLedgerDocument', () => {
  it('gives back the exported entries, round trip', () => {
    const parsed = parseLedgerDocument(exportLedger([daveBot, bobNew], T2));
    expect(parsed).toEqual({ ok: true, entries: [bobNew, daveBot] });
  });

  it('accepts an empty ledger', () => {
    expect(parseLedgerDocument(exportLedger([], T2))).toEqual({ ok: true, entries: [] });
  });

  it('accepts ids at their length limits', () => {
    const longest = { ...bobNew, userId: `@${'u'.repeat(242)}:example.org`, roomId: `!${'r'.repeat(254)}`, ed25519Key: 'A'.repeat(64) };
    expect(parseLedgerDocument(document([longest]))).toEqual({ ok: true, entries: [longest] });
  });

  it('refuses a document from a newer version of the extension, saying so', () => {
    expect(refusal(document([], { version: 2 }))).toMatch(/newer Matrix Trust Guard.*update the extension/);
  });

  /** What the file is, the file, and the reason the refusal must give. */
  const hostile: [string, string, string][] = [
    ['text that is not JSON', 'entries: none', 'the file is not JSON'],
    ['an empty file', '', 'the file is not JSON'],
    ['JSON null', 'null', 'the file is not a Matrix Trust Guard ledger export'],
    ['a JSON list', '[]', 'the file is not a Matrix Trust Guard ledger export'],
    ['a JSON number', '42', 'the file is not a Matrix Trust Guard ledger export'],
    ['another format', document([], { format: 'matrix-trust-guard/something-else' }), 'the file is not a Matrix Trust Guard ledger export'],
    ['no format at all', JSON.stringify({ version: 1, exportedAt: T2, entries: [] }), 'the file is not a Matrix Trust Guard ledger export'],
    ['no version', JSON.stringify({ format: FORMAT, exportedAt: T2, entries: [] }), 'the file has no valid format version'],
    ['a version that is a string', document([], { version: '1' }), 'the file has no valid format version'],
    ['a version that is a fraction', document([], { version: 1.5 }), 'the file has no valid format version'],
    ['a version before the first', document([], { version: 0 }), 'the file has no valid format version'],
    ['an absurd future version', document([], { version: 1e300 }), 'the file has no valid format version'],
    ['an extra top-level field', document([], { signature: 'trust me' }), 'the file has unexpected top-level fields'],
    ['a negative exportedAt', document([], { exportedAt: -1 }), 'exportedAt is not a valid timestamp'],
    [
      'an infinite exportedAt',
      document([], { exportedAt: 0 }).replace('"exportedAt":0', '"exportedAt":1e400'),
      'exportedAt is not a valid timestamp',
    ],
    ['entries that are not a list', document([], { entries: { 0: bobNew } }), 'entries is not a list'],
    ['an entry that is not an object', document([[bobNew]]), 'entry 1 is not an object'],
    ['an entry that is null', document([null]), 'entry 1 is not an object'],
    ['an entry with an extra field', withEntryField('trusted', true), 'entry 1 has an unexpected field'],
    [
      'an entry with an own __proto__ field',
      document([]).replace('"entries":[]', `"entries":[${JSON.stringify(bobNew).slice(0, -1)},"__proto__":{}}]`),
      'entry 1 has an unexpected field',
    ],
    ['an entry without a device id', document([{ ...bobNew, deviceId: undefined }]), 'entry 1 has no deviceId'],
    ['an empty device id', withEntryField('deviceId', ''), 'entry 1 has an invalid deviceId'],
    ['a user id that is a number', withEntryField('userId', 42), 'entry 1 has an invalid userId'],
    ['a user id without its @', withEntryField('userId', 'bob:example.org'), 'entry 1 has an invalid userId'],
    ['a user id with a space', withEntryField('userId', '@bob smith:example.org'), 'entry 1 has an invalid userId'],
    ['a room id without its !', withEntryField('roomId', '#plans:example.org'), 'entry 1 has an invalid roomId'],
    ['a user id longer than 255 characters', withEntryField('userId', `@${'u'.repeat(243)}:example.org`), 'entry 1 has an invalid userId'],
    ['a huge string', withEntryField('deviceId', 'D'.repeat(1_000_000)), 'entry 1 has an invalid deviceId'],
    ['a key that is not base64', withEntryField('ed25519Key', 'not a key!'), 'entry 1 has an invalid ed25519Key'],
    ['a key longer than any ed25519 key', withEntryField('ed25519Key', 'A'.repeat(65)), 'entry 1 has an invalid ed25519Key'],
    ['an unknown class', withEntryField('lastClass', 'trusted'), 'entry 1 has an invalid lastClass'],
    ['a class that is an inherited property name', withEntryField('firstClass', 'toString'), 'entry 1 has an invalid firstClass'],
    ['a negative timestamp', withEntryField('firstSeenAt', -5), 'entry 1 has an invalid firstSeenAt'],
    ['an infinite timestamp', withEntryField('warnedAt', 0).replace('"warnedAt":0', '"warnedAt":1e400'), 'entry 1 has an invalid warnedAt'],
    ['a fractional timestamp', withEntryField('firstSeenAt', T0 + 0.5), 'entry 1 has an invalid firstSeenAt'],
    ['a timestamp that is a date string', withEntryField('firstSeenAt', new Date(T0).toISOString()), 'entry 1 has an invalid firstSeenAt'],
    ['a null optional field', withEntryField('departedAt', null), 'entry 1 has an invalid departedAt'],
    ['an acknowledgement without its class', withEntryField('acknowledgedAt', T1), 'entry 1 has only half of an acknowledgement'],
    [
      'an acknowledged class without its time',
      withEntryField('acknowledgedClass', 'unsigned'),
      'entry 1 has only half of an acknowledgement',
    ],
    ['the same device twice', document([bobNew, daveBot, bobNew]), 'entry 3 repeats the device of an earlier entry'],
    [
      'deeply nested junk as an entry',
      document([]).replace('"entries":[]', `"entries":[${'['.repeat(100_000)}${']'.repeat(100_000)}]`),
      'entry 1 is not an object',
    ],
    [
      'deeply nested junk as the whole file',
      `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`,
      'the file is not a Matrix Trust Guard ledger export',
    ],
  ];

  it.each(hostile)('refuses %s, saying why in a short error, without throwing', (_label, json, reason) => {
    let error = '';
    expect(() => (error = refusal(json))).not.toThrow();
    expect(error).toBe(reason);
  });

  it('refuses more than 200,000 entries without looking at each', () => {
    const tooMany = `{"format":"${FORMAT}","version":1,"exportedAt":${T2},"entries":[${'0,'.repeat(MAX_ENTRIES)}0]}`;
    expect(refusal(tooMany)).toMatch(/more than 200000 entries/);
  });

  it('names the entry and the field that is wrong, never the value', () => {
    const secretish = 'D'.repeat(300);
    const error = refusal(document([bobNew, { ...daveBot, deviceId: secretish }]));
    expect(error).toBe('entry 2 has an invalid deviceId');
  });
});

describe('mergeLedgers', () => {
  it('keeps every entry of both ledgers', () => {
    const elsewhere = { ...bobNew, roomId: '!elsewhere:example.org' };
    const merged = mergeLedgers([bobNew], [daveBot, elsewhere]);
    expect(merged).toEqual([bobNew, daveBot, elsewhere]);
  });

  it('keeps a device with the same id but another key as another entry', () => {
    const rekeyed = { ...bobNew, ed25519Key: keyOf('attacker') };
    expect(mergeLedgers([bobNew], [rekeyed])).toHaveLength(2);
  });

  it('keeps the earliest sighting of a device, with the class it had then', () => {
    const older = { ...bobNew, firstSeenAt: T0, firstClass: 'owner-signed' as const };
    expect(mergeLedgers([bobNew], [older])[0]).toMatchObject({ firstSeenAt: T0, firstClass: 'owner-signed' });
    expect(mergeLedgers([older], [bobNew])[0]).toMatchObject({ firstSeenAt: T0, firstClass: 'owner-signed' });
  });

  it('keeps the later acknowledgement, with the class acknowledged then', () => {
    const early = { ...bobNew, acknowledgedAt: T1, acknowledgedClass: 'unsigned' as const };
    const late = { ...bobNew, acknowledgedAt: T2, acknowledgedClass: 'unsigned-of-verified' as const };
    expect(mergeLedgers([early], [late])[0]).toMatchObject({ acknowledgedAt: T2, acknowledgedClass: 'unsigned-of-verified' });
    expect(mergeLedgers([late], [early])[0]).toMatchObject({ acknowledgedAt: T2, acknowledgedClass: 'unsigned-of-verified' });
    expect(mergeLedgers([bobNew], [early])[0]).toMatchObject({ acknowledgedAt: T1, acknowledgedClass: 'unsigned' });
    expect(mergeLedgers([early], [bobNew])[0]).toMatchObject({ acknowledgedAt: T1, acknowledgedClass: 'unsigned' });
  });

  it('keeps the earliest time a warning was shown', () => {
    expect(mergeLedgers([{ ...bobNew, warnedAt: T2 }], [{ ...bobNew, warnedAt: T1 }])[0]?.warnedAt).toBe(T1);
    expect(mergeLedgers([{ ...bobNew, warnedAt: T1 }], [{ ...bobNew, warnedAt: T2 }])[0]?.warnedAt).toBe(T1);
    expect(mergeLedgers([bobNew], [{ ...bobNew, warnedAt: T2 }])[0]?.warnedAt).toBe(T2);
  });

  it('keeps what this browser sees now: the last class and whether the device left', () => {
    const imported = { ...bobNew, lastClass: 'verified' as const, departedAt: T0 };
    const merged = mergeLedgers([bobNew], [imported])[0];
    expect(merged?.lastClass).toBe('unsigned-of-verified');
    expect(merged).not.toHaveProperty('departedAt');
    expect(mergeLedgers([daveBot], [{ ...daveBot, departedAt: undefined }])[0]?.departedAt).toBe(T2);
  });

  it('changes nothing when a ledger is merged with itself, and never changes its inputs', () => {
    const current = [daveBot, bobNew];
    const snapshot = structuredClone(current);
    expect(mergeLedgers(current, structuredClone(current))).toEqual(current);
    expect(current).toEqual(snapshot);
  });
});

describe('why a file is refused, for the user', () => {
  function refusalOf(json: string) {
    const parsed = parseLedgerDocument(json);
    if (parsed.ok) throw new Error('expected the document to be refused');
    return parsed.refusal;
  }

  it('names the kind of problem, and the entry, without quoting the file', () => {
    expect(refusalOf('{not json')).toEqual({ code: 'not-json' });
    expect(refusalOf('{"format":"something else"}')).toEqual({ code: 'not-an-export' });
    expect(refusalOf(document([{ ...bobNew, deviceId: 7 }]))).toEqual({ code: 'bad-entry', entry: 1 });
    expect(refusalOf(document([bobNew, bobNew]))).toEqual({ code: 'repeated-entry', entry: 2 });
  });
});
