// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BATCH_BUDGET_MS, BadgePainter, type PainterHooks } from '../../../src/overlay/badgePainter';
import { BURST_FRAMES, DWELL_MS } from '../../../src/overlay/burstGate';
import type { MemberBadge } from '../../../src/trust/pageWarnings';
import { pillTranscript } from '../../support/overlay';
import { badgesIn, listAdapter, ManualFrames, memberList, recordShadowRoots, row, settle, warning } from './testPage';

let frames: ManualFrames;
let painter: BadgePainter;
let shadows: ReturnType<typeof recordShadowRoots>;
/** Every batch the painter reported through its stats hook, for the tests that look at its work. */
let batches: Parameters<NonNullable<PainterHooks['batch']>>[0][];
const hooks: PainterHooks = { batch: (batch) => batches.push(batch) };
/** Anchors and held-back items still waiting after the last batch. */
const pendingWork = () => batches.at(-1)?.pending ?? 0;
const placedSoFar = () => batches.reduce((sum, batch) => sum + batch.placed, 0);

beforeEach(() => {
  frames = new ManualFrames();
  shadows = recordShadowRoots(globalThis);
  batches = [];
});

afterEach(() => {
  painter.stop();
  shadows.restore();
  document.body.innerHTML = '';
});

function start(userIds: string[], warnings: MemberBadge[]): HTMLUListElement {
  const list = memberList(document, userIds);
  painter = new BadgePainter(document, listAdapter, frames);
  painter.start();
  painter.show(new Map(warnings.map((w) => [w.userId, w])));
  frames.run();
  return list;
}

/** What the badge of `userId` says, read from its closed shadow root. */
function badgeOf(userId: string): { text: string; label: string | null; title: string; severity: string } | undefined {
  const host = document.querySelector(`li[data-user-id="${userId}"] [data-mtg-badge]`);
  const pill = host && shadows.rootOf(host)?.querySelector('.badge');
  if (!pill) return undefined;
  return {
    text: pillTranscript(pill),
    label: pill.getAttribute('aria-label'),
    title: pill.getAttribute('title') ?? '',
    severity: pill.classList.contains('critical') ? 'critical' : 'warn',
  };
}

