import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CDPSession, Page } from 'playwright';
import { type ChromiumSession, launchChromium } from '../support/chromium.ts';
import { signInInOptionsPage } from '../support/extensionPages.ts';
import { chromiumArgsForSites, type FixtureSite, startFixtureSite } from '../support/fixtureSite.ts';
import { readOverlay, type SeenOverlay } from '../support/overlay.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { Peer } from '../support/peer.ts';
import { joinRoom } from '../support/population.ts';
import { saveWindowScreenshot } from '../support/screenshots.ts';
import { connectToSynapse } from '../support/synapse.ts';
import { waitFor } from '../support/waitFor.ts';

/**
 * Where the badges sit in the clients' fixture pages, measured in Chromium with the built
 * extension signed in to the test Synapse: Bob, a member of the room the page shows, has a
 * device he never signed. The fixtures copy the clients' markup and the layout rules it
 * depends on (Cinny v4.2.2 with folds 2.0.0, Element Web 1.12); their example user id for
 * Bob is replaced with the real one, and the room comes from the URL.
 */

const server = inject('synapse');
const synapse = connectToSynapse(server);

const FIXTURE_BOB = '@bob:example.org';
const BADGE_LABEL = 'Matrix Trust Guard: 1 unverified device';

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
  height: number;
}

/** One badge, measured with it in the page and again with it taken out for a moment. */
interface Measured {
  place: string;
  host: Box;
  /** The name the badge is about (its text's box for a bare text node). */
  name: Box;
  /** The box whose height the badge must not change (row, message, header). */
  row: Box;
  /** What comes after the name in the layout (the time, the typing indicator, Element's shield). */
  follower: Box;
  without: { name: Box; row: Box; follower: Box };
}

/**
 * Measures every badge, then takes each out and measures again in the same task (the page's
 * layout without it), and puts it back before anything else runs. `partsOf` names, for a host,
 * the nodes to measure: { place, name, row, follower }.
 */
function measureScript(partsOf: string): string {
  return `(() => {
    const box = (node) => {
      if (!node) return null;
      let r;
      if (node.nodeType === 3) {
        const range = document.createRange();
        range.selectNodeContents(node);
        r = range.getBoundingClientRect();
      } else {
        r = node.getBoundingClientRect();
      }
      return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, height: r.height };
    };
    const partsOf = ${partsOf};
    return [...document.querySelectorAll('[data-mtg-badge]')].map((host) => {
      const parts = partsOf(host);
      const measured = { place: parts.place, host: box(host), name: box(parts.name), row: box(parts.row), follower: box(parts.follower) };
      const parent = host.parentNode;
      const next = host.nextSibling;
      host.remove();
      measured.without = { name: box(parts.name), row: box(parts.row), follower: box(parts.follower) };
      parent.insertBefore(host, next);
      return measured;
    });
  })()`;
}

const CINNY_PARTS = `(host) => {
  const message = host.closest('[data-message-id]');
  if (message) return { place: 'sender', name: host.previousElementSibling, row: message, follower: host.parentElement.querySelector('time') };
  const row = host.closest('button[data-user-id]');
  return { place: 'member', name: host.previousElementSibling, row, follower: row.lastElementChild };
}`;

const ELEMENT_PARTS = `(host) => {
  const event = host.closest('li[data-event-id]');
  if (event) return { place: 'sender', name: host.previousElementSibling, row: event, follower: event.querySelector('.mx_EventTile_line') };
  const option = host.closest('[role="option"]');
  if (option) return { place: 'member', name: option.querySelector('.mx_MemberTileView_name span'), row: option, follower: option.querySelector('.mx_MemberTileView_right') };
  const info = host.closest('.mx_UserInfo');
  const text = [...host.parentElement.childNodes].find((node) => node.nodeType === 3 && node.textContent.trim() !== '');
  return { place: 'info', name: text, row: info.querySelector('.mx_UserInfo_header'), follower: info.querySelector('.mx_UserInfo_profile_mxid') };
}`;

