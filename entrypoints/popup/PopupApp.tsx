import { useEffect } from 'preact/hooks';
import browser from 'webextension-polyfill';
import type { ExtensionStatus } from '../../src/messaging/protocol';
import { roomId as isRoomId } from '../../src/validation/shape';
import { BrandHeader } from '../../src/ui/BrandHeader';
import { CurrentTabSection, RoomReview } from '../../src/ui/CurrentTabSection';
import { OwnSessions } from '../../src/ui/OwnSessions';
import { SecuritySection } from '../../src/ui/SecuritySection';
import { SignInForm } from '../../src/ui/SignInForm';
import { StatusLineView } from '../../src/ui/StatusLineView';
import { t } from '../../src/text/i18n';
import { describeAccount, describeCryptoEngine, describeLedgerSetAside, describeOwnDevices, describeSync } from '../../src/ui/statusView';
import { TrustOverviewPanel } from '../../src/ui/TrustOverviewPanel';
import { freshnessOf } from '../../src/ui/roomNewsView';
import { useExtensionStatus } from '../../src/ui/useExtensionStatus';

const STATUS_PAINTED = 'status-painted';

/** The toolbar popup: is this extension working, is anything wrong with my account or rooms. */
export function PopupApp() {
  const state = useExtensionStatus();
  const live = state.phase === 'live';
  useEffect(() => {
    // For the popup_first_render_ms benchmark: when the first real status reached the screen.
    if (live && performance.getEntriesByName(STATUS_PAINTED).length === 0) requestAnimationFrame(() => performance.mark(STATUS_PAINTED));
  }, [live]);
  const openOptions = () => void browser.runtime.openOptionsPage();
  return (
    <main>
      <BrandHeader subtitle={t('popupSubtitle')} />
      <section aria-live="polite" aria-busy={state.phase === 'loading'}>
        {state.phase === 'loading' && <p class="notice">{t('statusLoading')}</p>}
        {state.phase === 'lost' && <p class="notice error">{state.message}</p>}
        {state.phase === 'unavailable' && <p class="notice error">{state.reason}</p>}
        {state.phase === 'live' && <PopupStatus status={state.value} />}
      </section>
      <footer>
        <button class="link" type="button" onClick={openOptions}>
          {t('popupSettingsButton')}
        </button>
      </footer>
    </main>
  );
}

/**
 * The room the in-page banner's Review button asked about: the background opens the popup
 * in a tab as popup.html#room=<id>. Anything else in the hash is ignored.
 */
function roomUnderReview(): string | undefined {
  const match = /^#room=([^&]+)$/.exec(location.hash);
  if (!match?.[1]) return undefined;
  try {
    const roomId = decodeURIComponent(match[1]);
    return isRoomId(roomId) ? roomId : undefined;
  } catch {
    return undefined;
  }
}

function PopupStatus({ status }: { status: ExtensionStatus }) {
  const { account } = status;
  const reviewing = roomUnderReview();
  const ownDevices = account.state === 'signed-in' ? describeOwnDevices(account.ownDevices) : undefined;
  const setAside = describeLedgerSetAside(status.ledgerSetAside);
  return (
    <>
      {ownDevices && <StatusLineView line={ownDevices} />}
      <StatusLineView line={describeAccount(account)} />
      {account.state === 'signed-in' && <StatusLineView line={describeSync(account.sync, Date.now())} />}
      {status.cryptoEngine.state !== 'ready' && <StatusLineView line={describeCryptoEngine(status.cryptoEngine)} />}
      {setAside && <StatusLineView line={setAside} />}
      {account.state === 'signed-out' && <SignInForm deviceGrant={account.deviceGrant} />}
      {account.state === 'signed-in' && (
        <>
          {reviewing === undefined ? (
            <CurrentTabSection ownUserId={account.userId} freshness={freshnessOf(account.sync)} />
          ) : (
            <section class="current-tab" aria-labelledby="review-heading">
              <h2 id="review-heading">{t('reviewHeading')}</h2>
              <RoomReview roomId={reviewing} ownUserId={account.userId} freshness={freshnessOf(account.sync)} />
            </section>
          )}
          <SecuritySection ownUserId={account.userId} />
          <section aria-labelledby="rooms-heading">
            <h2 id="rooms-heading">{t('popupRoomsHeading')}</h2>
            <TrustOverviewPanel ownUserId={account.userId} freshness={freshnessOf(account.sync)} />
          </section>
          <OwnSessions devices={account.ownDevices ?? []} />
        </>
      )}
    </>
  );
}
