import { deviceSeverity, isWarning, isWorse } from './classifyDevice';
import type { DeviceClass, LedgerEntry, LedgerKey, Policy } from './types';

/**
 * The warned-device ledger (docs/architecture.md): which devices of a room the user has been told about.
 * Every transition is pure and immutable. It returns the whole new list and, apart, only the
 * entries that differ from before, so the caller persists just those in one atomic write.
 */

export interface LedgerChange {
  entries: LedgerEntry[];
  changed: LedgerEntry[];
}

/** One device of one member, as seen now. */
export interface ObservedDevice extends Omit<LedgerKey, 'roomId'> {
  class: DeviceClass;
}

/** What one look at a room saw; `observationsFor` builds it from the crypto facts. */
export interface RoomObservation {
  roomId: string;
  devices: ObservedDevice[];
  /**
   * Members whose devices could not be seen this time (their keys are still being fetched).
   * Their unobserved entries are left alone: a slow key query must not look like every
   * device of theirs leaving. Anyone else's unobserved entry has departed, including those of
   * users who left the room, for whom we have no facts at all.
   */
  pendingUserIds: ReadonlySet<string>;
  /**
   * When set, this look covered only these members (the ones an event said changed): entries
   * of everyone else are left exactly as they are, departures included.
   */
  onlyUserIds?: ReadonlySet<string>;
}

/**
 * One device as the user was shown it in extension UI: whose, which id, and which key. An
 * acknowledgement names exactly these, so a key that arrived after the page drew (a new device,
 * or a known id with another key) is never acknowledged by a click on what was on screen.
 */
export type ShownDevice = Omit<LedgerKey, 'roomId'>;

/**
 * A stable string id for a ledger key. Each part is prefixed with its length, so no content can
 * shift one part into the next (ids are arbitrary strings), and it is several times cheaper than
 * JSON: big rooms compute thousands of these per recompute.
 */
export function ledgerKeyOf(key: LedgerKey): string {
  const { roomId, userId, deviceId, ed25519Key } = key;
  return `${roomId.length}:${roomId}${userId.length}:${userId}${deviceId.length}:${deviceId}${ed25519Key}`;
}

export function observeRoom(existing: readonly LedgerEntry[], observation: RoomObservation, now: number): LedgerChange {
  const { roomId, pendingUserIds, onlyUserIds } = observation;
  const covered = (entry: LedgerEntry) => entry.roomId === roomId && (onlyUserIds === undefined || onlyUserIds.has(entry.userId));
  const observed = new Map(observation.devices.map((device) => [ledgerKeyOf({ roomId, ...device }), device]));
  const updated = updateEach(existing, (entry) => {
    if (!covered(entry)) return entry;
    const seen = observed.get(ledgerKeyOf(entry));
    if (seen) return seenAgain(entry, seen.class);
    return pendingUserIds.has(entry.userId) ? entry : departed(entry, now);
  });
  const known = new Set(existing.filter(covered).map(ledgerKeyOf));
  const added = [...observed].filter(([key]) => !known.has(key)).map(([, device]) => firstSight(roomId, device, now));
  return { entries: [...updated.entries, ...added], changed: [...updated.changed, ...added] };
}

/**
 * A warning the user has not acknowledged yet, or one that got worse since: acknowledged
 * devices stay quiet until their class gets worse. A departed device is history, never new; a
 * device that is no warning under the policy (a `bridged` one by default) is never new either,
 * so it is never stamped as warned nor acknowledged.
 */
export function isNewWarning(entry: LedgerEntry, policy: Policy): boolean {
  if (entry.departedAt !== undefined || !isWarning(deviceSeverity(entry.lastClass, policy))) return false;
  return entry.acknowledgedClass === undefined || isWorse(entry.lastClass, entry.acknowledgedClass);
}

/** The user acknowledged, in extension UI, the warnings about `shown` in the room; nothing else changes. */
export function acknowledge(
  entries: readonly LedgerEntry[],
  roomId: string,
  shown: readonly ShownDevice[],
  policy: Policy,
  now: number,
): LedgerChange {
  const keys = new Set(shown.map((device) => ledgerKeyOf({ roomId, ...device })));
  return updateEach(entries, (entry) =>
    keys.has(ledgerKeyOf(entry)) && isNewWarning(entry, policy)
      ? { ...entry, acknowledgedAt: now, acknowledgedClass: entry.lastClass }
      : entry,
  );
}

/** Records when the entries picked by `shown` were first put in front of the user. */
export function markWarned(entries: readonly LedgerEntry[], shown: (entry: LedgerEntry) => boolean, now: number): LedgerChange {
  return updateEach(entries, (entry) => (entry.warnedAt === undefined && shown(entry) ? { ...entry, warnedAt: now } : entry));
}

/** Field by field, so nothing else a caller's object carries ends up stored or exported. */
function firstSight(roomId: string, device: ObservedDevice, now: number): LedgerEntry {
  const { userId, deviceId, ed25519Key } = device;
  return { roomId, userId, deviceId, ed25519Key, firstSeenAt: now, firstClass: device.class, lastClass: device.class };
}

function seenAgain(entry: LedgerEntry, cls: DeviceClass): LedgerEntry {
  if (entry.lastClass === cls && entry.departedAt === undefined) return entry;
  const { departedAt, ...present } = entry;
  return { ...present, lastClass: cls };
}

/** Stamped once, on the first observation without the device; the entry stays as history. */
function departed(entry: LedgerEntry, now: number): LedgerEntry {
  return entry.departedAt === undefined ? { ...entry, departedAt: now } : entry;
}

/** Applies `update` to each entry; an update that returns its input unchanged is no change. */
function updateEach(entries: readonly LedgerEntry[], update: (entry: LedgerEntry) => LedgerEntry): LedgerChange {
  const changed: LedgerEntry[] = [];
  const next = entries.map((entry) => {
    const result = update(entry);
    if (result !== entry) changed.push(result);
    return result;
  });
  return { entries: next, changed };
}
