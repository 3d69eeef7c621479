import fs from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ChromiumSession, launchChromium } from '../support/chromium.ts';
import { signInInOptionsPage } from '../support/extensionPages.ts';
import { Peer } from '../support/peer.ts';
import { joinRoom } from '../support/population.ts';
import { SCREENSHOTS } from '../support/screenshots.ts';
import { connectToSynapse } from '../support/synapse.ts';
import { waitFor } from '../support/waitFor.ts';

/**
 * The options page's trust history, with the built extension signed in to the test Synapse:
 * Bob adds a session he did not sign ("new laptop") to Plans, Alice is warned in the review
 * page and acknowledges it there, the session leaves. The History tells that in one line,
 * filters, and exports JSON and CSV.
 */

const server = inject('synapse');
const synapse = connectToSynapse(server);

describe('the trust history in the options page, in Chromium', () => {
  const peers: Peer[] = [];
  let chromium: ChromiumSession;
  let roomId: string;
  let laptop: Peer;

  beforeAll(async () => {
    const alice = await synapse.registerUser({ displayName: 'Alice' });
    const bob = await Peer.login(server, await synapse.registerUser({ displayName: 'Bob' }), { deviceName: "Bob's phone" });
    peers.push(bob);
    await bob.bootstrapCrossSigning();
    roomId = await bob.createEncryptedRoom({ name: 'Plans', invite: [alice.userId] });
    await joinRoom(server.baseUrl, alice.accessToken, roomId);
    chromium = await launchChromium();
    await signInInOptionsPage(chromium, { homeserver: server.baseUrl, userId: alice.userId, password: alice.password });

    // The review page follows the room: its warnings are in front of Alice as they come.
    const review = await chromium.openExtensionPage(`popup.html#room=${encodeURIComponent(roomId)}`);
    await review.locator(`.room-review[data-room="${roomId}"] .room-summary`).waitFor({ timeout: 60_000 });
    laptop = await bob.addUnsignedDevice({ deviceName: 'new laptop' });
    peers.push(laptop);
    await review.locator(`li.device[data-device="${laptop.deviceId}"]`).waitFor({ timeout: 60_000 });
    await review.getByRole('button', { name: 'Acknowledge all' }).click();
    await review.locator(`.room-review[data-room="${roomId}"] .room-summary.tone-ok`).waitFor({ timeout: 30_000 });
    await review.close();
    await laptop.logout();
  });

  afterAll(async () => {
    for (const peer of peers) peer.stop();
    await (chromium as ChromiumSession | undefined)?.close();
  });

  /** The options page once its History tells of the laptop's departure (read again until it does). */
  async function optionsWithStory(): Promise<Page> {
    const options = await chromium.openExtensionPage('options.html');
    await options.setViewportSize({ width: 760, height: 1000 });
    await waitFor(
      "the laptop's departure in the History",
      async () => {
        const line = options.locator('[data-testid="history-list"] li[data-kinds~="departed"]');
        if ((await line.count()) > 0) return true;
        await options.reload();
        await options.locator('[data-testid="history-count"]').waitFor();
        return undefined;
      },
      60_000,
    );
    return options;
  }

  it('tells the story in one line, filters by kind without losing focus, and exports JSON and CSV', async () => {
    const options = await optionsWithStory();
    const history = options.locator('[data-testid="history"]');
    const story = history.locator('[data-testid="history-list"] li[data-kinds="device-appeared warned acknowledged departed"]');
    expect(await story.innerText()).toMatch(
      new RegExp(
        `^.+ — Bob's new laptop \\(${laptop.deviceId}\\) appeared in Plans; you were warned in the extension at .+; you acknowledged it at .+; it left at .+$`,
      ),
    );

    const kind = history.getByLabel('What happened');
    const count = history.locator('[data-testid="history-count"]');
    expect(await count.innerText()).toBe('4 events');
    // As from the keyboard: the select has focus, and keeps it once the list is filtered.
    await kind.focus();
    await kind.selectOption({ label: 'Left the room' });
    await expect.poll(() => count.innerText()).toBe('1 event');
    expect(await history.locator('[data-testid="history-list"] li').innerText()).toMatch(
      /^.+ — Bob's new laptop \(\w+\) in Plans: it left at /,
    );
    expect(await kind.evaluate((select) => select === document.activeElement)).toBe(true);
    await history.getByLabel('Room').selectOption({ label: 'Plans' });
    expect(await count.innerText()).toBe('1 event');
    await kind.selectOption({ label: 'All' });
    await expect.poll(() => count.innerText()).toBe('4 events');

    const json = await downloaded(options, 'Export as JSON');
    const exported = JSON.parse(json) as { format: string; version: number; events: { kind: string; deviceId?: string }[] };
    expect(exported).toMatchObject({ format: 'matrix-trust-guard/trust-history', version: 1 });
    expect(exported.events.filter((e) => e.deviceId === laptop.deviceId).map((e) => e.kind)).toEqual([
      'departed',
      'acknowledged',
      'warned',
      'device-appeared',
    ]);
    const csv = await downloaded(options, 'Export as CSV');
    const rows = csv.trim().split('\r\n');
    expect(rows[0]).toMatch(/^"id","time","kind","roomId","roomName","userId","userName","deviceId"/);
    expect(rows.filter((row) => row.includes(`"${laptop.deviceId}"`))).toHaveLength(4);

    await history.scrollIntoViewIfNeeded();
    // No button in its hover or focus look in the picture.
    await options.mouse.move(0, 0);
    await options.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await history.screenshot({ path: path.join(SCREENSHOTS, 'history.png') });
    await options.close();
  });
});

/** Clicks an export button and answers the downloaded file's text. */
async function downloaded(page: Page, button: string): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
  const file = await download.path();
  return fs.readFile(file, 'utf8');
}
