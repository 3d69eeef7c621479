import { useEffect, useState } from 'preact/hooks';
import type { RoomSummary, TrustOverview } from '../messaging/protocol';
import { t } from '../text/i18n';
import { RoomWarnings } from './RoomWarnings';
import { type LiveState, useLive } from './useLive';
import { nameOr } from '../validation/displayText';
import { describeQuietRooms, type Freshness } from './roomNewsView';
import { plural } from '../text/plural';
import { OwnResetNotice } from './OwnResetNotice';

/**
 * The account's rooms that have warnings, worst first; each opens to its members. Rooms with
 * nothing to show are a count. `openRoomId` opens a room (the verdict's action asked for it).
 */
export function TrustOverviewPanel(props: {
  ownUserId: string;
  freshness: Freshness;
  overview: LiveState<TrustOverview>;
  openRoomId?: string;
}) {
  const { ownUserId, freshness, overview, openRoomId } = props;
  if (overview.phase === 'loading') return <p class="notice">{t('roomsChecking')}</p>;
  if (overview.phase !== 'live') return <p class="notice">{overview.phase === 'lost' ? overview.message : overview.reason}</p>;
  const rooms = overview.value.rooms.filter((room) => room.warnings.warn + room.warnings.critical > 0).sort(byConcern);
  const { ownReset } = overview.value;
  // Our own reset is said whatever the rooms show: the people it concerns are not verified any more.
  const resetNotice = ownReset !== undefined && (
    <div id="own-reset">
      <OwnResetNotice reset={ownReset} contacts={ownReset.contacts} />
    </div>
  );
  if (rooms.length === 0) {
    const quiet = describeQuietRooms(overview.value.rooms, freshness);
    return (
      <>
        {resetNotice}
        <p class={`notice tone-${quiet.tone}`}>{quiet.text}</p>
      </>
    );
  }
  const others = overview.value.rooms.length - rooms.length;
  return (
    <>
      {resetNotice}
      <ul class="rooms">
        {rooms.map((room) => (
          <RoomEntry key={room.roomId} room={room} ownUserId={ownUserId} open={room.roomId === openRoomId} />
        ))}
      </ul>
      {others > 0 && (
        <p class="rooms-quiet">{plural(others, { one: () => t('roomsQuietOne'), other: () => t('roomsQuietMany', String(others)) })}</p>
      )}
    </>
  );
}

function RoomEntry({ room, ownUserId, open: asked }: { room: RoomSummary; ownUserId: string; open: boolean }) {
  const [open, setOpen] = useState(asked);
  // The verdict's action may ask for this room after it was drawn.
  useEffect(() => {
    if (asked) setOpen(true);
  }, [asked]);
  const fresh = room.newWarnings.warn + room.newWarnings.critical;
  const severity = room.warnings.critical > 0 ? 'critical' : 'warn';
  const name = nameOr(room.name, room.roomId);
  return (
    <li class={`room severity-${severity}`} id={`room-${room.roomId}`}>
      <button class="room-toggle" type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span class="room-name truncate" title={name}>
          {name}
        </span>
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
