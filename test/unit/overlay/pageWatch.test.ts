// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClientAdapter, RoomRef } from '../../../src/clients/clientAdapter';
import type { ShieldPlace } from '../../../src/model/pageShield';
import { watchPage, type PageBackground, type PageWatch } from '../../../src/overlay/pageWatch';
import { pageRoomView } from '../../../src/trust/pageWarnings';
import type { MemberReport, RoomTrustReport } from '../../../src/trust/types';
import { badgesIn, listAdapter, ManualFrames, memberList, recordShadowRoots, settle } from './testPage';

const PLANS = '!plans:x.org';
const LOBBY = '!lobby:x.org';

/** The background as the page sees it, with every call recorded and every answer in the test's hands. */
class FakeBackground implements PageBackground {
  calls: string[] = [];
  joined = new Set([PLANS, LOBBY]);
  reviewed: string[] = [];
  reachable = true;
  private handlers: Parameters<PageBackground['followRoom']>[0] | undefined;
  followed: string | undefined;

  hello(client: string | undefined) {
    this.calls.push(`hello ${client ?? 'not understood'}`);
    return this.reachable ? Promise.resolve() : Promise.reject(new Error('unreachable'));
  }
  /** While set, each room question waits here for the test to answer it (in any order). */
  heldRooms: ((roomId: string | undefined) => void)[] | undefined;
  showRoom(room: RoomRef | null) {
    this.calls.push(`room ${room === null ? 'none' : room.kind === 'id' ? room.roomId : room.alias}`);
    if (!this.reachable) return Promise.reject(new Error('unreachable'));
    const held = this.heldRooms;
    if (held) return new Promise<string | undefined>((resolve) => held.push(resolve));
    return Promise.resolve(room?.kind === 'id' && this.joined.has(room.roomId) ? room.roomId : undefined);
  }
  review(roomId: string) {
    this.reviewed.push(roomId);
    return Promise.resolve();
  }
  /** What the page said was put on screen: room, banner, members. */
  shownReports: { roomId: string; banner: boolean; userIds: string[] }[] = [];
  /** Whether the background counts what the page says it showed (false: the tab was not on screen). */
  counting = true;
  shown(roomId: string, banner: boolean, userIds: string[]) {
    this.shownReports.push({ roomId, banner, userIds });
    return Promise.resolve(this.counting);
  }
  /** What the page said its own shields showed as trusted while it showed our warnings. */
  disagreements: { roomId: string; users: { userId: string; places: ShieldPlace[] }[] }[] = [];
  disagreed(roomId: string, users: { userId: string; places: ShieldPlace[] }[]) {
    this.disagreements.push({ roomId, users });
    return Promise.resolve();
  }
  followRoom(handlers: Parameters<PageBackground['followRoom']>[0]) {
    this.handlers = handlers;
    return {
      follow: (roomId: string) => void (this.followed = roomId),
      end: () => void (this.handlers = undefined),
    };
  }
  /** The background publishes a room's page view (for whichever room; the page filters). */
  publish(report: RoomTrustReport) {
    this.handlers?.onView(pageRoomView(report));
  }
  /** The background stops (Chrome stopped the worker); ports disconnect. */
  restart() {
    const handlers = this.handlers;
    this.handlers = undefined;
    this.followed = undefined;
    handlers?.onLost();
  }
}

function report(roomId: string, warned: string[]): RoomTrustReport {
  const members: MemberReport[] = warned.map((userId) => ({
    userId,
    membership: 'join',
    identity: 'ok',
    severity: 'warn',
    devices: [{ deviceId: 'NEWDEV', ed25519Key: 'k', class: 'unsigned', severity: 'warn', isNew: true, firstSeenAt: 1 }],
  }));
  return {
    roomId,
    encrypted: true,
    policy: 'default',
    generatedAt: 1,
    memberCount: 3,
    members,
    verifiedUserIds: [],
    checking: [],
    warnings: { warn: warned.length, critical: 0 },
    newWarnings: { warn: warned.length, critical: 0 },
  };
}

