import { describe, expect, it } from 'vitest';
import { csvCell, exportHistoryCsv, exportHistoryJson, parseHistoryDocument } from '../../../src/trust/historyDocument';
import { historyEvent } from '../../../src/trust/trustHistory';
import { keyOf, ROOM } from './facts';

const T0 = Date.UTC(2026, 10, 23, 20, 22);
const FORMAT = 'matrix-trust-guard/trust-history';
const appeared = historyEvent({
  kind: 'device-appeared',
  at: T0,
  roomId: ROOM,
  roomName: 'Plans',
  userId: '@bob:example.org',
  userName: 'Bob',
  deviceId: 'ZMFQWERTYU',
  deviceName: 'new laptop',
  ed25519Key: keyOf('ZMFQWERTYU'),
  class: 'unsigned',
});
const acknowledged = historyEvent({ kind: 'acknowledged', at: T0 + 60_000, roomId: ROOM, userId: '@bob:example.org', class: 'unsigned' });

function document(events: unknown[], top: Record<string, unknown> = {}): string {
  return JSON.stringify({ format: FORMAT, version: 1, exportedAt: T0, events, ...top });
}

describe('the history file', () => {
  it('round-trips: what is exported imports as the same events', () => {
    const parsed = parseHistoryDocument(exportHistoryJson([appeared, acknowledged], T0));
    expect(parsed).toEqual({ ok: true, events: [acknowledged, appeared] });
  });

  it('is the same file for the same history, whatever order it was read in', () => {
    expect(exportHistoryJson([appeared, acknowledged], T0)).toBe(exportHistoryJson([acknowledged, appeared], T0));
  });

  it('merges an event repeated in the file', () => {
    expect(parseHistoryDocument(document([appeared, appeared]))).toEqual({ ok: true, events: [appeared] });
  });

  it.each([
    ['not JSON', '{', 'not-json'],
    ['another program', JSON.stringify({ format: 'something-else', version: 1 }), 'not-an-export'],
    ['the ledger', JSON.stringify({ format: 'matrix-trust-guard/warned-device-ledger', version: 1, entries: [] }), 'not-an-export'],
    ['no version', JSON.stringify({ format: FORMAT, exportedAt: T0, events: [] }), 'no-version'],
    ['a newer version', document([], { version: 2 }), 'newer-version'],
    ['an extra field', document([], { note: 'hi' }), 'bad-document'],
    ['events that are no list', document([], { events: {} }), 'bad-document'],
    ['a damaged event', document([appeared, { ...acknowledged, at: 'yesterday' }]), 'bad-event'],
    ['an event whose id is not its own', document([{ ...appeared, deviceId: 'OTHER' }]), 'bad-event'],
  ])('refuses a file with %s', (_label, json, code) => {
    const parsed = parseHistoryDocument(json);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.refusal.code).toBe(code);
  });

  it('says which event is damaged, never what it holds', () => {
    const parsed = parseHistoryDocument(document([appeared, { ...acknowledged, roomName: '<img src=x>'.repeat(100) }]));
    expect(parsed).toMatchObject({ ok: false, refusal: { code: 'bad-event', event: 2 } });
    if (!parsed.ok) expect(parsed.error).not.toContain('<img');
  });
});

describe('the CSV export', () => {
  it('has a header and one row per event, newest first, times in ISO 8601', () => {
    const lines = exportHistoryCsv([appeared, acknowledged]).split('\r\n');
    expect(lines[0]).toMatch(/^"id","time","kind","roomId","roomName"/);
    expect(lines[1]).toContain('"acknowledged"');
    expect(lines[2]).toContain(`"${new Date(T0).toISOString()}","device-appeared","${ROOM}","Plans"`);
    expect(lines[3]).toBe('');
  });

  it('quotes every field and doubles quotes, so commas and new lines stay in their cell', () => {
    expect(csvCell('Bob, "the builder"\nline two')).toBe('"Bob, ""the builder""\nline two"');
  });

  it.each(['=HYPERLINK("https://evil.example")', '+1+1', '-2', '@SUM(A1)', '\tx', '\rx'])(
    'neutralises a cell a spreadsheet would run as a formula: %j',
    (value) => {
      expect(csvCell(value).startsWith(`"'`)).toBe(true);
    },
  );

  it('neutralises a hostile room name in the export', () => {
    const hostile = historyEvent({ kind: 'departed', at: T0, roomId: ROOM, roomName: '=cmd|"/c calc"!A1' });
    expect(exportHistoryCsv([hostile])).toContain(`"'=cmd|""/c calc""!A1"`);
  });

  it('leaves ordinary text as it is', () => {
    expect(csvCell('Plans')).toBe('"Plans"');
  });
});
