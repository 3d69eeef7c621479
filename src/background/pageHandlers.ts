import browser from 'webextension-polyfill';
import { BUILT_IN_SITES, findWatchedSite } from '../clients/builtInSites';
import type { RequestHandlers } from '../messaging/requestRouter';
import type { AccountRooms } from './accountRooms';
import { openRoomReview } from './roomReview';
import type { StatusStore } from './statusStore';
import type { TabRegistry } from './tabRegistry';

type PageKinds = 'page.hello' | 'page.visible' | 'page.room' | 'page.shown' | 'page.disagrees' | 'page.review' | 'tab.state';

/** What the page handlers ask of the account's rooms. */
export type PageRooms = Pick<AccountRooms, 'joinedRoomFor' | 'report' | 'markWarned' | 'noteDisagreements'>;

/** Whether the tab is the one on screen in its window (a page cannot fake this answer). */
export type TabOnScreen = (tabId: number) => Promise<boolean>;

/**
 * What content scripts tell the background (which page, which room) and what the popup asks
 * about a tab. A page only reports what it shows; what that means comes from the room's report.
 */
export function createPageHandlers(deps: {
  status: StatusStore;
  tabs: TabRegistry;
  /** The signed-in account's rooms, once the account has started (or resumed). */
  rooms: () => Promise<PageRooms>;
  onScreen?: TabOnScreen;
}): Pick<RequestHandlers, PageKinds> {
  const { status, tabs, rooms, onScreen = activeTab } = deps;
  return {
    'page.hello': ({ understood, client: seen }, sender) => {
      // A built-in site is the client we know it for; on an added site, the page's adapter says.
      const client = findWatchedSite(sender.origin, BUILT_IN_SITES)?.client ?? seen;
      tabs.hello(sender.tabId, { origin: sender.origin, client, understood });
      return { client: client ?? 'Matrix', account: status.get().account.state };
    },
    // The message itself keeps Chrome's worker (and sync) running while the page is on screen.
    'page.visible': () => ({}),
    'page.room': async ({ room }, sender) => {
      const page = { origin: sender.origin, client: findWatchedSite(sender.origin, BUILT_IN_SITES)?.client };
      // From now on the tab is about no room until this one is looked up: neither the toolbar
      // nor the page's subscription may speak of the room the page left.
      const navigation = tabs.navigating(sender.tabId, page);
      // A restarted worker answers once its account has resumed: "no room" before that would
      // take the page's badges away (they are kept across a restart) until it had.
      if (room !== null && status.get().account.state === 'resuming') await rooms();
      if (room === null || status.get().account.state !== 'signed-in') {
        tabs.showRoom(sender.tabId, page, undefined, { navigation });
        return {};
      }
      const service = await rooms();
      const roomId = await service.joinedRoomFor(room);
      // The page asked about another room meanwhile: this answer is for a room it has left.
      if (!tabs.isCurrent(sender.tabId, navigation)) return {};
      if (roomId === undefined) {
        tabs.showRoom(sender.tabId, page, room.kind === 'id' ? room.roomId : room.alias, { unavailable: true, navigation });
        return {};
      }
      tabs.showRoom(sender.tabId, page, roomId, { navigation });
      tabs.report(await service.report(roomId));
      return tabs.isCurrent(sender.tabId, navigation) ? { roomId } : {};
    },
    'page.shown': async ({ roomId, banner, userIds }, sender) => {
      // Only what a tab on screen showed of the room it is on counts as the user having seen it.
      if (tabs.roomOf(sender.tabId) !== roomId || !(await onScreen(sender.tabId))) return { counted: false };
      // Named for the client the site is (or the page said it was), as the history tells it.
      const client = findWatchedSite(sender.origin, BUILT_IN_SITES)?.client ?? tabs.state(sender.tabId)?.client;
      const place = { where: banner ? ('banner' as const) : ('badge' as const), ...(client !== undefined && { client }) };
      await (await rooms()).markWarned(roomId, banner ? undefined : new Set(userIds), place);
      return { counted: true };
    },
    'page.disagrees': async ({ roomId, users }, sender) => {
      // Only about the room the tab is on, and named for the client the site is (or said it was).
      if (tabs.roomOf(sender.tabId) !== roomId) return { recorded: 0 };
      const client = findWatchedSite(sender.origin, BUILT_IN_SITES)?.client ?? tabs.state(sender.tabId)?.client ?? 'Matrix';
      return { recorded: await (await rooms()).noteDisagreements(roomId, client, users) };
    },
    'page.review': async ({ roomId }) => {
      // The page only informs: acknowledging happens in the extension's own page.
      await openRoomReview(roomId);
      return {};
    },
    'tab.state': ({ tabId }) => tabs.state(tabId) ?? null,
  };
}

async function activeTab(tabId: number): Promise<boolean> {
  try {
    return (await browser.tabs.get(tabId)).active;
  } catch {
    return false;
  }
}
