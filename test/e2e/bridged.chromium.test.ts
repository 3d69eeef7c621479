import { Method } from 'matrix-js-sdk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ChromiumSession, launchChromium } from '../support/chromium.ts';
import { signInInOptionsPage } from '../support/extensionPages.ts';
import { Peer } from '../support/peer.ts';
import { joinRoom } from '../support/population.ts';
import { saveScreenshot } from '../support/screenshots.ts';
import { connectToSynapse } from '../support/synapse.ts';

/**
 * A bridged room in the popup, with the built extension signed in to the test Synapse: a
 * Telegram bridge's bot and one of its puppets, neither with a cross-signing identity (as
 * bridges make them), in an encrypted room with Alice; the bot declares the bridge with an
 * `m.bridge` state event. Their unsigned sessions are bridged, not intruders: labelled, neutral,
 * and the room is never called all clear.
 */

const server = inject('synapse');
const synapse = connectToSynapse(server);
/** Unique per run: the Synapse is shared by every e2e file. */
const STEM = `tg${Date.now().toString(36)}`;

describe('a bridged room in the popup, in Chromium', () => {
  const peers: Peer[] = [];
  let chromium: ChromiumSession;
  let roomId: string;
  let bot: Peer;
  let puppet: Peer;

  beforeAll(async () => {
    const alice = await synapse.registerUser({ displayName: 'Alice' });
    bot = await Peer.login(server, await synapse.registerUser({ localpart: `${STEM}bot`, displayName: 'Telegram bridge bot' }));
    peers.push(bot);
    puppet = await Peer.login(server, await synapse.registerUser({ localpart: `${STEM}_4242`, displayName: 'Tom (Telegram)' }));
    peers.push(puppet);
    roomId = await bot.createEncryptedRoom({ name: 'Tom (Telegram)', invite: [puppet.userId, alice.userId] });
    await puppet.joinRoom(roomId);
    await joinRoom(server.baseUrl, alice.accessToken, roomId);
    const bridge = `/rooms/${encodeURIComponent(roomId)}/state/m.bridge/${encodeURIComponent(`org.example.telegram://telegram/${STEM}`)}`;
    await bot.client.http.authedRequest(Method.Put, bridge, undefined, {
      bridgebot: bot.userId,
      creator: bot.userId,
      protocol: { id: 'telegram', displayname: 'Telegram' },
      channel: { id: '4242', displayname: 'Tom' },
    });
    chromium = await launchChromium();
    await signInInOptionsPage(chromium, { homeserver: server.baseUrl, userId: alice.userId, password: alice.password });
  });

  afterAll(async () => {
    for (const peer of peers) peer.stop();
    await (chromium as ChromiumSession | undefined)?.close();
  });

  it('labels the room, its bot and its puppet, shows their sessions as bridged, and never calls the room all clear', async () => {
    const review = await chromium.openExtensionPage(`popup.html#room=${encodeURIComponent(roomId)}`);
    await review.setViewportSize({ width: 420, height: 900 });
    const label = review.locator(`.room-review p.notice.bridge[data-bridge-bot="${bot.userId}"]`);
    await label.waitFor({ timeout: 60_000 });
    expect(await label.innerText()).toBe(
      // The bot by its user id: a display name is anyone's to choose.
      `Bridged to Telegram by ${bot.userId}: messages to people on the other side leave Matrix's end-to-end encryption at the bridge.`,
    );
    const puppetRow = review.locator(`li.member[data-user="${puppet.userId}"]`);
    await puppetRow.locator(`li.device[data-device="${puppet.deviceId}"]`).waitFor();
    expect(await puppetRow.locator('.member-head .tag').innerText()).toBe('Bridged');
    expect(await puppetRow.locator(`li.device[data-device="${puppet.deviceId}"] .device-detail`).innerText()).toContain(
      "Bridged: messages leave Matrix's end-to-end encryption at the bridge",
    );
    expect(await review.locator(`li.member[data-user="${bot.userId}"] .member-head .tag`).innerText()).toBe('Bridge bot');
    const summary = review.locator('.room-review .room-summary');
    expect(await summary.getAttribute('class')).toContain('tone-neutral');
    expect(await summary.innerText()).toBe(
      'No new warnings in this room; messages to its bridged people leave end-to-end encryption at the bridge.',
    );
    // The account's rooms at a glance: not "no warnings in your room" in the all-clear colour either.
    const rooms = review.getByText(
      'No warnings in your rooms; 1 of them is bridged, and messages there leave end-to-end encryption at the bridge.',
    );
    await rooms.waitFor();
    expect(await rooms.getAttribute('class')).toContain('tone-neutral');
    await saveScreenshot(review, 'bridged-room-popup');
    await review.close();
  });
});
