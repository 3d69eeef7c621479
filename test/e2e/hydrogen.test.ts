import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright';
import { type ChromiumSession, launchChromium } from '../support/chromium.ts';
import { type HydrogenApp, openRoom, signInHydrogen, startHydrogenApp } from '../support/hydrogenApp.ts';
import { Peer } from '../support/peer.ts';
import { joinRoom } from '../support/population.ts';
import { connectToSynapse, type RegisteredUser } from '../support/synapse.ts';
import { waitFor } from '../support/waitFor.ts';

/**
 * The real Hydrogen web client (test/hydrogen, from the hydrogen-view-sdk package), served as
 * https://hydrogen.element.io against the test Synapse: the page the in-page warnings will be
 * tested on. This file checks the client alone, with none of the extension's behaviour.
 */

const server = inject('synapse');
const synapse = connectToSynapse(server);

describe('the real Hydrogen client, served locally', () => {
  let app: HydrogenApp;
  let chromium: ChromiumSession;
  let page: Page;
  let alice: RegisteredUser;
  let bob: Peer;
  let roomId: string;

  beforeAll(async () => {
    alice = await synapse.registerUser({ displayName: 'Alice' });
    const bobUser = await synapse.registerUser({ displayName: 'Bob' });
    [app, bob] = await Promise.all([startHydrogenApp({ homeserver: server.baseUrl }), Peer.login(server, bobUser)]);
    roomId = await bob.createEncryptedRoom({ name: 'Hydrogen room', invite: [alice.userId] });
    await joinRoom(server.baseUrl, alice.accessToken, roomId);
    chromium = await launchChromium({ args: app.chromiumArgs });
    page = await chromium.context.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(app.url);
  });

  afterAll(async () => {
    bob.stop();
    await chromium.close();
    await app.close();
  });

  it("signs Alice in and shows Bob's encrypted message, its sender and the member list", async () => {
    await signInHydrogen(page, { userId: alice.userId, password: alice.password });
    // Bob encrypts for the devices he knows: wait until he knows the one Hydrogen just made.
    await waitFor("Bob to know Alice's Hydrogen device", async () => {
      const devices = await bob.crypto.getUserDeviceInfo([alice.userId]);
      return (devices.get(alice.userId)?.size ?? 0) > 0 || undefined;
    });
    await bob.sendText(roomId, 'Hello from Bob');

    await openRoom(page, roomId, { members: true });
    await page.locator('.Timeline', { hasText: 'Hello from Bob' }).waitFor({ timeout: 60_000 });
    expect(
      await page.locator('.Timeline_messageSender[title]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('title'))),
    ).toContain(bob.userId);
    const memberLinks = await page.locator('li.MemberTileView a[href]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('href')));
    for (const userId of [alice.userId, bob.userId]) {
      expect(memberLinks.some((href) => href?.endsWith(`/member/${encodeURIComponent(userId)}`))).toBe(true);
    }
    await page.screenshot({ path: '/tmp/hydrogen-room.png' });
  });
});
