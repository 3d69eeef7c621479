import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ChromiumSession, launchChromium } from '../support/chromium.ts';
import { acknowledgeAllInReview, signInInOptionsPage, toolbarOf } from '../support/extensionPages.ts';
import { setFigures, setSamples } from '../support/figures.ts';
import { chromiumArgsForSites, type FixtureSite } from '../support/fixtureSite.ts';
import { readOverlay } from '../support/overlay.ts';
import {
  createSwitchWorld,
  interceptedNavigations,
  measureSwitches,
  roundTrips,
  startSwitchSites,
  SWITCH_CLIENTS,
  type SwitchClient,
  type SwitchPage,
  type SwitchWorld,
} from '../support/roomSwitch.ts';
import { saveWindowScreenshot } from '../support/screenshots.ts';
import { connectToSynapse } from '../support/synapse.ts';

/**
 * Switching rooms inside each client (its fixture, routing as the client does: Cinny by
 * pushState, Element and Hydrogen by hash), in Chromium with the built extension signed in to
 * the real Synapse (test/support/roomSwitch.ts has the rooms and the checks): ten round trips
 * Plans -> Side room -> Plans by clicks in the room list, then back and forward; after each
 * switch nothing of the room left once a frame is drawn, then exactly the new room's toolbar,
 * banner and badges; in Cinny also navigations the page intercepts through the Navigation API.
 * Then, in Cinny, 20 round trips timed in the page: from a click to the
 * new room's badges and banner, and the frames that showed anything of the room left
 * (room_switch_to_badges_ms, room_switch_stale_frames; bench/roomSwitch.bench.ts).
 */

const server = inject('synapse');
const synapse = connectToSynapse(server);

const ROUND_TRIPS = 10;
const MEASURED_ROUND_TRIPS = 20;
/** How long after a switch into Side room its frames are watched for anything of Plans. */
const STALE_WINDOW_MS = 1_000;

describe('room switches inside the web clients, in Chromium', () => {
  let world: SwitchWorld;
  let sites: FixtureSite[] = [];
  let chromium: ChromiumSession;

  async function openClient(client: SwitchClient): Promise<{ page: Page; driver: SwitchPage }> {
    const page = await chromium.context.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`https://${client.hostname}${client.home}`);
    const driver: SwitchPage = {
      click: (selector) => page.click(selector),
      evaluate: (script) => page.evaluate(script),
      overlay: () =>
        readOverlay(page, client.hostContext).catch((error: unknown) => {
          // The page re-rendered between the two reads: look again.
          if (error instanceof Error && error.message.startsWith('the page changed')) return undefined;
          throw error;
        }),
      toolbar: () => toolbarOf(chromium, page),
      front: () => page.bringToFront(),
      url: () => page.url(),
      screenshot: (name) => saveWindowScreenshot(page, name),
    };
    return { page, driver };
  }

  beforeAll(async () => {
    world = await createSwitchWorld(synapse, server);
    sites = await startSwitchSites(world);
    chromium = await launchChromium({ args: chromiumArgsForSites(sites) });
    await signInInOptionsPage(chromium, { homeserver: server.baseUrl, userId: world.alice.userId, password: world.alice.password });
    // Bob's new device is a warning in both rooms until acknowledged; it is, in Side room.
    await acknowledgeAllInReview(chromium, world.side.id);
  });

  afterAll(async () => {
    (world as SwitchWorld | undefined)?.stop();
    await (chromium as ChromiumSession | undefined)?.close();
    await Promise.all(sites.map((site) => site.close()));
  });

  it.each(SWITCH_CLIENTS)(
    '$name: ten round trips by clicks in the room list, then back and forward, each showing only its own room',
    async (client) => {
      const { page, driver } = await openClient(client);
      try {
        await roundTrips(world, client, driver, ROUND_TRIPS);
      } finally {
        await page.close();
      }
    },
  );

  it('Cinny: navigations the page intercepts through the Navigation API (navigation.navigate) move the room too', async () => {
    const cinny = SWITCH_CLIENTS.find((client) => client.name === 'Cinny') as SwitchClient;
    const { page, driver } = await openClient(cinny);
    try {
      await interceptedNavigations(world, cinny, driver);
    } finally {
      await page.close();
    }
  });

  it("Cinny: a click in the room list brings the new room's badges and banner within a few frames, and no frame of the previous room's", async () => {
    const cinny = SWITCH_CLIENTS.find((client) => client.name === 'Cinny') as SwitchClient;
    const { page, driver } = await openClient(cinny);
    try {
      const { toBadges, staleFrames } = await measureSwitches(world, cinny, driver, MEASURED_ROUND_TRIPS, STALE_WINDOW_MS);
      console.info(
        `room switch to badges in Chromium (Cinny): ${toBadges.map((ms) => ms.toFixed(1)).join(', ')} ms; frames with the previous room's warnings: ${staleFrames}`,
      );
      setSamples({ room_switch_to_badges_ms: toBadges });
      setFigures({ room_switch_stale_frames: staleFrames });
      expect(toBadges).toHaveLength(MEASURED_ROUND_TRIPS);
      expect(staleFrames).toBe(0);
    } finally {
      await page.close();
    }
  });
});
