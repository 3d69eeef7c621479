import type { ClientFamily } from '../clients/builtInSites';
import type { ClientAdapter, RoomRef } from '../clients/clientAdapter';
import type { ShieldPlace } from '../model/pageShield';
import type { MemberBadge, PageRoomView } from '../trust/pageWarnings';
import { ANIMATION_FRAMES, BadgePainter, type Frames } from './badgePainter';
import { RoomBanner } from './roomBanner';
import { ShownReporter } from './shownReporter';
import { disagreementLine } from './warningText';
import { LAST_SEEN_STEP_MS } from '../trust/pageDisagreement';

/** The background, as the page sees it (messages in the extension; a fake in unit tests). */
export interface PageBackground {
  /** Says the page is here, and which client's adapter understood it (none: not understood). */
  hello(client: ClientFamily | undefined): Promise<void>;
  /** Tells which room the page shows; answers its id when the account is in it. */
  showRoom(room: RoomRef | null): Promise<string | undefined>;
  review(roomId: string): Promise<void>;
  /**
   * The banner (all the room's new warnings) or these members' badges were placed while the
   * page was visible. False: not counted (the tab was not the one on screen), to say again.
   */
  shown(roomId: string, banner: boolean, userIds: string[]): Promise<boolean>;
  /** The page's own shields show these members as trusted while we warn about them (recorded for the popup). */
  disagreed(roomId: string, users: { userId: string; places: ShieldPlace[] }[]): Promise<void>;
  /** Follows what the page shows of one room; `onLost` when the background went away (it restarted). */
  followRoom(handlers: { onView: (view: PageRoomView) => void; onUnavailable: () => void; onLost: () => void }): {
    follow(roomId: string): void;
    end(): void;
  };
}

export interface PageWatchOptions {
  doc: Document;
  /** The adapter that understood this page, if any: without one the script only says so. */
  adapter: ClientAdapter | undefined;
  url: () => URL;
  background: PageBackground;
  frames?: Frames;
  /** Reports failures to reach the background (never page content). */
  onError?: (what: string) => void;
}

export interface PageWatch {
  /** The URL may name another room now (hash change, history navigation). */
  locationChanged(): void;
  /** The background asks again which room this is (the user signed in or out). */
  recheck(): void;
  /** The page became visible: reconnect if the background went away meanwhile. */
  visible(): void;
  stop(): void;
  readonly painter: BadgePainter | undefined;
  readonly banner: RoomBanner | undefined;
}

/**
 * The in-page half's whole logic, with the browser and the background passed in: say hello,
 * say which room the URL names, follow that room's report and paint it. The background can
 * restart at any time (Chrome stops idle workers); the page then says it all again, but only
 * while visible, so a hidden tab never keeps a stopped worker awake.
 */
export function watchPage(options: PageWatchOptions): PageWatch {
  return new PageWatcher(options);
}

class PageWatcher implements PageWatch {
  readonly painter: BadgePainter | undefined;
  readonly banner: RoomBanner | undefined;
  private readonly frames: Frames;
  private readonly shown: ShownReporter;
  private readonly onError: (what: string) => void;
  private stopped = false;
  private connected = false;
  private connecting: Promise<void> | undefined;
  /** The room the URL names (kind and id or alias), and its id once the background confirmed it. */
  private roomKey: string | undefined;
  private roomId: string | undefined;
  /**
   * Counts the room questions asked: only the latest one's answer counts. An earlier one may be
   * answered "no room" because the background saw it superseded (a woken background resumes
   * the account, then asks every page again while the page's first question still waits).
   */
  private roomQuestions = 0;
  private subscription: ReturnType<PageBackground['followRoom']> | undefined;
  private readonly keepBanner: MutationObserver | undefined;
  private bannerFrame: number | undefined;
  /** What this page already told the background it showed as trusted, per room: said again only when it grows, or a step later. */
  private readonly toldDisagreements = new Map<string, { places: Set<string>; at: number }>();

  constructor(private readonly options: PageWatchOptions) {
    const { doc, adapter, background } = options;
    const onError = (this.onError = options.onError ?? (() => undefined));
    const frames = (this.frames = options.frames ?? ANIMATION_FRAMES);
    // A frame that placed badges may have put new warnings on screen: report them.
    this.painter = adapter
      ? new BadgePainter(doc, adapter, frames, {
          painted: () => this.shown.report(),
          disagreements: (found) => this.onDisagreements(adapter.family, found),
        })
      : undefined;
    const banner = (this.banner = adapter
      ? new RoomBanner(
          doc,
          () => adapter.bannerAnchor(doc),
          (roomId) => void background.review(roomId).catch(() => onError('review')),
          () => adapter.timeline?.(doc),
        )
      : undefined);
    this.shown = new ShownReporter({
      frames,
      doc,
      send: (room, bannerNow, userIds) => background.shown(room, bannerNow, userIds),
      onError,
      onScreen: () => ({
        roomId: this.roomId,
        banner: banner?.visible === true,
        users: this.painter?.shownUsers() ?? new Map<string, MemberBadge['severity']>(),
      }),
    });
    this.painter?.start();
    void this.connect();
    // The page re-renders around the banner: put it back in place once per frame.
    this.keepBanner = banner
      ? new MutationObserver(() => {
          if (banner.wanted) this.bannerFrame ??= frames.request(() => ((this.bannerFrame = undefined), banner.keepInPlace()));
        })
      : undefined;
    this.keepBanner?.observe(doc.body, { childList: true, subtree: true });
  }

