import { describe, expect, it } from 'vitest';
import { isFailing, NAMED_IN_SUMMARY, summarizeChecking } from '../../../src/trust/checkingSummary';
import type { CheckingMember } from '../../../src/trust/types';

const member = (n: number, overrides: Partial<CheckingMember> = {}): CheckingMember => ({
  userId: `@user${n}:example.org`,
  reason: 'changed',
  since: 1_000 + n,
  ...overrides,
});

describe('summarizeChecking', () => {
  it('is undefined when everyone is checked', () => {
    expect(summarizeChecking([])).toBeUndefined();
  });

  it('names the first few, counts them all, and takes the earliest time', () => {
    const summary = summarizeChecking([member(3), member(1, { displayName: 'One' }), member(2), member(4), member(5)]);
    expect(summary).toEqual({
      count: 5,
      first: [{ userId: '@user3:example.org' }, { userId: '@user1:example.org', displayName: 'One' }, { userId: '@user2:example.org' }],
      reason: 'changed',
      since: 1_001,
    });
    expect(summary?.first).toHaveLength(NAMED_IN_SUMMARY);
  });

  it('gives the most telling reason: a server that leaves people out over one that fails, over a fetch under way', () => {
    expect(summarizeChecking([member(1, { reason: 'not-fetched' }), member(2, { reason: 'query-failed' })])?.reason).toBe('query-failed');
    expect(summarizeChecking([member(1, { reason: 'server-failed' }), member(2, { reason: 'omitted' })])?.reason).toBe('omitted');
  });

  it('has no time when nobody has one (never fetched)', () => {
    expect(summarizeChecking([{ userId: '@new:example.org', reason: 'not-fetched' }])).toEqual({
      count: 1,
      first: [{ userId: '@new:example.org' }],
      reason: 'not-fetched',
    });
  });
});

it('calls failures failing, and fetches under way not', () => {
  expect(
    ['not-fetched', 'changed', 'query-failed', 'server-failed', 'omitted'].map((reason) => isFailing(reason as CheckingMember['reason'])),
  ).toEqual([false, false, true, true, true]);
});
