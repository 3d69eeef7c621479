import { request } from '../messaging/backgroundClient';
import type { AlertSettings } from '../messaging/protocol';
import { noticeText } from '../text/alertText';
import { t } from '../text/i18n';
import type { AlertKind } from '../trust/alertPolicy';
import { ErrorNotice } from './useAction';
import { useBackedToggle } from './useBackedToggle';
import { useLive } from './useLive';

/** A function, so the messages are looked up when shown, not when this module loads. */
const kinds = (): { kind: AlertKind; title: string; detail: string }[] => [
  { kind: 'own-unsigned-session', title: t('alertKindOwnUnsignedTitle'), detail: t('alertKindOwnUnsignedDetail') },
  { kind: 'verified-identity-changed', title: t('alertKindVerifiedChangedTitle'), detail: t('alertKindVerifiedChangedDetail') },
  { kind: 'critical-any-room', title: t('alertKindCriticalTitle'), detail: t('alertKindCriticalDetail') },
  { kind: 'watched-room', title: t('alertKindWatchedTitle'), detail: t('alertKindWatchedDetail') },
];

/** Settings: which warnings become browser notifications, live from the background. */
export function AlertsSection() {
  const settings = useLive('alerts');
  return (
    <section aria-labelledby="alerts-heading" class="alerts">
      <h2 id="alerts-heading">{t('alertsHeading')}</h2>
      <p class="subtitle">{t('alertsIntro')}</p>
      {settings.phase === 'live' && <AlertKindToggles settings={settings.value} />}
      {(settings.phase === 'lost' || settings.phase === 'unavailable') && (
        <p class="notice">{settings.phase === 'lost' ? settings.message : settings.reason}</p>
      )}
      <NotificationPreview />
    </section>
  );
}

function AlertKindToggles({ settings }: { settings: AlertSettings }) {
  return (
    <fieldset class="choices">
      <legend class="visually-hidden">{t('alertsLegend')}</legend>
      {kinds().map((choice) => (
        <AlertKindToggle key={choice.kind} {...choice} enabled={settings.kinds[choice.kind]} />
      ))}
    </fieldset>
  );
}

function AlertKindToggle(props: { kind: AlertKind; title: string; detail: string; enabled: boolean }) {
  const { kind, title, detail, enabled } = props;
  const toggle = useBackedToggle(enabled, (value) => request('alerts.setKind', { kind, enabled: value }));
  return (
    <label class="choice">
      <input
        type="checkbox"
        name={`alert-${kind}`}
        checked={toggle.checked}
        onChange={(event) => toggle.set(event.currentTarget.checked)}
      />
      <span>
        <strong>{title}</strong>
        <br />
        <span class="subtitle">{detail}</span>
        <ErrorNotice error={toggle.error} />
      </span>
    </label>
  );
}

/**
 * What a notification says, drawn as the system would show it: its words come from the same
 * function the background uses (system notifications never appear in page screenshots).
 */
function NotificationPreview() {
  const sample = noticeText({
    kind: 'room',
    roomId: '!sample:example.org',
    roomName: t('alertsPreviewRoom'),
    alerts: [
      {
        key: 'sample',
        kind: 'own-unsigned-session',
        roomId: '!sample:example.org',
        userId: '@you:example.org',
        device: { deviceId: 'SAMPLE', displayName: t('alertsPreviewDevice') },
      },
    ],
  });
  return (
    <figure class="notification-preview" aria-labelledby="alerts-preview-heading">
      <figcaption id="alerts-preview-heading" class="subtitle">
        {t('alertsPreviewHeading')}
      </figcaption>
      <div class="notification-sample">
        <img src="/icon/128.png" alt="" width={40} height={40} />
        <div>
          <strong class="notification-title">{sample.title}</strong>
          <p class="notification-message">{sample.message}</p>
        </div>
      </div>
    </figure>
  );
}