const CINNY_CONTEXT = `host.closest('[data-message-id]') ? 'sender' : host.closest('button[data-user-id]') ? 'member' : 'elsewhere'`;
const ELEMENT_CONTEXT = `host.closest('.mx_EventTile_info, .mx_GenericEventListSummary') ? 'info-event' : host.closest('li[data-event-id]') ? 'sender' : host.closest('[role="option"]') ? 'member' : host.closest('.mx_UserInfo') ? 'info' : 'elsewhere'`;

const HYDROGEN_PARTS = `(host) => {
  const message = host.closest('li.Timeline_message');
  const text = [...host.parentElement.childNodes].find((node) => node.nodeType === 3 && node.textContent.trim() !== '');
  if (message) return { place: 'sender', name: text, row: message, follower: message.querySelector('.Timeline_messageBody') };
  const tile = host.closest('li.MemberTileView');
  if (tile) return { place: 'member', name: host.previousElementSibling, row: tile, follower: tile.nextElementSibling ?? tile };
  const details = host.closest('.MemberDetailsView');
  return { place: 'details', name: host.previousElementSibling, row: details, follower: details };
}`;

/** Element before 2025: Carol's rows, whose user id the test makes Bob's (see the legacy test). */
const LEGACY_PARTS = `(host) => {
  const event = host.closest('li[data-event-id]');
  if (event) return { place: 'sender', name: host.previousElementSibling, row: event, follower: event.querySelector('.mx_EventTile_line') };
  const row = host.closest('.mx_EntityTile, .mx_UserInfo');
  return { place: row.matches('.mx_UserInfo') ? 'info' : 'member', name: host.previousElementSibling, row, follower: row };
}`;

const LEGACY_CONTEXT = `host.closest('.mx_EventTile_info') ? 'info-event' : host.closest('li[data-event-id]') ? 'sender' : host.closest('.mx_EntityTile') ? 'member' : host.closest('.mx_UserInfo') ? 'info' : 'elsewhere'`;
const HYDROGEN_CONTEXT = `host.closest('li.Timeline_message') ? 'sender' : host.closest('li.MemberTileView') ? 'member' : host.closest('.MemberDetailsView') ? 'details' : 'elsewhere'`;

/** Sub-pixel differences are rounding; anything a person could see is not. */
const SAME = 0.5;

/**
 * The fixtures' dark themes, appended after their own rules: Element's dark Compound colours
 * (canvas #101317, text #ebeef2, secondary #808994, subtle #1d1f24) and Cinny's dark theme
 * (#1a1a1a under #262626 panels, white text). Only colours change, never a size.
 */
const ELEMENT_DARK = `body { color: #ebeef2; background: #101317; }
.mx_LeftPanel_outerWrapper { background: #1d1f24; }
.mx_RoomHeader_infoWrapper { color: inherit; }
.mx_EventTile .mx_DisambiguatedProfile { color: #ebeef2; }
.mx_EventTile[data-layout="group"] .mx_MessageTimestamp, .mx_EventTile.mx_EventTile_info, .mx_TextualEvent.mx_GenericEventListSummary_summary,
.mx_MemberTileView_userLabel, .mx_UserInfo_profile .mx_UserInfo_profile_mxid { color: #808994; }`;
const CINNY_DARK = `body { color: #ffffff; background: #1a1a1a; }
._13tt0gb6 { color: #ffffff; background-color: #262626; }
._13tt0gb6:hover, ._13tt0gb6:focus-visible { background-color: #333333; }
._13qe89mh { background-color: #404040; color: #f2f2f2; }
._1yyqp1s0 { background-color: #262626; border-left-color: #404040; }
._9vswl90 { background: #0d0d0d; }
._1fz6ggr0, ._1yyqp1s1 { border-bottom-color: #404040; }
._1uzvfrk0 { border-color: #404040; }`;
const dark = (html: string, rules: string) => html.replace('</head>', () => `<style>${rules}</style></head>`);

/** What the measurements were, for the report at the end of the run. */
const measuredFigures: string[] = [];

