import type { CheckingReason, DeviceListCheck } from './types';

/**
 * Whether the extension knows a user's current device list (docs/architecture.md, "Unknown is never
 * clear"). A list is current once a key query asked *after* the last announced change has
 * answered completely for that user; until then the devices the crypto holds may be missing
 * the newest one, so "no new device" cannot be said about them. Pure: the HTTP layer
 * (src/matrix/deviceListWatch.ts) feeds it what it sees go out and come back.
 */

/** What the extension knows about one user's device list, as stored. */
export interface DeviceListRecord {
  userId: string;
  /** The last key query that answered completely for this user. */
  fetchedAt?: number;
  /** Set while the list is known to be out of date: since when. */
  outdatedSince?: number;
  /** Why it is still out of date (set with `outdatedSince`). */
  reason?: CheckingReason;
  /** Failed or incomplete answers in a row, for the backoff. */
  failures: number;
  /** While failing: no key query asking only about users like this one before this time. */
  retryAt?: number;
  /** The ed25519 key of each device id, as the last complete answer offered it. */
  offeredKeys?: Record<string, string>;
}

/**
 * A record as the watcher holds it: `outdatedMark` orders announcements and queries (a clock
 * can give both the same millisecond). Not stored: after a restart every mark is 0, before any
 * query the new run sends.
 */
export interface DeviceListState extends DeviceListRecord {
  outdatedMark?: number;
}

/** How one key query turned out for one of the users it asked about. */
export type QueryOutcome =
  | { kind: 'complete'; offeredKeys: Record<string, string> }
  /** The answer did not include them, or it named their homeserver as failed. */
  | { kind: 'omitted' | 'server-failed' }
  /** No usable answer at all: no connection, an error status, a body that is not the answer. */
  | { kind: 'failed' };

/** The first retry waits this long after a failure; each further one twice as long, up to the cap. */
export const FIRST_RETRY_MS = 2_000;
/** At most one query a quarter minute for users whose answers keep failing. */
export const MAX_RETRY_MS = 15_000;

export function retryDelayMs(failures: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, failures - 1), MAX_RETRY_MS);
}

/** A user who was never answered for is being fetched: nothing is known of their devices. */
export function checkOf(state: DeviceListState | undefined): DeviceListCheck | undefined {
  if (state === undefined) return { reason: 'not-fetched' };
  if (state.outdatedSince === undefined) return undefined;
  return { reason: state.reason ?? 'changed', since: state.outdatedSince };
}

/** The server announced (in a sync) that the user's devices changed. */
export function announcedChanged(state: DeviceListState | undefined, userId: string, at: number, mark: number): DeviceListState {
  const current = state ?? { userId, failures: 0 };
  return {
    ...current,
    // Only a query asked after the latest announcement can bring the list up to date.
    outdatedMark: mark,
    outdatedSince: current.outdatedSince ?? at,
    // An announcement does not make earlier failures go away: they still explain the wait.
    reason: current.outdatedSince === undefined ? 'changed' : current.reason,
  };
}

/**
 * A key query asks about the user. A user never answered for is out of date from now on (their
 * list is being fetched); a current one stays current: the crypto also asks on its own
 * schedule, and asking is no sign of change.
 */
export function asked(state: DeviceListState | undefined, userId: string, at: number): DeviceListState {
  return state ?? { userId, failures: 0, outdatedSince: at, reason: 'not-fetched', outdatedMark: 0 };
}

/** A key query asked (with `askMark`) has come back for the user. */
export function answered(
  state: DeviceListState | undefined,
  userId: string,
  askMark: number,
  outcome: QueryOutcome,
  at: number,
): DeviceListState {
  const current = state ?? asked(undefined, userId, at);
  if (outcome.kind === 'complete') {
    const { retryAt, ...rest } = current;
    const next: DeviceListState = { ...rest, fetchedAt: at, failures: 0, offeredKeys: outcome.offeredKeys };
    // Announced again while the query was out: the answer may predate the change.
    if (current.outdatedSince !== undefined && askMark <= (current.outdatedMark ?? 0)) return next;
    const { outdatedSince, reason, outdatedMark, ...up } = next;
    return up;
  }
  const failures = current.failures + 1;
  const reason: CheckingReason = outcome.kind === 'failed' ? 'query-failed' : outcome.kind;
  return {
    ...current,
    failures,
    retryAt: at + retryDelayMs(failures),
    ...(current.outdatedSince === undefined ? {} : { reason }),
  };
}

/**
 * Whether a key query about `users` may go to the server now: yes when at least one of them is
 * not waiting out a backoff; otherwise not before the earliest retry time. So whatever the
 * crypto asks, a user whose answers keep failing is asked about a few times a minute at most,
 * and users with nothing wrong are never held up by them.
 */
export function mayAsk(states: readonly (DeviceListState | undefined)[], now: number): { ok: true } | { ok: false; retryAt: number } {
  let retryAt = Number.POSITIVE_INFINITY;
  for (const state of states) {
    if (state?.retryAt === undefined || state.retryAt <= now) return { ok: true };
    retryAt = Math.min(retryAt, state.retryAt);
  }
  // An empty query (none seen so far) is the crypto's business, not ours.
  return Number.isFinite(retryAt) ? { ok: false, retryAt } : { ok: true };
}

/** What is stored of a state: the mark only orders events within one run. */
export function recordOf(state: DeviceListState): DeviceListRecord {
  const { outdatedMark, ...record } = state;
  return record;
}
