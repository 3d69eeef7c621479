/**
 * `npm run demo`: a local Synapse with demo accounts and an encrypted room, the Hydrogen web
 * client (built from hydrogen-view-sdk) served as https://hydrogen.element.io, and Chromium
 * with the built extension, both signed in as Alice. With `--headless` (chosen by itself when
 * there is no display) it saves screenshots of Hydrogen with the extension's badges and
 * banner, the popup over it, and the options page to demo-output/ and prints their paths;
 * otherwise it leaves the browser open until you close it or press Ctrl+C.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright';
import { launchChromium, type ChromiumSession } from './chromium.ts';
import { readEngineFacts, settled, signInThroughOptions } from './extensionPages.ts';
import { type HydrogenApp, openRoom, signInHydrogen, startHydrogenApp } from './hydrogenApp.ts';
import { readOverlay } from './overlay.ts';
import { REPO_ROOT } from './paths.ts';
import { Peer } from './peer.ts';
import { startSynapse, type SynapseServer } from './synapse.ts';
import { waitFor } from './waitFor.ts';

const OUTPUT_DIR = path.join(REPO_ROOT, 'demo-output');
const headless = process.argv.includes('--headless') || (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY);

interface DemoWorld {
  homeserver: string;
  alice: { userId: string; password: string; accessToken: string };
  roomId: string;
  roomName: string;
  /** Alice's phone signs her web client's session, as she would after verifying it. */
  trustSession(deviceId: string): Promise<void>;
  /** Things that happen after the extension has signed in, so it sees them happen. */
  unfold(): Promise<void>;
  stop(): void;
}

/**
 * Alice is the account the extension signs in to. She shares "Trust Guard demo" with Bob,
 * Carol, Dave and Erin. Once the extension watches, Bob adds a device he never signed, Erin
 * resets her identity, and someone logs in to Alice's account from a device she never signed.
 * Dave never set up cross-signing, so his device is unsigned from the start.
 */
async function createDemoWorld(synapse: SynapseServer): Promise<DemoWorld> {
  const register = (localpart: string, displayName: string) =>
    synapse.registerUser({ localpart, displayName, password: `${localpart}-demo-password` });
  const [aliceUser, bobUser, carolUser, daveUser, erinUser] = await Promise.all([
    register('alice', 'Alice'),
    register('bob', 'Bob'),
    register('carol', 'Carol'),
    register('dave', 'Dave'),
    register('erin', 'Erin'),
  ]);
  const peers: Peer[] = [];
  const login = async (user: { userId: string; password: string }, deviceName: string) => {
    const peer = await Peer.login(synapse, user, { deviceName });
    peers.push(peer);
    return peer;
  };
  const [alice, bob, carol, dave, erin] = await Promise.all([
    login(aliceUser, "Alice's phone"),
    login(bobUser, "Bob's desktop"),
    login(carolUser, "Carol's laptop"),
    login(daveUser, "Dave's tablet"),
    login(erinUser, "Erin's phone"),
  ]);
  await Promise.all([alice, bob, carol, erin].map((peer) => peer.bootstrapCrossSigning()));
  const roomName = 'Trust Guard demo';
  const roomId = await alice.shareRoomWith(bob, carol, dave, erin);
  await alice.client.setRoomName(roomId, roomName);
  await alice.sendText(roomId, 'Welcome to the Trust Guard demo room.');
  return {
    homeserver: synapse.baseUrl,
    alice: aliceUser,
    roomId,
    roomName,
    trustSession: (deviceId) => alice.signOwnDeviceById(deviceId),
    async unfold() {
      peers.push(await bob.addUnsignedDevice({ deviceName: 'Unknown device' }));
      await erin.resetIdentity();
      peers.push(await login(aliceUser, 'Firefox on Linux'));
      await bob.sendText(roomId, 'Hi Alice!');
    },
    stop() {
      for (const peer of peers) peer.stop();
    },
  };
}

async function signIn(chromium: ChromiumSession, synapse: SynapseServer, world: DemoWorld): Promise<void> {
  const options = await chromium.openExtensionPage('options.html');
  await signInThroughOptions(options, { homeserver: synapse.baseUrl, ...world.alice });
  await options.close();
}

/** Alice's web client: Hydrogen, signed in, her session trusted, the demo room open with its members. */
async function openWebClient(chromium: ChromiumSession, app: HydrogenApp, world: DemoWorld): Promise<Page> {
  const page = await chromium.context.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(app.url);
  await signInHydrogen(page, world.alice);
  await world.trustSession(await hydrogenDeviceId(world));
  await openRoom(page, world.roomId, { members: true });
  return page;
}