describe('BadgePainter', () => {
  it('puts one badge right after the anchor of each warned member, and none for the others', () => {
    start(['@alice:x.org', '@bob:x.org', '@carol:x.org'], [warning('@bob:x.org')]);
    expect(badgesIn(document)).toEqual([{ userId: '@bob:x.org', afterAnchor: true }]);
    expect(painter.count).toBe(1);
  });

  it('says what is wrong in its accessible label, and lists device names and ids on hover', () => {
    start(['@bob:x.org'], [warning('@bob:x.org')]);
    expect(badgeOf('@bob:x.org')).toEqual({
      text: '! 1',
      label: 'Matrix Trust Guard: 1 unverified device',
      title: 'Matrix Trust Guard: 1 unverified device\nNew laptop (NEWDEVICE): Not signed by its owner',
      severity: 'warn',
    });
  });

  it('shows critical warnings with their own mark, not only their own colour', () => {
    start(['@frank:x.org'], [warning('@frank:x.org', { severity: 'critical', identity: 'verification-violation', newDevices: [] })]);
    expect(badgeOf('@frank:x.org')).toMatchObject({
      text: '!!',
      severity: 'critical',
      label: 'Matrix Trust Guard: verified before, not verified now',
    });
  });

  it('draws in closed shadow roots only', () => {
    start(['@bob:x.org', '@dave:x.org'], [warning('@bob:x.org'), warning('@dave:x.org')]);
    expect(shadows.modes).toEqual(['closed', 'closed']);
    const host = document.querySelector('[data-mtg-badge]');
    expect(host?.shadowRoot).toBeNull();
    expect(host?.childNodes).toHaveLength(0);
  });

  it('renders a hostile device name as inert text', () => {
    const hostile = '<img src=x onerror=alert(1)>\u202Eevil';
    const [device] = warning('@bob:x.org').newDevices;
    if (!device) throw new Error('the test warning has a device');
    start(['@bob:x.org'], [warning('@bob:x.org', { newDevices: [{ ...device, displayName: hostile }] })]);
    const host = document.querySelector('[data-mtg-badge]');
    const root = host ? shadows.rootOf(host) : undefined;
    expect(root?.querySelector('img')).toBeNull();
    expect(document.querySelector('img')).toBeNull();
    expect(badgeOf('@bob:x.org')?.title).toContain('<img src=x onerror=alert(1)>evil (NEWDEVICE)');
  });

  it('badges rows a virtualised list adds while scrolling, in the next frame and not before', async () => {
    const list = start(['@alice:x.org'], [warning('@bob:x.org')]);
    list.append(row(document, '@bob:x.org'));
    await settle();
    expect(painter.count).toBe(0);
    expect(frames.pending).toBe(1);
    frames.run();
    expect(badgesIn(document)).toEqual([{ userId: '@bob:x.org', afterAnchor: true }]);
  });

  it('moves the badge with a recycled row: the row that now shows someone trusted loses it', async () => {
    const list = start(['@bob:x.org', '@alice:x.org'], [warning('@bob:x.org')]);
    const [bobRow, aliceRow] = [...list.children];
    // The list reuses both rows for other users, as virtualised lists do while scrolling.
    bobRow?.setAttribute('data-user-id', '@carol:x.org');
    aliceRow?.setAttribute('data-user-id', '@bob:x.org');
    await settle();
    frames.run();
    expect(badgesIn(document)).toEqual([{ userId: '@bob:x.org', afterAnchor: true }]);
    expect(painter.count).toBe(1);
  });

  it('removes the badge when the page removes its anchor, and puts one back if the page wipes ours', async () => {
    const list = start(['@bob:x.org', '@dave:x.org'], [warning('@bob:x.org'), warning('@dave:x.org')]);
    list.querySelector('li[data-user-id="@bob:x.org"] .name')?.remove();
    document.querySelector('li[data-user-id="@dave:x.org"] [data-mtg-badge]')?.remove();
    await settle();
    frames.run();
    expect(badgesIn(document)).toEqual([{ userId: '@dave:x.org', afterAnchor: true }]);
    expect(painter.count).toBe(1);
  });

  it('batches many mutations into one frame', async () => {
    const list = start([], [warning('@u1:x.org'), warning('@u7:x.org')]);
    for (let i = 0; i < 10; i++) list.append(row(document, `@u${i}:x.org`));
    await settle();
    expect(frames.pending).toBe(1);
    frames.run();
    expect(badgesIn(document).map((b) => b.userId)).toEqual(['@u1:x.org', '@u7:x.org']);
  });

  it('does not wake up on its own badges', async () => {
    start(['@bob:x.org'], [warning('@bob:x.org')]);
    await settle();
    expect(frames.pending).toBe(0);
  });

  it('updates badges when the warnings change, and removes them all when none are left', () => {
    start(['@bob:x.org', '@dave:x.org'], [warning('@bob:x.org')]);
    const host = document.querySelector('[data-mtg-badge]');
    painter.show(
      new Map([
        ['@bob:x.org', warning('@bob:x.org', { severity: 'critical' })],
        ['@dave:x.org', warning('@dave:x.org')],
      ]),
    );
    frames.run();
    expect(document.querySelector('li[data-user-id="@bob:x.org"] [data-mtg-badge]')).toBe(host);
    expect(badgeOf('@bob:x.org')?.severity).toBe('critical');
    expect(painter.count).toBe(2);
    painter.show(new Map());
    frames.run();
    expect(badgesIn(document)).toEqual([]);
  });

  it('puts the badge inside the anchor, after its text, when the adapter asks for it', async () => {
    memberList(document, ['@bob:x.org']);
    const inside = {
      ...listAdapter,
      findUsers: (root: ParentNode) => listAdapter.findUsers(root).map((found) => ({ ...found, placement: 'inside' as const })),
    };
    painter = new BadgePainter(document, inside, frames);
    painter.start();
    painter.show(new Map([['@bob:x.org', warning('@bob:x.org')]]));
    frames.run();
    const name = document.querySelector('li[data-user-id="@bob:x.org"] .name');
    expect(name?.lastElementChild?.hasAttribute('data-mtg-badge')).toBe(true);
    expect(name?.textContent).toBe('bob');
    // The page rewriting the name's text wipes the badge; it comes back in the next frame.
    if (name) name.textContent = 'Bob';
    await settle();
    frames.run();
    expect(name?.lastElementChild?.hasAttribute('data-mtg-badge')).toBe(true);
    expect(painter.count).toBe(1);
  });

  it('goes first inside an anchor that is a row-reverse flex, so it still shows after the text', () => {
    memberList(document, ['@bob:x.org']);
    const name = document.querySelector('li[data-user-id="@bob:x.org"] .name');
    name?.setAttribute('style', 'display: flex; flex-direction: row-reverse');
    const inside = {
      ...listAdapter,
      findUsers: (root: ParentNode) => listAdapter.findUsers(root).map((found) => ({ ...found, placement: 'inside' as const })),
    };
    painter = new BadgePainter(document, inside, frames);
    painter.start();
    painter.show(new Map([['@bob:x.org', warning('@bob:x.org')]]));
    frames.run();
    // The first node, text included: a row-reverse flex shows it last.
    const first = () => name?.firstChild;
    expect(first() instanceof Element && (first() as Element).hasAttribute('data-mtg-badge')).toBe(true);
    // Looked at again, it stays where it is.
    painter.show(new Map([['@bob:x.org', warning('@bob:x.org')]]));
    frames.run();
    expect(name?.querySelectorAll('[data-mtg-badge]')).toHaveLength(1);
    expect(first() instanceof Element && (first() as Element).hasAttribute('data-mtg-badge')).toBe(true);
  });

  describe("in its anchor's flex row ('in-row')", () => {
    const inRow = {
      ...listAdapter,
      findUsers: (root: ParentNode) => listAdapter.findUsers(root).map((found) => ({ ...found, placement: 'in-row' as const })),
    };

    function paintRow(rowStyle: string): HTMLElement | null {
      memberList(document, ['@bob:x.org']);
      const row = document.querySelector<HTMLElement>('li[data-user-id="@bob:x.org"]');
      row?.setAttribute('style', rowStyle);
      row?.insertAdjacentHTML('beforeend', '<time>12:03</time>');
      painter = new BadgePainter(document, inRow, frames);
      painter.start();
      painter.show(new Map([['@bob:x.org', warning('@bob:x.org')]]));
      frames.run();
      return document.querySelector<HTMLElement>('[data-mtg-badge]');
    }

    it('follows the anchor, takes back the row’s gap and pushes what follows to the far end, as it was', () => {
      const host = paintRow('display: flex; justify-content: space-between; column-gap: 12px');
      expect(host?.previousElementSibling?.classList.contains('name')).toBe(true);
      expect(host?.nextElementSibling?.tagName).toBe('TIME');
      const style = host?.getAttribute('style') ?? '';
      expect(style).toContain('margin-inline-start: -8px !important');
      expect(style).toContain('margin-inline-end: auto !important');
    });

    it('mirrors its margins in a reversed row', () => {
      const style = paintRow('display: flex; flex-direction: row-reverse; column-gap: 10px')?.getAttribute('style') ?? '';
      expect(style).toContain('margin-inline-end: -6px !important');
      expect(style).toContain('margin-inline-start: auto !important');
    });

    it('is an ordinary badge after its anchor where the row is not a flex row', () => {
      const style = paintRow('display: block')?.getAttribute('style') ?? '';
      expect(style).not.toContain('auto');
      expect(style).toContain('margin-inline-start: 4px !important');
    });
  });

  describe('a click, tap or key on a badge', () => {
    /** Everything the page around the badge heard, by listener. */
    function listen(): string[] {
      const heard: string[] = [];
      const row = document.querySelector('li[data-user-id="@bob:x.org"]');
      for (const type of ['click', 'pointerdown', 'mousedown', 'touchstart', 'keydown', 'keyup']) {
        row?.addEventListener(type, () => heard.push(`row ${type}`));
        document.addEventListener(type, () => heard.push(`document ${type}`));
      }
      return heard;
    }

    function pillOf(userId: string): HTMLElement {
      const host = document.querySelector(`li[data-user-id="${userId}"] [data-mtg-badge]`);
      const pill = host && shadows.rootOf(host)?.querySelector<HTMLElement>('.badge');
      if (!pill) throw new Error(`no badge for ${userId}`);
      return pill;
    }

    it('reaches the badge alone, which shows its details, and never the page’s controls around it', () => {
      start(['@bob:x.org'], [warning('@bob:x.org')]);
      const heard = listen();
      const pill = pillOf('@bob:x.org');
      const details = pill.nextElementSibling as HTMLElement;
      expect(details.hidden).toBe(true);
      for (const type of ['pointerdown', 'mousedown', 'touchstart']) pill.dispatchEvent(new Event(type, { bubbles: true, composed: true }));
      const click = new MouseEvent('click', { bubbles: true, composed: true, cancelable: true });
      pill.dispatchEvent(click);
      expect(heard).toEqual([]);
      // Inside a link or a form's button, the click follows or submits nothing either.
      expect(click.defaultPrevented).toBe(true);
      expect(pill.getAttribute('aria-expanded')).toBe('true');
      expect(details.hidden).toBe(false);
      expect(details.textContent).toBe(pill.title);
      pill.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true, cancelable: true }));
      pill.dispatchEvent(new KeyboardEvent('keyup', { key: 'Enter', bubbles: true, composed: true, cancelable: true }));
      expect(heard).toEqual([]);
      expect(pill.getAttribute('aria-expanded')).toBe('false');
      expect(details.hidden).toBe(true);
    });

    it('is reachable by keyboard as a button named with what is wrong, and Escape or leaving it closes its details', () => {
      start(['@bob:x.org'], [warning('@bob:x.org')]);
      const pill = pillOf('@bob:x.org');
      expect(pill.tabIndex).toBe(0);
      expect(pill.getAttribute('role')).toBe('button');
      expect(pill.getAttribute('aria-label')).toBe('Matrix Trust Guard: 1 unverified device');
      pill.dispatchEvent(new KeyboardEvent('keydown', { key: ' ', bubbles: true, composed: true, cancelable: true }));
      expect(pill.getAttribute('aria-expanded')).toBe('true');
      pill.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
      expect(pill.getAttribute('aria-expanded')).toBe('false');
      pill.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
      pill.dispatchEvent(new FocusEvent('blur'));
      expect(pill.getAttribute('aria-expanded')).toBe('false');
    });
  });

  it('spreads a large first pass over frames, each within its time budget, until every badge is placed', () => {
    const userIds = Array.from({ length: 200 }, (_, index) => `@member${index}:x.org`);
    memberList(document, userIds);
    // A clock where placing one badge takes 0.1 ms: 60 fit in a batch's budget.
    let clock = 0;
    const timed = Object.assign(frames, { now: () => (clock += 0.1) });
    painter = new BadgePainter(document, listAdapter, timed, hooks);
    painter.start();
    painter.show(new Map(userIds.map((userId) => [userId, warning(userId)])));
    let frameCount = 0;
    while (frames.pending > 0) {
      frames.run();
      frameCount++;
      expect(batches.at(-1)?.ms).toBeLessThan(BATCH_BUDGET_MS + 1);
    }
    expect(frameCount).toBeGreaterThan(2);
    expect(pendingWork()).toBe(0);
    expect(badgesIn(document)).toHaveLength(200);
    expect(badgesIn(document).every((badge) => badge.afterAnchor)).toBe(true);
  });

  it('never leaves a recycled row wearing the badge of the member it showed before', async () => {
    const list = start(
      ['@bob:x.org', '@carol:x.org'],
      [warning('@bob:x.org'), warning('@carol:x.org', { severity: 'critical', identity: 'identity-changed' })],
    );
    const bobRow = list.querySelector('li[data-user-id="@bob:x.org"]');
    bobRow?.setAttribute('data-user-id', '@carol:x.org');
    await settle();
    frames.run();
    const badges = [...list.querySelectorAll('li')].map((li) => badgeOf(li.getAttribute('data-user-id') ?? '')?.severity);
    expect(badges).toEqual(['critical', 'critical']);
  });

  it('reuses badges of rows a list dropped, but never one the page has restyled', async () => {
    const list = start(['@bob:x.org', '@carol:x.org'], [warning('@bob:x.org'), warning('@carol:x.org')]);
    const [bobBadge, carolBadge] = [...document.querySelectorAll('[data-mtg-badge]')] as HTMLElement[];
    carolBadge?.style.setProperty('display', 'none');
    list.replaceChildren(row(document, '@carol:x.org'), row(document, '@bob:x.org'));
    await settle();
    frames.run();
    const now = [...document.querySelectorAll('[data-mtg-badge]')];
    expect(now).toHaveLength(2);
    expect(now).toContain(bobBadge);
    expect(now).not.toContain(carolBadge);
    expect(badgesIn(document)).toEqual([
      { userId: '@carol:x.org', afterAnchor: true },
      { userId: '@bob:x.org', afterAnchor: true },
    ]);
  });

  it('forgets the badges of rows the page dropped without adding any', async () => {
    const list = start(['@bob:x.org', '@carol:x.org'], [warning('@bob:x.org'), warning('@carol:x.org')]);
    expect(painter.count).toBe(2);
    list.firstElementChild?.remove();
    await settle();
    frames.run();
    expect(painter.count).toBe(1);
  });

  it('falls back to a style element per badge where constructed style sheets are refused (older Firefox content scripts)', () => {
    const descriptor = Object.getOwnPropertyDescriptor(ShadowRoot.prototype, 'adoptedStyleSheets');
    Object.defineProperty(ShadowRoot.prototype, 'adoptedStyleSheets', {
      configurable: true,
      get: () => [],
      set: () => {
        throw new Error('Accessing from Xray wrapper is not supported.');
      },
    });
    try {
      start(['@bob:x.org', '@carol:x.org'], [warning('@bob:x.org'), warning('@carol:x.org')]);
      const hosts = [...document.querySelectorAll('[data-mtg-badge]')];
      expect(hosts.map((host) => shadows.rootOf(host)?.querySelector('style')?.textContent.includes('.badge'))).toEqual([true, true]);
    } finally {
      if (descriptor) Object.defineProperty(ShadowRoot.prototype, 'adoptedStyleSheets', descriptor);
      else Reflect.deleteProperty(ShadowRoot.prototype, 'adoptedStyleSheets');
    }
  });

  it('does not watch the page while nobody is warned about, and starts again when someone is', async () => {
    const list = start(['@bob:x.org'], []);
    list.append(row(document, '@carol:x.org'));
    await settle();
    expect(frames.pending).toBe(0);
    painter.show(new Map([['@carol:x.org', warning('@carol:x.org')]]));
    frames.run();
    expect(badgesIn(document)).toEqual([{ userId: '@carol:x.org', afterAnchor: true }]);
    list.append(row(document, '@carol:x.org'));
    await settle();
    expect(frames.pending).toBe(1);
    frames.run();
    expect(badgesIn(document)).toHaveLength(2);
  });

  describe('in a burst (a list being flung)', () => {
    const FRAME_MS = 16;
    let clock: number;

    /** A painter on a clock the test moves, one frame per run(), with `userIds` warned. */
    function startTimed(userIds: string[], warned: string[]): HTMLUListElement {
      clock = 0;
      const list = memberList(document, userIds);
      painter = new BadgePainter(document, listAdapter, Object.assign(frames, { now: () => clock }), hooks);
      painter.start();
      painter.show(new Map(warned.map((userId) => [userId, warning(userId)])));
      frames.run();
      return list;
    }

    async function frame(change?: () => void): Promise<void> {
      change?.();
      await settle();
      clock += FRAME_MS;
      frames.run();
    }

    /** Changes the page in BURST_FRAMES frames in a row, so the painter counts it as a burst. */
    async function enterBurst(list: HTMLUListElement): Promise<void> {
      for (let i = 0; i < BURST_FRAMES - 1; i++) await frame(() => list.append(row(document, `@filler${i}:x.org`)));
    }

    it('gives no badge to rows that only fly past, and one to a row that stays, DWELL_MS after it came', async () => {
      const list = startTimed([], ['@bob:x.org', '@carol:x.org']);
      await enterBurst(list);
      const placedBefore = placedSoFar();
      // Bob's row comes and goes within the burst; Carol's comes and stays while the list keeps moving.
      await frame(() => list.append(row(document, '@bob:x.org')));
      await frame(() => list.querySelector('li[data-user-id="@bob:x.org"]')?.remove());
      await frame(() => list.append(row(document, '@carol:x.org')));
      const cameAt = clock;
      while (clock - cameAt < DWELL_MS - FRAME_MS) {
        await frame(() => list.append(row(document, `@passing${clock}:x.org`)));
        expect(badgesIn(document)).toEqual([]);
      }
      await frame(() => list.append(row(document, `@passing${clock}:x.org`)));
      expect(badgesIn(document)).toEqual([{ userId: '@carol:x.org', afterAnchor: true }]);
      expect(placedSoFar() - placedBefore).toBe(1);
      // Once the list stops, the rows still held back are looked at and the painter has nothing left to do.
      clock += DWELL_MS;
      await frame();
      expect(pendingWork()).toBe(0);
      expect(frames.pending).toBe(0);
      expect(badgesIn(document)).toEqual([{ userId: '@carol:x.org', afterAnchor: true }]);
    });

    it('takes a badge off a recycled row in the very next frame, burst or not', async () => {
      const list = startTimed(['@bob:x.org', '@alice:x.org'], ['@bob:x.org']);
      await enterBurst(list);
      await frame(() => list.querySelector('li[data-user-id="@bob:x.org"]')?.setAttribute('data-user-id', '@dave:x.org'));
      expect(badgesIn(document)).toEqual([]);
      expect(painter.count).toBe(0);
    });

    it('forgets the badges of rows the page drops at once, without waiting for a frame', async () => {
      const list = startTimed(['@bob:x.org', '@carol:x.org'], ['@bob:x.org', '@carol:x.org']);
      expect(painter.count).toBe(2);
      list.firstElementChild?.remove();
      await settle();
      expect(painter.count).toBe(1);
    });

    it('places what it held back once it has stayed, and nothing the page removed meanwhile', async () => {
      const list = startTimed([], ['@bob:x.org', '@carol:x.org']);
      await enterBurst(list);
      await frame(() => list.append(row(document, '@bob:x.org'), row(document, '@carol:x.org')));
      expect(pendingWork()).toBeGreaterThan(0);
      list.querySelector('li[data-user-id="@bob:x.org"]')?.remove();
      await settle();
      clock += DWELL_MS;
      await frame();
      expect(badgesIn(document)).toEqual([{ userId: '@carol:x.org', afterAnchor: true }]);
      expect(pendingWork()).toBe(0);
    });

    it('looks at a single change in the next frame again once the page has paused', async () => {
      const list = startTimed([], ['@bob:x.org']);
      await enterBurst(list);
      clock += DWELL_MS;
      await frame(() => list.append(row(document, '@bob:x.org')));
      expect(badgesIn(document)).toEqual([{ userId: '@bob:x.org', afterAnchor: true }]);
    });
  });

  it('takes every badge away when stopped', () => {
    start(['@bob:x.org'], [warning('@bob:x.org')]);
    painter.stop();
    expect(badgesIn(document)).toEqual([]);
  });
});