  locationChanged(): void {
    void this.reportRoom(false);
  }

  recheck(): void {
    void this.reportRoom(true);
  }

  visible(): void {
    if (!this.connected && !this.stopped) void this.connect();
    else this.shown.report();
  }

  stop(): void {
    this.stopped = true;
    this.keepBanner?.disconnect();
    if (this.bannerFrame !== undefined) this.frames.cancel(this.bannerFrame);
    this.shown.stop();
    this.subscription?.end();
    this.painter?.stop();
    this.banner?.remove();
  }

  /** Read through a call after an await: `stop()` may have run meanwhile, which narrowing cannot see. */
  private hasStopped(): boolean {
    return this.stopped;
  }

  private clear(): void {
    this.painter?.show(new Map());
    this.banner?.show(undefined);
  }

  private showView(view: PageRoomView): void {
    if (this.stopped || view.roomId !== this.roomId) return;
    this.shown.newView();
    this.painter?.show(new Map<string, MemberBadge>(view.badges.map((badge) => [badge.userId, badge])));
    this.banner?.show(view.banner);
    this.shown.report();
  }

  /**
   * The page's shields and our badges disagree about these members (none: they agree, or the
   * page shows nothing): the banner says how many, and the background records who and where.
   */
  private onDisagreements(client: string, found: ReadonlyMap<string, ShieldPlace[]>): void {
    this.banner?.showDisagreement(found.size > 0 ? disagreementLine(client, found.size) : undefined);
    const roomId = this.roomId;
    if (roomId === undefined || found.size === 0) return;
    // A page whose shields flicker (or that flips them on purpose) costs the background one
    // message per new member or place, and otherwise one a LAST_SEEN_STEP_MS, not one per frame.
    const told = this.toldDisagreements.get(roomId) ?? { places: new Set<string>(), at: -Infinity };
    const seen = [...found].flatMap(([userId, places]) => places.map((place) => `${userId}\n${place}`));
    const now = Date.now();
    if (seen.every((key) => told.places.has(key)) && now - told.at < LAST_SEEN_STEP_MS) return;
    this.toldDisagreements.set(roomId, { places: new Set([...told.places, ...seen]), at: now });
    const users = [...found].map(([userId, places]) => ({ userId, places }));
    void this.options.background.disagreed(roomId, users).catch(() => this.onError('disagreement'));
  }

  private async reportRoom(force: boolean): Promise<void> {
    const { adapter, background, url } = this.options;
    if (!adapter || !this.connected || this.stopped) return;
    const room = adapter.roomFromUrl(url()) ?? null;
    const key = room === null ? '' : `${room.kind}:${room.kind === 'id' ? room.roomId : room.alias}`;
    if (!force && key === this.roomKey) return;
    if (key !== this.roomKey) this.clear();
    this.roomKey = key;
    this.roomId = undefined;
    const question = ++this.roomQuestions;
    let resolved: string | undefined;
    try {
      resolved = await background.showRoom(room);
    } catch {
      this.onError('room');
      return;
    }
    // The user may have moved on while the background looked the room up, or the page asked
    // again about the same room (that answer is the one to follow).
    if (this.hasStopped() || question !== this.roomQuestions) return;
    this.roomId = resolved;
    if (resolved === undefined) this.clear();
    else this.subscription?.follow(resolved);
  }

  private connect(): Promise<void> {
    return (this.connecting ??= this.connectOnce().finally(() => (this.connecting = undefined)));
  }

  private async connectOnce(): Promise<void> {
    const { adapter, background, doc } = this.options;
    try {
      await background.hello(adapter?.family);
    } catch {
      this.onError('hello');
      return;
    }
    if (this.hasStopped()) return;
    // Without an adapter the port only tells the background the page is still here.
    this.subscription = background.followRoom({
      onView: (view) => this.showView(view),
      onUnavailable: () => this.clear(),
      onLost: () => {
        // Keep the badges: they are the last known truth, and the restarted background
        // confirms or corrects them as soon as the page reconnects.
        this.connected = false;
        this.subscription = undefined;
        if (doc.visibilityState === 'visible') void this.connect();
      },
    });
    this.connected = true;
    await this.reportRoom(true);
  }
}
