import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { request } from '../messaging/backgroundClient';
import type { AccountStatus } from '../messaging/protocol';
import { t } from '../text/i18n';
import { SignInForm } from './SignInForm';
import { StatusLineView } from './StatusLineView';
import { ErrorNotice, useAction } from './useAction';
import { describeAccount, describeOwnDevices, describeSync } from './statusView';
import { describeDeviceClass } from '../text/deviceClassText';
import { nameOr } from '../validation/displayText';

/** The options page's account section: sign in, or who is signed in, their sessions, and sign out. */
export function AccountSection({ account }: { account: AccountStatus }) {
  return (
    <section aria-labelledby="account-heading">
      <h2 id="account-heading">{t('accountHeading')}</h2>
      <StatusLineView line={describeAccount(account)} />
      {account.state === 'signed-out' && <SignInForm deviceGrant={account.deviceGrant} />}
      {account.state === 'signed-in' && <SignedIn account={account} />}
      {account.state === 'failed' && <SignOutButton />}
    </section>
  );
}

function SignedIn({ account }: { account: Extract<AccountStatus, { state: 'signed-in' }> }) {
  const suspicious = describeOwnDevices(account.ownDevices);
  return (
    <>
      <StatusLineView line={describeSync(account.sync, Date.now())} />
      {suspicious && <StatusLineView line={suspicious} />}
      {account.ownDevices && account.ownDevices.length > 0 && (
        <dl class="facts own-devices">
          {account.ownDevices.map((device) => (
            <Fragment key={device.deviceId}>
              <dt>
                {nameOr(device.displayName, t('unnamedSession'))} <span class="mono">{device.deviceId}</span>
              </dt>
              <dd>{describeDeviceClass(device.class, true)}</dd>
            </Fragment>
          ))}
        </dl>
      )}
      <SignOutButton />
    </>
  );
}

/** Signing out is two clicks: it deletes this device and every local record, history included. */
function SignOutButton() {
  const [confirming, setConfirming] = useState(false);
  const action = useAction(() => t('signOutFailed'));
  const { busy } = action;
  /** Signed out here, but the server could not be told: said as plainly as a failure. */
  const [unreachable, setUnreachable] = useState(false);

  async function signOut(): Promise<void> {
    setUnreachable(false);
    await action.run(async () => {
      const { removedFromServer } = await request('account.signOut', {});
      setUnreachable(!removedFromServer);
    });
    setConfirming(false);
  }

  return (
    <div class="actions">
      {!confirming && (
        <button class="link" type="button" onClick={() => setConfirming(true)}>
          {t('signOutStart')}
        </button>
      )}
      {confirming && (
        <p class="notice">
          {t('signOutConfirmText')}{' '}
          <button class="danger" type="button" disabled={busy} onClick={() => void signOut()}>
            {busy ? t('signOutBusy') : t('signOutConfirm')}
          </button>{' '}
          <button class="link" type="button" disabled={busy} onClick={() => setConfirming(false)}>
            {t('signOutCancel')}
          </button>
        </p>
      )}
      <ErrorNotice error={unreachable ? t('signOutUnreachable') : action.error} />
    </div>
  );
}
