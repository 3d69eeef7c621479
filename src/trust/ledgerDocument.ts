import {
  fieldsProblem,
  type FieldChecks,
  deviceId as isDeviceId,
  hasOnlyKeys,
  isBoundedString,
  isNonNegativeInteger,
  isPlainObject,
  roomId as isRoomId,
  userId as isUserId,
} from '../validation/shape';
import { isDeviceClass } from './classifyDevice';
import type { LedgerEntry } from './types';
import { ledgerKeyOf } from './warnedDeviceLedger';

/**
 * The ledger as a JSON file the user exports and imports (history export in the options page):
 * `{ format, version, exportedAt, entries }`. An imported file comes from wherever the user
 * picked it, so it is checked field by field. Errors name the problem, never the input, and
 * leave the framing ("This file cannot be imported: …") to the caller.
 */

const FORMAT = 'matrix-trust-guard/warned-device-ledger';
const FIRST_VERSION = 1;

type RawDocument = Record<string, unknown>;

/**
 * Migration i turns a document of version FIRST_VERSION + i into the next version, before any
 * validation (which knows the current version only). None yet: version 1 is the first.
 */
const MIGRATIONS: readonly ((document: RawDocument) => RawDocument)[] = [];
const CURRENT_VERSION = FIRST_VERSION + MIGRATIONS.length;

export const MAX_ENTRIES = 200_000;
/** An ed25519 key is 43 characters of unpadded base64; this leaves room, not much more. */
const MAX_KEY_LENGTH = 64;

/** One check per field, in the order fields are written; a `Record` so no field is forgotten. */
const FIELDS: FieldChecks<LedgerEntry> = {
  roomId: { check: isRoomId },
  userId: { check: isUserId },
  deviceId: { check: isDeviceId },
  ed25519Key: { check: (value) => isBoundedString(value, MAX_KEY_LENGTH) && /^[A-Za-z0-9+/]+={0,2}$/.test(value) },
  firstSeenAt: { check: isNonNegativeInteger },
  firstClass: { check: isDeviceClass },
  lastClass: { check: isDeviceClass },
  warnedAt: { check: isNonNegativeInteger, optional: true },
  acknowledgedAt: { check: isNonNegativeInteger, optional: true },
  acknowledgedClass: { check: isDeviceClass, optional: true },
  departedAt: { check: isNonNegativeInteger, optional: true },
};
const FIELD_NAMES = Object.keys(FIELDS) as (keyof LedgerEntry)[];

/** Why a file was refused, for the user's words (the background words it in their language). */
export type LedgerRefusal =
  | { code: 'not-json' | 'not-an-export' | 'no-version' | 'bad-document' }
  | { code: 'newer-version'; version: number }
  | { code: 'too-many-entries'; max: number }
  | { code: 'bad-entry' | 'repeated-entry'; entry: number };

/** `error` says exactly what is wrong, in English, for logs and tests; `refusal` is for the user. */
export type ParsedLedger = { ok: true; entries: LedgerEntry[] } | { ok: false; error: string; refusal: LedgerRefusal };

/** Entries sorted by key and fields in a fixed order, so the same ledger always gives the same file. */
export function exportLedger(entries: readonly LedgerEntry[], now: number): string {
  const sorted = entries
    .map((entry) => ({ id: ledgerKeyOf(entry), entry: pickFields(entry) }))
    .sort((a, b) => compareCodePoints(a.id, b.id));
  const document = { format: FORMAT, version: CURRENT_VERSION, exportedAt: now, entries: sorted.map(({ entry }) => entry) };
  return JSON.stringify(document, null, 2);
}

/** Never throws: anything wrong with `json` comes back as `{ ok: false, error }`. */
export function parseLedgerDocument(json: string): ParsedLedger {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return refused('the file is not JSON', { code: 'not-json' });
  }
  if (!isPlainObject(raw) || raw.format !== FORMAT)
    return refused('the file is not a Matrix Trust Guard ledger export', { code: 'not-an-export' });
  const current = migrateToCurrent(raw);
  return current.ok ? parseCurrent(current.document) : current;
}

/**
 * Union by key; importing never loses an entry. For a device in both, the imported file can
 * only add history: the earliest sighting and warning, the latest acknowledgement. What the
 * device looks like now (its last class, whether it left) stays as this browser saw it.
 */
