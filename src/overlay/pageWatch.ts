import type { ClientFamily } from '../clients/builtInSites';
import type { ClientAdapter, RoomRef } from '../clients/clientAdapter';
import type { MemberBadge, PageRoomView } from '../trust/pageWarnings';
import { ANIMATION_FRAMES, BadgePainter, type Frames } from './badgePainter';
import { RoomBanner } from './roomBanner';

/** A "shown" the background did not count is said again after this, then twice as long each time. */
const SHOWN_RETRY_MS = 1_000;
const SHOWN_RETRY_MAX_MS = 30_000;

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
  /** Follows what the page shows of one room; `onLost` when the background went away (it restarted). */
  followRoom(handlers: { onView: (view: PageRoomView) => void; onUnavailable: () => void; onLost: () => void }): { follow(roomId: string): void; end(): void };
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
  const { doc, adapter, url, background, onError = () => undefined } = options;
  const frames = options.frames ?? ANIMATION_FRAMES;
  // A frame that placed badges may have put new warnings on screen: note them (see reportShown).
  const painter = adapter ? new BadgePainter(doc, adapter, frames, { painted: () => reportShown() }) : undefined;
  const banner = adapter ? new RoomBanner(doc, () => adapter.bannerAnchor(doc), (roomId) => void background.review(roomId).catch(() => onError('review'))) : undefined;
  let stopped = false;
  // Read through a call after an await: `stop()` may have run meanwhile, which narrowing cannot see.
  const hasStopped = () => stopped;
  let connected = false;
  let roomKey: string | undefined;
  let roomId: string | undefined;
  let subscription: ReturnType<PageBackground['followRoom']> | undefined;

  /** What was reported as shown since the last view arrived (a new view is reported afresh). */
  let reported = { banner: false, users: new Set<string>() };
  let shownFrame: number | undefined;

  const clear = () => {
    painter?.show(new Map());
    banner?.show(undefined);
  };

  const showView = (view: PageRoomView) => {
    if (stopped || view.roomId !== roomId) return;
    reported = { banner: false, users: new Set() };
    painter?.show(new Map<string, MemberBadge>(view.badges.map((badge) => [badge.userId, badge])));
    banner?.show(view.banner);
    reportShown();
  };

  /**
   * Tells the background what of the room's warnings is on screen, once the painter placed it:
   * only then, and only while the page is visible, do they count as shown to the user.
   */
  const reportShown = () => {
    shownFrame ??= frames.request(() => {
      shownFrame = undefined;
      const room = roomId;
      if (stopped || room === undefined || doc.visibilityState !== 'visible') return;
      const bannerNow = banner?.visible === true && !reported.banner;
      const users = [...(painter?.shownUsers() ?? [])].filter(([userId, severity]) => severity !== 'checking' && !reported.users.has(userId)).map(([userId]) => userId);
      if (!bannerNow && users.length === 0) return;
      const sent = reported;
      sent.banner ||= bannerNow;
      for (const userId of users) sent.users.add(userId);
      const notCounted = () => {
        // Not seen after all (the user had switched tabs): it is said again once the page is
        // in front, and meanwhile every few seconds (a browser may not tell the page).
        if (sent !== reported) return;
        if (bannerNow) sent.banner = false;
        for (const userId of users) sent.users.delete(userId);
        retryShown();
      };
      background.shown(room, bannerNow, users).then(
        (counted) => {
          if (counted) shownRetryMs = SHOWN_RETRY_MS;
          else notCounted();
        },
        () => {
          onError('shown');
          notCounted();
        },
      );
    });
  };
  let shownRetryMs = SHOWN_RETRY_MS;
  let shownRetry: ReturnType<typeof setTimeout> | undefined;
  const retryShown = () => {
    if (shownRetry !== undefined || stopped) return;
    shownRetry = setTimeout(() => {
      shownRetry = undefined;
      reportShown();
    }, shownRetryMs);
    shownRetryMs = Math.min(shownRetryMs * 2, SHOWN_RETRY_MAX_MS);
  };

  const reportRoom = async (force: boolean) => {
    if (!adapter || !connected || stopped) return;
    const room = adapter.roomFromUrl(url()) ?? null;
    const key = room === null ? '' : `${room.kind}:${room.kind === 'id' ? room.roomId : room.alias}`;
    if (!force && key === roomKey) return;
    if (key !== roomKey) clear();
    roomKey = key;
    roomId = undefined;
    let resolved: string | undefined;
    try {
      resolved = await background.showRoom(room);
    } catch {
      onError('room');
      return;
    }
    // The user may have moved on while the background looked the room up.
    if (hasStopped() || key !== roomKey) return;
    roomId = resolved;
    if (roomId === undefined) clear();
    else subscription?.follow(roomId);
  };

  let connecting: Promise<void> | undefined;
  const connect = () => (connecting ??= connectOnce().finally(() => (connecting = undefined)));
  const connectOnce = async () => {
    try {
      await background.hello(adapter?.family);
    } catch {
      onError('hello');
      return;
    }
    if (hasStopped()) return;
    // Without an adapter the port only tells the background the page is still here.
    subscription = background.followRoom({
      onView: showView,
      onUnavailable: clear,
      onLost: () => {
        // Keep the badges: they are the last known truth, and the restarted background
        // confirms or corrects them as soon as the page reconnects.
        connected = false;
        subscription = undefined;
        if (doc.visibilityState === 'visible') void connect();
      },
    });
    connected = true;
    await reportRoom(true);
  };

  painter?.start();
  void connect();
  let bannerFrame: number | undefined;
  const keepBanner = adapter
    ? new MutationObserver(() => {
        if (banner?.wanted) bannerFrame ??= frames.request(() => ((bannerFrame = undefined), banner.keepInPlace()));
      })
    : undefined;
  keepBanner?.observe(doc.body, { childList: true, subtree: true });

  return {
    painter,
    banner,
    locationChanged: () => void reportRoom(false),
    recheck: () => void reportRoom(true),
    visible: () => {
      if (!connected && !stopped) void connect();
      else reportShown();
    },
    stop: () => {
      stopped = true;
      keepBanner?.disconnect();
      if (bannerFrame !== undefined) frames.cancel(bannerFrame);
      if (shownFrame !== undefined) frames.cancel(shownFrame);
      clearTimeout(shownRetry);
      subscription?.end();
      painter?.stop();
      banner?.remove();
    },
  };
}
