import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'webextension-polyfill';
import type { ExtensionStatus } from '../../src/messaging/protocol';
import {
  acknowledgeAllInReviewFirefox,
  type FirefoxSession,
  launchFirefox,
  signInThroughOptionsFirefox,
  toolbarOfTabAt,
} from '../support/firefox.ts';
import { type SiteProxy, startSiteProxy } from '../support/fixtureSite.ts';
import { HYDROGEN_HOST_CONTEXT, openRoom, signInHydrogen } from '../support/hydrogenApp.ts';
import {
  BARE_TIMES,
  bobSaysHello,
  bobsBadges,
  contexts,
  createHydrogenWorld,
  type HydrogenWorld,
  overlayWaiter,
  ROGUE_NAME,
  rogueTitle,
  WATCH_BARE_PAGE,
  warned,
} from '../support/hydrogenWorld.ts';
import type { SeenOverlay } from '../support/overlay.ts';
import { clickBannerButtonFirefox, readOverlayFirefox } from '../support/overlayFirefox.ts';
import type { Peer } from '../support/peer.ts';
import { saveWindowScreenshot } from '../support/screenshots.ts';
import { connectToSynapse } from '../support/synapse.ts';
import { waitFor } from '../support/waitFor.ts';

declare const browser: Browser;

/**
 * The in-page warnings of inPage.hydrogen.test.ts in Firefox ESR (WebDriver BiDi through
 * puppeteer-core): the real Hydrogen client (built from hydrogen-view-sdk) reached as
 * https://hydrogen.element.io through a CONNECT proxy (Firefox has no host resolver rules),
 * signed in as Alice, with the built extension signed in to the same account. Badges and the
 * banner are read past their closed shadow roots through BiDi's serialisation; the toolbar from
 * the extension's options page, which stays open in the first window while Hydrogen has a
 * window of its own (a tab behind another draws no frames). Firefox runs the background as an
 * event page: the last test unloads it, as its idle timeout would, while Hydrogen is on screen.
 */

const server = inject('synapse');
const synapse = connectToSynapse(server);

