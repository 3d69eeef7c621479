import { request } from '../messaging/backgroundClient';
import type { OwnReset } from '../trust/types';
import { t } from '../text/i18n';
import { memberName } from '../validation/displayText';
import { extensionNeedsVerifyingFirst, ownResetSentence } from './identityCauseView';
import { ErrorNotice, useAction } from './useAction';
import { useLive } from './useLive';

/**
 * "You reset your digital identity…": our own reset said as ours, with everyone it left needing
 * verification again and a Verify (emoji) for each, once this extension is verified with the new
 * identity (before that, it says to verify the extension first). Critical in tone: they are not verified.
 */
export function OwnResetNotice({ reset, contacts }: { reset: OwnReset; contacts: readonly { userId: string; displayName?: string }[] }) {
  const { busy, error, run } = useAction();
  const security = useLive('security');
  const extensionUnverified = extensionNeedsVerifyingFirst(security);
  // Verify only once this extension is known to be verified: it signs with the identity's keys.
  const canVerify = security.phase === 'live' && security.value.status?.thisDeviceVerified === true;
  return (
    <div class="notice own-reset severity-critical" data-own-reset={contacts.map((contact) => contact.userId).join(' ')}>
      <p>{ownResetSentence(reset)}</p>
      {extensionUnverified && <p class="own-reset-first">{t('ownResetVerifyExtensionFirst')}</p>}
      <ul class="own-reset-contacts">
        {contacts.map((contact) => (
          <li key={contact.userId} data-user={contact.userId}>
            <span class="member-name" title={memberName(contact.userId, contact.displayName)}>
              {memberName(contact.userId, contact.displayName)}
            </span>{' '}
            {/* Until this extension is verified with the new identity it holds no key to sign them with: no dead button. */}
            {canVerify && (
              <button
                class="link small"
                type="button"
                disabled={busy}
                onClick={() => void run(() => request('verification.start', { userId: contact.userId }))}
              >
                {t('memberVerify', memberName(contact.userId, contact.displayName))}
              </button>
            )}
          </li>
        ))}
      </ul>
      <ErrorNotice error={error} />
    </div>
  );
}
