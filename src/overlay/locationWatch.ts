/** The parts of a window the watch reads (the page's window in a content script; a fake in tests). */
export interface WatchedWindow {
  readonly location: { readonly href: string };
  readonly document: Document;
  addEventListener(type: 'popstate' | 'hashchange', listener: () => void): void;
  removeEventListener(type: 'popstate' | 'hashchange', listener: () => void): void;
  /** The Navigation API (Chromium, and Firefox ESR 153 as tested); absent in older browsers. */
  readonly navigation?: NavigationLike;
  setInterval(handler: () => void, ms: number): number;
  clearInterval(handle: number): void;
}

interface NavigationLike {
  addEventListener(type: 'currententrychange' | 'navigatesuccess', listener: () => void): void;
  removeEventListener(type: 'currententrychange' | 'navigatesuccess', listener: () => void): void;
}

/** The last resort, for a page that changes its URL with no event and no DOM change. */
export const LOCATION_POLL_MS = 250;

/**
 * Calls `onChange` whenever the page's URL has changed, reading the URL only once it has
 * committed, so a room is never taken from the URL the page is leaving. A navigation's
 * `navigate` event (what WXT's watcher listens to) fires before `pushState` commits, while
 * `location.href` still names the old room; these sources all fire after it:
 * - `currententrychange` (Navigation API): push, replace, traverse, hash and
 *   intercepted navigations, synchronously as the URL changes, before the next frame;
 * - `popstate` and `hashchange`: back/forward and hash routing, in every browser;
 * - DOM mutations: a router that pushes a URL re-renders the page, and the observer runs
 *   before the frame is painted (browsers without the Navigation API);
 * - a poll every LOCATION_POLL_MS for anything else.
 * Each only compares strings, so sources firing together cost nothing. It all stops when
 * `signal` is aborted.
 */
export function watchLocation(win: WatchedWindow, onChange: (href: string) => void, signal: AbortSignal): void {
  if (signal.aborted) return;
  let last = win.location.href;
  const check = () => {
    const href = win.location.href;
    if (href === last) return;
    last = href;
    onChange(href);
  };
  const navigation = typeof win.navigation?.addEventListener === 'function' ? win.navigation : undefined;
  navigation?.addEventListener('currententrychange', check);
  navigation?.addEventListener('navigatesuccess', check);
  win.addEventListener('popstate', check);
  win.addEventListener('hashchange', check);
  const observer = new MutationObserver(check);
  observer.observe(win.document.documentElement, { childList: true, subtree: true });
  const poll = win.setInterval(check, LOCATION_POLL_MS);
  signal.addEventListener(
    'abort',
    () => {
      navigation?.removeEventListener('currententrychange', check);
      navigation?.removeEventListener('navigatesuccess', check);
      win.removeEventListener('popstate', check);
      win.removeEventListener('hashchange', check);
      observer.disconnect();
      win.clearInterval(poll);
    },
    { once: true },
  );
}
