import { Method } from 'matrix-js-sdk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pageRoomView } from '../../src/trust/pageWarnings';
import type { MemberReport, RoomTrustReport } from '../../src/trust/types';
import { type NodeBackground, newBrowserProfile, startNodeBackground } from '../support/nodeBackground.ts';
import { Peer } from '../support/peer.ts';
import { connectToSynapse } from '../support/synapse.ts';
import { waitFor } from '../support/waitFor.ts';
import { sdkSessionOf } from '../support/sdkSession';

/**
 * A bridged room as the extension sees it, against the real Synapse: a bridge bot and one of its
 * puppets, both without cross-signing (as bridges make them), in a room of Alice's. Without an
 * `m.bridge` event their devices are plain unsigned warnings; once the bot declares the bridge,
 * they are bridged, neutral by default and warnings again under the strict policy; when the bot
 * empties the event, they warn again. A user on the same server who does not match the bridge's
 * naming keeps warning throughout.
 */

const server = inject('synapse');
const synapse = connectToSynapse(server);

/** Unique per run (the Synapse is shared by every integration file), ending in "bot" like mautrix's bots. */
const STEM = `tg${Date.now().toString(36)}`;
const BRIDGE_STATE_KEY = `net.maunium.telegram://telegram/${STEM}`;

let extension: NodeBackground;
let alicePhone: Peer;
let bot: Peer;
let puppet: Peer;
let outsider: Peer;
let roomId: string;
/** Every peer started, to stop them even when setting up failed half-way. */
const peers: Peer[] = [];

async function peerWithoutCrossSigning(localpart: string, displayName: string): Promise<Peer> {
  const user = await synapse.registerUser({ localpart, displayName });
  const peer = await Peer.login(server, user, { deviceName: `${displayName}'s device` });
  peers.push(peer);
  return peer;
}

/** As the bridge does it: a state event sent as the bot (raw, since matrix-js-sdk types only the spec's state events). */
async function setBridgeState(content: Record<string, unknown>): Promise<void> {
  const path = `/rooms/${encodeURIComponent(roomId)}/state/m.bridge/${encodeURIComponent(BRIDGE_STATE_KEY)}`;
  await bot.client.http.authedRequest(Method.Put, path, undefined, content);
}

function member(report: RoomTrustReport, userId: string): MemberReport | undefined {
  return report.members.find((m) => m.userId === userId);
}

function classOf(report: RoomTrustReport, peer: Peer): string | undefined {
  return member(report, peer.userId)?.devices.find((d) => d.deviceId === peer.deviceId)?.class;
}

beforeAll(async () => {
  const alice = await synapse.registerUser({ localpart: `alice-${STEM}`, displayName: 'Alice' });
  extension = await startNodeBackground(newBrowserProfile());
  await extension.account.signIn({ homeserver: server.baseUrl, user: alice.userId, password: alice.password });
  const session = sdkSessionOf(extension.account.device);
  await session.crypto.bootstrapCrossSigning({});
  alicePhone = await Peer.login(server, alice, { deviceName: "Alice's phone" });
  peers.push(alicePhone);
  await waitFor(
    "the extension to see Alice's phone",
    async () => (await session.crypto.getUserDeviceInfo([alice.userId])).get(alice.userId)?.has(alicePhone.deviceId) || undefined,
  );
  await session.crypto.crossSignDevice(alicePhone.deviceId);
  bot = await peerWithoutCrossSigning(`${STEM}bot`, 'Telegram bridge bot');
  puppet = await peerWithoutCrossSigning(`${STEM}_4242`, 'Telegram Tom');
  outsider = await peerWithoutCrossSigning(`${STEM}4242`, 'Not a puppet');
  roomId = await alicePhone.shareRoomWith(bot, puppet, outsider);
  // The bot may send state (a bridge's bot is usually given this when it is invited).
  await alicePhone.client.setPowerLevel(roomId, bot.userId, 50);
  await extension.reportWhere(roomId, (r) => r.memberCount === 4 && r.checking.length === 0, 'the extension to know everyone in the room');
}, 180_000);

afterAll(() => {
  for (const peer of peers) peer.stop();
  // Undefined when signing in failed: there is nothing to stop then.
  (extension as NodeBackground | undefined)?.stop();
});

