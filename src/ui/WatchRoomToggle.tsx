import { request } from '../messaging/backgroundClient';
import { t } from '../text/i18n';
import { ErrorNotice } from './useAction';
import { useBackedToggle } from './useBackedToggle';
import { useLive } from './useLive';

/** The room review's "Watch this room": its new warnings then become notifications. */
export function WatchRoomToggle({ roomId }: { roomId: string }) {
  const settings = useLive('alerts');
  const live = settings.phase === 'live';
  const watched = live && settings.value.watchedRoomIds.includes(roomId);
  const toggle = useBackedToggle(watched, (value) => request('alerts.watchRoom', { roomId, watched: value }));
  if (!live) return null;
  return (
    <div class="watch-room">
      <label class="choice">
        <input type="checkbox" name="watch-room" checked={toggle.checked} onChange={(event) => toggle.set(event.currentTarget.checked)} />
        <span>{t('roomWatchLabel')}</span>
      </label>
      {toggle.checked && !settings.value.kinds['watched-room'] && <p class="subtitle">{t('roomWatchOffHint')}</p>}
      <ErrorNotice error={toggle.error} />
    </div>
  );
}
