import { overdueSyncStatus, SYNC_OVERDUE_MARGIN_MS, type SyncStatus } from './syncStatus';

/** The timer functions the watch uses; tests pass their own clock. */
export interface WatchTimers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: WatchTimers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * "Up to date" is only true while syncs keep answering: a hung long-poll emits nothing, so a
 * timer checks when the next answer is overdue and reports the offline status from then on.
 *
 * A timer may fire a little before the wall clock says it is due (timers count from the event
 * loop's cached time, which lags behind `Date.now()` while a long task runs): it then waits
 * again rather than giving up, or a hung sync would say "up to date" for good.
 */
export class OverdueSyncWatch {
  private handle: unknown;

  constructor(
    private readonly pollTimeoutMs: number,
    private readonly now: () => number,
    private readonly onOverdue: (status: SyncStatus) => void,
    private readonly timers: WatchTimers = realTimers,
  ) {}

  /** Watches `status` (replacing what was watched): only "syncing" can become overdue. */
  watch(status: SyncStatus): void {
    this.stop();
    if (status.state !== 'syncing') return;
    const overdueAt = status.lastSyncAt + this.pollTimeoutMs + SYNC_OVERDUE_MARGIN_MS;
    this.handle = this.timers.set(
      () => {
        this.handle = undefined;
        const overdue = overdueSyncStatus(status, this.pollTimeoutMs, this.now());
        if (overdue) this.onOverdue(overdue);
        else this.watch(status);
      },
      Math.max(0, overdueAt - this.now()),
    );
  }

  stop(): void {
    if (this.handle !== undefined) this.timers.clear(this.handle);
    this.handle = undefined;
  }
}
