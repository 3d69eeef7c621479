/**
 * `npm run demo`: a local Synapse with demo accounts and an encrypted room, and Chromium with
 * the built extension. With `--headless` (chosen by itself when there is no display) it saves
 * screenshots of the popup and options page to demo-output/ and prints their paths; otherwise
 * it leaves the browser open until you close it or press Ctrl+C.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { launchChromium, type ChromiumSession } from './chromium.ts';
import { readEngineFacts, settled, signInThroughOptions } from './extensionPages.ts';
import { REPO_ROOT } from './paths.ts';
import { Peer } from './peer.ts';
import { startSynapse, type SynapseServer } from './synapse.ts';
import { waitFor } from './waitFor.ts';

const OUTPUT_DIR = path.join(REPO_ROOT, 'demo-output');
const headless = process.argv.includes('--headless') || (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY);

interface DemoWorld {
  alice: { userId: string; password: string };
  roomName: string;
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
    alice: aliceUser,
    roomName,
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

async function screenshotPages(chromium: ChromiumSession, world: DemoWorld): Promise<string[]> {
  await fs.mkdir(OUTPUT_DIR, { recursive: true });
  const popup = await chromium.openExtensionPage('popup.html');
  await popup.setViewportSize({ width: 380, height: 900 });
  const room = popup.getByRole('button', { name: new RegExp(world.roomName) });
  await room.waitFor({ timeout: 60_000 });
  // Erin's identity reset and Alice's unsigned session are critical; Bob's and Dave's unsigned devices warn.
  await popup.getByText('2 critical, 2 warnings').waitFor({ timeout: 60_000 });
  await room.click();
  await popup.getByText('Unknown device').waitFor();
  const options = await chromium.openExtensionPage('options.html');
  await options.setViewportSize({ width: 900, height: 900 });
  await waitFor('the encryption engine to report', async () => settled(await readEngineFacts(options)));
  const popupPath = path.join(OUTPUT_DIR, 'popup.png');
  const optionsPath = path.join(OUTPUT_DIR, 'options.png');
  await popup.locator('body').screenshot({ path: popupPath });
  await options.screenshot({ path: optionsPath, fullPage: true });
  return [popupPath, optionsPath];
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
  try {
    console.log('Creating demo accounts, devices and an encrypted room…');
    world = await createDemoWorld(synapse);
    chromium = await launchChromium({ headless });
    console.log('Signing the extension in as Alice…');
    await signIn(chromium, synapse, world);
    console.log('Bob adds a device he never signed, Erin resets her identity, someone logs in as Alice…');
    await world.unfold();
    console.log('\nMatrix Trust Guard demo');
    console.log(`  Homeserver  ${synapse.baseUrl} (server name "${synapse.serverName}")`);
    console.log(`  Signed in   ${world.alice.userId} (password ${world.alice.password})`);
    console.log(`  Room        "${world.roomName}" with Bob, Carol, Dave and Erin (end-to-end encrypted)`);
    if (headless) {
      const shots = await screenshotPages(chromium, world);
      console.log('\nScreenshots of the extension:');
      for (const shot of shots) console.log(`  ${shot}`);
      return;
    }
    await chromium.openExtensionPage('popup.html');
    console.log('\nChromium is open with the extension (its toolbar icon opens the popup).');
    console.log('Close the browser or press Ctrl+C to stop the demo and its homeserver.');
    await untilClosed(chromium);
  } finally {
    world?.stop();
    await chromium?.close().catch(() => undefined);
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
