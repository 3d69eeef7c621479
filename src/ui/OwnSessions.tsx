import { useState } from 'preact/hooks';
import { request } from '../messaging/backgroundClient';
import type { OwnDeviceSummary } from '../messaging/protocol';
import type { DeviceClass } from '../trust/types';
import { t } from '../text/i18n';
import { describeDeviceClass } from '../text/deviceClassText';
import { ErrorNotice, useAction } from './useAction';
import { nameOr } from '../validation/displayText';
import { Field } from './Field';
import browser from 'webextension-polyfill';
import { AccountPageSignOuts } from './AccountPageSignOuts';

/** Own sessions are never `bridged` (only another user's can be); it sorts with `unsigned` for completeness. */
const ORDER: Record<DeviceClass, number> = {
  'conflicting-key': 0,
  'unsigned-of-verified': 0,
  unsigned: 1,
  bridged: 1,
  'owner-signed': 2,
  verified: 3,
};

/**
 * The account's other sessions, suspicious ones first: an own session the identity never
 * signed is the classic sign of a stolen password. Each can be verified or signed out.
 */
export function OwnSessions({ devices }: { devices: readonly OwnDeviceSummary[] }) {
  // Bumped when a session is sent to the account page, so its outcome is asked for at once.
  const [sent, setSent] = useState(0);
  const signOuts = <AccountPageSignOuts devices={devices} refresh={sent} />;
  if (devices.length === 0) return signOuts;
  const sorted = [...devices].sort((a, b) => ORDER[a.class] - ORDER[b.class]);
  return (
    <section id="sessions" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">{t('ownSessionsHeading')}</h2>
      {signOuts}
      <ul class="sessions">
        {sorted.map((device) => (
          <OwnSession key={device.deviceId} device={device} onSentToAccountPage={() => setSent((count) => count + 1)} />
        ))}
      </ul>
    </section>
  );
}

function OwnSession({ device, onSentToAccountPage }: { device: OwnDeviceSummary; onSentToAccountPage: () => void }) {
  const [signingOut, setSigningOut] = useState(false);
  const { busy, error, run } = useAction();
  const critical = device.class === 'unsigned-of-verified';
  return (
    <li class={`session ${critical ? 'severity-critical' : ''}`} data-device={device.deviceId}>
      <div>
        <span class="device-name" title={nameOr(device.displayName, t('unnamedSession'))}>
          {nameOr(device.displayName, t('unnamedSession'))}
        </span>{' '}
        <span class="mono">{device.deviceId}</span>
      </div>
      <div class="device-detail">{describeDeviceClass(device.class, true)}</div>
      <div class="actions">
        {device.class !== 'verified' && (
          <button
            class="link small"
            type="button"
            disabled={busy}
            onClick={() => void run(() => request('verification.start', { deviceId: device.deviceId }))}
          >
            {t('sessionVerify')}
          </button>
        )}
        {!signingOut && (
          <button class="link small" type="button" onClick={() => setSigningOut(true)}>
            {t('sessionSignOut')}
          </button>
        )}
      </div>
      {signingOut && (
        <SignOutSession
          device={device}
          onDone={() => setSigningOut(false)}
          onSentToAccountPage={() => {
            setSigningOut(false);
            onSentToAccountPage();
          }}
        />
      )}
      <ErrorNotice error={error} />
    </li>
  );
}

/**
 * Signing another session out: confirmed first, with the account password when the server asks
 * for it. A server that delegates auth sends the user to its account page, opened in a new tab;
 * what happened there is asked when they come back (AccountPageSignOuts).
 */
function SignOutSession({
  device,
  onDone,
  onSentToAccountPage,
}: {
  device: OwnDeviceSummary;
  onDone: () => void;
  onSentToAccountPage: () => void;
}) {
  const { deviceId } = device;
  const [needsPassword, setNeedsPassword] = useState(false);
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();
  const signOut = () =>
    void run(async () => {
      const answer = await request('session.signOut', password === '' ? { deviceId } : { deviceId, password });
      setPassword('');
      if (answer.accountPage !== undefined) {
        onSentToAccountPage();
        await browser.tabs.create({ url: answer.accountPage });
      } else if (answer.needsPassword) setNeedsPassword(true);
      else onDone();
    });
  return (
    <form
      class="stacked"
      onSubmit={(event) => {
        event.preventDefault();
        signOut();
      }}
    >
      <p>{needsPassword ? t('sessionSignOutNeedsPassword') : t('sessionSignOutConfirm')}</p>
      {needsPassword && (
        <Field label={t('signInPassword')} name="password" autocomplete="current-password" secret value={password} onInput={setPassword} />
      )}
      <div class="actions">
        <button class="danger" type="submit" disabled={busy}>
          {t('sessionSignOut')}
        </button>
        <button class="link" type="button" disabled={busy} onClick={onDone}>
          {t('recoveryCancel')}
        </button>
      </div>
      <ErrorNotice error={error} />
    </form>
  );
}
