import { type HydrogenApp, startHydrogenApp } from './hydrogenApp.ts';
import type { SeenOverlay } from './overlay.ts';
import { Peer } from './peer.ts';
import { joinRoom } from './population.ts';
import type { RegisteredUser, SynapseConnection, SynapseInfo } from './synapse.ts';
import { waitFor } from './waitFor.ts';

/**
 * The in-page warnings on the real Hydrogen client, the same in Chromium and Firefox
 * (test/e2e/inPage.hydrogen*.test.ts): Alice (the extension's account, and Hydrogen's) is in
 * two encrypted rooms, Plans with Bob and Other room with Carol; Bob and Carol sign their own
 * devices, so only the devices the tests give them unsigned are warnings.
 */
export interface HydrogenWorld {
  app: HydrogenApp;
  alice: RegisteredUser;
  bob: Peer;
  carol: Peer;
  planRoom: string;
  otherRoom: string;
  /** Devices the tests add (stopped with the rest). */
  extraDevices: Peer[];
  stop(): Promise<void>;
}

export async function createHydrogenWorld(synapse: SynapseConnection, server: SynapseInfo): Promise<HydrogenWorld> {
  const alice = await synapse.registerUser({ displayName: 'Alice' });
  const [bobUser, carolUser] = await Promise.all([
    synapse.registerUser({ displayName: 'Bob' }),
    synapse.registerUser({ displayName: 'Carol' }),
  ]);
  const started = await Promise.allSettled([
    startHydrogenApp({ homeserver: server.baseUrl }),
    Peer.login(server, bobUser),
    Peer.login(server, carolUser),
  ]);
  const extraDevices: Peer[] = [];
  const stopAll = async () => {
    for (const peer of extraDevices) peer.stop();
    for (const result of started.slice(1)) if (result.status === 'fulfilled') (result.value as Peer).stop();
    if (started[0].status === 'fulfilled') await started[0].value.close();
  };
  try {
    const [app, bob, carol] = started.map((result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    }) as [HydrogenApp, Peer, Peer];
    await Promise.all([bob.bootstrapCrossSigning(), carol.bootstrapCrossSigning()]);
    const planRoom = await bob.createEncryptedRoom({ name: 'Plans', invite: [alice.userId] });
    const otherRoom = await carol.createEncryptedRoom({ name: 'Other room', invite: [alice.userId] });
    await joinRoom(server.baseUrl, alice.accessToken, planRoom);
    await joinRoom(server.baseUrl, alice.accessToken, otherRoom);
    return { app, alice, bob, carol, planRoom, otherRoom, extraDevices, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * Bob says hello in Plans once he knows the device Alice's Hydrogen just made (he encrypts for
 * the devices he knows), so that Hydrogen can read it and show him as a sender.
 */
export async function bobSaysHello(world: HydrogenWorld): Promise<void> {
  const { alice, bob } = world;
  await waitFor(
    "Bob to know Alice's Hydrogen device",
    async () => ((await bob.crypto.getUserDeviceInfo([alice.userId])).get(alice.userId)?.size ?? 0) > 1 || undefined,
  );
  await bob.sendText(world.planRoom, 'Hello from Bob');
}

/**
 * Warnings, not "checking" badges: a member who adds a device is being checked (a '?' badge)
 * until the key query about them answers, which is right but not what these tests look at.
 */
export const warned = (seen: SeenOverlay) => seen.badges.length > 0 && seen.badges.every((badge) => badge.severity !== 'checking');

/** What each badge sits next to (see HYDROGEN_HOST_CONTEXT), in order. */
export const contexts = (seen: SeenOverlay) => seen.badges.map((badge) => badge.context).sort();

/** Bob's two badges in Plans: his member row and his message. */
export const bobsBadges = (world: HydrogenWorld) => [`member ${world.bob.userId}`, `sender ${world.bob.userId}`];

/**
 * A waiter on the page's overlay, as `read` reads it: waits until it passes `check`, and
 * returns it. A page that re-rendered between the two reads of `read` is looked at again.
 */
export function overlayWaiter(read: () => Promise<SeenOverlay>) {
  return (what: string, check: (seen: SeenOverlay) => boolean, timeoutMs = 30_000): Promise<SeenOverlay> =>
    waitFor(
      what,
      async () => {
        const seen = await read().catch((error: unknown) => {
          if (error instanceof Error && error.message.startsWith('the page changed')) return undefined;
          throw error;
        });
        return seen && check(seen) ? seen : undefined;
      },
      timeoutMs,
    );
}

/**
 * Run in the page: from now on, notes every moment it shows none of our marks (no badge, no
 * banner) in `window.mtgBareAt`. A restarted background must confirm the badges, never take
 * them away while it starts.
 */
export const WATCH_BARE_PAGE = `(() => {
  const bare = (window.mtgBareAt = []);
  const look = () => {
    if (document.querySelector('[data-mtg-badge], [data-mtg-banner]') === null) bare.push(Date.now());
  };
  window.mtgBareObserver = new MutationObserver(look);
  window.mtgBareObserver.observe(document.documentElement, { childList: true, subtree: true });
  look();
})()`;

/** Run in the page: stops WATCH_BARE_PAGE and answers the times it noted. */
export const BARE_TIMES = 'window.mtgBareObserver.disconnect(), window.mtgBareAt';

/** What the first unsigned device the tests give Bob is called: markup and a right-to-left override, to be shown as inert text. */
export const ROGUE_NAME = 'Rogue <img src=x onerror=alert(1)> \u202Eexe.txt';

/** Its badge's tooltip: the name as inert text, without the override. */
export const rogueTitle = (deviceId: string) =>
  `Matrix Trust Guard: 1 unverified device\nIn Plans\nRogue <img src=x onerror=alert(1)> exe.txt (${deviceId}): Not signed by its owner`;
