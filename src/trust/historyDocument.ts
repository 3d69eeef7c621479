import { hasOnlyKeys, isNonNegativeInteger, isPlainObject } from '../validation/shape';
import { type HistoryEvent, historyEventProblem, MAX_HISTORY_EVENTS, newestFirst, pickFields } from './trustHistory';

/**
 * The trust history as files the user exports (JSON, to import again; CSV, for a spreadsheet)
 * and imports (JSON). Follows ledgerDocument.ts: a versioned document, checked field by field
 * on import, errors that name the problem and never the input.
 */

const FORMAT = 'matrix-trust-guard/trust-history';
const FIRST_VERSION = 1;

type RawDocument = Record<string, unknown>;

/** Migration i turns a document of version FIRST_VERSION + i into the next; none yet. */
const MIGRATIONS: readonly ((document: RawDocument) => RawDocument)[] = [];
const CURRENT_VERSION = FIRST_VERSION + MIGRATIONS.length;

/** A file may hold a few bounds' worth (merged exports of several browsers), not more. */
export const MAX_IMPORTED_EVENTS = 5 * MAX_HISTORY_EVENTS;

export type HistoryRefusal =
  | { code: 'not-json' | 'not-an-export' | 'no-version' | 'bad-document' }
  | { code: 'newer-version'; version: number }
  | { code: 'too-many-events'; max: number }
  | { code: 'bad-event'; event: number };

export type ParsedHistory = { ok: true; events: HistoryEvent[] } | { ok: false; error: string; refusal: HistoryRefusal };

/** Newest first and fields in a fixed order, so the same history always gives the same file. */
export function exportHistoryJson(events: readonly HistoryEvent[], now: number): string {
  const document = { format: FORMAT, version: CURRENT_VERSION, exportedAt: now, events: newestFirst(events.map(pickFields)) };
  return JSON.stringify(document, null, 2);
}

/** Never throws: anything wrong with `json` comes back as `{ ok: false, error, refusal }`. Repeated events are merged. */
export function parseHistoryDocument(json: string): ParsedHistory {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return refused('the file is not JSON', { code: 'not-json' });
  }
  if (!isPlainObject(raw) || raw.format !== FORMAT)
    return refused('the file is not a Matrix Trust Guard history export', { code: 'not-an-export' });
  const { version } = raw;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < FIRST_VERSION)
    return refused('the file has no valid format version', { code: 'no-version' });
  if (version > CURRENT_VERSION)
    return refused(`the file was written by a newer Matrix Trust Guard (format version ${version})`, { code: 'newer-version', version });
  const document = MIGRATIONS.slice(version - FIRST_VERSION).reduce((migrated, migrate) => migrate(migrated), raw);
  if (!hasOnlyKeys(document, ['format', 'version', 'exportedAt', 'events']))
    return refused('the file has unexpected top-level fields', { code: 'bad-document' });
  if (!isNonNegativeInteger(document.exportedAt)) return refused('exportedAt is not a valid timestamp', { code: 'bad-document' });
  const { events } = document;
  if (!Array.isArray(events)) return refused('events is not a list', { code: 'bad-document' });
  if (events.length > MAX_IMPORTED_EVENTS)
    return refused(`the file has more than ${MAX_IMPORTED_EVENTS} events`, { code: 'too-many-events', max: MAX_IMPORTED_EVENTS });
  const parsed = new Map<string, HistoryEvent>();
  for (const [index, value] of events.entries()) {
    const problem = historyEventProblem(value);
    if (problem !== undefined) return refused(`event ${index + 1} ${problem}`, { code: 'bad-event', event: index + 1 });
    const event = pickFields(value as HistoryEvent);
    if (!parsed.has(event.id)) parsed.set(event.id, event);
  }
  return { ok: true, events: [...parsed.values()] };
}

const CSV_COLUMNS: readonly (keyof HistoryEvent)[] = [
  'id',
  'at',
  'kind',
  'roomId',
  'roomName',
  'userId',
  'userName',
  'deviceId',
  'deviceName',
  'ed25519Key',
  'class',
  'previousClass',
  'where',
  'client',
  'masterKey',
  'previousMasterKey',
];

/**
 * The history as CSV (RFC 4180: every field quoted, quotes doubled, CRLF), newest first, times
 * as ISO 8601 (UTC). Names come from the network: a cell a spreadsheet would take for a formula
 * (starting with = + - @, or a tab or carriage return) gets a leading apostrophe, so opening
 * the file never runs what a room or device name says. Keys that start with + get it too.
 */
export function exportHistoryCsv(events: readonly HistoryEvent[]): string {
  const header = CSV_COLUMNS.map((column) => (column === 'at' ? 'time' : column));
  const rows = newestFirst([...events]).map((event) =>
    CSV_COLUMNS.map((column) => {
      const value = event[column];
      if (value === undefined) return '';
      return column === 'at' ? new Date(value).toISOString() : String(value);
    }),
  );
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export function csvCell(value: string): string {
  const neutral = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${neutral.replaceAll('"', '""')}"`;
}

function refused(error: string, refusal: HistoryRefusal): ParsedHistory {
  return { ok: false, error, refusal };
}
