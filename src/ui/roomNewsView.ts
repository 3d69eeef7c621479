import type { RoomSummary, SyncStatus } from '../messaging/protocol';
import { summarizeChecking } from '../trust/checkingSummary';
import { hasBridgedPeople } from '../trust/roomBridges';
import type { RoomTrustReport } from '../trust/types';
import { describeChecking } from '../text/checkingText';
import { t } from '../text/i18n';
import { formatTime } from '../text/timeText';
import { plural } from '../text/plural';

/**
 * Whether what the extension shows is current. "No warnings" in the ok colour is only said
 * while it is; otherwise it is said as of the last good sync, in a neutral tone (docs/architecture.md,
 * "Unknown is never clear").
 */
export interface Freshness {
  current: boolean;
  /** The last sync that answered, if any. */
  asOf?: number;
}

export function freshnessOf(sync: SyncStatus): Freshness {
  const asOf = 'lastSyncAt' in sync ? sync.lastSyncAt : undefined;
  return { current: sync.state === 'syncing', ...(asOf === undefined ? {} : { asOf }) };
}

/** One line of news, with the tone it is shown in: ok only when it is both good and current. */
export interface NewsLine {
  text: string;
  tone: 'ok' | 'warn' | 'bad' | 'neutral';
}

/** "2 new warnings, 1 serious" / "No new warnings in this room." / "No new warnings as of 20:22." */
export function describeRoomNews(report: RoomTrustReport, freshness: Freshness): NewsLine {
  const { warn, critical } = report.newWarnings;
  const total = warn + critical;
  if (total > 0) {
    const count = plural(total, { one: () => t('currentTabNewOne'), other: () => t('currentTabNewMany', String(total)) });
    return critical > 0 ? { text: t('currentTabNewWithSerious', count, String(critical)), tone: 'bad' } : { text: count, tone: 'warn' };
  }
  if (!freshness.current) return { text: noNewAsOf(freshness), tone: 'neutral' };
  if (report.checking.length > 0) return { text: t('currentTabNoNewWarningsYet'), tone: 'neutral' };
  // Nothing new, but messages to bridged people leave end-to-end encryption: not all clear.
  if (hasBridgedPeople(report)) return { text: t('currentTabNoNewWarningsBridged'), tone: 'neutral' };
  return { text: t('currentTabNoNewWarnings'), tone: 'ok' };
}

/** Who the room cannot vouch for yet, in a sentence; undefined when everyone is checked. */
export function describeRoomChecking(report: RoomTrustReport): string | undefined {
  const summary = summarizeChecking(report.checking);
  return summary && describeChecking(summary);
}

/**
 * The rooms section when no room has a warning: "No warnings in your 14 rooms." only while
 * current and with everyone in them checked; otherwise what is known, as of when.
 */
export function describeQuietRooms(rooms: readonly RoomSummary[], freshness: Freshness): NewsLine {
  if (rooms.length === 0) return { text: t('roomsNone'), tone: 'neutral' };
  const count = String(rooms.length);
  if (!freshness.current) {
    const asOf = freshness.asOf === undefined ? t('roomsNoWarningsNeverSynced') : formatTime(freshness.asOf);
    return {
      text: plural(rooms.length, { one: () => t('roomsNoWarningsAsOfOne', asOf), other: () => t('roomsNoWarningsAsOfMany', count, asOf) }),
      tone: 'neutral',
    };
  }
  const unchecked = rooms.filter((room) => room.checking > 0).length;
  if (unchecked > 0) {
    return {
      text: plural(unchecked, {
        one: () => t('roomsNoWarningsCheckingOne', String(unchecked)),
        other: () => t('roomsNoWarningsCheckingMany', String(unchecked)),
      }),
      tone: 'neutral',
    };
  }
  const bridged = rooms.filter((room) => room.bridged).length;
  if (bridged > 0) {
    return {
      text: plural(bridged, { one: () => t('roomsNoWarningsBridgedOne'), other: () => t('roomsNoWarningsBridgedMany', String(bridged)) }),
      tone: 'neutral',
    };
  }
  return { text: plural(rooms.length, { one: () => t('roomsAllClearOne'), other: () => t('roomsAllClearMany', count) }), tone: 'ok' };
}

function noNewAsOf(freshness: Freshness): string {
  return freshness.asOf === undefined
    ? t('currentTabNoNewWarningsNeverSynced')
    : t('currentTabNoNewWarningsAsOf', formatTime(freshness.asOf));
}
