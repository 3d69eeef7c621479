import { type CheckingSummary, summarizeChecking } from './checkingSummary';
import { hasBridgedPeople } from './roomBridges';
import type { RoomTrustReport } from './types';

/** What the toolbar icon says about one tab; every state has its own icon, not only a colour. */
export type TabTrust = 'unknown' | 'ok' | 'warn' | 'critical';

export interface TabView {
  trust: TabTrust;
  /** New warnings in the tab's room (the number on the badge); 0 when there are none. */
  newWarnings: number;
  /** Why, in a few words (the icon's tooltip picks its text from this). */
  reason:
    | 'signed-out'
    | 'not-understood'
    | 'no-room'
    | 'not-joined'
    | 'checking'
    | 'unencrypted'
    | 'clear'
    | 'bridged'
    | 'warnings'
    | 'unchecked';
  /**
   * The room's report is from before the extension lost the server (the sync is offline or
   * overdue): the tooltip says since when. Only on views that show the report.
   */
  stale?: Staleness;
  /**
   * Members whose current devices the extension does not know: the room is not clear while
   * anyone is here, and the tooltip says who and since when. Only on views that show the report.
   */
  unchecked?: CheckingSummary;
}

/** The warnings are not current; `lastSyncAt` is the last sync that answered, if any did. */
export interface Staleness {
  lastSyncAt?: number;
}

export interface TabFacts {
  signedIn: boolean;
  /** An adapter understood the page. */
  understood: boolean;
  /** The page shows a room (its id, once resolved). */
  roomId?: string;
  /** The page moved to a room not looked up yet: not the previous room, and not clear. */
  resolving?: boolean;
  /** The room's current report, if there is one. */
  report?: RoomTrustReport;
  /** The room is not one of the account's joined rooms. */
  roomUnavailable?: boolean;
  /** Set while the sync is offline: the report may miss what happened since. */
  stale?: Staleness;
}

/**
 * The toolbar state of a tab (Code Verify's per-tab state machine, in its smallest form):
 * unknown unless on a page we understand, signed in, in a room we can report on; then critical,
 * warn or ok from the room's new warnings.
 */
export function tabView(facts: TabFacts): TabView {
  // A page we do not understand shows no warnings, signed in or not: say that, not "sign in".
  if (!facts.understood) return { trust: 'unknown', newWarnings: 0, reason: 'not-understood' };
  if (!facts.signedIn) return { trust: 'unknown', newWarnings: 0, reason: 'signed-out' };
  if (facts.resolving) return { trust: 'unknown', newWarnings: 0, reason: 'checking' };
  if (facts.roomId === undefined) return { trust: 'unknown', newWarnings: 0, reason: 'no-room' };
  if (facts.roomUnavailable) return { trust: 'unknown', newWarnings: 0, reason: 'not-joined' };
  const report = facts.report;
  if (!report || report.roomId !== facts.roomId) return { trust: 'unknown', newWarnings: 0, reason: 'checking' };
  if (!report.encrypted) return { trust: 'unknown', newWarnings: 0, reason: 'unencrypted' };
  const { warn, critical } = report.newWarnings;
  const checking = summarizeChecking(report.checking);
  const caveats = { ...(facts.stale && { stale: facts.stale }), ...(checking && { unchecked: checking }) };
  // Known warnings stay true while offline or while someone is being checked; "all clear"
  // does not, so it is not shown as ok then.
  if (critical > 0) return { trust: 'critical', newWarnings: warn + critical, reason: 'warnings', ...caveats };
  if (warn > 0) return { trust: 'warn', newWarnings: warn, reason: 'warnings', ...caveats };
  if (checking) return { trust: 'unknown', newWarnings: 0, reason: 'unchecked', ...caveats };
  // Nothing new, but messages to its bridged people leave end-to-end encryption: not ok.
  if (hasBridgedPeople(report)) return { trust: 'unknown', newWarnings: 0, reason: 'bridged', ...caveats };
  return { trust: facts.stale ? 'unknown' : 'ok', newWarnings: 0, reason: 'clear', ...caveats };
}

/**
 * Whether what the extension shows may be out of date, for the toolbar: only while offline
 * (which includes an overdue sync). Catching up is not stale: it is busy getting fresh.
 */
export function stalenessOf(sync: { state: string; lastSyncAt?: number }): Staleness | undefined {
  return sync.state === 'offline' ? { lastSyncAt: sync.lastSyncAt } : undefined;
}
