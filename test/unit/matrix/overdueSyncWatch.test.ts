import { describe, expect, it } from 'vitest';
import { OverdueSyncWatch, type WatchTimers } from '../../../src/matrix/overdueSyncWatch';
import { SYNC_OVERDUE_MARGIN_MS, type SyncStatus } from '../../../src/matrix/syncStatus';

const POLL = 20_000;
const lastSyncAt = Date.UTC(2026, 11, 3, 9, 0);
const dueAt = lastSyncAt + POLL + SYNC_OVERDUE_MARGIN_MS;

/** A clock and timers the test moves by hand; `fireEarly` runs the timer before its time, as Node's may. */
function testClock(start: number) {
  let time = start;
  let pending: { callback: () => void; at: number } | undefined;
  const timers: WatchTimers = {
    set: (callback, ms) => (pending = { callback, at: time + ms }),
    clear: (handle) => {
      if (handle === pending) pending = undefined;
    },
  };
  return {
    timers,
    now: () => time,
    get pendingAt() {
      return pending?.at;
    },
    fireAt(at: number) {
      const due = pending;
      if (!due) throw new Error('no timer is set');
      pending = undefined;
      time = at;
      due.callback();
    },
  };
}

describe('OverdueSyncWatch', () => {
  it('says offline once the answer is overdue, keeping the last good sync', () => {
    const clock = testClock(lastSyncAt + 10);
    const said: SyncStatus[] = [];
    new OverdueSyncWatch(POLL, clock.now, (s) => said.push(s), clock.timers).watch({ state: 'syncing', lastSyncAt });
    expect(clock.pendingAt).toBe(dueAt);
    clock.fireAt(dueAt);
    expect(said).toEqual([{ state: 'offline', since: dueAt, lastSyncAt }]);
  });

  it('waits again when the timer fires before the wall clock says it is due, and still says offline', () => {
    const clock = testClock(lastSyncAt);
    const said: SyncStatus[] = [];
    new OverdueSyncWatch(POLL, clock.now, (s) => said.push(s), clock.timers).watch({ state: 'syncing', lastSyncAt });
    clock.fireAt(dueAt - 3);
    expect(said).toEqual([]);
    expect(clock.pendingAt).toBe(dueAt);
    clock.fireAt(dueAt + 1);
    expect(said).toEqual([{ state: 'offline', since: dueAt, lastSyncAt }]);
  });

  it('sets no timer for a status that cannot become overdue, and a new status replaces the old timer', () => {
    const clock = testClock(lastSyncAt);
    const said: SyncStatus[] = [];
    const watch = new OverdueSyncWatch(POLL, clock.now, (s) => said.push(s), clock.timers);
    watch.watch({ state: 'syncing', lastSyncAt });
    watch.watch({ state: 'catching-up', lastSyncAt });
    expect(clock.pendingAt).toBeUndefined();
    watch.watch({ state: 'syncing', lastSyncAt: lastSyncAt + 5_000 });
    expect(clock.pendingAt).toBe(dueAt + 5_000);
    watch.stop();
    expect(clock.pendingAt).toBeUndefined();
    expect(said).toEqual([]);
  });
});
