// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RoomBanner } from '../../../src/overlay/roomBanner';
import type { BannerSummary } from '../../../src/trust/pageWarnings';
import { memberList, recordShadowRoots } from './testPage';

const summary: BannerSummary = {
  roomId: '!plans:x.org',
  newWarnings: { warn: 3, critical: 1 },
  members: [
    { userId: '@frank:x.org', displayName: 'Frank' },
    { userId: '@bob:x.org', displayName: '<img src=x onerror=alert(1)>' },
    { userId: '@dave:x.org', displayName: 'Da\u202Eve' },
    { userId: '@erin:x.org' },
    { userId: '@carol:x.org' },
  ],
};

let shadows: ReturnType<typeof recordShadowRoots>;
let reviewed: string[];
let banner: RoomBanner;

beforeEach(() => {
  shadows = recordShadowRoots(globalThis);
  reviewed = [];
  memberList(document, []);
  banner = new RoomBanner(
    document,
    () => document.getElementById('composer') ?? undefined,
    (roomId) => reviewed.push(roomId),
  );
});

afterEach(() => {
  banner.remove();
  shadows.restore();
  document.body.innerHTML = '';
});

function inside(selector: string): HTMLElement | null {
  const host = document.querySelector('[data-mtg-banner]');
  return (host && shadows.rootOf(host)?.querySelector<HTMLElement>(selector)) ?? null;
}

describe('RoomBanner', () => {
  it('says how many new warnings, how many serious, and who, with names as inert text', () => {
    banner.show(summary);
    expect(inside('.message')?.textContent).toBe(
      'Matrix Trust Guard: 4 new warnings in this room (1 serious): Frank, <img src=x onerror=alert(1)>, Dave, and 2 more.',
    );
    expect(inside('img')).toBeNull();
    expect(inside('.banner')?.getAttribute('role')).toBe('status');
    expect(shadows.modes).toEqual(['closed']);
  });

  it("takes the page's own theme, not the system's: dark on a dark client, light on a light one", () => {
    const composer = document.getElementById('composer');
    if (!composer?.parentElement) throw new Error('no composer in the test page');
    composer.parentElement.style.backgroundColor = 'rgb(16, 19, 23)';
    banner.show(summary);
    expect(inside('.banner')?.classList.contains('on-dark')).toBe(true);
    expect(document.querySelector('[data-mtg-banner]')?.getAttribute('data-mtg-theme')).toBe('dark');
    banner.remove();
    composer.parentElement.style.backgroundColor = 'rgb(255, 255, 255)';
    banner.show({ ...summary, newWarnings: { warn: 2, critical: 0 } });
    expect(inside('.banner')?.classList.contains('on-light')).toBe(true);
    expect(document.querySelector('[data-mtg-banner]')?.getAttribute('data-mtg-theme')).toBe('light');
  });

  it('labels its buttons for screen readers', () => {
    banner.show(summary);
    expect(inside('.review')?.getAttribute('aria-label')).toBe('Review these warnings in Matrix Trust Guard');
    expect(inside('.hide')?.getAttribute('aria-label')).toBe('Hide until something changes');
  });

  it('ignores clicks the page makes up: only the user can ask for a review', () => {
    banner.show(summary);
    inside('.review')?.click();
    inside('.review')?.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(reviewed).toEqual([]);
  });

  it('floats at the bottom of the page when there is no composer to sit above', () => {
    document.getElementById('composer')?.remove();
    banner.show(summary);
    expect(inside('.banner')?.classList.contains('floating')).toBe(true);
    expect(document.body.lastElementChild?.hasAttribute('data-mtg-banner')).toBe(true);
  });

  it('comes back above the composer when the page re-renders it away', () => {
    banner.show(summary);
    document.querySelector('[data-mtg-banner]')?.remove();
    expect(banner.visible).toBe(false);
    banner.keepInPlace();
    expect(document.querySelector('[data-mtg-banner]')?.nextElementSibling?.id).toBe('composer');
  });

  it('goes away when there is nothing new to say', () => {
    banner.show(summary);
    banner.show(undefined);
    expect(document.querySelector('[data-mtg-banner]')).toBeNull();
    expect(banner.wanted).toBe(false);
  });
});

