import { useEffect, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import { request } from '../messaging/backgroundClient';
import type { AccountPageSignOut, OwnDeviceSummary } from '../messaging/protocol';
import { t } from '../text/i18n';
import { nameOr } from '../validation/displayText';
import { ErrorNotice, useAction } from './useAction';
import { useOnReturn } from './useOnReturn';

/**
 * Sessions the user went to sign out on the server's account page (a server that delegates
 * auth signs them out only there): asked afresh when this page opens and whenever the user
 * comes back to it, each said gone or still there, with the page's link again.
 */
export function AccountPageSignOuts({ devices, refresh }: { devices: readonly OwnDeviceSummary[]; refresh: number }) {
  const [sent, setSent] = useState<AccountPageSignOut[]>([]);
  // Whether the user has been back since sending a session there: until then, say what to do.
  const [returned, setReturned] = useState(true);
  const { busy, error, run } = useAction();
  const check = (afterReturn: boolean) =>
    void run(async () => {
      const fresh = await request('session.accountPageSignOuts', {});
      setReturned(afterReturn);
      // A gone session is told once by the background: keep saying it while this page is open.
      setSent((shown) => [...shown.filter((old) => old.gone && !fresh.some((now) => now.deviceId === old.deviceId)), ...fresh]);
    });
  // This page opening is a return too; a bump of `refresh` is a session just sent there.
  useEffect(() => check(refresh === 0), [refresh]);
  useOnReturn(() => check(true));
  if (sent.length === 0 && error === undefined) return null;
  const name = (deviceId: string) => {
    const device = devices.find((candidate) => candidate.deviceId === deviceId);
    return device ? t('ownDevicesSession', nameOr(device.displayName, t('unnamedSession')), deviceId) : deviceId;
  };
  return (
    <div class="account-page-sign-outs">
      {sent.map((session) =>
        session.gone ? (
          <p key={session.deviceId} class="all-clear" data-signed-out={session.deviceId}>
            {t('sessionSignedOutOnAccountPage', name(session.deviceId))}
          </p>
        ) : (
          <div key={session.deviceId} class="notice" data-still-signed-in={session.deviceId}>
            <p>{returned ? t('sessionStillSignedIn', name(session.deviceId)) : t('sessionSignOutOnAccountPage', name(session.deviceId))}</p>
            <div class="actions">
              <button class="link small" type="button" onClick={() => void browser.tabs.create({ url: session.accountPage })}>
                {t('accountPageOpen')}
              </button>
              <button class="link small" type="button" disabled={busy} onClick={() => check(true)}>
                {t('sessionCheckAgain')}
              </button>
            </div>
          </div>
        ),
      )}
      <ErrorNotice error={error} />
    </div>
  );
}