/** The session Hydrogen just created on Alice's account (Hydrogen names its sessions "Hydrogen"). */
async function hydrogenDeviceId(world: DemoWorld): Promise<string> {
  const response = await fetch(`${world.homeserver}/_matrix/client/v3/devices`, {
    headers: { Authorization: `Bearer ${world.alice.accessToken}` },
  });
  const { devices } = (await response.json()) as { devices: { device_id: string; display_name?: string }[] };
  const session = devices.find((device) => device.display_name === 'Hydrogen');
  if (!session) throw new Error('Hydrogen did not register a session');
  return session.device_id;
}

async function screenshotPages(chromium: ChromiumSession, webClient: Page, world: DemoWorld): Promise<string[]> {
  await fs.mkdir(OUTPUT_DIR, { recursive: true });
  // Bob's unknown device: a badge next to him in the member list and as a sender, and the banner.
  await waitFor(
    "Bob's badges and the banner in Hydrogen",
    async () => {
      const seen = await readOverlay(webClient, 'host.closest("li") ? "item" : "elsewhere"').catch(() => undefined);
      return seen && seen.badges.length >= 2 && seen.banner ? true : undefined;
    },
    60_000,
  );
  const webClientPath = path.join(OUTPUT_DIR, 'hydrogen.png');
  await webClient.screenshot({ path: webClientPath });

  const popup = await chromium.openPopupOver(webClient);
  await popup.setViewportSize({ width: 380, height: 1000 });
  await popup.locator(`section.current-tab .room-review[data-room="${world.roomId}"] .room-summary`).waitFor({ timeout: 60_000 });
  await popup.getByText('Unknown device').first().waitFor({ timeout: 60_000 });
  const options = await chromium.openExtensionPage('options.html');
  await options.setViewportSize({ width: 900, height: 900 });
  await waitFor('the encryption engine to report', async () => settled(await readEngineFacts(options)));
  const popupPath = path.join(OUTPUT_DIR, 'popup.png');
  const optionsPath = path.join(OUTPUT_DIR, 'options.png');
  await popup.locator('body').screenshot({ path: popupPath });
  await options.screenshot({ path: optionsPath, fullPage: true });
  return [webClientPath, popupPath, optionsPath];
}

function untilClosed(chromium: ChromiumSession): Promise<void> {
  return new Promise((resolve) => {
    chromium.context.once('close', () => resolve());
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

async function main(): Promise<void> {
  console.log('Starting a local Synapse…');
  const synapse = await startSynapse({ name: 'demo' });
  let chromium: ChromiumSession | undefined;
  let world: DemoWorld | undefined;
  let app: HydrogenApp | undefined;
  try {
    console.log('Creating demo accounts, devices and an encrypted room; building the Hydrogen web client…');
    [world, app] = await Promise.all([createDemoWorld(synapse), startHydrogenApp({ homeserver: synapse.baseUrl })]);
    chromium = await launchChromium({ headless, args: app.chromiumArgs });
    console.log('Signing the extension in as Alice…');
    await signIn(chromium, synapse, world);
    console.log('Signing Alice in to Hydrogen (https://hydrogen.element.io, served locally)…');
    const webClient = await openWebClient(chromium, app, world);
    console.log('Bob adds a device he never signed, Erin resets her identity, someone logs in as Alice…');
    await world.unfold();
    console.log('\nMatrix Trust Guard demo');
    console.log(`  Homeserver  ${synapse.baseUrl} (server name "${synapse.serverName}")`);
    console.log(`  Signed in   ${world.alice.userId} (password ${world.alice.password})`);
    console.log(`  Room        "${world.roomName}" with Bob, Carol, Dave and Erin (end-to-end encrypted)`);
    console.log(`  Web client  ${app.url} (Hydrogen, served from this machine; Chromium resolves the name locally)`);
    if (headless) {
      const shots = await screenshotPages(chromium, webClient, world);
      console.log('\nScreenshots of the extension:');
      for (const shot of shots) console.log(`  ${shot}`);
      return;
    }
    await webClient.bringToFront();
    console.log("\nChromium shows Hydrogen with the extension's badges; its toolbar icon opens the popup.");
    console.log('Close the browser or press Ctrl+C to stop the demo and its homeserver.');
    await untilClosed(chromium);
  } finally {
    world?.stop();
    await chromium?.close().catch(() => undefined);
    await app?.close();
    await synapse.stop();
  }
}

try {
  await main();
  // matrix-js-sdk leaves request timers behind; everything of ours is closed, so end now.
  process.exit(0);
} catch (error) {
  console.error(`The demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