/**
 * The host's margin puts 4 px between name and badge, a pixel either way. `centred`: the
 * badge's middle within a pixel of the middle of the name's line (the name's box); otherwise
 * anywhere within the name's height.
 */
function expectRightAfter(badge: Measured, centred = false): void {
  const gap = badge.host.left - badge.name.right;
  const middle = (badge.host.top + badge.host.bottom) / 2;
  const nameMiddle = (badge.name.top + badge.name.bottom) / 2;
  measuredFigures.push(`${badge.place}: gap ${gap.toFixed(2)} px, middle ${(middle - nameMiddle).toFixed(2)} px from the name's`);
  expect(gap, `${badge.place}: gap between the name and its badge`).toBeGreaterThanOrEqual(3);
  expect(gap, `${badge.place}: gap between the name and its badge`).toBeLessThanOrEqual(5);
  if (centred) {
    expect(Math.abs(middle - nameMiddle), `${badge.place}: the badge's middle against the name line's`).toBeLessThanOrEqual(1);
    return;
  }
  expect(middle).toBeGreaterThanOrEqual(badge.name.top);
  expect(middle).toBeLessThanOrEqual(badge.name.bottom);
}

function expectLayoutKept(badge: Measured): void {
  expect(Math.abs(badge.row.height - badge.without.row.height), `${badge.place}: height with and without the badge`).toBeLessThanOrEqual(
    SAME,
  );
  expect(Math.abs(badge.follower.left - badge.without.follower.left), `${badge.place}: what follows, x`).toBeLessThanOrEqual(SAME);
  expect(Math.abs(badge.follower.top - badge.without.follower.top), `${badge.place}: what follows, y`).toBeLessThanOrEqual(SAME);
}

/** The browser's own accessibility tree (what screen readers get), closed shadow roots included. */
interface AxNode {
  nodeId: string;
  ignored: boolean;
  role?: { value?: string };
  name?: { value?: string };
  childIds?: string[];
}

async function accessibilityTree(session: CDPSession): Promise<Map<string, AxNode>> {
  const { nodes } = (await session.send('Accessibility.getFullAXTree')) as { nodes: AxNode[] };
  return new Map(nodes.map((node) => [node.nodeId, node]));
}

/** The unignored nodes under `node`, as screen readers can reach them. */
function reachableUnder(tree: Map<string, AxNode>, node: AxNode): AxNode[] {
  const found: AxNode[] = [];
  for (const id of node.childIds ?? []) {
    const child = tree.get(id);
    if (!child) continue;
    if (!child.ignored) found.push(child);
    found.push(...reachableUnder(tree, child));
  }
  return found;
}

