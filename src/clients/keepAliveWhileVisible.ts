/**
 * Chrome stops an extension's service worker after about 30 s without events, and with it the
 * sync that keeps warnings fresh. While a watched web client is on screen, its content script
 * pings the background often enough to keep it running; hidden tabs let it rest.
 */
export const KEEP_ALIVE_INTERVAL_MS = 20_000;

interface VisibilitySource {
  readonly visibilityState: DocumentVisibilityState;
  addEventListener(type: 'visibilitychange', listener: () => void): void;
  removeEventListener(type: 'visibilitychange', listener: () => void): void;
}

/** Pings while `page` is visible, until `signal` is aborted. */
export function keepAliveWhileVisible(
  page: VisibilitySource,
  ping: () => void,
  signal: AbortSignal,
  intervalMs = KEEP_ALIVE_INTERVAL_MS,
): void {
  if (signal.aborted) return;
  let timer: ReturnType<typeof setInterval> | undefined;
  const update = () => {
    if (page.visibilityState === 'visible' && timer === undefined) {
      ping();
      timer = setInterval(ping, intervalMs);
    } else if (page.visibilityState !== 'visible' && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  page.addEventListener('visibilitychange', update);
  update();
  signal.addEventListener(
    'abort',
    () => {
      page.removeEventListener('visibilitychange', update);
      if (timer !== undefined) clearInterval(timer);
    },
    { once: true },
  );
}
