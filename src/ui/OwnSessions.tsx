import { useState } from 'preact/hooks';
import { request } from '../messaging/backgroundClient';
import type { OwnDeviceSummary } from '../messaging/protocol';
import type { DeviceClass } from '../trust/types';
import { t } from '../text/i18n';
import { describeDeviceClass } from '../text/deviceClassText';
import { ErrorNotice, useAction } from './useAction';
import { nameOr } from '../validation/displayText';

const ORDER: Record<DeviceClass, number> = { 'conflicting-key': 0, 'unsigned-of-verified': 0, unsigned: 1, 'owner-signed': 2, verified: 3 };

/**
 * The account's other sessions, suspicious ones first: an own session the identity never
 * signed is the classic sign of a stolen password. Each can be verified or signed out.
 */
export function OwnSessions({ devices }: { devices: readonly OwnDeviceSummary[] }) {
  if (devices.length === 0) return null;
  const sorted = [...devices].sort((a, b) => ORDER[a.class] - ORDER[b.class]);
  return (
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">{t('ownSessionsHeading')}</h2>
      <ul class="sessions">
        {sorted.map((device) => (
          <OwnSession key={device.deviceId} device={device} />
        ))}
      </ul>
    </section>
  );
}

function OwnSession({ device }: { device: OwnDeviceSummary }) {
  const [signingOut, setSigningOut] = useState<'confirm' | 'password' | undefined>();
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();
  const signOut = () =>
    void run(async () => {
      const { needsPassword } = await request(
        'session.signOut',
        password === '' ? { deviceId: device.deviceId } : { deviceId: device.deviceId, password },
      );
      setPassword('');
      setSigningOut(needsPassword ? 'password' : undefined);
    });
  const critical = device.class === 'unsigned-of-verified';
  return (
    <li class={`session ${critical ? 'severity-critical' : ''}`} data-device={device.deviceId}>
      <div>
        <span class="device-name">{nameOr(device.displayName, t('unnamedSession'))}</span> <span class="mono">{device.deviceId}</span>
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
        {signingOut === undefined && (
          <button class="link small" type="button" onClick={() => setSigningOut('confirm')}>
            {t('sessionSignOut')}
          </button>
        )}
      </div>
      {signingOut !== undefined && (
        <form
          class="stacked"
          onSubmit={(event) => {
            event.preventDefault();
            signOut();
          }}
        >
          <p>{signingOut === 'password' ? t('sessionSignOutNeedsPassword') : t('sessionSignOutConfirm')}</p>
          {signingOut === 'password' && (
            <label>
              {t('signInPassword')}
              <input
                type="password"
                name="password"
                autocomplete="current-password"
                required
                value={password}
                onInput={(e) => setPassword(e.currentTarget.value)}
              />
            </label>
          )}
          <div class="actions">
            <button class="danger" type="submit" disabled={busy}>
              {t('sessionSignOut')}
            </button>
            <button class="link" type="button" disabled={busy} onClick={() => setSigningOut(undefined)}>
              {t('recoveryCancel')}
            </button>
          </div>
        </form>
      )}
      <ErrorNotice error={error} />
    </li>
  );
}
