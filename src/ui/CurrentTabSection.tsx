import { useEffect, useState } from 'preact/hooks';
import { WatchRoomToggle } from './WatchRoomToggle';
import browser from 'webextension-polyfill';
import { request } from '../messaging/backgroundClient';
import { looksLikeMatrixClient } from '../clients/looksLikeMatrixClient';
import { siteOriginFrom } from '../validation/siteOrigin';
import { t } from '../text/i18n';
import { RoomWarnings } from './RoomWarnings';
import { useLive } from './useLive';
import { nameOr } from '../validation/displayText';
import { describeRoomNews, type Freshness } from './roomNewsView';
import { describeTab, type TabLookup } from './tabView';

/** What the extension knows about the tab the popup was opened over, asked once per opening. */
export function useActiveTabState(): TabLookup {
  const [lookup, setLookup] = useState<TabLookup>({ phase: 'loading' });
  useEffect(() => {
    // The popup may close (and this component unmount) while the lookup runs.
    const mounted = { current: true };
    void (async () => {
      try {
        // The window the user last focused is the one whose toolbar button opened this popup
        // (and, for a popup opened in its own window, the page it was opened over).
        const [tab] = await browser.tabs.query({ active: true, lastFocusedWindow: true });
        const state = tab?.id === undefined ? null : await request('tab.state', { tabId: tab.id });
        const suggest = state || tab?.id === undefined ? undefined : await suggestionFor(tab.id, tab.url);
        if (mounted.current) setLookup(state ? { phase: 'known', state } : { phase: 'none', suggest });
      } catch {
        // No tab to speak of (a devtools window), or the background is restarting.
        if (mounted.current) setLookup({ phase: 'none' });
      }
    })();
    return () => {
      mounted.current = false;
    };
  }, []);
  return lookup;
}

/**
 * "Is anything wrong in the room I am looking at?": the web client and room in the active tab,
 * its new warnings by severity and who they are about, with the actions that settle them.
 */
export function CurrentTabSection({ ownUserId, freshness, lookup }: { ownUserId: string; freshness: Freshness; lookup: TabLookup }) {
  const view = describeTab(lookup);
  return (
    <section id="current-tab" class="current-tab" aria-labelledby="current-tab-heading" data-tab-phase={lookup.phase}>
      <h2 id="current-tab-heading">{t('currentTabHeading')}</h2>
      {view.kind === 'notice' && <p class="notice">{view.text}</p>}
      {view.kind === 'notice' && view.suggest !== undefined && <WatchSuggestion origin={view.suggest} />}
      {view.kind === 'room' && <RoomReview roomId={view.roomId} ownUserId={ownUserId} client={view.client} freshness={freshness} />}
    </section>
  );
}

/**
 * The active tab's https origin when its page looks like a Matrix web client. Reading the page
 * needs the activeTab grant, which only the user's click on the toolbar button gives; without
 * it (or on pages the browser protects) there is simply no suggestion.
 */
async function suggestionFor(tabId: number, url: string | undefined): Promise<string | undefined> {
  const origin = url === undefined ? undefined : siteOriginFrom(url);
  if (origin === undefined) return undefined;
  try {
    const [result] = await browser.scripting.executeScript({ target: { tabId }, func: looksLikeMatrixClient });
    return result?.result === true ? origin : undefined;
  } catch {
    return undefined;
  }
}

function WatchSuggestion({ origin }: { origin: string }) {
  // The settings page asks for the permission: a permission prompt would close this popup.
  const open = () => void browser.tabs.create({ url: `${browser.runtime.getURL('/options.html')}#add=${encodeURIComponent(origin)}` });
  return (
    <p class="suggestion">
      {t('currentTabLooksLikeMatrix', origin)}{' '}
      <button class="link small" type="button" onClick={open}>
        {t('currentTabWatchSite')}
      </button>
    </p>
  );
}

/** One room's warnings, live: used for the active tab's room and for the page banner's Review. */
export function RoomReview(props: { roomId: string; ownUserId: string; client?: string; freshness: Freshness }) {
  const { roomId, ownUserId, client, freshness } = props;
  const report = useLive('room', roomId);
  if (report.phase === 'loading') return <p class="notice">{t('roomLoading')}</p>;
  if (report.phase !== 'live') return <p class="notice">{report.phase === 'lost' ? report.message : report.reason}</p>;
  const news = describeRoomNews(report.value, freshness);
  return (
    <div class="room-review" data-room={roomId}>
      <p class="room-title">
        <span class="room-name" title={nameOr(report.value.name, roomId)}>
          {nameOr(report.value.name, roomId)}
        </span>
        {client !== undefined && <span class="subtitle"> · {t('currentTabIn', client)}</span>}
      </p>
      {report.value.encrypted && <p class={`room-summary tone-${news.tone}`}>{news.text}</p>}
      <RoomWarnings report={report.value} ownUserId={ownUserId} />
      <WatchRoomToggle roomId={roomId} />
    </div>
  );
}