export function mergeLedgers(current: readonly LedgerEntry[], imported: readonly LedgerEntry[]): LedgerEntry[] {
  const merged = new Map(current.map((entry) => [ledgerKeyOf(entry), entry]));
  for (const entry of imported) {
    const key = ledgerKeyOf(entry);
    const mine = merged.get(key);
    merged.set(key, mine ? mergeEntry(mine, entry) : entry);
  }
  return [...merged.values()];
}

function mergeEntry(mine: LedgerEntry, theirs: LedgerEntry): LedgerEntry {
  const first = theirs.firstSeenAt < mine.firstSeenAt ? theirs : mine;
  const acknowledged = (theirs.acknowledgedAt ?? -1) > (mine.acknowledgedAt ?? -1) ? theirs : mine;
  return pickFields({
    ...mine,
    firstSeenAt: first.firstSeenAt,
    firstClass: first.firstClass,
    warnedAt: earliest(mine.warnedAt, theirs.warnedAt),
    acknowledgedAt: acknowledged.acknowledgedAt,
    acknowledgedClass: acknowledged.acknowledgedClass,
  });
}

function migrateToCurrent(document: RawDocument): { ok: true; document: RawDocument } | Extract<ParsedLedger, { ok: false }> {
  const { version } = document;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < FIRST_VERSION)
    return { ok: false, error: 'the file has no valid format version', refusal: { code: 'no-version' } };
  if (version > CURRENT_VERSION) {
    return {
      ok: false,
      error: `the file was written by a newer Matrix Trust Guard (format version ${version}, this one reads up to ${CURRENT_VERSION}); update the extension to import it`,
      refusal: { code: 'newer-version', version },
    };
  }
  return { ok: true, document: MIGRATIONS.slice(version - FIRST_VERSION).reduce((migrated, migrate) => migrate(migrated), document) };
}

function parseCurrent(document: RawDocument): ParsedLedger {
  if (!hasOnlyKeys(document, ['format', 'version', 'exportedAt', 'entries']))
    return refused('the file has unexpected top-level fields', { code: 'bad-document' });
  if (!isNonNegativeInteger(document.exportedAt)) return refused('exportedAt is not a valid timestamp', { code: 'bad-document' });
  const { entries } = document;
  if (!Array.isArray(entries)) return refused('entries is not a list', { code: 'bad-document' });
  if (entries.length > MAX_ENTRIES)
    return refused(`the file has more than ${MAX_ENTRIES} entries`, { code: 'too-many-entries', max: MAX_ENTRIES });
  const seen = new Set<string>();
  const parsed: LedgerEntry[] = [];
  for (const [index, value] of entries.entries()) {
    const problem = entryProblem(value);
    if (problem !== undefined) return refused(`entry ${index + 1} ${problem}`, { code: 'bad-entry', entry: index + 1 });
    const entry = pickFields(value as LedgerEntry);
    const key = ledgerKeyOf(entry);
    if (seen.has(key))
      return refused(`entry ${index + 1} repeats the device of an earlier entry`, { code: 'repeated-entry', entry: index + 1 });
    seen.add(key);
    parsed.push(entry);
  }
  return { ok: true, entries: parsed };
}

/**
 * Whether a record read back from storage is a ledger entry in every field. Storage is ours,
 * but a disk fault, a bug in an older version or another program can damage a record; the
 * store sets such records aside instead of handing them to the trust logic. Fields present
 * but undefined count as absent (they survive structured cloning as written).
 */
export function isStoredLedgerEntry(value: unknown): value is LedgerEntry {
  if (!isPlainObject(value)) return false;
  const present = Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined));
  return entryProblem(present) === undefined;
}

/** Why `value` is not a valid ledger entry, or undefined when it is. */
function entryProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return 'is not an object';
  const problem = fieldsProblem(value, FIELDS);
  if (problem !== undefined) return problem;
  if (Object.hasOwn(value, 'acknowledgedAt') !== Object.hasOwn(value, 'acknowledgedClass')) return 'has only half of an acknowledgement';
  return undefined;
}

/** The entry's fields in the order of FIELDS, without absent ones and without anything else. */
function pickFields(entry: LedgerEntry): LedgerEntry {
  return Object.fromEntries(
    FIELD_NAMES.filter((name) => entry[name] !== undefined).map((name) => [name, entry[name]]),
  ) as unknown as LedgerEntry;
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : Math.min(a, b);
}

/** Code-point order, independent of the locale, so an export is byte-for-byte reproducible. */
function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function refused(error: string, refusal: LedgerRefusal): ParsedLedger {
  return { ok: false, error, refusal };
}