describe('a bridged room', () => {
  it('warns about the unsigned devices of the bot and the puppet until the room says it is bridged', async () => {
    const report = await extension.reportWhere(
      roomId,
      (r) => [bot, puppet, outsider].every((peer) => classOf(r, peer) === 'unsigned'),
      'three unsigned devices, before any bridge event',
    );
    expect(report.bridges).toBeUndefined();
    expect(report.newWarnings).toEqual({ warn: 3, critical: 0 });
  });

  it('by default: shows the bot and the puppet as bridged, neutral, counted nowhere; the outsider still warns', async () => {
    await setBridgeState({
      bridgebot: bot.userId,
      creator: bot.userId,
      protocol: { id: 'telegram', displayname: 'Telegram' },
      channel: { id: '4242', displayname: 'Friends' },
    });
    const report = await extension.reportWhere(
      roomId,
      (r) => classOf(r, puppet) === 'bridged' && classOf(r, bot) === 'bridged',
      'the bridge event to make the bot and the puppet bridged',
    );
    expect(report.bridges).toEqual([{ botUserId: bot.userId, protocol: { id: 'telegram', displayName: 'Telegram' } }]);
    expect(member(report, bot.userId)).toMatchObject({ bridgeRole: 'bridge-bot', severity: 'neutral' });
    expect(member(report, puppet.userId)).toMatchObject({
      bridgeRole: 'bridge-puppet',
      severity: 'neutral',
      devices: [expect.objectContaining({ deviceId: puppet.deviceId, class: 'bridged', severity: 'neutral', isNew: false })],
    });
    expect(member(report, outsider.userId)).toMatchObject({ severity: 'warn' });
    expect(member(report, outsider.userId)?.bridgeRole).toBeUndefined();
    expect(classOf(report, outsider)).toBe('unsigned');
    expect(report.warnings).toEqual({ warn: 1, critical: 0 });
    expect(report.newWarnings).toEqual({ warn: 1, critical: 0 });

    // The page (badges, banner) hears only of the outsider; the overview counts only the outsider.
    const page = pageRoomView(report);
    expect(page.badges.map((badge) => badge.userId)).toEqual([outsider.userId]);
    expect(page.banner?.members.map((m) => m.userId)).toEqual([outsider.userId]);
    const overview = await waitFor('an overview with the bridged room counted', () =>
      extension.overviews.findLast((o) => o.rooms.some((room) => room.roomId === roomId && room.warnings.warn === 1)),
    );
    expect(overview.rooms.find((room) => room.roomId === roomId)?.newWarnings).toEqual({ warn: 1, critical: 0 });

    // The ledger keeps the bridged devices with their class; shown to the user, only the outsider is stamped warned.
    await extension.account.rooms.markWarned(roomId);
    const entries = await extension.ledger.entriesForRoom(roomId);
    const entryOf = (peer: Peer) => entries.find((entry) => entry.userId === peer.userId && entry.deviceId === peer.deviceId);
    expect(entryOf(puppet)).toMatchObject({ firstClass: 'unsigned', lastClass: 'bridged' });
    expect(entryOf(puppet)?.warnedAt).toBeUndefined();
    expect(entryOf(outsider)?.warnedAt).toBeDefined();
  });

  it('under the strict policy: the bridged devices are warnings again, new, with the bridged wording', async () => {
    await extension.account.rooms.setPolicy('strict');
    const report = await extension.reportWhere(
      roomId,
      (r) => r.policy === 'strict' && member(r, puppet.userId)?.severity === 'warn',
      'the strict policy to make bridged devices warnings',
    );
    for (const peer of [bot, puppet]) {
      expect(member(report, peer.userId)?.devices).toEqual([
        expect.objectContaining({ deviceId: peer.deviceId, class: 'bridged', severity: 'warn', isNew: true }),
      ]);
    }
    expect(report.newWarnings).toEqual({ warn: 3, critical: 0 });
    expect(new Set(pageRoomView(report).badges.map((badge) => badge.userId))).toEqual(
      new Set([bot.userId, puppet.userId, outsider.userId]),
    );
    await extension.account.rooms.setPolicy('default');
  });

  it('when the bot empties the bridge event, its devices and the puppet’s are unsigned warnings again', async () => {
    // Only reports pushed after the event count: earlier ones (before the bridge) look the same.
    const before = extension.reports.length;
    await setBridgeState({});
    const report = await waitFor('the emptied bridge event to make the devices unsigned again', () =>
      extension.reports
        .slice(before)
        .findLast((r) => r.roomId === roomId && classOf(r, puppet) === 'unsigned' && classOf(r, bot) === 'unsigned'),
    );
    expect(report.policy).toBe('default');
    expect(report.bridges).toBeUndefined();
    expect(report.newWarnings).toEqual({ warn: 3, critical: 0 });
  });
});
