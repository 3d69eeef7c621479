import { SyncState } from 'matrix-js-sdk';
import type { SyncStatus } from '../model/deviceStatus';

export type { SyncStatus };

/**
 * The next status after matrix-js-sdk reports a sync state. Pure, so the mapping is tested
 * case by case; `now` is when the event arrived.
 */
export function nextSyncStatus(
  current: SyncStatus,
  sdkState: SyncState,
  details: { catchingUp?: boolean; fromCache?: boolean },
  now: number,
): SyncStatus {
  if (current.state === 'signed-out-by-server') return current;
  const lastSyncAt = 'lastSyncAt' in current ? current.lastSyncAt : undefined;
  switch (sdkState) {
    case SyncState.Prepared:
      // PREPARED from the stored sync state only means we have old data to show.
      return details.fromCache ? { state: 'catching-up', lastSyncAt } : { state: 'syncing', lastSyncAt: now };
    case SyncState.Syncing:
      return details.catchingUp ? { state: 'catching-up', lastSyncAt: now } : { state: 'syncing', lastSyncAt: now };
    case SyncState.Catchup:
      return { state: 'catching-up', lastSyncAt };
    case SyncState.Reconnecting:
    case SyncState.Error:
      return current.state === 'offline' ? current : { state: 'offline', since: now, lastSyncAt };
    case SyncState.Stopped:
      return current;
  }
}

/**
 * A long-poll that hangs emits nothing: matrix-js-sdk waits pollTimeout + 80 s before it gives
 * up on a /sync, and the status would say "up to date" all that time. A sync that has not
 * answered within the server's hold time plus this margin is overdue.
 */
export const SYNC_OVERDUE_MARGIN_MS = 15_000;

/**
 * The status once no sync answered for longer than `pollTimeoutMs` + the margin: offline since
 * the moment the answer became overdue, keeping the time of the last good sync. Undefined while
 * the status is still true (not yet overdue, or not claiming to be up to date). Pure, so the
 * rule is tested case by case; the session calls it from a timer.
 */
export function overdueSyncStatus(current: SyncStatus, pollTimeoutMs: number, now: number): SyncStatus | undefined {
  if (current.state !== 'syncing') return undefined;
  const overdueAt = current.lastSyncAt + pollTimeoutMs + SYNC_OVERDUE_MARGIN_MS;
  if (now < overdueAt) return undefined;
  return { state: 'offline', since: overdueAt, lastSyncAt: current.lastSyncAt };
}
