import type { CheckingMember, CheckingReason } from './types';

/** Whom a room cannot vouch for right now, in short: what every UI says about them. */
export interface CheckingSummary {
  count: number;
  /** The first few of them (by the report's order), to name in a sentence. */
  first: { userId: string; displayName?: string }[];
  /** The most telling reason among them (a failure says more than a fetch in progress). */
  reason: CheckingReason;
  /** The earliest time any of them stopped being current, when known. */
  since?: number;
}

/** Reasons by how much they tell the user: a server that fails or leaves people out comes first. */
const REASON_RANK: Record<CheckingReason, number> = {
  'not-fetched': 0,
  changed: 1,
  'query-failed': 2,
  'server-failed': 3,
  omitted: 4,
};

/** How many people a sentence names before it says "and N more". */
export const NAMED_IN_SUMMARY = 3;

/** Undefined when everyone in the room is checked. */
export function summarizeChecking(checking: readonly CheckingMember[]): CheckingSummary | undefined {
  const [head] = checking;
  if (!head) return undefined;
  let reason = head.reason;
  let since: number | undefined;
  for (const member of checking) {
    if (REASON_RANK[member.reason] > REASON_RANK[reason]) reason = member.reason;
    if (member.since !== undefined) since = Math.min(since ?? member.since, member.since);
  }
  const first = checking
    .slice(0, NAMED_IN_SUMMARY)
    .map(({ userId, displayName }) => (displayName === undefined ? { userId } : { userId, displayName }));
  return { count: checking.length, first, reason, ...(since === undefined ? {} : { since }) };
}

/** True for reasons that mean something went wrong, not just a fetch under way. */
export function isFailing(reason: CheckingReason): boolean {
  return REASON_RANK[reason] >= REASON_RANK['query-failed'];
}
