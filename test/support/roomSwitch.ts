import fs from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { type FixtureRoom, withFixtureRooms } from './fixtureRooms.ts';
import { type FixtureSite, startFixtureSite } from './fixtureSite.ts';
import { REPO_ROOT } from './paths.ts';
import { Peer } from './peer.ts';
import { joinRoom } from './population.ts';
import type { SeenOverlay } from './overlay.ts';
import type { RegisteredUser, SynapseConnection, SynapseInfo } from './synapse.ts';
import { waitFor } from './waitFor.ts';

/**
 * Room switches inside a web client, the same in Chromium and Firefox
 * (test/e2e/roomSwitch.*.test.ts, bench/roomSwitch.bench.ts). Alice (the extension's
 * account) is in two encrypted rooms with Bob and Carol:
 * - Plans: Bob has a new unsigned device, one warning: the banner "1 new warning in Plans:
 *   Bob." and Bob's badges, on his member row and on his message;
 * - Side room: the same people, Bob's device acknowledged there, so nothing to warn about:
 *   a badge on Bob's row here could only be one left from Plans.
 * Each client's fixture serves these rooms with their real ids and routes between them the
 * way the client does.
 */

export interface SwitchWorld {
  alice: RegisteredUser;
  bob: Peer;
  carol: Peer;
  /** Bob's device nobody signed: the one warning, in Plans. */
  rogue: Peer;
  plans: FixtureRoom;
  side: FixtureRoom;
  stop(): void;
}

export async function createSwitchWorld(synapse: SynapseConnection, server: SynapseInfo): Promise<SwitchWorld> {
  const alice = await synapse.registerUser({ displayName: 'Alice' });
  const [bobUser, carolUser] = await Promise.all([
    synapse.registerUser({ displayName: 'Bob' }),
    synapse.registerUser({ displayName: 'Carol' }),
  ]);
  const peers: Peer[] = [];
  const stop = () => peers.forEach((peer) => peer.stop());
  try {
    const [bob, carol] = await Promise.all([Peer.login(server, bobUser), Peer.login(server, carolUser)]);
    peers.push(bob, carol);
    // Bob and Carol sign their own devices: only the device Bob adds unsigned is a warning.
    await Promise.all([bob.bootstrapCrossSigning(), carol.bootstrapCrossSigning()]);
    const plansId = await bob.createEncryptedRoom({ name: 'Plans', invite: [alice.userId, carol.userId] });
    const sideId = await carol.createEncryptedRoom({ name: 'Side room', invite: [alice.userId, bob.userId] });
    await Promise.all([
      joinRoom(server.baseUrl, alice.accessToken, plansId),
      joinRoom(server.baseUrl, alice.accessToken, sideId),
      carol.joinRoom(plansId),
      bob.joinRoom(sideId),
    ]);
    const rogue = await bob.addUnsignedDevice({ deviceName: "Bob's new laptop" });
    peers.push(rogue);
    const members = [
      { userId: alice.userId, name: 'Alice' },
      { userId: bob.userId, name: 'Bob' },
      { userId: carol.userId, name: 'Carol' },
    ];
    return {
      alice,
      bob,
      carol,
      rogue,
      plans: {
        id: plansId,
        name: 'Plans',
        members,
        timeline: [
          { sender: bob.userId, body: 'Hello from Bob' },
          { sender: carol.userId, body: 'Hi Bob' },
        ],
      },
      side: {
        id: sideId,
        name: 'Side room',
        members,
        timeline: [
          { sender: carol.userId, body: 'Anyone around?' },
          { sender: bob.userId, body: 'Here' },
        ],
      },
      stop,
    };
  } catch (error) {
    stop();
    throw error;
  }
}

export interface SwitchClient {
  name: 'Cinny' | 'Element' | 'Hydrogen';
  hostname: string;
  fixture: string;
  /** Path and hash of the client's page with no room open, where a session starts. */
  home: string;
  /** The room list's entry for a room. */
  entry(room: FixtureRoom): string;
  /** The room's address in a client that routes by path (Cinny), for navigations made by script. */
  address?: (room: FixtureRoom) => string;
  /** Names, in the page, what a badge host (`host`) sits next to: "member <id>", "sender <id>". */
  hostContext: string;
}

