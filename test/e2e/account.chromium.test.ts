import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'webextension-polyfill';
import type { ExtensionStatus } from '../../src/messaging/protocol';
import { type ChromiumSession, launchChromium } from '../support/chromium.ts';
import { signInInOptionsPage } from '../support/extensionPages.ts';
import { saveScreenshot } from '../support/screenshots.ts';
import { Peer } from '../support/peer.ts';
import { connectToSynapse, type RegisteredUser } from '../support/synapse.ts';
import { waitFor } from '../support/waitFor.ts';

declare const chrome: Browser;

/** The built extension in Chromium, signed in to the test Synapse, with real peers around it. */

const server = inject('synapse');
const synapse = connectToSynapse(server);

describe('the extension signed in, in Chromium', () => {
  let chromium: ChromiumSession;
  let alice: RegisteredUser;
  const peers: Peer[] = [];

  /** What the background says right now, asked the way the popup asks. */
  async function status(): Promise<ExtensionStatus> {
    const page = await chromium.openExtensionPage('options.html');
    try {
      const answer = await page.evaluate(() => chrome.runtime.sendMessage({ kind: 'status.get', params: {} }));
      return (answer as { result: ExtensionStatus }).result;
    } finally {
      await page.close();
    }
  }

  async function signedInDevice(): Promise<string> {
    const { account } = await status();
    if (account.state !== 'signed-in') throw new Error(`not signed in: ${account.state}`);
    return account.deviceId;
  }

  beforeAll(async () => {
    alice = await synapse.registerUser({ displayName: 'Alice' });
    chromium = await launchChromium();
    await signInInOptionsPage(chromium, { homeserver: server.baseUrl, userId: alice.userId, password: alice.password });
  });

  afterAll(async () => {
    for (const peer of peers) peer.stop();
    await chromium.close();
  });

  it('shows in the popup a device that a room member never signed, and an acknowledgement clears it', async () => {
    const phone = await Peer.login(server, alice, { deviceName: "Alice's phone" });
    const dave = await Peer.login(server, await synapse.registerUser({ displayName: 'Dave' }), { deviceName: "Dave's laptop" });
    peers.push(phone, dave);
    await dave.bootstrapCrossSigning();
    const roomId = await phone.shareRoomWith(dave);
    await phone.client.setRoomName(roomId, 'Plans');
    const rogue = await dave.addUnsignedDevice({ deviceName: 'Rogue <img src=x onerror=alert(1)>' });
    peers.push(rogue);

    const popup = await chromium.openExtensionPage('popup.html');
    // Alice's phone is a session her identity never signed: the room is listed from the start.
    await popup.getByRole('button', { name: /Plans/ }).click();
    const device = popup.locator(`li.device[data-device="${rogue.deviceId}"]`);
    await device.waitFor({ timeout: 60_000 });
    // The display name is shown as text, markup and all, never as HTML.
    expect(await device.locator('.device-name').innerText()).toBe('Rogue <img src=x onerror=alert(1)>');
    expect(await popup.locator('img[src="x"]').count()).toBe(0);
    expect(await device.innerText()).toContain('Not signed by its owner');
    await popup.setViewportSize({ width: 380, height: 800 });
    await saveScreenshot(popup, 'warnings');
    // The verdict leads to the most urgent of its problems (Alice's phone, Plans, the setup): Alice's phone, among her sessions.
    expect(await popup.locator('.verdict-headline').innerText()).toBe('3 problems need you');
    await popup.getByRole('button', { name: 'Review your sessions' }).click();
    await waitFor('the keyboard in the sessions', async () =>
      (await popup.evaluate(() => document.activeElement?.closest('#sessions') != null)) ? true : undefined,
    );

    const counts = popup.getByRole('button', { name: /Plans/ }).locator('.room-counts');
    // New warnings: Alice's unsigned phone and Dave's rogue device.
    expect(await counts.innerText()).toMatch(/^2 new/);
    await device.getByRole('button', { name: 'Acknowledge' }).click();
    await device.locator('.tag').waitFor({ state: 'detached' });
    expect(await device.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    await waitFor('the room to count one new warning', async () => ((await counts.innerText()).startsWith('1 new') ? true : undefined));
    await popup.close();
  });

  it('is the same device after the service worker is stopped: no new login, sync resumes', async () => {
    const before = await signedInDevice();
    await chromium.stopServiceWorkers();
    const after = await waitFor('the restarted worker to be signed in', async () => {
      const { account, backgroundStartedAt } = await status();
      return account.state === 'signed-in' && account.sync.state === 'syncing'
        ? { deviceId: account.deviceId, backgroundStartedAt }
        : undefined;
    });
    expect(after.deviceId).toBe(before);
    const response = await fetch(`${server.baseUrl}/_matrix/client/v3/devices`, {
      headers: { Authorization: `Bearer ${alice.accessToken}` },
    });
    const { devices } = (await response.json()) as { devices: { display_name?: string }[] };
    expect(devices.filter((d) => d.display_name === 'Matrix Trust Guard on Chrome')).toHaveLength(1);
  });

  it('sets a damaged ledger record aside, says so in the popup and settings, and keeps the good ones', async () => {
    const options = await chromium.openExtensionPage('options.html');
    // Damage one record as a disk fault would: copy a real entry under a new device id with a class that does not exist.
    const planted = await options.evaluate(
      () =>
        new Promise<{ roomId: string; entries: number }>((resolve, reject) => {
          const open = indexedDB.open('matrix-trust-guard');
          open.onerror = () => reject(new Error('cannot open the database'));
          open.onsuccess = () => {
            const db = open.result;
            const transaction = db.transaction('ledger', 'readwrite');
            const store = transaction.objectStore('ledger');
            const all = store.getAll();
            all.onsuccess = () => {
              const entries = all.result as Record<string, unknown>[];
              const model = entries[0];
              if (!model) return reject(new Error('the ledger is empty'));
              store.put({ ...model, deviceId: 'DAMAGED', lastClass: 'trusted-by-magic' });
              transaction.oncomplete = () => {
                db.close();
                resolve({ roomId: String(model.roomId), entries: entries.length });
              };
            };
          };
        }),
    );
    await options.close();
    // The background reads the ledger afresh after a restart, and meets the damaged record.
    await chromium.stopServiceWorkers();
    const popup = await chromium.openExtensionPage('popup.html');
    const notice = popup.locator('[data-status="ledger"]');
    await notice.waitFor({ timeout: 60_000 });
    expect(await notice.innerText()).toContain('1 damaged record set aside');
    expect(await notice.getAttribute('class')).toContain('tone-warn');
    const after = await popup.evaluate(
      () =>
        new Promise<{ ledger: number; aside: unknown[] }>((resolve) => {
          const open = indexedDB.open('matrix-trust-guard');
          open.onsuccess = () => {
            const transaction = open.result.transaction(['ledger', 'ledger-set-aside']);
            const ledger = transaction.objectStore('ledger').count();
            const aside = transaction.objectStore('ledger-set-aside').getAll();
            transaction.oncomplete = () => resolve({ ledger: ledger.result, aside: aside.result });
          };
        }),
    );
    expect(after.ledger).toBe(planted.entries);
    expect(after.aside).toHaveLength(1);
    expect((after.aside[0] as { record: unknown }).record).toMatchObject({
      deviceId: 'DAMAGED',
      lastClass: 'trusted-by-magic',
      roomId: planted.roomId,
    });
    await saveScreenshot(popup, 'ledger-set-aside');
    await popup.close();
    const settings = await chromium.openExtensionPage('options.html');
    await settings.locator('[data-status="ledger"]').waitFor();
    await settings.close();
  });

  it('signs out from the options page, removing the device from the account', async () => {
    const deviceId = await signedInDevice();
    const options = await chromium.openExtensionPage('options.html');
    await options.getByRole('button', { name: 'Sign out…' }).click();
    await options.getByRole('button', { name: 'Sign out', exact: true }).click();
    await options.getByLabel('Homeserver').waitFor();
    const response = await fetch(`${server.baseUrl}/_matrix/client/v3/devices`, {
      headers: { Authorization: `Bearer ${alice.accessToken}` },
    });
    const { devices } = (await response.json()) as { devices: { device_id: string }[] };
    expect(devices.map((d) => d.device_id)).not.toContain(deviceId);
    await options.close();
  });
});
