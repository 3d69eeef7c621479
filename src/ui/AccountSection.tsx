import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { BackgroundError, request } from '../messaging/backgroundClient';
import type { AccountStatus } from '../messaging/protocol';
import { t } from '../text/i18n';
import { SignInForm } from './SignInForm';
import { StatusLineView } from './StatusLineView';
import { describeAccount, describeOwnDevices, describeSync } from './statusView';
import { describeDeviceClass } from '../text/deviceClassText';
import { nameOr } from '../validation/displayText';

/** The options page's account section: sign in, or who is signed in, their sessions, and sign out. */
export function AccountSection({ account }: { account: AccountStatus }) {
  return (
    <section aria-labelledby="account-heading">
      <h2 id="account-heading">{t('accountHeading')}</h2>
      <StatusLineView line={describeAccount(account)} />
      {account.state === 'signed-out' && <SignInForm />}
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
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | undefined>();

  async function signOut(): Promise<void> {
    setBusy(true);
    try {
      const { removedFromServer } = await request('account.signOut', {});
      if (!removedFromServer) {
        setMessage(t('signOutUnreachable'));
      }
    } catch (failure) {
      setMessage(failure instanceof BackgroundError ? failure.message : t('signOutFailed'));
    } finally {
      setBusy(false);
      setConfirming(false);
    }
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
      {message && (
        <p class="notice error" role="alert">
          {message}
        </p>
      )}
    </div>
  );
}
