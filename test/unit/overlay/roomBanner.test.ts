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
