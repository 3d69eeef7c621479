import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright';
import { type ChromiumSession, launchChromium } from '../support/chromium.ts';
import { signInInOptionsPage } from '../support/extensionPages.ts';
import { type FixtureRoom, withFixtureRooms } from '../support/fixtureRooms.ts';
import { chromiumArgsForSites, type FixtureSite, startFixtureSite } from '../support/fixtureSite.ts';
import { openBadgeDetailsBoxes, readOverlay, type SeenBadge, type SeenOverlay } from '../support/overlay.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { Peer } from '../support/peer.ts';
import { joinRoom } from '../support/population.ts';
import { saveScreenshot, saveWindowScreenshot } from '../support/screenshots.ts';
import { connectToSynapse } from '../support/synapse.ts';
import { waitFor } from '../support/waitFor.ts';

/**
 * The second opinion, with the built extension signed in to the test Synapse: Bob, in Plans
 * with Alice, has a session he never signed, while the Element fixture (its 1.12 markup)
 * draws Element's green shield on Bob's row, as Element does for a verified user until the
 * list is reopened (CLIENTS.md). Served twice: with that shield, and with Element's shields
 * removed, which must never read as agreement (nor as disagreement).
 */

const server = inject('synapse');
const synapse = connectToSynapse(server);

const MEMBER_CONTEXT = `host.closest('li[data-event-id]') ? 'sender' : host.closest('[role="option"]') ? 'member' : 'elsewhere'`;
const DISAGREEMENT_LINE = 'Element Web shows 1 person as trusted whom Matrix Trust Guard warns about.';

