import type { MemberBadge } from '../trust/pageWarnings';
import type { Frames } from './badgePainter';

/** A "shown" the background did not count is said again after this, then twice as long each time. */
const SHOWN_RETRY_MS = 1_000;
const SHOWN_RETRY_MAX_MS = 30_000;

export interface ShownReporterDeps {
  frames: Frames;
  doc: Document;
  /** Tells the background; false: not counted (the tab was not the one on screen). */
  send(roomId: string, banner: boolean, userIds: string[]): Promise<boolean>;
  onError(what: string): void;
  /** What the page shows now: its room, whether the banner is up, and the badged members. */
  onScreen(): { roomId: string | undefined; banner: boolean; users: Map<string, MemberBadge['severity']> };
}

/**
 * Tells the background what of the room's warnings is on screen, once it was placed: only
 * then, and only while the page is visible, do they count as shown to the user. Each warning
 * is said once per view; one the background did not count is said again.
 */
export class ShownReporter {
  /** What was reported as shown since the last view arrived (a new view is reported afresh). */
  private reported = { banner: false, users: new Set<string>() };
  private frame: number | undefined;
  private retryMs = SHOWN_RETRY_MS;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(private readonly deps: ShownReporterDeps) {}

  /** A new view of the room arrived: everything on screen is new to report. */
  newView(): void {
    this.reported = { banner: false, users: new Set() };
  }

  /** Something may have reached the screen: report it in the next frame. */
  report(): void {
    this.frame ??= this.deps.frames.request(() => {
      this.frame = undefined;
      this.reportNow();
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.frame !== undefined) this.deps.frames.cancel(this.frame);
    clearTimeout(this.retry);
  }

  private reportNow(): void {
    const { roomId, banner, users: badged } = this.deps.onScreen();
    if (this.stopped || roomId === undefined || this.deps.doc.visibilityState !== 'visible') return;
    const sent = this.reported;
    const bannerNow = banner && !sent.banner;
    const users = [...badged].filter(([userId, severity]) => severity !== 'checking' && !sent.users.has(userId)).map(([userId]) => userId);
    if (!bannerNow && users.length === 0) return;
    sent.banner ||= bannerNow;
    for (const userId of users) sent.users.add(userId);
    const notCounted = () => {
      // Not seen after all (the user had switched tabs): it is said again once the page is
      // in front, and meanwhile every few seconds (a browser may not tell the page).
      if (sent !== this.reported) return;
      if (bannerNow) sent.banner = false;
      for (const userId of users) sent.users.delete(userId);
      this.retryLater();
    };
    this.deps.send(roomId, bannerNow, users).then(
      (counted) => {
        if (counted) this.retryMs = SHOWN_RETRY_MS;
        else notCounted();
      },
      () => {
        this.deps.onError('shown');
        notCounted();
      },
    );
  }

  private retryLater(): void {
    if (this.retry !== undefined || this.stopped) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.report();
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, SHOWN_RETRY_MAX_MS);
  }
}
