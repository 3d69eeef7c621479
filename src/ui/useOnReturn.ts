import { useEffect, useRef } from 'preact/hooks';

/** One return often fires both events: calls this close together count once. */
const SAME_RETURN_MS = 1_000;

/**
 * Calls `onReturn` when the user comes back to this page (it becomes visible again, or its
 * window regains focus): the moment to look at what they did in another tab.
 */
export function useOnReturn(onReturn: () => void): void {
  const latest = useRef(onReturn);
  latest.current = onReturn;
  useEffect(() => {
    let lastAt = -Infinity;
    const returned = () => {
      if (performance.now() - lastAt < SAME_RETURN_MS) return;
      lastAt = performance.now();
      latest.current();
    };
    const visible = () => {
      if (document.visibilityState === 'visible') returned();
    };
    const focused = returned;
    document.addEventListener('visibilitychange', visible);
    window.addEventListener('focus', focused);
    return () => {
      document.removeEventListener('visibilitychange', visible);
      window.removeEventListener('focus', focused);
    };
  }, []);
}
