// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LOCATION_POLL_MS, watchLocation, type WatchedWindow } from '../../../src/overlay/locationWatch';

type Listener = () => void;

/**
 * A page window whose router navigates the way Chromium does it: the Navigation API's
 * `navigate` event fires while `location.href` still names the page being left, then the URL
 * commits and `currententrychange` fires. Without `navigation` it is Firefox ESR: pushState
 * says nothing to anyone.
 */
class FakeWindow implements WatchedWindow {
  href = 'https://app.example/room/plans';
  get location() {
    return { href: this.href };
  }
  readonly document = document;
  readonly listeners = new Map<string, Set<Listener>>();
  navigation: WatchedWindow['navigation'];
  private intervals = new Map<number, Listener>();
  private nextInterval = 1;

  constructor(withNavigationApi: boolean) {
    this.navigation = withNavigationApi
      ? {
          addEventListener: (type, listener) => this.on(`navigation:${type}`, listener),
          removeEventListener: (type, listener) => this.off(`navigation:${type}`, listener),
        }
      : undefined;
  }

  addEventListener(type: string, listener: Listener) {
    this.on(type, listener);
  }
  removeEventListener(type: string, listener: Listener) {
    this.off(type, listener);
  }
  setInterval(handler: Listener, ms: number) {
    expect(ms).toBe(LOCATION_POLL_MS);
    const id = this.nextInterval++;
    this.intervals.set(id, handler);
    return id;
  }
  clearInterval(id: number) {
    this.intervals.delete(id);
  }
  tick() {
    for (const handler of this.intervals.values()) handler();
  }
  fire(type: string) {
    for (const listener of this.listeners.get(type) ?? []) listener();
  }
  /** history.pushState by the page's router, as each browser reports it. */
  pushState(href: string) {
    this.fire('navigation:navigate'); // href still the old one: nobody may read it now
    this.href = href;
    this.fire('navigation:currententrychange');
  }
  get listening() {
    return [...this.listeners.values()].reduce((sum, set) => sum + set.size, 0) + this.intervals.size;
  }
  private on(type: string, listener: Listener) {
    const set = this.listeners.get(type) ?? new Set();
    set.add(listener);
    this.listeners.set(type, set);
  }
  private off(type: string, listener: Listener) {
    this.listeners.get(type)?.delete(listener);
  }
}
let page: FakeWindow;

afterEach(() => {
  document.body.replaceChildren();
});

describe('watchLocation', () => {
  it('reports the URL a pushState commits, never the one the navigate event still shows (Chromium)', () => {
    page = new FakeWindow(true);
    const seen: string[] = [];
    // A listener that reads location.href as soon as `navigate` fires reads the old room.
    const atNavigate: string[] = [];
    page.listeners.set('navigation:navigate', new Set([() => atNavigate.push(page.location.href)]));
    const watching = new AbortController();
    watchLocation(page, (href) => seen.push(href), watching.signal);
    page.pushState('https://app.example/room/side');
    page.pushState('https://app.example/room/plans');
    expect(atNavigate).toEqual(['https://app.example/room/plans', 'https://app.example/room/side']);
    expect(seen).toEqual(['https://app.example/room/side', 'https://app.example/room/plans']);
    watching.abort();
  });

  it('hears hash changes and back/forward', () => {
    page = new FakeWindow(false);
    const seen: string[] = [];
    const watching = new AbortController();
    watchLocation(page, (href) => seen.push(href), watching.signal);
    page.href = 'https://app.example/#/room/side';
    page.fire('hashchange');
    page.href = 'https://app.example/room/plans';
    page.fire('popstate');
    expect(seen).toEqual(['https://app.example/#/room/side', 'https://app.example/room/plans']);
    watching.abort();
  });

  it('sees a silent pushState as soon as the page re-renders for it (a browser without the Navigation API)', async () => {
    page = new FakeWindow(false);
    const seen: string[] = [];
    const watching = new AbortController();
    watchLocation(page, (href) => seen.push(href), watching.signal);
    page.href = 'https://app.example/room/side';
    expect(seen).toEqual([]);
    document.body.append(document.createElement('main'));
    // MutationObserver callbacks run as a microtask: before the browser paints a frame.
    await Promise.resolve();
    expect(seen).toEqual(['https://app.example/room/side']);
    watching.abort();
  });

  it('falls back on its poll when nothing at all is heard, and reports each URL once', () => {
    page = new FakeWindow(false);
    const seen: string[] = [];
    const watching = new AbortController();
    watchLocation(page, (href) => seen.push(href), watching.signal);
    page.href = 'https://app.example/room/side';
    page.tick();
    page.tick();
    page.fire('popstate');
    expect(seen).toEqual(['https://app.example/room/side']);
    watching.abort();
  });

  it('stops listening to everything when stopped', async () => {
    page = new FakeWindow(true);
    const onChange = vi.fn();
    const watching = new AbortController();
    watchLocation(page, onChange, watching.signal);
    expect(page.listening).toBeGreaterThan(0);
    watching.abort();
    expect(page.listening).toBe(0);
    page.pushState('https://app.example/room/side');
    document.body.append(document.createElement('main'));
    await Promise.resolve();
    expect(onChange).not.toHaveBeenCalled();
  });
});