export const SWITCH_CLIENTS: readonly SwitchClient[] = [
  {
    name: 'Cinny',
    hostname: 'app.cinny.in',
    fixture: 'cinny.html',
    home: '/home/',
    address: (room) => `/home/${encodeURIComponent(room.alias ?? room.id)}/`,
    entry: (room) => `[data-fixture-room-list] a[href="/home/${encodeURIComponent(room.alias ?? room.id)}/"]`,
    hostContext: `(() => {
      const message = host.closest('[data-message-id]');
      if (message) return 'sender ' + message.querySelector('[data-user-id]').getAttribute('data-user-id');
      const member = host.closest('button[data-index][data-user-id]');
      return member ? 'member ' + member.getAttribute('data-user-id') : 'elsewhere';
    })()`,
  },
  {
    name: 'Element',
    hostname: 'app.element.io',
    fixture: 'element-web.html',
    home: '/#/home',
    entry: (room) => `button.mx_RoomListItemView[aria-label="Open room ${room.name}"]`,
    hostContext: `(() => {
      const event = host.closest('li[data-event-id]');
      if (event) return 'sender ' + event.querySelector('.mx_EventTile_avatar [title]').getAttribute('title');
      const member = host.closest('.mx_MemberListView [data-index]')?.querySelector('.mx_BaseAvatar[title]');
      if (member) return 'member ' + member.getAttribute('title');
      return host.closest('.mx_UserInfo') ? 'details' : 'elsewhere';
    })()`,
  },
  {
    name: 'Hydrogen',
    hostname: 'hydrogen.element.io',
    fixture: 'hydrogen.html',
    home: '/#/session/1',
    entry: (room) => `.RoomList a[href$="/open-room/${encodeURIComponent(room.id)}"]`,
    hostContext: `(() => {
      const tile = host.closest('li.MemberTileView');
      if (tile) return 'member ' + decodeURIComponent(tile.querySelector('a[href*="/member/"]').getAttribute('href').split('/member/')[1]);
      const message = host.closest('li.Timeline_message');
      if (message) return 'sender ' + message.querySelector('.Timeline_messageSender').getAttribute('title');
      return host.closest('.MemberDetailsView') ? 'details' : 'elsewhere';
    })()`,
  },
];

/** One fixture site per client, serving its fixture with the world's two rooms at every path. */
export async function startSwitchSites(world: SwitchWorld, clients: readonly SwitchClient[] = SWITCH_CLIENTS): Promise<FixtureSite[]> {
  const sites: FixtureSite[] = [];
  try {
    for (const client of clients) {
      const html = await fs.readFile(path.join(REPO_ROOT, 'test/fixtures', client.fixture), 'utf8');
      sites.push(await startFixtureSite(client.hostname, { '*': withFixtureRooms(html, [world.plans, world.side]) }));
    }
    return sites;
  } catch (error) {
    await Promise.all(sites.map((site) => site.close()));
    throw error;
  }
}

export interface Toolbar {
  text: string;
  title: string;
}

/** What a user must see in each room: the toolbar, the banner and the badges. */
export function expectedIn(world: SwitchWorld, room: FixtureRoom): { toolbar: Toolbar; banner?: string; badges: string[] } {
  if (room === world.plans) {
    return {
      toolbar: { text: '1', title: 'Matrix Trust Guard: 1 new warning in this room. Open to review.' },
      banner: 'Matrix Trust Guard: 1 new warning in Plans: Bob.',
      badges: [`member ${world.bob.userId}`, `sender ${world.bob.userId}`],
    };
  }
  return { toolbar: { text: '', title: 'Matrix Trust Guard: no new warnings in this room.' }, badges: [] };
}