describe('the second opinion: Element shows Bob as verified, Matrix Trust Guard warns, in Chromium', () => {
  const sites: FixtureSite[] = [];
  const peers: Peer[] = [];
  let chromium: ChromiumSession;
  let roomId: string;
  let bob: Peer;

  /** The overlay once Bob's member badge and the banner are in, and `until` holds for them. */
  function overlayWhen(page: Page, what: string, until: (badge: SeenBadge, seen: SeenOverlay) => boolean): Promise<SeenOverlay> {
    return waitFor(
      what,
      async () => {
        const seen = await readOverlay(page, MEMBER_CONTEXT).catch(() => undefined);
        const member = seen?.badges.find((badge) => badge.context === 'member' && badge.severity === 'warn');
        return seen?.banner && member && until(member, seen) ? seen : undefined;
      },
      90_000,
    );
  }

  beforeAll(async () => {
    const [alice, bobUser] = await Promise.all([
      synapse.registerUser({ displayName: 'Alice' }),
      synapse.registerUser({ displayName: 'Bob' }),
    ]);
    bob = await Peer.login(server, bobUser);
    peers.push(bob);
    await bob.bootstrapCrossSigning();
    roomId = await bob.createEncryptedRoom({ name: 'Plans', invite: [alice.userId] });
    await joinRoom(server.baseUrl, alice.accessToken, roomId);
    peers.push(await bob.addUnsignedDevice({ deviceName: 'New laptop' }));

    const room = (shield?: 'verified'): FixtureRoom => ({
      id: roomId,
      name: 'Plans',
      members: [
        { userId: alice.userId, name: 'Alice' },
        { userId: bob.userId, name: 'Bob', ...(shield && { shield }) },
      ],
      timeline: [{ sender: bob.userId, body: 'Shall we meet at ten?' }],
    });
    const html = await fs.readFile(path.join(REPO_ROOT, 'test/fixtures/element-web.html'), 'utf8');
    sites.push(
      await startFixtureSite('app.element.io', {
        '/': withFixtureRooms(html, [room('verified')]),
        '/no-shields': withFixtureRooms(html, [room()]),
      }),
    );
    chromium = await launchChromium({ args: chromiumArgsForSites(sites) });
    await signInInOptionsPage(chromium, { homeserver: server.baseUrl, userId: alice.userId, password: alice.password });
  });

  afterAll(async () => {
    for (const peer of peers) peer.stop();
    await (chromium as ChromiumSession | undefined)?.close();
    for (const site of sites) await site.close();
  });

  it("marks Bob's badge where Element shows him as verified, says why in its details, and adds the banner's line", async () => {
    const page = await chromium.context.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`https://app.element.io/#/room/${roomId}`);
    const seen = await overlayWhen(page, "Bob's member badge to disagree with Element's shield", (badge) => badge.text.startsWith('≠'));
    const member = seen.badges.find((badge) => badge.context === 'member');
    expect(member?.text).toBe('≠ ! 1');
    expect(member?.title.split('\n')[0]).toMatch(
      /^Element Web shows Bob as verified, but Bob's session “New laptop” \(\w+\) is not signed by them\.$/,
    );
    expect(member?.label).toBe('Matrix Trust Guard: 1 unverified device. Element Web shows them as verified');
    // The timeline shows no green shield for Bob's message: that badge stays an ordinary warning.
    expect(seen.badges.find((badge) => badge.context === 'sender')?.text).toBe('! 1');
    expect(seen.banner?.message).toContain(DISAGREEMENT_LINE);

    // The details, opened as a user would (a click on the badge), for the screenshot.
    const box = await page.evaluate(`(() => {
      const host = document.querySelector('[role="option"] [data-mtg-badge]');
      const r = host.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    })()`);
    const { x, y } = box as { x: number; y: number };
    await page.mouse.click(x, y);
    // The badge sits at the window's right edge: its details open leftwards, whole, inside the window.
    const [details] = await waitFor('the badge details to open', async () => {
      const boxes = await openBadgeDetailsBoxes(page);
      return boxes.length === 1 ? boxes : undefined;
    });
    expect(details?.left).toBeGreaterThanOrEqual(0);
    expect(details?.right).toBeLessThanOrEqual(1280);
    expect(details?.bottom).toBeLessThanOrEqual(800);
    await saveWindowScreenshot(page, 'disagreement-badge');

    // The popup's review of Plans lists it under Bob, from the record the page's report made.
    const review = await chromium.openExtensionPage(`popup.html#room=${encodeURIComponent(roomId)}`);
    await review.setViewportSize({ width: 420, height: 900 });
    const line = review.locator(`li.member[data-user="${bob.userId}"] p.disagreement`);
    await line.waitFor({ timeout: 60_000 });
    expect(await line.innerText()).toMatch(
      /^Element Web showed them as verified \(member list\) while Matrix Trust Guard warned about them: first seen .+, last seen .+\.$/,
    );
    await saveScreenshot(review, 'disagreement-popup');
    await review.close();
    await page.close();
  });

  it('says nothing of the kind where Element shows no shields, and notices the moment one turns green', async () => {
    const page = await chromium.context.newPage();
    await page.goto(`https://app.element.io/no-shields#/room/${roomId}`);
    const seen = await overlayWhen(page, "Bob's member badge", () => true);
    expect(seen.badges.map((badge) => badge.text)).toEqual(['! 1', '! 1']);
    expect(seen.banner?.message).not.toContain(DISAGREEMENT_LINE);
    // Element draws its green shield on Bob's row (as it does for a verified user until the list is reopened).
    await page.evaluate(`(() => {
      const row = [...document.querySelectorAll('.mx_MemberTileView')].find((tile) => tile.querySelector('[title="${bob.userId}"]'));
      row.querySelector('.mx_MemberTileView_right').insertAdjacentHTML('beforeend',
        '<div class="mx_E2EIconView"><svg class="mx_E2EIconView_verified" width="16" height="16" viewBox="0 0 24 24"><circle cx="12" cy="12" r="10"></circle></svg></div>');
    })()`);
    const after = await overlayWhen(
      page,
      "Bob's badge to disagree once the shield turned green",
      (badge, overlay) => badge.text.startsWith('≠') && overlay.banner?.message.includes(DISAGREEMENT_LINE) === true,
    );
    expect(after.badges.find((badge) => badge.context === 'member')?.text).toBe('≠ ! 1');
    await page.close();
  });
});
