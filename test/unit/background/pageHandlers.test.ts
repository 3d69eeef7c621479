import { describe, expect, it, vi } from 'vitest';
import { createPageHandlers, type PageRooms } from '../../../src/background/pageHandlers';
import { createStatusStore } from '../../../src/background/statusStore';
import { TabRegistry } from '../../../src/background/tabRegistry';
import type { WarnedPlace } from '../../../src/background/trustEngine';
import type { AccountStatus, TabState } from '../../../src/messaging/protocol';
import type { RoomTrustReport } from '../../../src/trust/types';

const PLANS = '!plans:example.org';
const SECRET = '!secret:example.org';
const TAB = 7;
const sender = { kind: 'content-script' as const, tabId: TAB, origin: 'https://app.element.io', url: 'https://app.element.io/' };

/** The page handlers over a tab on Plans, recording what the account was told was shown. */
function setup(onScreen: boolean) {
  const noted: { roomId: string; userIds?: string[]; place?: WarnedPlace }[] = [];
  const disagreements: { roomId: string; client: string; userIds: string[] }[] = [];
  const rooms: PageRooms = {
    joinedRoomFor: () => Promise.reject(new Error('not asked here')),
    report: () => Promise.reject(new Error('not asked here')),
    markWarned: vi.fn((roomId: string, userIds?: ReadonlySet<string>, place?: WarnedPlace) => {
      noted.push({ roomId, ...(userIds && { userIds: [...userIds] }), ...(place && { place }) });
      return Promise.resolve();
    }),
    noteDisagreements: vi.fn((roomId: string, client: string, users: readonly { userId: string }[]) => {
      disagreements.push({ roomId, client, userIds: users.map((u) => u.userId) });
      return Promise.resolve(users.length);
    }),
  };
  const tabs = new TabRegistry({ paint: () => undefined });
  tabs.showRoom(TAB, { origin: sender.origin }, PLANS);
  const status = createStatusStore({
    account: { state: 'signed-out' },
    cryptoEngine: { state: 'starting' },
    policy: 'default',
    backgroundStartedAt: 0,
    extensionVersion: 'test',
  });
  const handlers = createPageHandlers({ status, tabs, rooms: () => Promise.resolve(rooms), onScreen: () => Promise.resolve(onScreen) });
  return { shown: handlers['page.shown'], disagrees: handlers['page.disagrees'], noted, disagreements };
}

describe('page.shown: what counts as shown to the user', () => {
  it("stamps the room's warnings when a tab on screen placed the banner", async () => {
    const { shown, noted } = setup(true);
    await expect(Promise.resolve(shown({ roomId: PLANS, banner: true, userIds: [] }, sender))).resolves.toEqual({ counted: true });
    expect(noted).toEqual([{ roomId: PLANS, place: { where: 'banner', client: 'Element Web' } }]);
  });

  it('stamps only the badged members when there was no banner', async () => {
    const { shown, noted } = setup(true);
    await shown({ roomId: PLANS, banner: false, userIds: ['@bob:example.org'] }, sender);
    expect(noted).toEqual([{ roomId: PLANS, userIds: ['@bob:example.org'], place: { where: 'badge', client: 'Element Web' } }]);
  });

  it('stamps nothing for a room the tab is not on, whatever the page claims', async () => {
    const { shown, noted } = setup(true);
    await shown({ roomId: SECRET, banner: true, userIds: ['@bob:example.org'] }, sender);
    expect(noted).toEqual([]);
  });

  it('stamps nothing while the tab is not the one on screen', async () => {
    const { shown, noted } = setup(false);
    // Not counted: the page says it again once its tab is on screen.
    await expect(Promise.resolve(shown({ roomId: PLANS, banner: true, userIds: [] }, sender))).resolves.toEqual({ counted: false });
    expect(noted).toEqual([]);
  });
});

describe('page.disagrees: what a page showed as trusted', () => {
  it('passes it on for the room the tab is on, named for the client the site is', async () => {
    const { disagrees, disagreements } = setup(true);
    const users = [{ userId: '@bob:example.org', places: ['member-list' as const] }];
    await expect(Promise.resolve(disagrees({ roomId: PLANS, users }, sender))).resolves.toEqual({ recorded: 1 });
    expect(disagreements).toEqual([{ roomId: PLANS, client: 'Element Web', userIds: ['@bob:example.org'] }]);
  });

  it('records nothing about a room the tab is not on', async () => {
    const { disagrees, disagreements } = setup(true);
    const users = [{ userId: '@bob:example.org', places: ['member-list' as const] }];
    await expect(Promise.resolve(disagrees({ roomId: SECRET, users }, sender))).resolves.toEqual({ recorded: 0 });
    expect(disagreements).toEqual([]);
  });
});

const PAGE = {
  kind: 'content-script' as const,
  tabId: 7,
  origin: 'https://hydrogen.element.io',
  url: 'https://hydrogen.element.io/#/session/1/room/x',
};
const SIGNED_IN: AccountStatus = {
  state: 'signed-in',
  userId: '@alice:example.org',
  deviceId: 'EXTENSION',
  homeserverUrl: 'https://example.org',
  sync: { state: 'starting' },
};