/** Whether the page and the toolbar show exactly what `room` must show, badges with their text. */
export function showsRoom(world: SwitchWorld, room: FixtureRoom, seen: SeenOverlay, toolbar: Toolbar | undefined): boolean {
  const expected = expectedIn(world, room);
  const contexts = seen.badges.map((badge) => badge.context).sort();
  return (
    toolbar?.text === expected.toolbar.text &&
    toolbar.title === expected.toolbar.title &&
    seen.banner?.message === expected.banner &&
    contexts.join('\n') === expected.badges.join('\n') &&
    seen.badges.every(
      (badge) =>
        badge.severity === 'warn' &&
        badge.text === '! 1' &&
        badge.title.includes(`\nIn ${room.name}\n`) &&
        badge.title.includes(world.rogue.deviceId),
    )
  );
}

/**
 * What is on screen of the room the page left: in Side room anything at all (it has nothing to
 * show); in Plans anything that names Side room or sits on someone else than Bob.
 */
export function leftovers(world: SwitchWorld, room: FixtureRoom, seen: SeenOverlay): string[] {
  const expected = expectedIn(world, room);
  const other = room === world.plans ? world.side : world.plans;
  const stale: string[] = [];
  if (seen.banner && (expected.banner === undefined || seen.banner.message.includes(other.name)))
    stale.push(`banner "${seen.banner.message}"`);
  for (const badge of seen.badges) {
    if (!expected.badges.includes(badge.context) || badge.title.includes(`In ${other.name}`))
      stale.push(`badge on ${badge.context}: ${badge.title.split('\n').join(' / ')}`);
  }
  return stale;
}

/**
 * Resolves in the page once it shows `roomId` (its address names the room and the client
 * rendered it: <body data-fixture-room>) and has drawn a frame since: what a user saw right
 * after the switch. A client may change its address and its page in separate tasks
 * (Hydrogen renders on the hashchange after a link's navigation); until both changed, the
 * page still shows the room it is leaving, and may rightly show that room's warnings.
 */
export function afterSwitchTo(roomId: string): string {
  return `new Promise((resolve) => {
    const id = ${JSON.stringify(roomId)};
    const shows = () => document.body.getAttribute('data-fixture-room') === id && decodeURIComponent(location.href).includes(id);
    const look = () => (shows() ? requestAnimationFrame(() => setTimeout(resolve, 0)) : setTimeout(look, 0));
    look();
  })`;
}

/**
 * Installs `window.mtgSwitch(entrySelector, roomId, toWarned, bobId, windowMs, timeoutMs)` in a Cinny fixture page: it clicks
 * the room list's entry (a synthetic click, dispatched in the page right after reading
 * performance.now()) and watches every frame drawn after it. A ResizeObserver callback runs once
 * per frame after every animation-frame callback and layout, just before paint, so what it sees
 * is what that frame shows; a probe element resized in each animation frame makes it run in
 * every frame. Returns { ms, staleFrames, frames }:
 * - toWarned (into Plans): ms from the click to the first frame with the banner and Bob's two
 *   badges (member row and message); stale frames show a badge on anyone else;
 * - into Side room: stale frames show any badge or banner, counted over `windowMs`.
 * A string, not a function: tsx would add helpers the page does not have.
 */