/**
 * The banner goes in under the timeline, above the composer, so the timeline's scroller gets
 * shorter by the banner's height. Layout is faked: a 500 px room whose scroller holds 2,000 px
 * of messages and loses the banner's height while the banner is in the page; the scroll offset
 * is clamped as a browser clamps it.
 */
describe('RoomBanner and the timeline under it', () => {
  const ROOM = 500;
  const CONTENT = 2_000;
  let wrapped: number;
  let scroller: HTMLElement;
  let resized: ((height: number) => void) | undefined;
  const realObserver = globalThis.ResizeObserver;

  /** A ResizeObserver the test triggers: the banner's new height, as the browser would report it after layout. */
  class FakeResizeObserver {
    private readonly targets: Element[] = [];
    constructor(private readonly callback: ResizeObserverCallback) {}
    observe(target: Element): void {
      this.targets.push(target);
      resized = (height) => {
        const entries = this.targets
          .filter((element) => element.isConnected)
          .map((element) => ({ target: element, borderBoxSize: [{ blockSize: height, inlineSize: 600 }], contentRect: { height } }));
        this.callback(entries as unknown as ResizeObserverEntry[], this);
      };
    }
    unobserve(): void {}
    disconnect(): void {
      this.targets.length = 0;
    }
  }

  const bottomOffset = () => CONTENT - scroller.clientHeight;

  beforeEach(() => {
    wrapped = 0;
    resized = undefined;
    globalThis.ResizeObserver = FakeResizeObserver;
    document.body.innerHTML =
      '<main><div id="timeline" style="overflow-y: auto"><ol id="messages"></ol></div><form id="composer"><input></form></main>';
    scroller = document.getElementById('timeline') as HTMLElement;
    let offset = 0;
    // A banner is 48 px, 22 more with the disagreement line, plus what wrapping adds (`wrapped`).
    const heightOf = (host: Element | null) => (host ? 48 + (shadows.rootOf(host)?.querySelector('.disagreement') ? 22 : 0) + wrapped : 0);
    const viewport = () => ROOM - heightOf(document.querySelector('[data-mtg-banner]'));
    Object.defineProperties(scroller, {
      scrollHeight: { get: () => CONTENT },
      clientHeight: { get: viewport },
      scrollTop: {
        get: () => Math.max(0, Math.min(offset, CONTENT - viewport())),
        set: (value: number) => (offset = Math.max(0, Math.min(value, CONTENT - viewport()))),
      },
    });
    banner = new RoomBanner(
      document,
      () => document.getElementById('composer') ?? undefined,
      (roomId) => reviewed.push(roomId),
      () => document.getElementById('messages') ?? undefined,
    );
  });

  afterEach(() => {
    globalThis.ResizeObserver = realObserver;
  });

  it('keeps a timeline that showed the newest message at its bottom when the banner appears', () => {
    scroller.scrollTop = CONTENT;
    expect(scroller.scrollTop).toBe(CONTENT - ROOM);
    banner.show(summary);
    expect(scroller.clientHeight).toBe(ROOM - 48);
    expect(scroller.scrollTop).toBe(bottomOffset());
  });

  it('leaves a timeline the user scrolled up where it was', () => {
    scroller.scrollTop = 700;
    banner.show(summary);
    expect(scroller.scrollTop).toBe(700);
    banner.show(undefined);
    expect(scroller.scrollTop).toBe(700);
  });

  it('follows the banner’s own changes: a new line (re-rendered), a taller banner (wrapping anew), its removal', () => {
    scroller.scrollTop = CONTENT;
    banner.show(summary);
    resized?.(48);
    banner.showDisagreement('Element Web shows 1 person as trusted whom Matrix Trust Guard warns about.');
    expect(scroller.clientHeight).toBe(ROOM - 70);
    expect(scroller.scrollTop).toBe(bottomOffset());
    // The window got narrower: the same banner, its text on one more line.
    resized?.(70);
    wrapped = 22;
    resized?.(92);
    expect(scroller.clientHeight).toBe(ROOM - 92);
    expect(scroller.scrollTop).toBe(bottomOffset());
    banner.show(undefined);
    expect(scroller.scrollTop).toBe(CONTENT - ROOM);
  });

  it('does not pull down a timeline the user scrolled up when the banner grows', () => {
    scroller.scrollTop = 700;
    banner.show(summary);
    resized?.(48);
    wrapped = 44;
    resized?.(92);
    expect(scroller.scrollTop).toBe(700);
  });
});
