import { setTimeout as delay } from 'node:timers/promises';

const POLL_INTERVAL_MS = 100;

/**
 * Polls `check` until it returns a defined value and resolves with it. Matrix state reaches a
 * client through sync and background key queries, so tests wait for a condition instead of a
 * fixed time. An error thrown by `check` ends the wait at once (e.g. a cancelled verification).
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(POLL_INTERVAL_MS);
  }
}
