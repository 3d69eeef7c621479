import type { Alert } from './alertPolicy';

/** At most one notification per room this often: later news waits and comes as one. */
export const RATE_WINDOW_MS = 5 * 60_000;
/** News is gathered this long after its first item, so a burst across rooms is seen as one. */
export const BURST_MS = 250;
/** More rooms than this with news at once get one summary instead of one notification each. */
export const SUMMARY_AFTER_ROOMS = 3;

/** What to show: one room's news, or a summary of several rooms. */
export type AlertNotice =
  | { kind: 'room'; roomId: string; roomName?: string; alerts: Alert[] }
  | { kind: 'summary'; rooms: { roomId: string; roomName?: string }[]; alerts: Alert[] };

export interface DueNotices {
  notices: AlertNotice[];
  /** When to ask again, if news is waiting. */
  nextAt?: number;
}

/**
 * Holds alerts until they may be shown: per room at most one notification per `RATE_WINDOW_MS`
 * (news within the window is held, never dropped, and delivered together when it ends), and a
 * burst of news in many rooms at once as one summary. Time is given to each call, so tests run it
 * on a test clock.
 */
export class AlertCoalescer {
  private readonly pending = new Map<string, Alert[]>();
  private readonly lastShownAt = new Map<string, number>();
  private burstEndsAt: number | undefined;

  add(alerts: readonly Alert[], now: number): void {
    for (const alert of alerts) {
      if (this.isPending(alert.key)) continue;
      const room = this.pending.get(alert.roomId) ?? [];
      room.push(alert);
      this.pending.set(alert.roomId, room);
      this.burstEndsAt ??= now + BURST_MS;
    }
  }

  /**
   * When each room was last shown, for a worker that restarts (Chrome stops an idle one every
   * few minutes while no tab is open): kept, the rate limit outlives it.
   */
  windows(): Record<string, number> {
    return Object.fromEntries(this.lastShownAt);
  }

  restoreWindows(shownAt: Readonly<Record<string, number>>): void {
    for (const [roomId, at] of Object.entries(shownAt)) if (Number.isFinite(at)) this.lastShownAt.set(roomId, at);
  }

  /** An alert with this key waits to be shown (in any room). */
  isPending(key: string): boolean {
    for (const alerts of this.pending.values()) if (alerts.some((alert) => alert.key === key)) return true;
    return false;
  }

  /** The notices to show now, marking their rooms as shown. */
  take(now: number): DueNotices {
    if (this.burstEndsAt !== undefined && now < this.burstEndsAt) return { notices: [], nextAt: this.burstEndsAt };
    this.burstEndsAt = undefined;
    this.forgetShownBefore(now - RATE_WINDOW_MS);
    const ready = [...this.pending.keys()].filter((roomId) => this.mayShow(roomId, now));
    const notices = this.noticesFor(ready);
    for (const roomId of ready) {
      this.pending.delete(roomId);
      this.lastShownAt.set(roomId, now);
    }
    return { notices, ...this.next() };
  }

  /**
   * The user settled the room's warnings: news still held for it is moot, and the room's window
   * ends (the user has seen all of it; what comes next is told at once). Returns the news dropped.
   */
  settled(roomId: string): Alert[] {
    const dropped = this.pending.get(roomId) ?? [];
    this.pending.delete(roomId);
    this.lastShownAt.delete(roomId);
    return dropped;
  }

  clear(): void {
    this.pending.clear();
    this.lastShownAt.clear();
    this.burstEndsAt = undefined;
  }

  private mayShow(roomId: string, now: number): boolean {
    const last = this.lastShownAt.get(roomId);
    return last === undefined || now >= last + RATE_WINDOW_MS;
  }

  private noticesFor(roomIds: readonly string[]): AlertNotice[] {
    const rooms = roomIds.map((roomId) => ({ roomId, alerts: this.pending.get(roomId) ?? [] }));
    const named = ({ roomId, alerts }: { roomId: string; alerts: Alert[] }) => {
      const roomName = alerts.find((alert) => alert.roomName !== undefined)?.roomName;
      return { roomId, ...(roomName !== undefined && { roomName }) };
    };
    if (rooms.length > SUMMARY_AFTER_ROOMS)
      return [{ kind: 'summary', rooms: rooms.map(named), alerts: rooms.flatMap((room) => room.alerts) }];
    return rooms.map((room) => ({ kind: 'room', ...named(room), alerts: room.alerts }));
  }

  private next(): { nextAt?: number } {
    const waiting = [...this.pending.keys()].map((roomId) => (this.lastShownAt.get(roomId) ?? 0) + RATE_WINDOW_MS);
    return waiting.length === 0 ? {} : { nextAt: Math.min(...waiting) };
  }

  /** Rooms shown longer ago than a window are free again: the map stays as small as the news. */
  private forgetShownBefore(time: number): void {
    for (const [roomId, at] of this.lastShownAt) if (at <= time) this.lastShownAt.delete(roomId);
  }
}
