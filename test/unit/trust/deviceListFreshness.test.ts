import { describe, expect, it } from 'vitest';
import {
  announcedChanged,
  answered,
  asked,
  checkOf,
  type DeviceListState,
  FIRST_RETRY_MS,
  MAX_RETRY_MS,
  mayAsk,
  recordOf,
  retryDelayMs,
} from '../../../src/trust/deviceListFreshness';

const BOB = '@bob:example.org';
const T0 = 1_000_000;
const keys = { BOBPHONE: 'key-phone', BOBNEW: 'key-new' };

/** Bob as a current list: fetched once, nothing announced since. */
const current: DeviceListState = { userId: BOB, failures: 0, fetchedAt: T0, offeredKeys: { BOBPHONE: 'key-phone' } };

describe('checkOf', () => {
  it('says a user never answered for is being fetched, with no time (nothing was ever known)', () => {
    expect(checkOf(undefined)).toEqual({ reason: 'not-fetched' });
  });

  it('says nothing about a current list', () => {
    expect(checkOf(current)).toBeUndefined();
  });

  it('gives the reason and since when for an out-of-date list', () => {
    expect(checkOf({ ...current, outdatedSince: T0 + 5, reason: 'omitted' })).toEqual({ reason: 'omitted', since: T0 + 5 });
  });
});

describe('a change announced in a sync', () => {
  it('makes a current list out of date from then, because the server said so', () => {
    const changed = announcedChanged(current, BOB, T0 + 10, 3);
    expect(checkOf(changed)).toEqual({ reason: 'changed', since: T0 + 10 });
  });

  it('keeps the first time and an earlier failure as the reason when announced again', () => {
    const failing = { ...current, outdatedSince: T0 + 10, reason: 'query-failed' as const, outdatedMark: 3, failures: 2 };
    const again = announcedChanged(failing, BOB, T0 + 20, 7);
    expect(again).toMatchObject({ outdatedSince: T0 + 10, reason: 'query-failed', outdatedMark: 7, failures: 2 });
  });

  it('marks a user never seen before as out of date too', () => {
    expect(checkOf(announcedChanged(undefined, BOB, T0, 1))).toEqual({ reason: 'changed', since: T0 });
  });
});

describe('a key query', () => {
  it('asking about a current user changes nothing: the crypto also asks on its own', () => {
    expect(asked(current, BOB, T0 + 1)).toBe(current);
  });

  it('asking about a user never fetched starts their wait', () => {
    expect(checkOf(asked(undefined, BOB, T0))).toEqual({ reason: 'not-fetched', since: T0 });
  });

  it('answered completely after the announcement brings the list up to date, with the keys offered', () => {
    const changed = announcedChanged(current, BOB, T0 + 10, 3);
    const after = answered(changed, BOB, 4, { kind: 'complete', offeredKeys: keys }, T0 + 20);
    expect(checkOf(after)).toBeUndefined();
    expect(after).toEqual({ userId: BOB, failures: 0, fetchedAt: T0 + 20, offeredKeys: keys });
  });

  it('answered completely but asked before the latest announcement leaves the list out of date', () => {
    const changed = announcedChanged(current, BOB, T0 + 10, 5);
    const after = answered(changed, BOB, 4, { kind: 'complete', offeredKeys: keys }, T0 + 20);
    expect(checkOf(after)).toEqual({ reason: 'changed', since: T0 + 10 });
    expect(after.offeredKeys).toEqual(keys);
  });

  it('answered completely for a user never fetched: current from then on', () => {
    const waiting = asked(undefined, BOB, T0);
    expect(checkOf(answered(waiting, BOB, 1, { kind: 'complete', offeredKeys: {} }, T0 + 5))).toBeUndefined();
  });

  it.each([
    ['failed', 'query-failed'],
    ['omitted', 'omitted'],
    ['server-failed', 'server-failed'],
  ] as const)('that %s keeps an out-of-date list out of date, saying why, and backs off', (kind, reason) => {
    const changed = announcedChanged(current, BOB, T0 + 10, 3);
    const after = answered(changed, BOB, 4, { kind }, T0 + 20);
    expect(checkOf(after)).toEqual({ reason, since: T0 + 10 });
    expect(after).toMatchObject({ failures: 1, retryAt: T0 + 20 + FIRST_RETRY_MS });
    expect(after.offeredKeys).toEqual(current.offeredKeys);
  });

  it('that fails for a current user leaves the list current, and only backs off', () => {
    const after = answered(current, BOB, 1, { kind: 'failed' }, T0 + 20);
    expect(checkOf(after)).toBeUndefined();
    expect(after.failures).toBe(1);
  });

  it('that leaves out a user never fetched keeps them waiting, saying the server left them out', () => {
    const after = answered(asked(undefined, BOB, T0), BOB, 1, { kind: 'omitted' }, T0 + 5);
    expect(checkOf(after)).toEqual({ reason: 'omitted', since: T0 });
  });

  it('answered completely after failures clears the backoff', () => {
    const failing = answered(announcedChanged(current, BOB, T0, 1), BOB, 2, { kind: 'failed' }, T0 + 1);
    const fine = answered(failing, BOB, 3, { kind: 'complete', offeredKeys: keys }, T0 + 3_000);
    expect(fine.failures).toBe(0);
    expect(fine.retryAt).toBeUndefined();
  });
});

describe('the backoff', () => {
  it('doubles from the first retry up to the cap', () => {
    expect([1, 2, 3, 4, 5, 10].map(retryDelayMs)).toEqual([FIRST_RETRY_MS, 4_000, 8_000, MAX_RETRY_MS, MAX_RETRY_MS, MAX_RETRY_MS]);
  });

  it('asks about a user whose answers keep failing at most a few times a minute', () => {
    let state: DeviceListState = announcedChanged(current, BOB, T0, 1);
    let now = T0;
    const sent: number[] = [];
    // The crypto asks every 10 ms for a minute (the tight loop of a server that leaves Bob out).
    for (let mark = 2; now < T0 + 60_000; now += 10, mark++) {
      if (!mayAsk([state], now).ok) continue;
      sent.push(now);
      state = answered(state, BOB, mark, { kind: 'omitted' }, now);
    }
    expect(sent.length).toBeLessThan(10);
    expect(sent.slice(0, 4).map((at) => at - T0)).toEqual([0, 2_000, 6_000, 14_000]);
  });

  it('lets a query go when anyone in it is not held back, and says when to retry otherwise', () => {
    const held = { ...current, failures: 2, retryAt: T0 + 4_000 };
    expect(mayAsk([held, undefined], T0)).toEqual({ ok: true });
    expect(mayAsk([held, { ...held, retryAt: T0 + 3_000 }], T0)).toEqual({ ok: false, retryAt: T0 + 3_000 });
    expect(mayAsk([held], T0 + 4_000)).toEqual({ ok: true });
    expect(mayAsk([], T0)).toEqual({ ok: true });
  });
});

it('stores no ordering mark: it only orders events within one run', () => {
  expect(recordOf({ ...current, outdatedMark: 7 })).toEqual(current);
});
