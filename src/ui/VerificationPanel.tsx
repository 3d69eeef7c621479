import { request } from '../messaging/backgroundClient';
import type { VerificationView } from '../messaging/protocol';
import { t } from '../text/i18n';
import { ErrorNotice, useAction } from './useAction';

/** An emoji verification in progress, started here or by another device (one phase per branch, hence its length). */
export function VerificationPanel({ view, ownUserId }: { view: Exclude<VerificationView, { phase: 'none' }>; ownUserId: string }) {
  const { busy, error, run } = useAction();
  const act = (
    kind: 'verification.accept' | 'verification.confirm' | 'verification.mismatch' | 'verification.cancel' | 'verification.dismiss',
  ) => void run(() => request(kind, {}));
  const withWhom = view.otherUserId === ownUserId ? t('verifyWithOwnDevice') : t('verifyWithUser', view.otherUserId);
  return (
    <section class="panel verification" aria-labelledby="verification-heading" data-phase={view.phase}>
      <h2 id="verification-heading">{t('verificationHeading')}</h2>
      <p class="subtitle">{withWhom}</p>
      {view.phase === 'requested' && <p>{t('verificationRequested')}</p>}
      {view.phase === 'incoming' && <p>{t('verificationIncoming')}</p>}
      {view.phase === 'starting' && <p>{t('verificationStarting')}</p>}
      {view.phase === 'emoji' && (
        <>
          <p>{t('verificationCompare')}</p>
          <ol class="emoji" aria-label={t('verificationEmojiLabel')}>
            {view.emoji.map(([symbol, name]) => (
              <li key={name}>
                <span class="emoji-symbol" aria-hidden="true">
                  {symbol}
                </span>
                <span class="emoji-name">{name}</span>
              </li>
            ))}
          </ol>
        </>
      )}
      {view.phase === 'confirmed' && <p>{t('verificationConfirmed')}</p>}
      {view.phase === 'done' && <p class="all-clear">{t('verificationDone')}</p>}
      {view.phase === 'cancelled' && <p class="notice error">{view.reason}</p>}
      <ErrorNotice error={error} />
      <div class="actions">
        {view.phase === 'incoming' && (
          <button class="primary" type="button" disabled={busy} onClick={() => act('verification.accept')}>
            {t('verificationAccept')}
          </button>
        )}
        {view.phase === 'emoji' && (
          <>
            <button class="primary" type="button" disabled={busy} onClick={() => act('verification.confirm')}>
              {t('verificationMatch')}
            </button>
            <button class="danger" type="button" disabled={busy} onClick={() => act('verification.mismatch')}>
              {t('verificationNoMatch')}
            </button>
          </>
        )}
        {(view.phase === 'requested' || view.phase === 'incoming' || view.phase === 'starting' || view.phase === 'confirmed') && (
          <button class="link" type="button" disabled={busy} onClick={() => act('verification.cancel')}>
            {view.phase === 'incoming' ? t('verificationDecline') : t('verificationCancel')}
          </button>
        )}
        {(view.phase === 'done' || view.phase === 'cancelled') && (
          <button class="link" type="button" onClick={() => act('verification.dismiss')}>
            {t('verificationDismiss')}
          </button>
        )}
      </div>
    </section>
  );
}
