import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, rateLimitedFetch, retryAfterMs } from '../../../src/matrix/rateLimit';

const now = Date.UTC(2026, 10, 24, 9, 0);

describe('retryAfterMs', () => {
  it('reads retry_after_ms from a 429 body', () => {
    expect(retryAfterMs(429, null, { errcode: 'M_LIMIT_EXCEEDED', retry_after_ms: 4_000 }, now)).toBe(4_000);
  });

  it('prefers the body over the header (the header only has whole seconds)', () => {
    expect(retryAfterMs(429, '5', { retry_after_ms: 4_200 }, now)).toBe(4_200);
  });

  it('reads Retry-After in seconds or as a date when the body names no time', () => {
    expect(retryAfterMs(429, '7', { errcode: 'M_LIMIT_EXCEEDED' }, now)).toBe(7_000);
    expect(retryAfterMs(429, new Date(now + 30_000).toUTCString(), undefined, now)).toBe(30_000);
    expect(retryAfterMs(429, new Date(now - 30_000).toUTCString(), undefined, now)).toBe(0);
  });

  it('caps what a hostile server asks for', () => {
    expect(retryAfterMs(429, null, { retry_after_ms: 10 * 24 * 3600_000 }, now)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterMs(429, '999999', undefined, now)).toBe(MAX_RETRY_AFTER_MS);
  });

  it.each([
    [200, '5', { retry_after_ms: 1_000 }],
    [503, '5', undefined],
    [429, null, undefined],
    [429, 'soon', { retry_after_ms: 'soon' }],
    [429, null, { retry_after_ms: -5 }],
    [429, null, { retry_after_ms: Number.NaN }],
  ])('names no wait for status %d, header %s, body %o', (status, header, body) => {
    expect(retryAfterMs(status, header, body, now)).toBeUndefined();
  });
});

describe('rateLimitedFetch', () => {
  function fakeServer(responses: Response[]) {
    let clock = now;
    const sleeps: number[] = [];
    const calls: number[] = [];
    const fetchFn = rateLimitedFetch(
      () => {
        calls.push(clock);
        return Promise.resolve(responses.shift() ?? new Response('{}'));
      },
      () => clock,
      (ms) => {
        sleeps.push(ms);
        clock += ms;
        return Promise.resolve();
      },
    );
    return { fetchFn, sleeps, calls, advance: (ms: number) => (clock += ms) };
  }

  const limited = (ms: number) => new Response(JSON.stringify({ errcode: 'M_LIMIT_EXCEEDED', retry_after_ms: ms }), { status: 429 });

  it('holds the next request until the retry time, and no longer', async () => {
    const server = fakeServer([limited(9_000)]);
    expect((await server.fetchFn('https://hs/sync')).status).toBe(429);
    server.advance(2_000);
    expect((await server.fetchFn('https://hs/versions')).status).toBe(200);
    expect(server.sleeps).toEqual([7_000]);
    expect(server.calls).toEqual([now, now + 9_000]);
    await server.fetchFn('https://hs/sync');
    expect(server.sleeps).toEqual([7_000]);
  });

  it('passes every other answer through without waiting', async () => {
    const server = fakeServer([new Response('x', { status: 502 }), new Response('{}', { status: 200 })]);
    await server.fetchFn('https://hs/sync');
    await server.fetchFn('https://hs/sync');
    expect(server.sleeps).toEqual([]);
  });

  it('lets the SDK still read the 429 body', async () => {
    const server = fakeServer([limited(1_000)]);
    const response = await server.fetchFn('https://hs/sync');
    expect(await response.json()).toMatchObject({ retry_after_ms: 1_000 });
  });

  it('gives up waiting when the request is aborted', async () => {
    const fetchFn = rateLimitedFetch(() => Promise.resolve(limited(60_000)), Date.now);
    await fetchFn('https://hs/sync');
    const aborted = new AbortController();
    const waiting = fetchFn('https://hs/sync', { signal: aborted.signal });
    aborted.abort(new DOMException('stopped', 'AbortError'));
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
  });
});
