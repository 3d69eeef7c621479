import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { keepAliveWhileVisible } from '../../../src/clients/keepAliveWhileVisible';

function fakePage(initial: DocumentVisibilityState) {
  const listeners = new Set<() => void>();
  const page = {
    visibilityState: initial,
    addEventListener: (_type: 'visibilitychange', listener: () => void) => listeners.add(listener),
    removeEventListener: (_type: 'visibilitychange', listener: () => void) => listeners.delete(listener),
    show(state: DocumentVisibilityState) {
      page.visibilityState = state;
      for (const listener of listeners) listener();
    },
    listeners,
  };
  return page;
}

describe('keeping the background alive from a watched page', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('pings at once and then every interval while the page is visible', () => {
    const ping = vi.fn();
    keepAliveWhileVisible(fakePage('visible'), ping, new AbortController().signal, 20_000);
    expect(ping).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(60_000);
    expect(ping).toHaveBeenCalledTimes(4);
  });

  it('rests while the page is hidden and resumes when it is shown again', () => {
    const ping = vi.fn();
    const page = fakePage('hidden');
    keepAliveWhileVisible(page, ping, new AbortController().signal, 20_000);
    vi.advanceTimersByTime(60_000);
    expect(ping).not.toHaveBeenCalled();
    page.show('visible');
    expect(ping).toHaveBeenCalledTimes(1);
    page.show('hidden');
    vi.advanceTimersByTime(60_000);
    expect(ping).toHaveBeenCalledTimes(1);
  });

  it('stops for good when the content script is torn down', () => {
    const ping = vi.fn();
    const page = fakePage('visible');
    const keeping = new AbortController();
    keepAliveWhileVisible(page, ping, keeping.signal, 20_000);
    keeping.abort();
    vi.advanceTimersByTime(60_000);
    page.show('visible');
    expect(ping).toHaveBeenCalledTimes(1);
    expect(page.listeners.size).toBe(0);
  });
});
