// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClientAdapter } from '../../../src/clients/clientAdapter';

/**
 * The content script's lifetime follows WXT's context: when its signal is aborted (the
 * extension was updated or removed, or a newer copy of the script started in the page), every
 * watch it started ends and nothing it drew stays. The browser and the background are fakes
 * that record what the script asked of them.
 */
const sent: string[] = [];
const messageListeners = new Set<(message: unknown) => void>();
vi.mock('webextension-polyfill', () => ({
  default: {
    runtime: {
      onMessage: {
        addListener: (listener: (message: unknown) => void) => messageListeners.add(listener),
        removeListener: (listener: (message: unknown) => void) => messageListeners.delete(listener),
      },
    },
  },
}));
vi.mock('../../../src/messaging/backgroundClient', () => ({
  request: (kind: string, params: { room?: { roomId?: string } | null }) => {
    sent.push(kind === 'page.room' ? `page.room ${params.room?.roomId ?? 'none'}` : kind);
    return Promise.resolve({});
  },
  subscribe: () => ({ follow: () => undefined, end: () => undefined }),
}));
const { startInPage } = await import('../../../src/overlay/inPage');

/** Understands any page: the room is the URL's hash. */
const adapter: ClientAdapter = {
  family: 'Element Web',
  detect: () => true,
  itemSelector: 'li',
  roomFromUrl: (url) => (url.hash.length > 1 ? { kind: 'id', roomId: url.hash.slice(1) } : undefined),
  findUsers: () => [],
  bannerAnchor: () => undefined,
};

function context(controller: AbortController) {
  return { signal: controller.signal, setTimeout: (handler: () => void, ms: number) => window.setTimeout(handler, ms) };
}

beforeEach(() => {
  sent.splice(0);
  messageListeners.clear();
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the content script, when its context ends', () => {
  it("stops following the URL, the background's messages and the keep-alive pings", async () => {
    const controller = new AbortController();
    startInPage(context(controller), () => adapter);
    await vi.waitFor(() => expect(sent).toContain('page.hello'));
    expect(messageListeners.size).toBe(1);

    window.location.hash = '#!plans:x.org';
    await vi.advanceTimersByTimeAsync(300);
    expect(sent).toContain('page.room !plans:x.org');

    controller.abort();
    sent.splice(0);
    window.location.hash = '#!side:x.org';
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sent).toEqual([]);
    expect(messageListeners.size).toBe(0);
  });

  it('does nothing at all when it starts already ended', async () => {
    const controller = new AbortController();
    controller.abort();
    startInPage(context(controller), () => adapter);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sent).toEqual([]);
    expect(messageListeners.size).toBe(0);
  });
});