export const SWITCH_PROBE = `(() => {
  const probe = document.createElement('div');
  probe.setAttribute('style', 'position: fixed; left: 0; top: 0; width: 1px; height: 1px; opacity: 0; pointer-events: none');
  document.documentElement.append(probe);
  const who = (host) => {
    const message = host.closest('[data-message-id]');
    if (message) return 'sender ' + message.querySelector('[data-user-id]').getAttribute('data-user-id');
    const member = host.closest('button[data-index][data-user-id]');
    return member ? 'member ' + member.getAttribute('data-user-id') : 'elsewhere';
  };
  window.mtgSwitch = (entrySelector, roomId, toWarned, bobId, windowMs, timeoutMs) => new Promise((resolve, reject) => {
    const entry = document.querySelector(entrySelector);
    if (!entry) return reject(new Error('no room list entry ' + entrySelector));
    let wide = false;
    let frame;
    let clickedAt;
    let doneAt;
    let frames = 0;
    let staleFrames = 0;
    let framesBeforeRender = 0;
    const finish = (result) => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      resolve(result);
    };
    const observer = new ResizeObserver(() => {
      frames++;
      const now = performance.now();
      const badges = [...document.querySelectorAll('[data-mtg-badge]')].filter((host) => host.isConnected).map(who);
      const banner = document.querySelector('[data-mtg-banner]') !== null;
      // Cinny pushes the address and renders in the click's task: every frame after it shows the new room.
      if (document.body.getAttribute('data-fixture-room') !== roomId) framesBeforeRender++;
      if (toWarned) {
        if (badges.some((seat) => seat !== 'member ' + bobId && seat !== 'sender ' + bobId)) staleFrames++;
        if (doneAt === undefined && banner && badges.includes('member ' + bobId) && badges.includes('sender ' + bobId)) doneAt = now;
        if (doneAt !== undefined) return finish({ ms: doneAt - clickedAt, staleFrames, frames, framesBeforeRender });
      } else {
        if (badges.length > 0 || banner) staleFrames++;
        if (now - clickedAt >= windowMs) return finish({ ms: undefined, staleFrames, frames, framesBeforeRender });
      }
      if (now - clickedAt >= timeoutMs) finish({ ms: undefined, staleFrames, frames, framesBeforeRender, timedOut: true });
    });
    const tick = () => {
      wide = !wide;
      probe.style.width = wide ? '2px' : '1px';
      frame = requestAnimationFrame(tick);
    };
    observer.observe(probe);
    frame = requestAnimationFrame(tick);
    clickedAt = performance.now();
    entry.click();
  });
  return true;
})()`;

export interface SwitchSample {
  ms?: number;
  staleFrames: number;
  frames: number;
  /** Frames drawn after the click that did not show the new room yet (none in Cinny). */
  framesBeforeRender: number;
  timedOut?: boolean;
}

/** A client's page in either browser, as the switch tests drive it. */
export interface SwitchPage {
  click(selector: string): Promise<void>;
  evaluate<T>(script: string): Promise<T>;
  /** The badges and banner; undefined when the page changed while it was read. */
  overlay(): Promise<SeenOverlay | undefined>;
  /** The toolbar button of this page's tab. */
  toolbar(): Promise<Toolbar | undefined>;
  /** Makes the page the one on screen (a hidden page draws no frames). */
  front(): Promise<void>;
  url(): string;
  /** Saves what the window shows as docs/screenshots/<name>.png (where the browser can). */
  screenshot?(name: string): Promise<void>;
}

/** Waits until the page and the toolbar show exactly `room`'s state. */
export async function untilShows(world: SwitchWorld, page: SwitchPage, room: FixtureRoom, what: string): Promise<void> {
  try {
    await waitFor(what, async () => {
      const seen = await page.overlay();
      return seen && showsRoom(world, room, seen, await page.toolbar()) ? true : undefined;
    });
  } catch (error) {
    const seen = await page.overlay().catch(() => undefined);
    const toolbar = await page.toolbar().catch(() => undefined);
    throw new Error(
      `${(error as Error).message}: saw ${JSON.stringify({ seen, toolbar, url: page.url() })}, wanted ${JSON.stringify(expectedIn(world, room))}`,
      { cause: error },
    );
  }
}

/** In the first frame that shows `room` after a switch: nothing of the room the page left is on screen. */
export async function nothingLeftOver(world: SwitchWorld, page: SwitchPage, room: FixtureRoom, step: string): Promise<void> {
  await page.evaluate(afterSwitchTo(room.id));
  const seen = await waitFor('a stable read of the page', () => page.overlay());
  expect(leftovers(world, room, seen), `${step}: left over from the other room`).toEqual([]);
}

/**
 * Ten round trips Plans -> Side room -> Plans by clicks in the room list, from the client's
 * page with no room, then back and forward; after each, nothing of the other room once a
 * frame is drawn, then exactly this room's toolbar, banner and badges.
 */
