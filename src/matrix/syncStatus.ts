import { SyncState } from 'matrix-js-sdk';

/** How fresh the extension's view of the account is; every UI shows this next to its warnings. */
export type SyncStatus =
  | { state: 'starting' }
  /** Working through what happened while we were away (after a restart or an outage). */
  | { state: 'catching-up'; lastSyncAt?: number }
  | { state: 'syncing'; lastSyncAt: number }
  | { state: 'offline'; since: number; lastSyncAt?: number }
  /** The server ended this device's session (token revoked, device deleted). */
  | { state: 'signed-out-by-server'; at: number };

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
