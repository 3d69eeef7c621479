import { useState } from 'preact/hooks';
import type { RoomSummary } from '../messaging/protocol';
import { t } from '../text/i18n';
import { RoomWarnings } from './RoomWarnings';
import { useLive } from './useLive';
import { nameOr } from '../validation/displayText';
import { describeQuietRooms, type Freshness } from './roomNewsView';
import { plural } from '../text/plural';
import { OwnResetNotice } from './OwnResetNotice';

/** The account's rooms that have warnings, worst first; each opens to its members. */
export function TrustOverviewPanel({ ownUserId, freshness }: { ownUserId: string; freshness: Freshness }) {
  const overview = useLive('overview');
  if (overview.phase === 'loading') return <p class="notice">{t('roomsChecking')}</p>;
  if (overview.phase !== 'live') return <p class="notice">{overview.phase === 'lost' ? overview.message : overview.reason}</p>;
  const rooms = overview.value.rooms.filter((room) => room.warnings.warn + room.warnings.critical > 0).sort(byConcern);
  const { ownReset } = overview.value;
  // Our own reset is said whatever the rooms show: the people it concerns are not verified any more.
  const resetNotice = ownReset !== undefined && <OwnResetNotice reset={ownReset} contacts={ownReset.contacts} />;
  if (rooms.length === 0) {
    const quiet = describeQuietRooms(overview.value.rooms, freshness);
    return (
      <>
        {resetNotice}
        <p class={`notice tone-${quiet.tone}`}>{quiet.text}</p>
      </>
    );
  }
  return (
    <>
      {resetNotice}
      <ul class="rooms">
        {rooms.map((room) => (
          <RoomEntry key={room.roomId} room={room} ownUserId={ownUserId} />
        ))}
      </ul>
    </>
  );
}

function RoomEntry({ room, ownUserId }: { room: RoomSummary; ownUserId: string }) {
  const [open, setOpen] = useState(false);
  const fresh = room.newWarnings.warn + room.newWarnings.critical;
  const severity = room.warnings.critical > 0 ? 'critical' : 'warn';
  return (
    <li class={`room severity-${severity}`}>
      <button class="room-toggle" type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span class="room-name">{nameOr(room.name, room.roomId)}</span>
        <span class="room-counts">{describeCounts(fresh, room.warnings.critical, room.warnings.warn)}</span>
      </button>
      {open && <RoomPanel roomId={room.roomId} ownUserId={ownUserId} />}
    </li>
  );
}

function RoomPanel({ roomId, ownUserId }: { roomId: string; ownUserId: string }) {
  const report = useLive('room', roomId);
  if (report.phase === 'loading') return <p class="notice">{t('roomLoading')}</p>;
  if (report.phase !== 'live') return <p class="notice">{report.phase === 'lost' ? report.message : report.reason}</p>;
  return <RoomWarnings report={report.value} ownUserId={ownUserId} />;
}

/** "2 new · 1 critical, 2 warnings": each count in its own message, singular or plural. */
function describeCounts(fresh: number, critical: number, warn: number): string {
  const freshText =
    fresh <= 0
      ? t('roomCountsAcknowledged')
      : plural(fresh, { one: () => t('roomCountsNewOne', String(fresh)), other: () => t('roomCountsNewMany', String(fresh)) });
  const criticalText = plural(critical, {
    one: () => t('roomCountsCriticalOne', String(critical)),
    other: () => t('roomCountsCriticalMany', String(critical)),
  });
  const warnText = plural(warn, {
    one: () => t('roomCountsWarningsOne', String(warn)),
    other: () => t('roomCountsWarningsMany', String(warn)),
  });
  return t('roomCounts', freshText, criticalText, warnText);
}

function byConcern(a: RoomSummary, b: RoomSummary): number {
  return (
    b.newWarnings.critical - a.newWarnings.critical || b.warnings.critical - a.warnings.critical || b.newWarnings.warn - a.newWarnings.warn
  );
}
