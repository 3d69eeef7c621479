import type { ClientFamily } from '../clients/builtInSites';
import type { TabState } from '../messaging/protocol';
import { type Staleness, tabView } from '../trust/tabTrust';
import type { RoomTrustReport } from '../trust/types';

/** How a tab's state reaches the toolbar (browser.action in the extension; a fake in tests). */
export interface ToolbarPainter {
  paint(tabId: number, state: TabState): void;
}

/** Asks a tab's content script to say again which room it shows (after sign-in or sign-out). */
export type PageRecheck = (tabId: number) => void;

interface TabEntry {
  origin: string;
  client?: ClientFamily;
  understood: boolean;
  roomId?: string;
  roomUnavailable?: boolean;
  /** The page moved to a room the background is still looking up: nothing is known of it yet. */
  resolving?: boolean;
  /** Counts the page's room changes, so a lookup that finishes after the next one is dropped. */
  navigation: number;
}

/**
 * One record per watched tab: which client and room it shows, and so what its toolbar icon
 * says. Pages only report what they see; the trust comes from the room's report here.
 */
export class TabRegistry {
  private readonly tabs = new Map<number, TabEntry>();
  /** Open ports of each tab's content script: a tab is known while its page is. */
  private readonly ports = new Map<number, number>();
  private readonly reports = new Map<string, RoomTrustReport>();
  private signedIn = false;
  private stale: Staleness | undefined;

  constructor(
    private readonly toolbar: ToolbarPainter,
    private readonly recheck: PageRecheck = () => undefined,
  ) {}

  /** A content script announced itself (again, after a reload or navigation). */
  hello(tabId: number, entry: { origin: string; client?: ClientFamily; understood: boolean }): void {
    this.tabs.set(tabId, { ...entry, navigation: (this.tabs.get(tabId)?.navigation ?? 0) + 1 });
    this.paint(tabId);
  }

  /**
   * The page says it shows another room, which the background now looks up: from this moment
   * the tab is about no room (the toolbar says it is checking, and the previous room's news
   * reaches the tab no more). Returns the navigation that `showRoom` must name.
   */
  navigating(tabId: number, page: { origin: string; client?: ClientFamily }): number {
    const entry = this.tabs.get(tabId) ?? { ...page, understood: true, navigation: 0 };
    const navigation = entry.navigation + 1;
    this.tabs.set(tabId, { ...entry, roomId: undefined, roomUnavailable: false, resolving: true, navigation });
    this.paint(tabId);
    return navigation;
  }

  /**
   * The page shows this room now (or none). Only pages an adapter understood say so; the page
   * is named again so a room report that overtakes its hello is not lost. A lookup for an
   * earlier navigation than the tab's last one is dropped: the page has moved on.
   */
  showRoom(
    tabId: number,
    page: { origin: string; client?: ClientFamily },
    roomId: string | undefined,
    options: { unavailable?: boolean; navigation?: number } = {},
  ): void {
    const entry = this.tabs.get(tabId) ?? { ...page, understood: true, navigation: 0 };
    if (options.navigation !== undefined && options.navigation !== entry.navigation) return;
    this.tabs.set(tabId, { ...entry, roomId, roomUnavailable: options.unavailable === true, resolving: false });
    this.paint(tabId);
  }

  /** Whether `navigation` is still the tab's last room change. */
  isCurrent(tabId: number, navigation: number): boolean {
    return this.tabs.get(tabId)?.navigation === navigation;
  }

  /** The room the tab's page shows now, once resolved to a joined room's id. */
  roomOf(tabId: number): string | undefined {
    const entry = this.tabs.get(tabId);
    return entry?.roomUnavailable ? undefined : entry?.roomId;
  }

  report(report: RoomTrustReport): void {
    this.reports.set(report.roomId, report);
    for (const [tabId, entry] of this.tabs) if (entry.roomId === report.roomId) this.paint(tabId);
  }

  setSignedIn(signedIn: boolean): void {
    if (signedIn === this.signedIn) return;
    this.signedIn = signedIn;
    if (!signedIn) this.reports.clear();
    for (const tabId of this.tabs.keys()) {
      this.paint(tabId);
      // Pages showed a room nobody could report on, or one we can no longer speak about.
      this.recheck(tabId);
    }
  }

  /** The sync went offline (with the last good sync) or came back (undefined): repaint. */
  setStale(stale: Staleness | undefined): void {
    if (stale?.lastSyncAt === this.stale?.lastSyncAt && (stale === undefined) === (this.stale === undefined)) return;
    this.stale = stale;
    for (const tabId of this.tabs.keys()) this.paint(tabId);
  }

  /** The tab closed: forget it. */
  forget(tabId: number): void {
    this.tabs.delete(tabId);
    this.ports.delete(tabId);
  }

  /** A content script in the tab connected. */
  attach(tabId: number): void {
    this.ports.set(tabId, (this.ports.get(tabId) ?? 0) + 1);
  }

  /**
   * A content script's port closed: its page went away (or the script was reloaded). With no
   * page of ours left in the tab, forget it; the browser resets the tab's toolbar button itself
   * when the tab loads another document, and a same-document navigation keeps the port open.
   */
  detach(tabId: number): void {
    const left = (this.ports.get(tabId) ?? 1) - 1;
    if (left > 0) {
      this.ports.set(tabId, left);
      return;
    }
    this.forget(tabId);
  }

  state(tabId: number): TabState | undefined {
    const entry = this.tabs.get(tabId);
    if (!entry) return undefined;
    const report = entry.roomId === undefined ? undefined : this.reports.get(entry.roomId);
    const view = tabView({
      signedIn: this.signedIn,
      understood: entry.understood,
      roomId: entry.roomId,
      resolving: entry.resolving,
      report,
      roomUnavailable: entry.roomUnavailable,
      stale: this.stale,
    });
    return { tabId, origin: entry.origin, client: entry.client, roomId: entry.roomId, ...view };
  }

  private paint(tabId: number): void {
    const state = this.state(tabId);
    if (state) this.toolbar.paint(tabId, state);
  }
}