describe('in-page warnings in the real Hydrogen client, in Firefox ESR', () => {
  let world: HydrogenWorld;
  let proxy: SiteProxy;
  let firefox: FirefoxSession;
  /** Hydrogen, in a window of its own. */
  let page: Page;
  /** The extension's options page: signs in, reads the toolbar and the background's status. */
  let options: Page;

  const overlay = (): Promise<SeenOverlay> => readOverlayFirefox(firefox.browser, page, HYDROGEN_HOST_CONTEXT);
  const overlayWhere = overlayWaiter(overlay);

  const toolbar = async () => {
    const shown = await toolbarOfTabAt(options, `https://${world.app.hostname}/*`);
    if (!shown) throw new Error('no Hydrogen tab to read the toolbar of');
    return shown;
  };
  const toolbarShows = (what: string, text: string) => waitFor(what, async () => ((await toolbar()).text === text ? true : undefined));

  /** When the background answering the options page started: another value is another instance of the event page. */
  const backgroundStartedAt = async () => {
    const answer = await options.evaluate(() => browser.runtime.sendMessage({ kind: 'status.get', params: {} }));
    return (answer as { result: ExtensionStatus }).result.backgroundStartedAt;
  };

  beforeAll(async () => {
    world = await createHydrogenWorld(synapse, server);
    const { app, alice, planRoom, otherRoom } = world;
    proxy = await startSiteProxy([app]);
    firefox = await launchFirefox({ acceptInsecureCerts: true, prefs: proxy.firefoxPrefs });
    options = await firefox.openExtensionPage('options.html');
    await signInThroughOptionsFirefox(options, { homeserver: server.baseUrl, userId: alice.userId, password: alice.password });

    page = await firefox.browser.newPage({ type: 'window' });
    await page.setViewport({ width: 1280, height: 800 });
    await page.goto(app.url);
    await signInHydrogen(page, { userId: alice.userId, password: alice.password });
    await bobSaysHello(world);
    await openRoom(page, planRoom, { members: true });
    await page.waitForFunction(() => document.querySelector('.Timeline')?.textContent.includes('Hello from Bob') === true, {
      timeout: 60_000,
    });
    // Alice's own Hydrogen session is one her (absent) identity never signed: a fair warning,
    // but not this test's subject. Acknowledge what the rooms start with.
    await acknowledgeAllInReviewFirefox(firefox, planRoom);
    await acknowledgeAllInReviewFirefox(firefox, otherRoom);
    await overlayWhere('the page to start without badges', (seen) => seen.badges.length === 0 && seen.banner === undefined);
  });

  afterAll(async () => {
    // Whatever beforeAll got to start, even if it failed halfway.
    await (firefox as FirefoxSession | undefined)?.close();
    await (proxy as SiteProxy | undefined)?.close();
    await (world as HydrogenWorld | undefined)?.stop();
  });

  it('badges Bob in the member list and as a sender once a peer gives him an unsigned device, and shows the banner', async () => {
    const rogue = await world.bob.addUnsignedDevice({ deviceName: ROGUE_NAME });
    world.extraDevices.push(rogue);
    const added = Date.now();
    const seen = await overlayWhere('Bob to be badged', (s) => warned(s) && s.badges.length >= 2 && s.banner !== undefined);
    console.info(`new device to badge in Hydrogen (Firefox): ${Date.now() - added} ms`);
    expect(contexts(seen)).toEqual(bobsBadges(world));
    for (const badge of seen.badges) {
      expect(badge).toMatchObject({ severity: 'warn', text: '! 1', label: 'Matrix Trust Guard: 1 unverified device' });
      // The device name is shown as inert text, without its bidi override.
      expect(badge.title).toBe(rogueTitle(rogue.deviceId));
    }
    expect(seen.banner).toEqual({ message: 'Matrix Trust Guard: 1 new warning in Plans: Bob.', severity: 'warn', floating: false });
    // The banner sits right above the composer.
    expect(
      await page.evaluate(`document.querySelector('[data-mtg-banner]').nextElementSibling.classList.contains('MessageComposer')`),
    ).toBe(true);
    expect(await page.$$eval('img[src="x"]', (images) => images.length)).toBe(0);
    await toolbarShows('the toolbar to count the warning', '1');
    expect((await toolbar()).title).toBe('Matrix Trust Guard: 1 new warning in this room. Open to review.');
    await saveWindowScreenshot(page, 'hydrogen-firefox');
  });

  it('shows the tab\'s room, its new warnings and who has them in the popup\'s "This tab"', async () => {
    const popup = await firefox.openPopupOver(page);
    try {
      const review = await popup.waitForSelector(`section.current-tab .room-review[data-room="${world.planRoom}"]`, { timeout: 30_000 });
      const text = (selector: string) => review?.$eval(selector, (node) => (node as HTMLElement).innerText);
      expect(await text('.room-title')).toBe('Plans · in Hydrogen');
      expect(await text('.room-summary')).toBe('1 new warning');
      const member = `li.member[data-user="${world.bob.userId}"]`;
      expect(await text(`${member} .member-name`)).toBe('Bob');
      // Shown as text, without the right-to-left override that would reverse what follows it.
      expect(await text(`${member} li.device .device-name`)).toBe('Rogue <img src=x onerror=alert(1)> exe.txt');
      const buttons = await review?.$$eval(`${member} button`, (nodes) => nodes.map((node) => (node as HTMLElement).innerText));
      expect(buttons).toContain('Verify Bob');
      expect(buttons).toContain('Acknowledge');
    } finally {
      await popup.close();
    }
  });

  it("opens the extension's review from the banner, where acknowledging clears badge, banner and toolbar", async () => {
    const rogue = world.extraDevices[0] as Peer;
    // The background opens the review as a tab in Hydrogen's window, as it does for the user.
    const review = await firefox.extensionPageOpenedBy(`popup.html#room=${encodeURIComponent(world.planRoom)}`, () =>
      clickBannerButtonFirefox(firefox.browser, page, 'review'),
    );
    try {
      const acknowledge = await review.waitForSelector(`li.device[data-device="${rogue.deviceId}"] button`, { timeout: 60_000 });
      expect(await acknowledge?.evaluate((button) => (button as HTMLElement).innerText)).toBe('Acknowledge');
      await acknowledge?.click();
      await review.waitForSelector(`.room-review[data-room="${world.planRoom}"] .room-summary.tone-ok`, { timeout: 30_000 });
    } finally {
      await review.close();
    }
    // Back on Hydrogen's tab, which draws again now that the review no longer covers it.
    await page.bringToFront();
    await overlayWhere('badges and banner to clear', (seen) => seen.badges.length === 0 && seen.banner === undefined);
    await toolbarShows('the toolbar to clear', '');
    expect((await toolbar()).title).toBe('Matrix Trust Guard: no new warnings in this room.');
  });

  it('badges Bob again when another device appears', async () => {
    const second = await world.bob.addUnsignedDevice({ deviceName: 'Second rogue' });
    world.extraDevices.push(second);
    const seen = await overlayWhere('Bob to be badged again', (s) => warned(s) && s.badges.length >= 2 && s.banner !== undefined);
    expect(contexts(seen)).toEqual(bobsBadges(world));
    expect(seen.badges[0]?.title).toContain(`Second rogue (${second.deviceId})`);
    expect(seen.badges[0]?.title).not.toContain('Rogue <img');
    await toolbarShows('the toolbar to count the new device', '1');
  });

  it('follows a room switch without a page load, and back', async () => {
    const { carol, otherRoom, planRoom } = world;
    const carolsRogue = await carol.addUnsignedDevice({ deviceName: "Carol's tablet" });
    world.extraDevices.push(carolsRogue);
    // A page load would lose this mark.
    await page.evaluate(`window.mtgSamePage = true`);
    await openRoom(page, otherRoom, { members: true });
    const other = await overlayWhere("Carol's badge in the other room", (s) => warned(s) && contexts(s).includes(`member ${carol.userId}`));
    expect(contexts(other)).toEqual([`member ${carol.userId}`]);
    // Each says which room it speaks of.
    expect(other.banner?.message).toBe('Matrix Trust Guard: 1 new warning in Other room: Carol.');
    expect(other.badges[0]?.title.split('\n')[1]).toBe('In Other room');
    await openRoom(page, planRoom, { members: true });
    const back = await overlayWhere("Bob's badges back in Plans", (s) => warned(s) && contexts(s).join() === bobsBadges(world).join());
    expect(back.banner?.message).toBe('Matrix Trust Guard: 1 new warning in Plans: Bob.');
    expect(await page.evaluate(`window.mtgSamePage`)).toBe(true);
  });

  it('paints the same badges after a page reload', async () => {
    await page.reload();
    await page.waitForSelector('.MemberListView li.MemberTileView', { timeout: 60_000 });
    const seen = await overlayWhere("Bob's badges after the reload", (s) => warned(s) && s.badges.length >= 2 && s.banner !== undefined);
    expect(contexts(seen)).toEqual(bobsBadges(world));
    expect(seen.banner?.message).toBe('Matrix Trust Guard: 1 new warning in Plans: Bob.');
  });

  it('keeps its badges through an unloaded event page, and stays live after it wakes', async () => {
    const before = await backgroundStartedAt();
    // Every moment the page shows none of our marks is noted, from before the unload until the
    // acknowledgement below.
    await page.evaluate(WATCH_BARE_PAGE);
    await page.bringToFront();
    await firefox.unloadEventPage();
    expect(contexts(await overlay())).toEqual(bobsBadges(world));
    // Woken again (by the page reconnecting, or by this very question): a new instance answers.
    const after = await waitFor('a new instance of the event page', async () => {
      const startedAt = await backgroundStartedAt();
      return startedAt !== before ? startedAt : undefined;
    });
    expect(after).toBeGreaterThan(before);
    await overlayWhere("Bob's badges from the woken background", (s) => warned(s) && contexts(s).join() === bobsBadges(world).join());
    await toolbarShows('the toolbar to count the warning after the wake', '1');
    // The woken background must still push changes to the page: acknowledge, then see it clear.
    const acknowledgedAt = Date.now();
    await acknowledgeAllInReviewFirefox(firefox, world.planRoom);
    const bareAt = (await page.evaluate(BARE_TIMES)) as number[];
    expect(
      bareAt.filter((at) => at < acknowledgedAt),
      'times the page had no badge before the acknowledgement',
    ).toEqual([]);
    await overlayWhere('badges to clear after the wake', (seen) => seen.badges.length === 0 && seen.banner === undefined);
    await toolbarShows('the toolbar to clear after the wake', '');
  });
});