let background: FakeBackground;
let frames: ManualFrames;
let watch: PageWatch;
let shadows: ReturnType<typeof recordShadowRoots>;
let url: URL;

beforeEach(() => {
  background = new FakeBackground();
  frames = new ManualFrames();
  shadows = recordShadowRoots(globalThis);
  url = new URL(`https://chat.x.org/#/room/${PLANS}`);
  memberList(document, ['@alice:x.org', '@bob:x.org', '@carol:x.org']);
});

afterEach(() => {
  watch.stop();
  shadows.restore();
  document.body.innerHTML = '';
});

async function startWatch(adapter = listAdapter): Promise<void> {
  watch = watchPage({ doc: document, adapter, url: () => url, background, frames });
  await settle();
}

function bannerText(): string | undefined {
  const host = document.querySelector('[data-mtg-banner]');
  return host ? (shadows.rootOf(host)?.querySelector('.message')?.textContent ?? '') : undefined;
}

describe('watchPage', () => {
  it('says hello, names the room from the URL and follows its report', async () => {
    await startWatch();
    expect(background.calls).toEqual(['hello Element Web', `room ${PLANS}`]);
    expect(background.followed).toBe(PLANS);
  });

  it('paints the followed room’s badges and banner, and ignores reports about other rooms', async () => {
    await startWatch();
    background.publish(report(LOBBY, ['@carol:x.org']));
    frames.run();
    expect(badgesIn(document)).toEqual([]);
    background.publish(report(PLANS, ['@bob:x.org']));
    frames.run();
    expect(badgesIn(document)).toEqual([{ userId: '@bob:x.org', afterAnchor: true }]);
    expect(bannerText()).toBe('Matrix Trust Guard: 1 new warning in this room: @bob:x.org.');
    // The banner sits right above the composer.
    expect(document.querySelector('[data-mtg-banner]')?.nextElementSibling?.id).toBe('composer');
  });

  it('clears everything on a room switch at once, then follows the new room', async () => {
    await startWatch();
    background.publish(report(PLANS, ['@bob:x.org']));
    frames.run();
    url = new URL(`https://chat.x.org/#/room/${LOBBY}`);
    watch.locationChanged();
    frames.run();
    expect(badgesIn(document)).toEqual([]);
    expect(bannerText()).toBeUndefined();
    await settle();
    expect(background.followed).toBe(LOBBY);
    background.publish(report(LOBBY, ['@carol:x.org']));
    frames.run();
    expect(badgesIn(document)).toEqual([{ userId: '@carol:x.org', afterAnchor: true }]);
  });

  it('does not ask again when the location changes within the same room', async () => {
    await startWatch();
    watch.locationChanged();
    await settle();
    expect(background.calls.filter((call) => call.startsWith('room'))).toHaveLength(1);
  });

  it('shows nothing for a room the account is not in, or a page with no room', async () => {
    url = new URL('https://chat.x.org/#/room/!elsewhere:x.org');
    await startWatch();
    expect(background.followed).toBeUndefined();
    url = new URL('https://chat.x.org/#/home');
    watch.locationChanged();
    await settle();
    expect(background.calls.at(-1)).toBe('room none');
  });

  it('after a background restart, keeps the last badges and says it all again', async () => {
    await startWatch();
    background.publish(report(PLANS, ['@bob:x.org']));
    frames.run();
    background.restart();
    expect(badgesIn(document)).toHaveLength(1);
    await settle();
    expect(background.calls).toEqual(['hello Element Web', `room ${PLANS}`, 'hello Element Web', `room ${PLANS}`]);
    expect(background.followed).toBe(PLANS);
  });

  it('keeps the badges when a restarted background answers an earlier room question with "none" after a newer one was asked', async () => {
    await startWatch();
    background.publish(report(PLANS, ['@bob:x.org']));
    frames.run();
    background.heldRooms = [];
    // Firefox unloads the event page: the page asks again; the woken background resumes the
    // account, signs in and asks every page to recheck, so the page asks once more. The first
    // question is now about a superseded navigation, and the background answers it with no room.
    background.restart();
    await settle();
    watch.recheck();
    await settle();
    const [first, second] = background.heldRooms;
    expect(background.calls.slice(-3)).toEqual(['hello Element Web', `room ${PLANS}`, `room ${PLANS}`]);
    first?.(undefined);
    await settle();
    frames.run();
    expect(badgesIn(document)).toHaveLength(1);
    expect(bannerText()).toBe('Matrix Trust Guard: 1 new warning in this room: @bob:x.org.');
    // The latest answer is the one that counts.
    second?.(PLANS);
    await settle();
    expect(background.followed).toBe(PLANS);
    background.publish(report(PLANS, []));
    frames.run();
    expect(badgesIn(document)).toEqual([]);
  });

  it('asks again when the background says the account changed (signed in or out)', async () => {
    await startWatch();
    watch.recheck();
    await settle();
    expect(background.calls).toEqual(['hello Element Web', `room ${PLANS}`, `room ${PLANS}`]);
  });

  it('on a page no adapter understands, only says so: no room, no badges, no banner', async () => {
    watch = watchPage({ doc: document, adapter: undefined, url: () => url, background, frames });
    await settle();
    expect(background.calls).toEqual(['hello not understood']);
    expect(watch.painter).toBeUndefined();
  });

  it('stays quiet in the page when the background cannot be reached, and tries again when visible', async () => {
    background.reachable = false;
    const errors: string[] = [];
    watch = watchPage({ doc: document, adapter: listAdapter, url: () => url, background, frames, onError: (what) => errors.push(what) });
    await settle();
    expect(errors).toEqual(['hello']);
    expect(document.querySelector('[data-mtg-badge], [data-mtg-banner]')).toBeNull();
    background.reachable = true;
    watch.visible();
    await settle();
    expect(background.followed).toBe(PLANS);
  });

  describe('telling the background what reached the screen', () => {
    function setVisibility(state: DocumentVisibilityState) {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
    }

    afterEach(() => {
      setVisibility('visible');
    });

    it('reports the banner and the badged members once they are placed in a visible page', async () => {
      await startWatch();
      background.publish(report(PLANS, ['@bob:x.org']));
      expect(background.shownReports).toEqual([]);
      frames.run();
      frames.run();
      expect(background.shownReports).toEqual([{ roomId: PLANS, banner: true, userIds: ['@bob:x.org'] }]);
      // The same view placed again is not news.
      frames.run();
      expect(background.shownReports).toHaveLength(1);
    });

    it('reports nothing while the page is hidden, and what is on it once it shows', async () => {
      setVisibility('hidden');
      await startWatch();
      background.publish(report(PLANS, ['@bob:x.org']));
      frames.run();
      frames.run();
      expect(background.shownReports).toEqual([]);
      setVisibility('visible');
      watch.visible();
      frames.run();
      expect(background.shownReports).toEqual([{ roomId: PLANS, banner: true, userIds: ['@bob:x.org'] }]);
    });

    it('says again what the background did not count (the tab was not on screen then), until it is', async () => {
      background.counting = false;
      await startWatch();
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      try {
        background.publish(report(PLANS, ['@bob:x.org']));
        frames.run();
        frames.run();
        await vi.advanceTimersByTimeAsync(0);
        const once = [{ roomId: PLANS, banner: true, userIds: ['@bob:x.org'] }];
        expect(background.shownReports).toEqual(once);
        // Said again when the page comes to the front...
        watch.visible();
        frames.run();
        await vi.advanceTimersByTimeAsync(0);
        expect(background.shownReports).toEqual([...once, ...once]);
        // ...and after a while even if the browser never says so; counted at last, never again.
        background.counting = true;
        await vi.advanceTimersByTimeAsync(2_000);
        frames.run();
        await vi.advanceTimersByTimeAsync(0);
        expect(background.shownReports).toEqual([...once, ...once, ...once]);
        await vi.advanceTimersByTimeAsync(60_000);
        frames.run();
        watch.visible();
        frames.run();
        await vi.advanceTimersByTimeAsync(0);
        expect(background.shownReports).toHaveLength(3);
      } finally {
        vi.useRealTimers();
      }
    });

    it('reports nothing for a room whose warnings never reached the page', async () => {
      await startWatch();
      background.publish(report(LOBBY, ['@carol:x.org']));
      frames.run();
      frames.run();
      expect(background.shownReports).toEqual([]);
    });

    it('does not count a "checking" badge as a warning shown', async () => {
      await startWatch();
      background.publish({ ...report(PLANS, []), checking: [{ userId: '@bob:x.org', reason: 'query-failed', since: 1 }] });
      frames.run();
      frames.run();
      expect(badgesIn(document)).toEqual([{ userId: '@bob:x.org', afterAnchor: true }]);
      expect(background.shownReports).toEqual([]);
    });
  });

  it('takes everything it drew away when stopped', async () => {
    await startWatch();
    background.publish(report(PLANS, ['@bob:x.org']));
    frames.run();
    watch.stop();
    expect(document.querySelector('[data-mtg-badge], [data-mtg-banner]')).toBeNull();
  });
});

