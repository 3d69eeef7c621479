import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { historyLines } from '../../src/text/historyText';
import { type NodeBackground, newBrowserProfile, shownIn, startNodeBackground } from '../support/nodeBackground.ts';
import { Peer } from '../support/peer.ts';
import { connectToSynapse } from '../support/synapse.ts';
import { waitFor } from '../support/waitFor.ts';

/**
 * The trust history as the extension writes it (AccountService, Rust crypto, the ledger and
 * the history in IndexedDB), signed in as Alice against the real Synapse: a real peer adds a
 * device its owner did not sign, Alice is warned and acknowledges it, the device leaves.
 */

const server = inject('synapse');
const synapse = connectToSynapse(server);
const peers: Peer[] = [];
let extension: NodeBackground;
let alicePhone: Peer;

beforeAll(async () => {
  const alice = await synapse.registerUser({ localpart: `alice-${Date.now().toString(36)}`, displayName: 'Alice' });
  extension = await startNodeBackground(newBrowserProfile());
  await extension.account.signIn({ homeserver: server.baseUrl, user: alice.userId, password: alice.password });
  alicePhone = await Peer.login(server, alice, { deviceName: "Alice's phone" });
  peers.push(alicePhone);
}, 120_000);

afterAll(() => {
  for (const peer of peers) peer.stop();
  extension.stop();
});

describe('the trust history', () => {
  it("holds a device's story in order: appeared, warned (where), acknowledged, departed, with room, user, device and key", async () => {
    const daveUser = await synapse.registerUser({ displayName: 'Dave' });
    const dave = await Peer.login(server, daveUser, { deviceName: "Dave's laptop" });
    peers.push(dave);
    await dave.bootstrapCrossSigning();
    const roomId = await alicePhone.shareRoomWith(dave);
    await extension.reportWhere(roomId, (r) => r.memberCount === 2 && r.checking.length === 0, 'the extension to know the room');

    const rogue = await dave.addUnsignedDevice({ deviceName: 'Rogue tablet' });
    peers.push(rogue);
    const drawn = await extension.reportWhere(
      roomId,
      (r) => r.members.some((m) => m.devices.some((d) => d.deviceId === rogue.deviceId)),
      "Dave's unsigned device in the report",
    );
    await extension.account.rooms.markWarned(roomId, undefined, { where: 'popup' });
    await extension.account.rooms.acknowledge(roomId, shownIn(drawn, { userId: dave.userId, deviceId: rogue.deviceId }));
    await rogue.logout();
    const story = await waitFor('the departure in the history', async () => {
      const events = (await extension.history.all()).filter((e) => e.deviceId === rogue.deviceId).reverse();
      return events.some((e) => e.kind === 'departed') ? events : undefined;
    });

    const key = (await extension.ledger.entriesForRoom(roomId)).find((e) => e.deviceId === rogue.deviceId)?.ed25519Key;
    expect(key).toBeDefined();
    expect(story.map((e) => e.kind)).toEqual(['device-appeared', 'warned', 'acknowledged', 'departed']);
    for (const event of story) expect(event).toMatchObject({ roomId, userId: dave.userId, deviceId: rogue.deviceId, ed25519Key: key });
    expect(story[0]).toMatchObject({ class: 'unsigned', userName: 'Dave', deviceName: 'Rogue tablet' });
    expect(story[1]).toMatchObject({ where: 'popup' });
    expect(story.map((e) => e.at)).toEqual([...story.map((e) => e.at)].sort((a, b) => a - b));
    // The history's sentence for it, as the options page shows it: one line.
    const [line, ...more] = historyLines(story);
    expect(more).toEqual([]);
    expect(line?.text).toMatch(
      /Dave's Rogue tablet \(\w+\) appeared in .+; you were warned in the extension at .+; you acknowledged it at .+; it left at /,
    );
  });
});
