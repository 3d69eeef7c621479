/**
 * A server that rate-limits us says when to come back (429 with `retry_after_ms`, or a
 * Retry-After header). matrix-js-sdk ignores that for /sync and its keep-alive: it retries after
 * 2 to 7 s whatever the server said. The extension honours it by holding every request until the
 * retry time has passed, so a rate-limited device does not keep knocking.
 */

/**
 * A hostile or broken server could ask for a wait of days; past this the extension tries again
 * anyway (and says offline meanwhile), so a wrong answer cannot silence the warnings for long.
 */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

/**
 * How long a response asks us to wait before the next request, capped; undefined when it is not
 * a rate limit or names no usable time. `body` is the parsed JSON body, if any. Pure.
 */
export function retryAfterMs(status: number, retryAfterHeader: string | null, body: unknown, now: number): number | undefined {
  if (status !== 429) return undefined;
  let wait: number | undefined;
  if (typeof body === 'object' && body !== null && 'retry_after_ms' in body) {
    const value = body.retry_after_ms;
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) wait = value;
  }
  if (wait === undefined && retryAfterHeader !== null) {
    const header = retryAfterHeader.trim();
    if (/^\d+$/.test(header)) {
      wait = Number(header) * 1000;
    } else {
      const date = Date.parse(header);
      if (!Number.isNaN(date)) wait = Math.max(0, date - now);
    }
  }
  return wait === undefined ? undefined : Math.min(Math.round(wait), MAX_RETRY_AFTER_MS);
}

/**
 * `fetchFn` behind a gate: after a rate-limited answer, every request waits until the server's
 * retry time (an abort still ends the wait at once).
 */
export function rateLimitedFetch(
  fetchFn: typeof fetch,
  now: () => number,
  sleep: (ms: number, signal?: AbortSignal) => Promise<void> = abortableSleep,
): typeof fetch {
  let notBefore = 0;
  return async (input, init) => {
    const wait = notBefore - now();
    if (wait > 0) await sleep(wait, init?.signal ?? undefined);
    const response = await fetchFn(input, init);
    if (response.status === 429) {
      const body: unknown = await response
        .clone()
        .json()
        .catch(() => undefined);
      const ms = retryAfterMs(response.status, response.headers.get('Retry-After'), body, now());
      if (ms !== undefined) notBefore = Math.max(notBefore, now() + ms);
    }
    return response;
  };
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
