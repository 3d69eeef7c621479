import { useEffect, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import type { ExtensionStatus, TrustOverview } from '../../src/messaging/protocol';
import { roomId as isRoomId } from '../../src/validation/shape';
import { BrandHeader } from '../../src/ui/BrandHeader';
import { CurrentTabSection, RoomReview, useActiveTabState } from '../../src/ui/CurrentTabSection';
import { OwnSessions } from '../../src/ui/OwnSessions';
import { SecuritySection } from '../../src/ui/SecuritySection';
import { SignInForm } from '../../src/ui/SignInForm';
import { StatusLineView } from '../../src/ui/StatusLineView';
import { t } from '../../src/text/i18n';
import { describeAccount, describeCryptoEngine, describeLedgerSetAside, describeSync } from '../../src/ui/statusView';
import { describeTab } from '../../src/ui/tabView';
import { useLive } from '../../src/ui/useLive';
import { VerdictCard } from '../../src/ui/VerdictCard';
import { describeVerdict, type VerdictAction } from '../../src/ui/verdictView';
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
      <BrandHeader />
      <section class="popup-body" aria-live="polite" aria-busy={state.phase === 'loading'}>
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
  const signedIn = account.state === 'signed-in';
  const overview = useLive('overview');
  const security = useLive('security');
  const tab = useActiveTabState();
  const [openRoomId, setOpenRoomId] = useState<string | undefined>();
  const tabView = describeTab(tab);
  const tabRoomId = tabView.kind === 'room' ? tabView.roomId : undefined;
  const verdict = describeVerdict({
    account,
    cryptoEngine: status.cryptoEngine,
    ...(overview.phase === 'live' && { overview: overview.value }),
    ...(security.phase === 'live' && { security: security.value }),
    ...(tabRoomId !== undefined && { tabRoomId }),
    now: Date.now(),
  });
  const goTo = (action: VerdictAction) => {
    if (action.target === 'room') setOpenRoomId(action.roomId);
    // After the room opened: bring the target into view and put the keyboard there. The setup's
    // own first step (set up recovery, verify with the key) is what the action named: take it.
    requestAnimationFrame(() => {
      const target = document.getElementById(action.target === 'room' ? `room-${action.roomId}` : action.target);
      target?.scrollIntoView({ block: 'start' });
      const step = action.target === 'security' ? target?.querySelector<HTMLElement>('button.primary') : undefined;
      if (step) step.click();
      else target?.querySelector<HTMLElement>('input, button, summary')?.focus({ preventScroll: true });
    });
  };
  const setAside = describeLedgerSetAside(status.ledgerSetAside);
  const tabHasNews = tabRoomId !== undefined && overview.phase === 'live' && hasNews(overview.value, tabRoomId);
  const freshness = signedIn ? freshnessOf(account.sync) : undefined;
  const tabSection = signedIn && freshness && reviewing === undefined && (
    <CurrentTabSection ownUserId={account.userId} freshness={freshness} lookup={tab} />
  );
  return (
    <>
      <VerdictCard verdict={verdict} onAction={goTo} />
      {status.cryptoEngine.state !== 'ready' && <StatusLineView line={describeCryptoEngine(status.cryptoEngine)} />}
      {setAside && <StatusLineView line={setAside} />}
      {account.state === 'signed-out' && (
        <div id="sign-in">
          <SignInForm deviceGrant={account.deviceGrant} />
        </div>
      )}
      {signedIn && freshness && (
        <>
          {reviewing !== undefined && (
            <section class="current-tab" aria-labelledby="review-heading">
              <h2 id="review-heading">{t('reviewHeading')}</h2>
              <RoomReview roomId={reviewing} ownUserId={account.userId} freshness={freshness} />
            </section>
          )}
          {tabHasNews && tabSection}
          <section aria-labelledby="rooms-heading">
            <h2 id="rooms-heading">{t('popupRoomsHeading')}</h2>
            <TrustOverviewPanel ownUserId={account.userId} freshness={freshness} overview={overview} openRoomId={openRoomId} />
          </section>
          <OwnSessions devices={account.ownDevices ?? []} />
          <SecuritySection ownUserId={account.userId} foldWhenReady />
          {!tabHasNews && tabSection}
          <div class="account-lines">
            <StatusLineView line={describeAccount(account)} />
            <StatusLineView line={describeSync(account.sync, Date.now())} />
          </div>
        </>
      )}
    </>
  );
}

/** Whether the room has warnings the user has not acknowledged yet. */
function hasNews(overview: TrustOverview, roomId: string): boolean {
  const room = overview.rooms.find((summary) => summary.roomId === roomId);
  return room !== undefined && room.newWarnings.warn + room.newWarnings.critical > 0;
}
