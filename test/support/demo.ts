/**
 * `npm run demo`: a local Synapse with demo accounts and an encrypted room, and Chromium with
 * the built extension. With `--headless` (chosen by itself when there is no display) it saves
 * screenshots of the popup and options page to demo-output/ and prints their paths; otherwise
 * it leaves the browser open until you close it or press Ctrl+C.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { launchChromium, type ChromiumSession } from './chromium.ts';
import { readEngineFactsInPage, settled } from './extensionPages.ts';
import { REPO_ROOT } from './paths.ts';
import { Peer } from './peer.ts';
import { startSynapse, type SynapseServer } from './synapse.ts';
import { waitFor } from './waitFor.ts';

const OUTPUT_DIR = path.join(REPO_ROOT, 'demo-output');
const headless = process.argv.includes('--headless') || (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY);

interface DemoAccount {
  userId: string;
  password: string;
  story: string;
}

/**
 * Alice is the account the extension watches: she verified Carol, and shares an encrypted
 * room with Bob (who has a second device he never signed) and Carol (all devices signed).
 */
async function createDemoWorld(synapse: SynapseServer): Promise<{ accounts: DemoAccount[]; roomName: string }> {
  const register = (localpart: string, displayName: string) =>
    synapse.registerUser({ localpart, displayName, password: `${localpart}-demo-password` });
  const [aliceUser, bobUser, carolUser] = await Promise.all([
    register('alice', 'Alice'),
    register('bob', 'Bob'),
    register('carol', 'Carol'),
  ]);
  const peers: Peer[] = [];
  const login = async (user: { userId: string; password: string }, deviceName: string) => {
    const peer = await Peer.login(synapse, user, { deviceName });
    peers.push(peer);
    return peer;
  };
  try {
    const [alice, bob, carol] = await Promise.all([
      login(aliceUser, "Alice's phone"),
      login(bobUser, "Bob's desktop"),
      login(carolUser, "Carol's laptop"),
    ]);
    await Promise.all([alice.bootstrapCrossSigning(), bob.bootstrapCrossSigning(), carol.bootstrapCrossSigning()]);
    const roomName = 'Trust Guard demo';
    const roomId = await alice.shareRoomWith(bob, carol);
    await alice.client.setRoomName(roomId, roomName);
    await alice.verifyUser(carol);
    peers.push(await bob.addUnsignedDevice({ deviceName: 'Unknown device' }));
    await alice.sendText(roomId, 'Welcome to the Trust Guard demo room.');
    await bob.sendText(roomId, 'Hi Alice!');
    return {
      roomName,
      accounts: [
        { ...aliceUser, story: 'verified Carol; shares the room with Bob and Carol' },
        { ...bobUser, story: 'has a second device he never signed ("Unknown device")' },
        { ...carolUser, story: 'verified by Alice; every device signed' },
      ],
    };
  } finally {
    for (const peer of peers) peer.stop();
  }
}

async function screenshotPages(chromium: ChromiumSession): Promise<string[]> {
  await fs.mkdir(OUTPUT_DIR, { recursive: true });
  const options = await chromium.openExtensionPage('options.html');
  await options.setViewportSize({ width: 900, height: 900 });
  await waitFor('the encryption engine to report', async () => settled(await options.evaluate(readEngineFactsInPage)));
  const popup = await chromium.openExtensionPage('popup.html');
  await popup.setViewportSize({ width: 380, height: 600 });
  await popup.locator('[data-status="Encryption engine"]:not(.tone-busy)').waitFor();
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
  try {
    console.log('Creating demo accounts, devices and an encrypted room…');
    const world = await createDemoWorld(synapse);
    chromium = await launchChromium({ headless });
    console.log('\nMatrix Trust Guard demo');
    console.log(`  Homeserver  ${synapse.baseUrl} (server name "${synapse.serverName}")`);
    console.log(`  Room        "${world.roomName}" (end-to-end encrypted)`);
    for (const account of world.accounts) {
      console.log(`  Account     ${account.userId}  password ${account.password}  ${account.story}`);
    }
    if (headless) {
      const shots = await screenshotPages(chromium);
      console.log('\nScreenshots of the extension:');
      for (const shot of shots) console.log(`  ${shot}`);
      return;
    }
    await chromium.openExtensionPage('options.html');
    console.log('\nChromium is open with the extension (its toolbar icon opens the popup).');
    console.log('Close the browser or press Ctrl+C to stop the demo and its homeserver.');
    await untilClosed(chromium);
  } finally {
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