describe('watchPage: the second opinion', () => {
  /** The list client, whose rows may show a green shield of its own (`<i class="shield verified">`). */
  const shieldedAdapter: ClientAdapter = {
    ...listAdapter,
    shieldOf: ({ anchor }) =>
      anchor.closest('li.member')?.querySelector('.shield.verified') ? { state: 'verified' } : { state: 'unknown' },
  };

  it('adds a line to the banner and tells the background whom the page shows as trusted while we warn', async () => {
    document.querySelector('li[data-user-id="@bob:x.org"]')?.insertAdjacentHTML('beforeend', '<i class="shield verified"></i>');
    await startWatch(shieldedAdapter);
    background.publish(report(PLANS, ['@bob:x.org', '@carol:x.org']));
    frames.run();
    await settle();
    expect(bannerText()).toBe(
      'Matrix Trust Guard: 2 new warnings in this room: @bob:x.org and @carol:x.org.' +
        'Element Web shows 1 person as trusted whom Matrix Trust Guard warns about.',
    );
    expect(background.disagreements).toEqual([{ roomId: PLANS, users: [{ userId: '@bob:x.org', places: ['member-list'] }] }]);
  });

  it('says nothing of the kind where the page shows no shields', async () => {
    await startWatch(shieldedAdapter);
    background.publish(report(PLANS, ['@bob:x.org']));
    frames.run();
    await settle();
    expect(bannerText()).toBe('Matrix Trust Guard: 1 new warning in this room: @bob:x.org.');
    expect(background.disagreements).toEqual([]);
  });
});

describe('watchPage: a page whose shields flicker', () => {
  const shieldedAdapter: ClientAdapter = {
    ...listAdapter,
    shieldOf: ({ anchor }) => {
      const shield = anchor.closest('li.member')?.querySelector('.shield') ?? null;
      return shield?.classList.contains('verified') ? { state: 'verified', element: shield } : { state: 'unknown' };
    },
  };

  it('tells the background once per member and place, not once per flip', async () => {
    document.querySelector('li[data-user-id="@bob:x.org"]')?.insertAdjacentHTML('beforeend', '<i class="shield verified"></i>');
    await startWatch(shieldedAdapter);
    background.publish(report(PLANS, ['@bob:x.org']));
    frames.run();
    await settle();
    const shield = document.querySelector('li[data-user-id="@bob:x.org"] .shield');
    for (let flip = 0; flip < 10; flip++) {
      shield?.classList.toggle('verified');
      await settle();
      frames.run();
    }
    expect(background.disagreements).toHaveLength(1);
  });
});
