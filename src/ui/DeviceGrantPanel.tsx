import { request } from '../messaging/backgroundClient';
import type { DeviceGrantView } from '../messaging/protocol';
import { t } from '../text/i18n';
import { formatTime } from '../text/timeText';
import { ErrorNotice, useAction } from './useAction';

/**
 * A sign-in waiting for approval on the provider's page: the code to confirm, the page as a real
 * link (it opens in a tab), until when the code is valid, and Cancel. The background polls; the
 * account status changes when the user approved or the code expired.
 */
export function DeviceGrantPanel({ grant }: { grant: Extract<DeviceGrantView, { state: 'waiting' }> }) {
  const action = useAction();
  return (
    <div class="sign-in device-grant" aria-live="polite">
      <p>{t('deviceGrantInstructions')}</p>
      <p class="mono user-code">{grant.userCode}</p>
      <p>
        <a href={grant.verificationUri} target="_blank" rel="noopener noreferrer">
          {t('deviceGrantOpen')}
        </a>
      </p>
      <p class="detail">{t('deviceGrantExpires', formatTime(grant.expiresAt))}</p>
      <ErrorNotice error={action.error} />
      <div class="actions">
        <button
          class="link"
          type="button"
          disabled={action.busy}
          onClick={() => void action.run(() => request('account.cancelSignIn', {}))}
        >
          {t('deviceGrantCancel')}
        </button>
      </div>
    </div>
  );
}