const report: RoomTrustReport = {
  roomId: PLANS,
  encrypted: true,
  policy: 'default',
  generatedAt: 1,
  memberCount: 2,
  members: [],
  verifiedUserIds: [],
  checking: [],
  warnings: { warn: 1, critical: 0 },
  newWarnings: { warn: 1, critical: 0 },
};

/**
 * A worker that Chrome restarted while a watched page was open: the page keeps its badges and
 * asks for its room again at once, while the account is still resuming (README: the restarted
 * background confirms or corrects them).
 */
describe('page.room in a restarted worker', () => {
  it('answers with the room once the account has resumed, not "no room" while it resumes', async () => {
    const status = createStatusStore({
      account: { state: 'resuming' },
      cryptoEngine: { state: 'starting' },
      policy: 'default',
      backgroundStartedAt: 0,
      extensionVersion: 'test',
    });
    const painted: TabState[] = [];
    const tabs = new TabRegistry({ paint: (_tabId, state) => painted.push(state) }, () => undefined);
    status.onChange((value) => tabs.setSignedIn(value.account.state === 'signed-in'));
    let resumed: () => void = () => undefined;
    const services = new Promise<PageRooms>((resolve) => {
      resumed = () => {
        status.setAccount(SIGNED_IN);
        resolve({
          joinedRoomFor: () => Promise.resolve(PLANS),
          report: () => Promise.resolve(report),
          markWarned: () => Promise.resolve(),
          noteDisagreements: () => Promise.resolve(0),
        });
      };
    });
    const handlers = createPageHandlers({ status, tabs, rooms: () => services });

    let answer: { roomId?: string } | undefined;
    const asked = Promise.resolve(handlers['page.room']({ room: { kind: 'id', roomId: PLANS } }, PAGE)).then((value) => (answer = value));
    // Some turns of the event loop while the account resumes: no answer yet.
    for (let turn = 0; turn < 10; turn += 1) await new Promise((resolve) => setTimeout(resolve, 0));
    expect(answer).toBeUndefined();

    resumed();
    await asked;
    expect(answer).toEqual({ roomId: PLANS });
    expect(painted.at(-1)).toMatchObject({ tabId: 7, roomId: PLANS });
  });

  it('still answers "no room" at once for a page that shows none, and when signed out', async () => {
    const status = createStatusStore({
      account: { state: 'resuming' },
      cryptoEngine: { state: 'starting' },
      policy: 'default',
      backgroundStartedAt: 0,
      extensionVersion: 'test',
    });
    const tabs = new TabRegistry({ paint: () => undefined }, () => undefined);
    const never = new Promise<PageRooms>(() => undefined);
    const handlers = createPageHandlers({ status, tabs, rooms: () => never });
    await expect(Promise.resolve(handlers['page.room']({ room: null }, PAGE))).resolves.toEqual({});
    status.setAccount({ state: 'signed-out' });
    await expect(Promise.resolve(handlers['page.room']({ room: { kind: 'id', roomId: PLANS } }, PAGE))).resolves.toEqual({});
  });
});

/** Two room switches in quick succession: the first lookup finishes last. */
describe('page.room after the page has moved on', () => {
  it('leaves the tab on the room the page shows now, whatever order the lookups end in', async () => {
    const SIDE = '!side:example.org';
    const status = createStatusStore({
      account: SIGNED_IN,
      cryptoEngine: { state: 'starting' },
      policy: 'default',
      backgroundStartedAt: 0,
      extensionVersion: 'test',
    });
    const painted: TabState[] = [];
    const tabs = new TabRegistry({ paint: (_tabId, state) => painted.push(state) }, () => undefined);
    tabs.setSignedIn(true);
    const lookups = new Map<string, () => void>();
    const service: PageRooms = {
      markWarned: () => Promise.resolve(),
      noteDisagreements: () => Promise.resolve(0),
      joinedRoomFor: (room) => {
        const roomId = room.kind === 'id' ? room.roomId : room.alias;
        return new Promise<string>((resolve) => lookups.set(roomId, () => resolve(roomId)));
      },
      report: (roomId) =>
        Promise.resolve({ ...report, roomId, newWarnings: roomId === SIDE ? { warn: 0, critical: 0 } : report.newWarnings }),
    };
    const handlers = createPageHandlers({ status, tabs, rooms: () => Promise.resolve(service) });
    const ask = (roomId: string) => Promise.resolve(handlers['page.room']({ room: { kind: 'id', roomId } }, PAGE));
    const toSide = ask(SIDE);
    const toPlans = ask(PLANS);
    await vi.waitFor(() => expect(lookups.size).toBe(2));
    lookups.get(PLANS)?.();
    await expect(toPlans).resolves.toEqual({ roomId: PLANS });
    lookups.get(SIDE)?.();
    await expect(toSide).resolves.toEqual({});
    expect(tabs.roomOf(PAGE.tabId)).toBe(PLANS);
    expect(painted.at(-1)).toMatchObject({ roomId: PLANS, trust: 'warn' });
    // Side was never painted as the tab's room.
    expect(painted.some((state) => state.roomId === SIDE)).toBe(false);
  });
});
