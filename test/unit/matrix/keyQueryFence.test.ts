import { describe, expect, it } from 'vitest';
import { KeyQueryFence } from '../../../src/matrix/keyQueryFence';

const QUERY = 'https://hs.example/_matrix/client/v3/keys/query';
const init = { method: 'POST', body: JSON.stringify({ device_keys: { '@alice:example.org': [] } }) };

/** A server whose answers say which identity it holds now, and the requests it got. */
function server() {
  const state = { identity: 'old', sent: [] as string[] };
  const fetchFn: typeof fetch = (input) => {
    state.sent.push(input instanceof Request ? input.url : input.toString());
    return Promise.resolve(new Response(JSON.stringify({ master: state.identity })));
  };
  return { state, fetchFn };
}

const identityIn = async (response: Response) => ((await response.json()) as { master: string }).master;

describe('the key query fence', () => {
  it('hands answers on as they come while open', async () => {
    const { state, fetchFn } = server();
    const fenced = new KeyQueryFence().wrap(fetchFn);
    expect(await identityIn(await fenced(QUERY, init))).toBe('old');
    expect(state.sent).toEqual([QUERY]);
  });

  it('holds an answer from before the reset, and asks again once the new identity is up', async () => {
    const { state, fetchFn } = server();
    const fence = new KeyQueryFence();
    const fenced = fence.wrap(fetchFn);
    let answered: Response | undefined;
    await fence.closedWhile(async () => {
      const pending = fenced(QUERY, init).then((response) => (answered = response));
      // The server answers at once, naming the old identity; the reset then uploads the new one.
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(answered).toBeUndefined();
      state.identity = 'new';
      void pending;
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(answered && (await identityIn(answered))).toBe('new');
    expect(state.sent).toEqual([QUERY, QUERY]);
  });

  it('lets every other request through while closed, and opens even when the reset fails', async () => {
    const { state, fetchFn } = server();
    const fence = new KeyQueryFence();
    const fenced = fence.wrap(fetchFn);
    await expect(
      fence.closedWhile(async () => {
        expect((await fenced('https://hs.example/_matrix/client/v3/sync', undefined)).ok).toBe(true);
        expect((await fenced(QUERY, { ...init, method: 'GET' })).ok).toBe(true);
        throw new Error('approval needed');
      }),
    ).rejects.toThrow('approval needed');
    expect(await identityIn(await fenced(QUERY, init))).toBe('old');
    expect(state.sent).toHaveLength(3);
  });
});