export async function roundTrips(world: SwitchWorld, client: SwitchClient, page: SwitchPage, count: number): Promise<void> {
  await waitFor('the toolbar to say no room is open', async () =>
    (await page.toolbar())?.title.includes('Open a room to see its warnings') ? true : undefined,
  );
  for (let i = 0; i < count * 2; i++) {
    const room = i % 2 === 0 ? world.plans : world.side;
    const step = `${client.name}, switch ${i + 1} into ${room.name}`;
    await page.click(client.entry(room));
    await nothingLeftOver(world, page, room, step);
    await untilShows(world, page, room, `${step} to show the room`);
  }
  // The last switch went into Side room: back is Plans, forward Side room again.
  for (const [step, room] of [
    ['back', world.plans],
    ['forward', world.side],
  ] as const) {
    await page.evaluate(`history.${step}()`);
    await nothingLeftOver(world, page, room, `${client.name}, ${step}`);
    await untilShows(world, page, room, `${client.name}, ${step} to show ${room.name}`);
    await page.screenshot?.(`room-switch-${client.name.toLowerCase()}-${room === world.plans ? 'plans' : 'side-room'}`);
  }
}

/**
 * Three navigations Plans -> Side room -> Plans that the page makes through the Navigation API
 * (`navigation.navigate`) and intercepts, as a router built on that API does: the URL commits
 * without pushState, popstate or hashchange, and the page renders the room once it has (the
 * fixture renders on popstate, which the handler dispatches). After each, nothing of the other
 * room, then exactly this room. Browsers with the API only (Chromium, Firefox ESR 153).
 */
export async function interceptedNavigations(world: SwitchWorld, client: SwitchClient, page: SwitchPage): Promise<void> {
  const address = client.address;
  if (!address) throw new Error(`${client.name} does not route by path`);
  await waitFor('the toolbar to say no room is open', async () =>
    (await page.toolbar())?.title.includes('Open a room to see its warnings') ? true : undefined,
  );
  const hasApi = await page.evaluate<boolean>(`typeof window.navigation?.navigate === 'function'`);
  expect(hasApi, 'the browser has the Navigation API').toBe(true);
  await page.evaluate(`(navigation.addEventListener('navigate', (event) => {
    if (!event.canIntercept || event.hashChange || event.downloadRequest !== null) return;
    event.intercept({ handler: async () => window.dispatchEvent(new PopStateEvent('popstate')) });
  }), true)`);
  for (const [i, room] of [world.plans, world.side, world.plans].entries()) {
    const step = `${client.name}, intercepted navigation ${i + 1} into ${room.name}`;
    await page.evaluate(`navigation.navigate(${JSON.stringify(address(room))}).committed.then(() => true)`);
    await nothingLeftOver(world, page, room, step);
    await untilShows(world, page, room, `${step} to show the room`);
  }
}

/**
 * In the Cinny fixture: into Plans from the page with no room (not measured), then `count`
 * round trips Side room -> Plans, each click made in the page (SWITCH_PROBE). Returns the time
 * from each click into Plans to its badges and banner, and the frames that showed anything of
 * the room left, over all switches; everything settles (the toolbar too) between switches.
 */
export async function measureSwitches(
  world: SwitchWorld,
  client: SwitchClient,
  page: SwitchPage,
  count: number,
  staleWindowMs: number,
): Promise<{ toBadges: number[]; staleFrames: number }> {
  await waitFor('the toolbar to say no room is open', async () =>
    (await page.toolbar())?.title.includes('Open a room to see its warnings') ? true : undefined,
  );
  await page.evaluate(SWITCH_PROBE);
  const rooms = [world.plans, ...Array.from({ length: count }, () => [world.side, world.plans]).flat()];
  const toBadges: number[] = [];
  let staleFrames = 0;
  for (const [i, room] of rooms.entries()) {
    await page.front();
    const sample = await page.evaluate<SwitchSample>(
      `window.mtgSwitch(${JSON.stringify(client.entry(room))}, ${JSON.stringify(room.id)}, ${String(room === world.plans)}, ${JSON.stringify(world.bob.userId)}, ${staleWindowMs}, 20000)`,
    );
    expect(sample.timedOut, `measured switch ${i + 1} into ${room.name}`).toBeUndefined();
    expect(sample.framesBeforeRender, `frames after click ${i + 1} still showing the room left`).toBe(0);
    staleFrames += sample.staleFrames;
    if (room === world.plans && i > 0) toBadges.push(sample.ms as number);
    await untilShows(world, page, room, `${client.name} to show ${room.name} after measured switch ${i + 1}`);
  }
  return { toBadges, staleFrames };
}