describe('badge placement in the clients’ fixture pages, in Chromium', () => {
  const sites: FixtureSite[] = [];
  const peers: Peer[] = [];
  let chromium: ChromiumSession;
  let roomId: string;
  let bobId: string;

  /**
   * Waits until `page` shows Bob's badges at `places` (and the banner), with their warning, not
   * "checking". Badges anywhere else do not keep it waiting: the tests say where none belongs.
   */
  function badgesAt(page: Page, context: string, places: string[]): Promise<SeenOverlay> {
    return waitFor(
      `Bob's badges at ${places.join(', ')}`,
      async () => {
        const seen = await readOverlay(page, context).catch(() => undefined);
        const where = seen?.badges
          .filter((badge) => badge.label === BADGE_LABEL)
          .map((badge) => badge.context)
          .sort();
        return seen?.banner && places.every((place) => where?.includes(place)) ? seen : undefined;
      },
      90_000,
    );
  }

  async function openFixture(url: string, context: string, places: string[]): Promise<Page> {
    const page = await chromium.context.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(url);
    await badgesAt(page, context, places);
    return page;
  }

  beforeAll(async () => {
    const [alice, bobUser] = await Promise.all([
      synapse.registerUser({ displayName: 'Alice' }),
      synapse.registerUser({ displayName: 'Bob' }),
    ]);
    const bob = await Peer.login(server, bobUser);
    peers.push(bob);
    await bob.bootstrapCrossSigning();
    roomId = await bob.createEncryptedRoom({ name: 'Plans', invite: [alice.userId] });
    await joinRoom(server.baseUrl, alice.accessToken, roomId);
    bobId = bob.userId;
    // Bob's own devices are signed; this one is not: the warning every badge here is about.
    peers.push(await bob.addUnsignedDevice({ deviceName: 'Rogue' }));

    const fixture = async (name: string) =>
      (await fs.readFile(path.join(REPO_ROOT, 'test/fixtures', name), 'utf8')).replaceAll(FIXTURE_BOB, bobId);
    const cinny = await fixture('cinny.html');
    // Also at the fixture's own room, which the account is not in: no banner there.
    // Each also on its dark theme, under /dark/ (Cinny then routes by hash, as its hash router deployments do).
    sites.push(
      await startFixtureSite('app.cinny.in', {
        [`/home/${encodeURIComponent(roomId)}/`]: cinny,
        '/home/!fixture%3Aexample.org/': cinny,
        '/dark/': dark(cinny, CINNY_DARK),
      }),
    );
    const element = await fixture('element-web.html');
    sites.push(await startFixtureSite('app.element.io', { '/': element, '/dark/': dark(element, ELEMENT_DARK) }));
    // Before 2025: Carol's member row, event and join, made Bob's.
    sites.push(
      await startFixtureSite('develop.element.io', {
        '/': (await fixture('element-web-legacy.html')).replaceAll('@carol:example.org', bobId),
      }),
    );
    // Hydrogen's fixture with Hydrogen's own stylesheet (hydrogen-view-sdk's Element theme), as its index.html links it.
    const hydrogenTheme = await fs.readFile(
      path.join(REPO_ROOT, 'node_modules/hydrogen-view-sdk/asset-build/assets/theme-element-light.css'),
      'utf8',
    );
    sites.push(
      await startFixtureSite('hydrogen.element.io', {
        '/': (await fixture('hydrogen.html'))
          .replaceAll(encodeURIComponent(FIXTURE_BOB), encodeURIComponent(bobId))
          .replace('</head>', () => `<style>${hydrogenTheme}</style></head>`),
      }),
    );
    chromium = await launchChromium({ args: chromiumArgsForSites(sites) });
    await signInInOptionsPage(chromium, { homeserver: server.baseUrl, userId: alice.userId, password: alice.password });
  });

  afterAll(async () => {
    if (measuredFigures.length > 0) console.log(`placement figures:\n${measuredFigures.join('\n')}`);
    for (const peer of peers) peer.stop();
    await (chromium as ChromiumSession | undefined)?.close();
    for (const site of sites) await site.close();
  });

  it('Cinny: badges sit right after the name in the members drawer and the timeline; rows and the time stay put', async () => {
    const page = await openFixture(`https://app.cinny.in/home/${encodeURIComponent(roomId)}/`, CINNY_CONTEXT, ['member', 'sender']);
    const measured = await page.evaluate<Measured[]>(measureScript(CINNY_PARTS));
    expect(measured.map((badge) => badge.place).sort()).toEqual(['member', 'sender']);
    for (const badge of measured) {
      expectRightAfter(badge);
      expectLayoutKept(badge);
    }
    await saveWindowScreenshot(page, 'cinny-badges');
    await page.close();
  });

  it.each([
    ['Cinny', () => `https://app.cinny.in/dark/#/home/${encodeURIComponent(roomId)}/`, CINNY_CONTEXT, CINNY_PARTS, 'cinny-badges-dark'],
    ['Element 1.12', () => `https://app.element.io/dark/#/room/${roomId}`, ELEMENT_CONTEXT, ELEMENT_PARTS, 'element-badges-dark'],
  ])('%s on its dark theme: the banner takes it, and the badges sit as on the light one', async (_client, url, context, parts, shot) => {
    const places = context === CINNY_CONTEXT ? ['member', 'sender'] : ['info', 'member', 'sender'];
    const page = await openFixture(url(), context, places);
    expect(await page.evaluate(`getComputedStyle(document.body).backgroundColor`)).not.toBe('rgb(255, 255, 255)');
    expect(await page.locator('[data-mtg-banner]').getAttribute('data-mtg-theme')).toBe('dark');
    const measured = await page.evaluate<Measured[]>(measureScript(parts));
    const kept = measured.filter((b) => context === CINNY_CONTEXT || b.place === 'sender');
    expect(kept.length).toBeGreaterThan(0);
    for (const badge of kept) expectLayoutKept(badge);
    await saveWindowScreenshot(page, shot);
    await page.close();
  });

  it('Element 1.12: a click or Enter on a timeline badge opens its details and never mentions Bob in the composer', async () => {
    const page = await openFixture(`https://app.element.io/#/room/${roomId}`, ELEMENT_CONTEXT, ['info', 'member', 'sender']);
    // Element's own behaviour, as in 1.12.13: a click on (or Enter in) a sender's name inserts
    // a mention of them into the composer. React listens at the app's root, in the bubble phase.
    await page.evaluate(`(() => {
      const composer = document.querySelector('.mx_BasicMessageComposer_input');
      const mention = (event) => {
        const name = event.target instanceof Element ? event.target.closest('li[data-event-id] > .mx_DisambiguatedProfile') : null;
        if (name && (event.type === 'click' || event.key === 'Enter')) composer.textContent += name.textContent + ': ';
      };
      const root = document.getElementById('matrixchat');
      root.addEventListener('click', mention);
      root.addEventListener('keydown', mention);
    })()`);
    const composer = page.locator('.mx_BasicMessageComposer_input');
    const sender = page.locator(`li[data-event-id="$ev3"] > .mx_DisambiguatedProfile`);
    // The page's behaviour is real: clicking the name itself mentions Bob.
    await sender.click();
    expect(await composer.textContent()).toBe('Bob: ');
    await page.evaluate(`document.querySelector('.mx_BasicMessageComposer_input').textContent = ''`);

    const session = await page.context().newCDPSession(page);
    const measured = await page.evaluate<Measured[]>(measureScript(ELEMENT_PARTS));
    expect(measured.map((badge) => badge.place).sort()).toEqual(['info', 'member', 'sender']);
    const inTimeline = measured.find((badge) => badge.place === 'sender');
    if (!inTimeline) throw new Error('no badge in the timeline');
    // The name is an inline-block clipping its text, so the line's baseline is its bottom edge:
    // the badge must be centred on the name's box, not on that baseline.
    expectRightAfter(inTimeline, true);
    expectLayoutKept(inTimeline);

    await page.mouse.click((inTimeline.host.left + inTimeline.host.right) / 2, (inTimeline.host.top + inTimeline.host.bottom) / 2);
    expect(await composer.textContent()).toBe('');
    // The click reached the badge: its button says its details are open.
    const { nodes } = (await session.send('Accessibility.getFullAXTree')) as {
      nodes: (AxNode & { properties?: { name: string; value: { value?: unknown } }[] })[];
    };
    const open = nodes.filter(
      (node) => node.name?.value === BADGE_LABEL && node.properties?.some((p) => p.name === 'expanded' && p.value.value === true),
    );
    expect(open).toHaveLength(1);

    // By keyboard: Tab from the name reaches the badge right after it; Enter opens and closes its details.
    await sender.focus();
    await page.keyboard.press('Tab');
    expect(
      await page.evaluate(
        `document.activeElement?.hasAttribute('data-mtg-badge') && document.activeElement.previousElementSibling?.classList.contains('mx_DisambiguatedProfile')`,
      ),
    ).toBe(true);
    await page.keyboard.press('Enter');
    expect(await composer.textContent()).toBe('');
    await page.keyboard.press('Enter');
    expect(await composer.textContent()).toBe('');
    await saveWindowScreenshot(page, 'element-badges');
    await session.detach();
    await page.close();
  });

  it('Element 1.12: screen readers reach the member list badge inside Bob’s row, and the banner names him', async () => {
    const page = await openFixture(`https://app.element.io/#/room/${roomId}`, ELEMENT_CONTEXT, ['info', 'member', 'sender']);
    const session = await page.context().newCDPSession(page);
    const tree = await accessibilityTree(session);
    const row = [...tree.values()].find((node) => !node.ignored && node.role?.value === 'option' && node.name?.value === 'Bob');
    if (!row) throw new Error('no option named Bob in the accessibility tree');
    const inRow = reachableUnder(tree, row);
    expect(inRow.filter((node) => node.role?.value === 'button').map((node) => node.name?.value)).toEqual([BADGE_LABEL]);
    // The banner is a live region (role=status) whose text names the people it warns about.
    const banner = [...tree.values()].find((node) => !node.ignored && node.role?.value === 'status');
    if (!banner) throw new Error('no status region in the accessibility tree');
    const said = reachableUnder(tree, banner)
      .map((node) => node.name?.value ?? '')
      .join(' ');
    expect(said).toContain('1 new warning');
    expect(said).toContain('Bob');
    await session.detach();
    await page.close();
  });

  it('Element 1.12: the user info badge sits after the name, on its line, and the header keeps its height', async () => {
    const page = await openFixture(`https://app.element.io/#/room/${roomId}`, ELEMENT_CONTEXT, ['info', 'member', 'sender']);
    const measured = await page.evaluate<Measured[]>(measureScript(ELEMENT_PARTS));
    const info = measured.find((badge) => badge.place === 'info');
    if (!info) throw new Error('no badge in the user info');
    expectRightAfter(info);
    expect(Math.abs(info.row.height - info.without.row.height), 'the user info header height').toBeLessThanOrEqual(SAME);
    expect(Math.abs(info.follower.top - info.without.follower.top), 'the user id line, y').toBeLessThanOrEqual(SAME);
    // The member row: same height, Element's shield where it was, the badge inside the row.
    const member = measured.find((badge) => badge.place === 'member');
    if (!member) throw new Error('no badge in the member list');
    expectLayoutKept(member);
    expect(member.host.top).toBeGreaterThanOrEqual(member.row.top);
    expect(member.host.bottom).toBeLessThanOrEqual(member.row.bottom);
    await page.close();
  });
  it('Element 1.12: no badge in an info event Bob sent, nor in a membership summary naming him; both keep their height', async () => {
    const page = await openFixture(`https://app.element.io/#/room/${roomId}`, ELEMENT_CONTEXT, ['info', 'member', 'sender']);
    const rows = await page.evaluate<{ badges: number; height: number; without: number; avatar: string | null }[]>(`(() => {
      const rows = [document.querySelector('li.mx_EventTile_info[data-event-id]'), document.querySelector('li.mx_GenericEventListSummary')];
      const hosts = [...document.querySelectorAll('[data-mtg-badge]')];
      const heights = rows.map((row) => row.getBoundingClientRect().height);
      // Every badge out of the page for a moment: the rows' heights as if nothing were badged.
      const places = hosts.map((host) => [host, host.parentNode, host.nextSibling]);
      for (const host of hosts) host.remove();
      const without = rows.map((row) => row.getBoundingClientRect().height);
      for (const [host, parent, next] of places) parent.insertBefore(host, next);
      return rows.map((row, index) => ({
        badges: row.querySelectorAll('[data-mtg-badge]').length,
        height: heights[index],
        without: without[index],
        avatar: row.querySelector('.mx_BaseAvatar[title]')?.getAttribute('title') ?? null,
      }));
    })()`);
    // Bob is the info event's sender and the summary's first avatar.
    expect(rows.map((row) => row.avatar)).toEqual([bobId, bobId]);
    for (const [index, row] of rows.entries()) {
      measuredFigures.push(`${index === 0 ? 'info event' : 'summary'}: ${row.height} px high, ${row.without} px without badges`);
      expect(row.badges).toBe(0);
      expect(Math.abs(row.height - row.without)).toBeLessThanOrEqual(1);
    }
    // Element's own layout for an info event: 3 px, a 22 px line, 2 px.
    expect(rows[0]?.height).toBeCloseTo(27, 0);
    await page.close();
  });

  /** How far the page's timeline scroller is from its bottom, and its offset. */
  function timelineScroll(page: Page, scroller: string): Promise<{ fromBottom: number; top: number }> {
    return page.evaluate(`(() => {
      const scroller = document.querySelector(${JSON.stringify(scroller)});
      return { fromBottom: scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight, top: scroller.scrollTop };
    })()`);
  }

  it('Element 1.12: the banner appearing keeps a timeline at its newest message there, and one scrolled up where it was', async () => {
    const scroller = '.mx_RoomView_messagePanel';
    // The page first shows a room the account is not in (no banner), then the one Bob warns in.
    const page = await chromium.context.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto('https://app.element.io/#/room/!roomA:example.org');
    const opened = await timelineScroll(page, scroller);
    expect(opened.top, 'the fixture’s timeline scrolls').toBeGreaterThan(0);
    expect(opened.fromBottom).toBeLessThanOrEqual(1);
    expect((await readOverlay(page, ELEMENT_CONTEXT)).banner).toBeUndefined();
    await page.evaluate(`location.hash = ${JSON.stringify(`#/room/${roomId}`)}`);
    await badgesAt(page, ELEMENT_CONTEXT, ['info', 'member', 'sender']);
    const pinned = await timelineScroll(page, scroller);
    measuredFigures.push(
      `Element timeline after the banner: ${pinned.fromBottom} px from the bottom (offset ${opened.top} -> ${pinned.top})`,
    );
    expect(pinned.fromBottom).toBeLessThanOrEqual(1);
    await page.close();

    // Scrolled up to older messages before the banner comes: it stays there.
    const second = await chromium.context.newPage();
    await second.setViewportSize({ width: 1280, height: 800 });
    await second.goto('https://app.element.io/#/room/!roomA:example.org');
    await second.evaluate(`document.querySelector(${JSON.stringify(scroller)}).scrollTop = 120`);
    await second.evaluate(`location.hash = ${JSON.stringify(`#/room/${roomId}`)}`);
    await badgesAt(second, ELEMENT_CONTEXT, ['info', 'member', 'sender']);
    const kept = await timelineScroll(second, scroller);
    measuredFigures.push(`Element timeline scrolled up: offset 120 -> ${kept.top}`);
    expect(kept.top).toBe(120);
    await second.close();
  });
  it('Hydrogen (with its own stylesheet): the timeline and member rows keep their height, the badge right after the name', async () => {
    const page = await openFixture(`https://hydrogen.element.io/#/session/1646528482480255/room/${roomId}`, HYDROGEN_CONTEXT, [
      'details',
      'member',
      'sender',
    ]);
    const measured = await page.evaluate<Measured[]>(measureScript(HYDROGEN_PARTS));
    expect(measured.map((badge) => badge.place).sort()).toEqual(['details', 'member', 'sender']);
    for (const badge of measured.filter((found) => found.place !== 'details')) {
      measuredFigures.push(`Hydrogen ${badge.place}: row ${badge.row.height} px, ${badge.without.row.height} px without the badge`);
      expectLayoutKept(badge);
    }
    const sender = measured.find((badge) => badge.place === 'sender');
    if (!sender) throw new Error('no badge in the timeline');
    expectRightAfter(sender);
    await page.close();
  });

  it('Element before 2025: the timeline row keeps its height, the badge on the name’s line; no badge in the info event', async () => {
    const page = await openFixture(`https://develop.element.io/#/room/${roomId}`, LEGACY_CONTEXT, ['info', 'member', 'sender']);
    const measured = await page.evaluate<Measured[]>(measureScript(LEGACY_PARTS));
    const senders = measured.filter((badge) => badge.place === 'sender');
    // Bob's (Carol's) message, not his join.
    expect(senders).toHaveLength(1);
    const [sender] = senders;
    if (!sender) throw new Error('no badge in the timeline');
    measuredFigures.push(`Element before 2025, sender: row ${sender.row.height} px, ${sender.without.row.height} px without the badge`);
    expectRightAfter(sender, true);
    expectLayoutKept(sender);
    expect(await page.evaluate(`document.querySelectorAll('.mx_EventTile_info [data-mtg-badge]').length`)).toBe(0);
    await page.close();
  });

  it('Hydrogen: the banner appearing keeps a timeline at its newest message there, and one scrolled up where it was', async () => {
    const scroller = '.Timeline_scroller';
    const places = ['details', 'member', 'sender'];
    const page = await chromium.context.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto('https://hydrogen.element.io/#/session/1646528482480255/room/!hydroRoom:example.org');
    const opened = await timelineScroll(page, scroller);
    expect(opened.top, 'the fixture’s timeline scrolls').toBeGreaterThan(0);
    expect(opened.fromBottom).toBeLessThanOrEqual(1);
    await page.evaluate(`location.hash = ${JSON.stringify(`#/session/1646528482480255/room/${roomId}`)}`);
    await badgesAt(page, HYDROGEN_CONTEXT, places);
    const pinned = await timelineScroll(page, scroller);
    measuredFigures.push(
      `Hydrogen timeline after the banner: ${pinned.fromBottom} px from the bottom (offset ${opened.top} -> ${pinned.top})`,
    );
    expect(pinned.fromBottom).toBeLessThanOrEqual(1);
    await page.close();

    const second = await chromium.context.newPage();
    await second.setViewportSize({ width: 1280, height: 800 });
    await second.goto('https://hydrogen.element.io/#/session/1646528482480255/room/!hydroRoom:example.org');
    await second.evaluate(`document.querySelector(${JSON.stringify(scroller)}).scrollTop = 120`);
    await second.evaluate(`location.hash = ${JSON.stringify(`#/session/1646528482480255/room/${roomId}`)}`);
    await badgesAt(second, HYDROGEN_CONTEXT, places);
    expect((await timelineScroll(second, scroller)).top).toBe(120);
    await second.close();
  });
  it('Cinny: the banner appearing keeps a timeline at its newest message there, and one scrolled up where it was', async () => {
    const scroller = '[data-message-id="$c1"]';
    const scrollerOf = `document.querySelector(${JSON.stringify(scroller)}).closest('[style*="overflow-y: auto"]')`;
    const cinnyScroll = (page: Page) =>
      page.evaluate<{ fromBottom: number; top: number }>(`(() => {
        const scroller = ${scrollerOf};
        return { fromBottom: scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight, top: scroller.scrollTop };
      })()`);
    // Cinny routes by pushState: the fixture keeps its markup, the extension follows the address.
    const open = async (scrollTo?: number) => {
      const page = await chromium.context.newPage();
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.goto('https://app.cinny.in/home/!fixture%3Aexample.org/');
      const opened = await cinnyScroll(page);
      if (scrollTo !== undefined) await page.evaluate(`${scrollerOf}.scrollTop = ${scrollTo}`);
      await page.evaluate(`history.pushState(null, '', ${JSON.stringify(`/home/${encodeURIComponent(roomId)}/`)})`);
      await badgesAt(page, CINNY_CONTEXT, ['member', 'sender']);
      return { page, opened, now: await cinnyScroll(page) };
    };
    const pinned = await open();
    expect(pinned.opened.top, 'the fixture’s timeline scrolls').toBeGreaterThan(0);
    expect(pinned.opened.fromBottom).toBeLessThanOrEqual(1);
    measuredFigures.push(
      `Cinny timeline after the banner: ${pinned.now.fromBottom} px from the bottom (offset ${pinned.opened.top} -> ${pinned.now.top})`,
    );
    expect(pinned.now.fromBottom).toBeLessThanOrEqual(1);
    await pinned.page.close();
    const scrolledUp = await open(120);
    expect(scrolledUp.now.top).toBe(120);
    await scrolledUp.page.close();
  });
});
