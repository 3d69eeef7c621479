import browser from 'webextension-polyfill';
import type { ClientAdapter } from '../clients/clientAdapter';
import { keepAliveWhileVisible } from '../clients/keepAliveWhileVisible';
import { createLogger } from '../log';
import { request, subscribe } from '../messaging/backgroundClient';
import { isPlainObject } from '../validation/shape';
import { watchLocation } from './locationWatch';
import { watchPage, type PageBackground } from './pageWatch';

/** What the content script's context gives us (WXT's ContentScriptContext, narrowed). */
export interface ScriptContext {
  /**
   * Aborted when this copy of the script ends: the extension was updated or removed, or a newer
   * copy started in the page (WXT stops older ones: two added sites on one host register the
   * same pattern, since match patterns have no port). Everything started here ends with it.
   */
  readonly signal: AbortSignal;
  setTimeout(handler: () => void, timeout: number): number;
}

/** Client apps render after `document_idle`; look again as the page fills, for this long. */
const DETECT_FOR_MS = 60_000;
const DETECT_EVERY_MS = 500;

const log = createLogger('page');

const background: PageBackground = {
  hello: async (client) => {
    await request('page.hello', client === undefined ? { understood: false } : { understood: true, client });
  },
  showRoom: async (room) => (await request('page.room', { room })).roomId,
  review: async (roomId) => {
    await request('page.review', { roomId });
  },
  shown: async (roomId, banner, userIds) => (await request('page.shown', { roomId, banner, userIds })).counted,
  disagreed: async (roomId, users) => {
    await request('page.disagrees', { roomId, users });
  },
  followRoom: ({ onView, onUnavailable, onLost }) => subscribe('pageRoom', { onValue: onView, onUnavailable, onLost }),
};

/**
 * Starts the in-page half on a watched page: finds the client's adapter (waiting a while for
 * single-page apps to render), then lets `watchPage` do the rest. Everything it learns from
 * the page is a room reference and user ids; everything it shows comes from the background.
 */
export function startInPage(ctx: ScriptContext, pickAdapter: (doc: Document, url: URL) => ClientAdapter | undefined): void {
  const { signal } = ctx;
  if (signal.aborted) return;
  const here = () => new URL(location.href);
  const startedAt = Date.now();
  let watch = watchPage({ doc: document, adapter: pickAdapter(document, here()), url: here, background, onError });
  /** Not understood yet: the app may still be rendering, or showing its login screen. */
  const lookAgain = () => {
    if (watch.painter) return;
    const adapter = pickAdapter(document, here());
    if (!adapter) return;
    observer.disconnect();
    watch.stop();
    watch = watchPage({ doc: document, adapter, url: here, background, onError });
  };
  // While the app renders, look again at most twice a second; after that, on navigation only.
  let pending = false;
  const observer = new MutationObserver(() => {
    if (pending) return;
    pending = true;
    ctx.setTimeout(() => {
      pending = false;
      lookAgain();
      if (Date.now() - startedAt > DETECT_FOR_MS) observer.disconnect();
    }, DETECT_EVERY_MS);
  });
  if (!watch.painter) observer.observe(document.documentElement, { childList: true, subtree: true });

  // The room follows the URL once it has committed, however the page navigated.
  watchLocation(
    window,
    () => {
      lookAgain();
      watch.locationChanged();
    },
    signal,
  );
  const onMessage = (message: unknown) => {
    // Only the extension can message a content script; the check guards our own mistakes.
    if (isPlainObject(message) && message.kind === 'page.recheck') watch.recheck();
  };
  browser.runtime.onMessage.addListener(onMessage);
  keepAliveWhileVisible(
    document,
    () => {
      watch.visible();
      void request('page.visible', {}).catch(() => undefined);
    },
    signal,
  );
  // This copy ends: take everything we drew with us.
  signal.addEventListener(
    'abort',
    () => {
      observer.disconnect();
      browser.runtime.onMessage.removeListener(onMessage);
      watch.stop();
    },
    { once: true },
  );
}

function onError(what: string): void {
  // Quiet in the page: the toolbar icon, not the page, tells the user.
  log.warn('background unreachable', { what });
}
