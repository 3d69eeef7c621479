import { createLogger, errorSummary } from '../log';
import type { AlertSettings } from '../messaging/protocol';
import { noticeText, type NoticeText } from '../text/alertText';
import { AlertCoalescer, type AlertNotice } from '../trust/alertCoalescer';
import { newAlerts, rememberAlerted } from '../trust/alertPolicy';
import type { RoomTrustReport } from '../trust/types';
import { roomId as isRoomId } from '../validation/shape';

const log = createLogger('notifier');

/** The part of `browser.notifications` the notifier uses; a fake in tests. */
export interface NotificationsPort {
  create(id: string, text: NoticeText): Promise<void>;
  clear(id: string): Promise<void>;
  /** The ids of the notifications on screen (also those a previous worker left). */
  getAll(): Promise<string[]>;
}

export interface NotifierDeps {
  notifications: NotificationsPort;
  /** Opens the extension's review of a room (`popup.html#room=<id>`), or its overview without one. */
  openReview: (roomId: string | undefined) => Promise<void>;
  settings: () => Promise<AlertSettings>;
  /** The facts already alerted (bounded) and the rooms' rate windows, kept across worker restarts. */
  alerted: { load(): Promise<AlertMemory>; save(memory: AlertMemory): Promise<void>; clear(): Promise<void> };
  now: () => number;
  /** Runs `work` after `ms`; returns a cancel function. Tests drive it on their clock. */
  later?: (work: () => void, ms: number) => () => void;
  /** A notification about these members of the room was created (for the trust history). */
  onNotified?: (roomId: string, userIds: string[]) => void;
}

/** What the notifier keeps across worker restarts. */
export interface AlertMemory {
  /** The keys of the facts notified (alertPolicy.ts), oldest first. */
  keys: string[];
  /** When each room was last notified, by room id (only rooms still in their window). */
  shownAt: Record<string, number>;
}

const PREFIX = 'mtg-alert:';
const SUMMARY_ID = `${PREFIX}summary`;

/** A room's notification id: one per room, so newer news replaces older news in place. */
export function roomNoticeId(roomId: string): string {
  return `${PREFIX}room:${encodeURIComponent(roomId)}`;
}

