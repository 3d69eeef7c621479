import { SyncState } from 'matrix-js-sdk';
import { describe, expect, it } from 'vitest';
import { nextSyncStatus, overdueSyncStatus, SYNC_OVERDUE_MARGIN_MS, type SyncStatus } from '../../../src/matrix/syncStatus';
import { stalenessOf } from '../../../src/trust/tabTrust';

const earlier = Date.UTC(2026, 10, 24, 9, 0);
const now = Date.UTC(2026, 10, 24, 9, 30);
const later = Date.UTC(2026, 10, 24, 9, 45);

const starting: SyncStatus = { state: 'starting' };
const syncing: SyncStatus = { state: 'syncing', lastSyncAt: earlier };
const catchingUp: SyncStatus = { state: 'catching-up', lastSyncAt: earlier };
const offline: SyncStatus = { state: 'offline', since: earlier, lastSyncAt: earlier - 60_000 };
const endedByServer: SyncStatus = { state: 'signed-out-by-server', at: earlier };

describe('nextSyncStatus', () => {
  describe('PREPARED', () => {
    it('from the stored sync state means catching up, keeping the last sync time', () => {
      expect(nextSyncStatus(syncing, SyncState.Prepared, { fromCache: true }, now)).toEqual({ state: 'catching-up', lastSyncAt: earlier });
      expect(nextSyncStatus(offline, SyncState.Prepared, { fromCache: true }, now)).toEqual({
        state: 'catching-up',
        lastSyncAt: earlier - 60_000,
      });
    });

    it('from the stored sync state at start-up means catching up with no last sync time yet', () => {
      const next = nextSyncStatus(starting, SyncState.Prepared, { fromCache: true }, now);
      expect(next.state).toBe('catching-up');
      expect('lastSyncAt' in next ? next.lastSyncAt : undefined).toBeUndefined();
    });

    it('from a live sync means up to date as of now', () => {
      expect(nextSyncStatus(starting, SyncState.Prepared, {}, now)).toEqual({ state: 'syncing', lastSyncAt: now });
      expect(nextSyncStatus(catchingUp, SyncState.Prepared, { fromCache: false }, now)).toEqual({ state: 'syncing', lastSyncAt: now });
    });
  });

  describe('SYNCING', () => {
    it('means up to date as of now', () => {
      expect(nextSyncStatus(syncing, SyncState.Syncing, {}, now)).toEqual({ state: 'syncing', lastSyncAt: now });
      expect(nextSyncStatus(offline, SyncState.Syncing, { catchingUp: false }, now)).toEqual({ state: 'syncing', lastSyncAt: now });
    });

    it('means catching up while the SDK is still working through a backlog, with the sync that just completed', () => {
      expect(nextSyncStatus(offline, SyncState.Syncing, { catchingUp: true }, now)).toEqual({ state: 'catching-up', lastSyncAt: now });
    });
  });

  describe('CATCHUP', () => {
    it('means catching up, keeping the last sync time', () => {
      expect(nextSyncStatus(offline, SyncState.Catchup, {}, now)).toEqual({ state: 'catching-up', lastSyncAt: earlier - 60_000 });
      expect(nextSyncStatus(syncing, SyncState.Catchup, {}, now)).toEqual({ state: 'catching-up', lastSyncAt: earlier });
    });
  });

  describe.each([SyncState.Reconnecting, SyncState.Error])('%s', (failure) => {
    it('means offline since now, keeping the last sync time', () => {
      expect(nextSyncStatus(syncing, failure, {}, now)).toEqual({ state: 'offline', since: now, lastSyncAt: earlier });
      expect(nextSyncStatus(catchingUp, failure, {}, now)).toEqual({ state: 'offline', since: now, lastSyncAt: earlier });
    });

    it('before any sync completed means offline with no last sync time', () => {
      const next = nextSyncStatus(starting, failure, {}, now);
      expect(next).toMatchObject({ state: 'offline', since: now });
      expect('lastSyncAt' in next ? next.lastSyncAt : undefined).toBeUndefined();
    });

    it('keeps the time of the first failure when failures repeat', () => {
      const first = nextSyncStatus(syncing, failure, {}, now);
      expect(nextSyncStatus(first, SyncState.Reconnecting, {}, later)).toEqual({ state: 'offline', since: now, lastSyncAt: earlier });
      expect(nextSyncStatus(first, SyncState.Error, {}, later)).toEqual({ state: 'offline', since: now, lastSyncAt: earlier });
    });
  });

  describe('STOPPED', () => {
    it.each([starting, syncing, catchingUp, offline])('keeps the current status ($state)', (current) => {
      expect(nextSyncStatus(current, SyncState.Stopped, {}, now)).toEqual(current);
    });
  });

  describe('after the server ended the session', () => {
    it.each(Object.values(SyncState))('%s changes nothing', (sdkState) => {
      for (const details of [{}, { fromCache: true }, { catchingUp: true }, { fromCache: false, catchingUp: false }]) {
        expect(nextSyncStatus(endedByServer, sdkState, details, now)).toEqual(endedByServer);
      }
    });
  });

  it('recovers from offline to up to date, forgetting when it went offline', () => {
    const down = nextSyncStatus(syncing, SyncState.Error, {}, now);
    const back = nextSyncStatus(down, SyncState.Syncing, {}, later);
    expect(back).toEqual({ state: 'syncing', lastSyncAt: later });
    expect(nextSyncStatus(back, SyncState.Reconnecting, {}, later + 1)).toEqual({ state: 'offline', since: later + 1, lastSyncAt: later });
  });
});

describe('overdueSyncStatus', () => {
  const poll = 20_000;
  const overdueAt = earlier + poll + SYNC_OVERDUE_MARGIN_MS;

  it('leaves "up to date" alone while the long-poll may still answer', () => {
    expect(overdueSyncStatus(syncing, poll, earlier)).toBeUndefined();
    expect(overdueSyncStatus(syncing, poll, overdueAt - 1)).toBeUndefined();
  });

  it('turns "up to date" into offline since the answer became overdue, keeping the last good sync', () => {
    expect(overdueSyncStatus(syncing, poll, overdueAt)).toEqual({ state: 'offline', since: overdueAt, lastSyncAt: earlier });
    expect(overdueSyncStatus(syncing, poll, later)).toEqual({ state: 'offline', since: overdueAt, lastSyncAt: earlier });
  });

  it('is more than the long-poll itself, so a quiet but healthy server never looks offline', () => {
    expect(overdueSyncStatus(syncing, poll, earlier + poll + 1_000)).toBeUndefined();
  });

  it.each([starting, catchingUp, offline, endedByServer])(
    'says nothing about a status that does not claim to be up to date (%o)',
    (status) => {
      expect(overdueSyncStatus(status, poll, later)).toBeUndefined();
    },
  );

  it('gives way to the next good sync', () => {
    const stale = overdueSyncStatus(syncing, poll, later) ?? starting;
    expect(stale.state).toBe('offline');
    expect(nextSyncStatus(stale, SyncState.Syncing, {}, later + 5)).toEqual({ state: 'syncing', lastSyncAt: later + 5 });
  });
});

describe('stalenessOf', () => {
  it('is stale while offline, with the last good sync (or none)', () => {
    expect(stalenessOf(offline)).toEqual({ lastSyncAt: earlier - 60_000 });
    expect(stalenessOf({ state: 'offline', since: earlier } as SyncStatus)).toEqual({ lastSyncAt: undefined });
  });

  it.each([starting, syncing, catchingUp, endedByServer])('is not stale when %o', (status) => {
    expect(stalenessOf(status)).toBeUndefined();
  });
});
