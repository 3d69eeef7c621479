import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { BackgroundError, request } from '../messaging/backgroundClient';
import type { AccountStatus } from '../messaging/protocol';
import { SignInForm } from './SignInForm';
import { StatusLineView } from './StatusLineView';
import { describeAccount, describeDeviceClass, describeOwnDevices, describeSync } from './statusView';

/** The options page's account section: sign in, or who is signed in, their sessions, and sign out. */
export function AccountSection({ account }: { account: AccountStatus }) {
  return (
    <section aria-labelledby="account-heading">
      <h2 id="account-heading">Account</h2>
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
                {device.displayName ?? 'Unnamed session'} <span class="mono">{device.deviceId}</span>
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
        setMessage('Signed out here, but the homeserver could not be reached: remove "Matrix Trust Guard" from your sessions in another client.');
      }
    } catch (failure) {
      setMessage(failure instanceof BackgroundError ? failure.message : 'Signing out failed.');
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  }

  return (
    <div class="actions">
      {!confirming && (
        <button class="link" type="button" onClick={() => setConfirming(true)}>
          Sign out…
        </button>
      )}
      {confirming && (
        <p class="notice">
          Signing out removes this session from your account and deletes its keys and your warning history from this browser.{' '}
          <button class="danger" type="button" disabled={busy} onClick={() => void signOut()}>
            {busy ? 'Signing out…' : 'Sign out'}
          </button>{' '}
          <button class="link" type="button" disabled={busy} onClick={() => setConfirming(false)}>
            Cancel
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
