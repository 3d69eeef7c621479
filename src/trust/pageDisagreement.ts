import type { ShieldPlace, ShieldState } from '../model/pageShield';
import type { MemberBadge } from './pageWarnings';

/**
 * The second opinion (DESIGN.md): the page shows someone as trusted whom we warn about. Only a
 * real contradiction counts: the page's indicator says `verified` (for the person, or for the
 * whole room on the composer) while we have a warning about them. A page that shows nothing
 * (`none`, `unknown`), or shows a warning too, does not disagree; "checking" is not a verdict,
 * so it contradicts nothing. The page's indicator never changes our verdict either way.
 */
export function disagrees(badge: MemberBadge | undefined, shield: ShieldState): boolean {
  return shield === 'verified' && badge !== undefined && badge.severity !== 'checking';
}

/** One indicator the page shows, for someone or (on the composer) for the whole room. */
export interface ShieldReading {
  /** Undefined for the composer's room-wide indicator. */
  userId?: string;
  place: ShieldPlace;
  state: ShieldState;
}

/**
 * Whom the page shows as trusted while we warn about them, and where it does, from the
 * readings of one pass over the page. A verified room (the composer) speaks for every member.
 */
export function disagreementsIn(badges: ReadonlyMap<string, MemberBadge>, readings: Iterable<ShieldReading>): Map<string, ShieldPlace[]> {
  const found = new Map<string, Set<ShieldPlace>>();
  const add = (userId: string, place: ShieldPlace) => found.set(userId, (found.get(userId) ?? new Set()).add(place));
  for (const reading of readings) {
    if (reading.state !== 'verified') continue;
    if (reading.userId === undefined) {
      for (const badge of badges.values()) if (disagrees(badge, reading.state)) add(badge.userId, reading.place);
    } else if (disagrees(badges.get(reading.userId), reading.state)) {
      add(reading.userId, reading.place);
    }
  }
  return new Map([...found].map(([userId, places]) => [userId, [...places].sort()]));
}

/** One disagreement as the extension remembers it: which page showed whom as trusted, where, and when. */
export interface DisagreementRecord {
  roomId: string;
  userId: string;
  /** The web client whose indicator it was ("Element Web"). */
  client: string;
  /** Every indicator that showed them as trusted. */
  places: ShieldPlace[];
  firstSeen: number;
  lastSeen: number;
}

/** A page says this again and again while it stays open: "last seen" moves at most this often. */
export const LAST_SEEN_STEP_MS = 60_000;
/** Kept at most; the oldest by last sighting go first (the history is for people, not an archive). */
export const MAX_DISAGREEMENTS = 2_000;

/**
 * The records after a page showed these members as trusted while we warned about them, and
 * whether anything changed enough to write (a new member or place, or a sighting a step later).
 */
export function recordDisagreements(
  records: readonly DisagreementRecord[],
  seen: { roomId: string; client: string; users: readonly { userId: string; places: readonly ShieldPlace[] }[] },
  now: number,
): { records: DisagreementRecord[]; changed: boolean } {
  const next = records.map((record) => ({ ...record, places: [...record.places] }));
  let changed = false;
  for (const { userId, places } of seen.users) {
    const existing = next.find((r) => r.roomId === seen.roomId && r.userId === userId && r.client === seen.client);
    if (!existing) {
      next.push({ roomId: seen.roomId, userId, client: seen.client, places: [...new Set(places)].sort(), firstSeen: now, lastSeen: now });
      changed = true;
      continue;
    }
    const newPlaces = places.filter((place) => !existing.places.includes(place));
    if (newPlaces.length > 0) {
      existing.places = [...existing.places, ...newPlaces].sort();
      changed = true;
    }
    if (newPlaces.length > 0 || now - existing.lastSeen >= LAST_SEEN_STEP_MS) {
      existing.lastSeen = Math.max(existing.lastSeen, now);
      changed = true;
    }
  }
  next.sort((a, b) => b.lastSeen - a.lastSeen);
  return { records: next.slice(0, MAX_DISAGREEMENTS), changed };
}
