import { request } from '../messaging/backgroundClient';
import { t } from '../text/i18n';
import { ErrorNotice, useAction } from './useAction';
import { useLive } from './useLive';

/** The room review's "Watch this room": its new warnings then become notifications. */
export function WatchRoomToggle({ roomId }: { roomId: string }) {
  const settings = useLive('alerts');
  const action = useAction();
  if (settings.phase !== 'live') return null;
  const watched = settings.value.watchedRoomIds.includes(roomId);
  return (
    <div class="watch-room">
      <label class="choice">
        <input
          type="checkbox"
          name="watch-room"
          checked={watched}
          disabled={action.busy}
          onChange={(event) => void action.run(() => request('alerts.watchRoom', { roomId, watched: event.currentTarget.checked }))}
        />
        <span>{t('roomWatchLabel')}</span>
      </label>
      {watched && !settings.value.kinds['watched-room'] && <p class="subtitle">{t('roomWatchOffHint')}</p>}
      <ErrorNotice error={action.error} />
    </div>
  );
}
