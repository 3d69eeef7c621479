/**
 * Holds the answers to key queries while this device replaces the account's identity, and asks
 * each of them again once the reset is over, so the crypto never reads an answer from before it.
 *
 * Why: matrix-sdk-crypto drops the account's private cross-signing keys when a key query's
 * answer names another master key than theirs. A query answered before the reset's upload names
 * the old identity; read after the reset made its new keys, it took them (see
 * NewIdentityKeeper, the second line of defence, for what was seen). Answers that arrive while
 * the fence is closed are not handed on: the same request goes out again when it opens, and that
 * answer, from after the upload, is what the SDK gets.
 */
export class KeyQueryFence {
  private depth = 0;
  private opened: PromiseWithResolvers<undefined> | undefined;

  wrap(fetchFn: typeof fetch): typeof fetch {
    return async (input, init) => {
      const response = await fetchFn(input, init);
      const fence = this.opened;
      if (fence === undefined || !isKeyQuery(input, init)) return response;
      await fence.promise;
      // A body we cannot send again (a stream) is not what the SDK sends; hand on what came.
      if (input instanceof Request || (init?.body !== undefined && init.body !== null && typeof init.body !== 'string')) return response;
      return fetchFn(input, init);
    };
  }

  /** Runs `work` with the fence closed: key query answers wait, and are asked again after it. */
  async closedWhile<T>(work: () => Promise<T>): Promise<T> {
    if (this.depth++ === 0) this.opened = Promise.withResolvers<undefined>();
    try {
      return await work();
    } finally {
      if (--this.depth === 0) {
        this.opened?.resolve(undefined);
        this.opened = undefined;
      }
    }
  }
}

function isKeyQuery(input: string | URL | Request, init: RequestInit | undefined): boolean {
  const url = input instanceof Request ? input.url : String(input);
  const method = (input instanceof Request ? input.method : init?.method) ?? 'GET';
  try {
    return method.toUpperCase() === 'POST' && new URL(url).pathname.endsWith('/keys/query');
  } catch {
    return false;
  }
}