/** What a clicked notification is about; anything not made by us (or a mangled id) is nothing. */
export function parseNoticeId(id: string): { kind: 'summary' } | { kind: 'room'; roomId: string } | undefined {
  if (id === SUMMARY_ID) return { kind: 'summary' };
  if (!id.startsWith(`${PREFIX}room:`)) return undefined;
  try {
    const roomId = decodeURIComponent(id.slice(`${PREFIX}room:`.length));
    return isRoomId(roomId) ? { kind: 'room', roomId } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Turns the trust engine's reports into browser notifications (issue 14): decides what is news
 * (alertPolicy.ts), holds it to the rate limits (alertCoalescer.ts), shows it, opens the room's
 * review on a click, and takes it away when the user settles the room or signs out.
 *
 * `onNotified` tells the trust history which members a room's notification named (a summary
 * names nobody); whether the system showed it (do not disturb) is not ours to know.
 */
export class Notifier {
  private readonly coalescer = new AlertCoalescer();
  /** The rooms the summary on screen stands for (this worker's; a restart forgets it). */
  private summaryRooms = new Set<string>();
  /** Rooms whose notification this worker put on screen (a restart forgets them: then a click or an acknowledgement clears it). */
  private readonly shownRooms = new Set<string>();
  private remembered: string[] = [];
  private loaded: Promise<void> | undefined;
  private queue: Promise<void> = Promise.resolve();
  private cancelTimer: (() => void) | undefined;
  private timerAt: number | undefined;

  constructor(private readonly deps: NotifierDeps) {}

  /** A room's new report: anything alert-worthy and not alerted before waits for its turn. */
  report(report: RoomTrustReport): Promise<void> {
    return this.serially(async () => {
      // Nothing new left (acknowledged here or in another browser, or gone): the notice has no job.
      const { warn, critical } = report.newWarnings;
      if (warn + critical === 0 && this.shownRooms.has(report.roomId)) await this.take(roomNoticeId(report.roomId));
      const settings = await this.deps.settings();
      await this.load();
      const remembered = new Set(this.remembered);
      const choice = { kinds: settings.kinds, watched: settings.watchedRoomIds.includes(report.roomId) };
      const alerts = newAlerts(report, choice, (key) => remembered.has(key) || this.coalescer.isPending(key));
      if (alerts.length === 0) return;
      this.coalescer.add(alerts, this.deps.now());
      await this.flush();
    });
  }

  /** The user clicked one of our notifications: show what it is about, and take it away. */
  clicked(id: string): Promise<void> {
    const target = parseNoticeId(id);
    if (!target) return Promise.resolve();
    return this.serially(async () => {
      await this.deps.openReview(target.kind === 'room' ? target.roomId : undefined);
      await this.take(id);
      if (target.kind === 'summary') this.summaryRooms.clear();
    });
  }

  /** The user acknowledged the room's warnings in the review: its notification has done its job. */
  acknowledged(roomId: string): Promise<void> {
    return this.serially(async () => {
      // What was held for the room was in the review the user just settled: told, in effect.
      await this.load();
      const held = this.coalescer.settled(roomId);
      await this.remember(held.map((alert) => alert.key));
      // Cleared even when this worker did not show it: a stopped worker's notification stays on screen.
      await this.take(roomNoticeId(roomId));
      if (this.summaryRooms.delete(roomId) && this.summaryRooms.size === 0) await this.take(SUMMARY_ID);
    });
  }

  /** Signed out: every notification goes, and what was alerted is forgotten with the account. */
  signedOut(): Promise<void> {
    return this.serially(async () => {
      this.stopTimer();
      this.coalescer.clear();
      const ids = (await this.deps.notifications.getAll()).filter((id) => parseNoticeId(id) !== undefined);
      this.summaryRooms.clear();
      await Promise.all(ids.map((id) => this.take(id)));
      this.remembered = [];
      this.loaded = Promise.resolve();
      await this.deps.alerted.clear();
    });
  }

  stop(): void {
    this.stopTimer();
  }

  /** Shows whatever is due now and sets a timer for what waits. */
  private async flush(): Promise<void> {
    const now = this.deps.now();
    const { notices, nextAt } = this.coalescer.take(now);
    for (const notice of notices) await this.show(notice);
    // Remembered once shown, not before: news held in a window survives a re-sync after a restart.
    if (notices.length > 0) await this.remember(notices.flatMap((notice) => notice.alerts.map((alert) => alert.key)));
    if (nextAt !== undefined) this.wakeAt(nextAt, now);
  }

  private async show(notice: AlertNotice): Promise<void> {
    const id = notice.kind === 'room' ? roomNoticeId(notice.roomId) : SUMMARY_ID;
    await this.deps.notifications.create(id, noticeText(notice));
    if (notice.kind === 'room') {
      this.shownRooms.add(notice.roomId);
      this.deps.onNotified?.(notice.roomId, [...new Set(notice.alerts.map((alert) => alert.userId))]);
    } else {
      for (const room of notice.rooms) this.summaryRooms.add(room.roomId);
    }
  }

  private wakeAt(at: number, now: number): void {
    if (this.timerAt !== undefined && this.timerAt <= at) return;
    this.stopTimer();
    const later = this.deps.later ?? defaultLater;
    this.timerAt = at;
    this.cancelTimer = later(
      () => {
        this.timerAt = undefined;
        this.cancelTimer = undefined;
        void this.serially(() => this.flush());
      },
      Math.max(0, at - now),
    );
  }

  private stopTimer(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerAt = undefined;
  }

  /** Adds the keys to what was notified and saves it with the rooms' windows. */
  private async remember(keys: readonly string[]): Promise<void> {
    this.remembered = rememberAlerted(this.remembered, keys);
    await this.deps.alerted.save({ keys: this.remembered, shownAt: this.coalescer.windows() });
  }

  private load(): Promise<void> {
    return (this.loaded ??= this.deps.alerted.load().then((memory) => {
      this.remembered = memory.keys;
      this.coalescer.restoreWindows(memory.shownAt);
    }));
  }

  private async take(id: string): Promise<void> {
    const target = parseNoticeId(id);
    if (target?.kind === 'room') this.shownRooms.delete(target.roomId);
    await this.deps.notifications.clear(id);
  }

  /** One thing at a time: the remembered keys are read and written in order. */
  private serially(work: () => Promise<void>): Promise<void> {
    const run = this.queue.then(work).catch((error: unknown) => log.error('notification failed', { error: errorSummary(error) }));
    this.queue = run;
    return run;
  }
}

function defaultLater(work: () => void, ms: number): () => void {
  const timer = setTimeout(work, ms);
  return () => clearTimeout(timer);
}
