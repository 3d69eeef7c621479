import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'webextension-polyfill';
import type { Page } from 'playwright';
import { type ChromiumSession, launchChromium } from '../support/chromium.ts';
import { verifyWithOwnDevice } from '../support/extensionPages.ts';
import { Peer } from '../support/peer.ts';
import { saveScreenshot } from '../support/screenshots.ts';
import { connectToSynapse } from '../support/synapse.ts';
import { waitFor } from '../support/waitFor.ts';

declare const chrome: Browser;

/**
 * "You reset", in the built extension against Synapse: Alice's extension, verified with emoji
 * against her phone, sees Bob as verified (her phone verified him); then Alice resets her
 * digital identity from her phone. To Rust crypto Bob now looks like someone whose identity
 * changed; the popup says what happened instead: Alice reset hers, from her phone, and Bob
 * needs verifying again.
 */

const server = inject('synapse');
const synapse = connectToSynapse(server);

describe('after resetting your identity from another device, in Chromium', () => {
  const peers: Peer[] = [];
  let chromium: ChromiumSession;
  let popup: Page;
  let bob: Peer;
  let phone: Peer;
  let roomId: string;

  /** The room's report, asked from the popup as its own pages ask the background. */
  interface ReportAnswer {
    ok: boolean;
    result?: { verifiedUserIds: string[]; members: { userId: string; identity: string }[] };
  }
  const report = () =>
    popup.evaluate<ReportAnswer, string>((room) => chrome.runtime.sendMessage({ kind: 'room.report', params: { roomId: room } }), roomId);

  beforeAll(async () => {
    const alice = await synapse.registerUser({ displayName: 'Alice' });
    phone = await Peer.login(server, alice, { deviceName: "Alice's phone" });
    bob = await Peer.login(server, await synapse.registerUser({ displayName: 'Bob' }));
    peers.push(phone, bob);
    await Promise.all([phone.bootstrapCrossSigning(), bob.bootstrapCrossSigning()]);
    roomId = await phone.shareRoomWith(bob);
    await phone.verifyUser(bob);

    chromium = await launchChromium();
    popup = await chromium.openExtensionPage('popup.html');
    await popup.setViewportSize({ width: 380, height: 900 });
    await popup.getByLabel('Homeserver').fill(server.baseUrl);
    await popup.getByLabel('User').fill(alice.userId);
    await popup.getByLabel('Password').fill(alice.password);
    await popup.getByRole('button', { name: 'Sign in', exact: true }).click();
    await popup.locator('[data-status="sync"].tone-ok').waitFor({ timeout: 60_000 });
    // This extension verified with emoji against the phone: it trusts Alice's identity, and through it Bob.
    await verifyWithOwnDevice(popup, phone);
    await waitFor(
      'the extension to see Bob as verified',
      async () => ((await report()).result?.verifiedUserIds.includes(bob.userId) ? true : undefined),
      60_000,
    );

    await phone.resetIdentity();
  });

  afterAll(async () => {
    for (const peer of peers) peer.stop();
    await (chromium as ChromiumSession | undefined)?.close();
  });

  it('says that you reset it, when and from which device, and lists Bob with Verify: never that Bob reset his', async () => {
    const notice = popup.locator('.own-reset').first();
    await notice.waitFor({ timeout: 90_000 }).catch(async (error: unknown) => {
      const memory = await popup.evaluate(
        () =>
          new Promise<unknown>((resolve) => {
            const open = indexedDB.open('matrix-trust-guard');
            open.onsuccess = () => {
              const get = open.result.transaction('records').objectStore('records').get('identity-memory');
              get.onsuccess = () => resolve(get.result);
            };
          }),
      );
      throw new Error(
        `no own-reset notice; the popup showed: ${await popup.locator('body').innerText()}; the report: ${JSON.stringify(await report())}; the identity memory: ${JSON.stringify(memory)}`,
        {
          cause: error,
        },
      );
    });
    const text = await notice.innerText();
    expect(text).toMatch(
      /^You reset your digital identity on .+ from Alice's phone \(\w+\)\. Contacts you had verified now need verifying again:/,
    );
    expect(await notice.locator('.own-reset-contacts li').allInnerTexts()).toEqual([expect.stringContaining('Bob')]);
    // The phone made the new identity: this extension is not verified with it, cannot sign Bob yet, and says so
    // (once its own status has caught up, which may come a moment after the reset's news).
    await notice.locator('.own-reset-first').waitFor({ timeout: 30_000 });
    expect(await notice.locator('.own-reset-first').innerText()).toBe(
      'This extension is not verified with your new identity yet: verify it first (under Encryption setup), then verify them.',
    );
    expect(await notice.getByRole('button', { name: /^Verify/ }).count()).toBe(0);
    // The room still says Bob's verification no longer holds (critical), and never that Bob reset.
    expect((await report()).result?.members.find((member) => member.userId === bob.userId)?.identity).toBe('verification-violation');
    expect(await popup.locator('body').innerText()).not.toMatch(/Bob'?s digital identity was reset|Bob reset/);
    await saveScreenshot(popup, 'own-reset');
  });
});
