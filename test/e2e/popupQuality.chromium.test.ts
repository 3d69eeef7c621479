import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ChromiumSession, launchChromium } from '../support/chromium.ts';
import { Peer } from '../support/peer.ts';
import { saveScreenshot } from '../support/screenshots.ts';
import { connectToSynapse, type RegisteredUser } from '../support/synapse.ts';
import { waitFor } from '../support/waitFor.ts';

/**
 * The popup as people who do not use a mouse, or read it on a dark desktop, meet it: signed in
 * with the keyboard alone, every control named for a screen reader, 380 px wide without
 * sideways scrolling at its fullest (warnings, own sessions, encryption setup), and dark when
 * the browser is.
 */

const server = inject('synapse');
/** 64 characters, no space to break at: the display name that once pushed "Verify <name>" past the card's edge. */
const LONG_NAME = 'Dave-Averyveryverylongdisplaynamewithoutanyspacesatalltobreakat!';
const LONG_ROOM = 'A room with a long name that must be cut rather than overflow ok';
const synapse = connectToSynapse(server);

/** WCAG contrast ratio of two CSS rgb() colours. */
function contrast(a: string, b: string): number {
  const relative = (rgb: string) => {
    const [r = 0, g = 0, bl = 0] = (rgb.match(/\d+(\.\d+)?/g) ?? []).map((part) => {
      const c = Number(part) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [high, low] = [relative(a), relative(b)].sort((x, y) => y - x) as [number, number];
  return (high + 0.05) / (low + 0.05);
}

describe('the popup for keyboard, screen reader and dark-theme users, in Chromium', () => {
  let chromium: ChromiumSession;
  let alice: RegisteredUser;
  const peers: Peer[] = [];

  /** What has focus, as a screen reader would name it. */
  async function focused(page: Page): Promise<string> {
    return page.evaluate(() => {
      const element = document.activeElement;
      if (!(element instanceof HTMLElement)) return '';
      const label = element instanceof HTMLInputElement ? [...(element.labels ?? [])].map((l) => l.textContent.trim()).join(' ') : '';
      return `${element.tagName.toLowerCase()}:${label || element.getAttribute('aria-label') || element.textContent.trim()}`;
    });
  }

  /** Presses Tab until `wanted` has focus, at most `limit` times: reachable by keyboard, in a sensible order. */
  async function tabTo(page: Page, wanted: RegExp, limit = 12): Promise<number> {
    for (let presses = 1; presses <= limit; presses++) {
      await page.keyboard.press('Tab');
      if (wanted.test(await focused(page))) return presses;
    }
    throw new Error(`${String(wanted)} not reached with ${limit} presses of Tab (last: ${await focused(page)})`);
  }

  beforeAll(async () => {
    alice = await synapse.registerUser({ displayName: 'Alice' });
    chromium = await launchChromium();
  });

  afterAll(async () => {
    for (const peer of peers) peer.stop();
    await chromium.close();
  });

  it('signs in with the keyboard alone, fields in reading order', async () => {
    const popup = await chromium.openExtensionPage('popup.html');
    await popup.setViewportSize({ width: 380, height: 800 });
    await popup.getByLabel('Homeserver').waitFor();
    expect(await tabTo(popup, /^input:Homeserver/)).toBeGreaterThan(0);
    await popup.keyboard.type(server.baseUrl);
    expect(await tabTo(popup, /^input:User/, 1)).toBe(1);
    await popup.keyboard.type(alice.userId);
    expect(await tabTo(popup, /^input:Password/, 1)).toBe(1);
    await popup.keyboard.type(alice.password);
    await popup.keyboard.press('Enter');
    await popup.locator('[data-status="sync"].tone-ok').waitFor({ timeout: 60_000 });
    await popup.close();
  });

  it('names every control, and fits 380 px without scrolling sideways, with warnings and 64-character names showing', async () => {
    const phone = await Peer.login(server, alice, { deviceName: "Alice's phone with a rather long device name for a narrow popup" });
    const dave = await Peer.login(server, await synapse.registerUser({ displayName: LONG_NAME }));
    peers.push(phone, dave);
    await dave.bootstrapCrossSigning();
    const roomId = await phone.shareRoomWith(dave);
    await phone.client.setRoomName(roomId, LONG_ROOM);
    peers.push(await dave.addUnsignedDevice({ deviceName: 'Unsigned-device-name-without-any-spaces-to-break-at' }));
    const popup = await chromium.openExtensionPage('popup.html');
    await popup.setViewportSize({ width: 380, height: 800 });
    await popup.getByRole('button', { name: /A room with a long name/ }).click({ timeout: 60_000 });
    await popup.locator('li.device').first().waitFor({ timeout: 60_000 });
    await waitFor('the popup to list two devices', async () => ((await popup.locator('li.device').count()) >= 2 ? true : undefined));
    const layout = await popup.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
    }));
    expect(layout.scrollWidth).toBeLessThanOrEqual(layout.clientWidth);
    // Every button and every name stays inside its card, cut with an ellipsis where it must be...
    const spills = await popup.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('button, .room-name, .member-name, .member-id, .device-name')]
        .filter((element) => element.offsetParent !== null)
        .map((element) => {
          const card = element.closest('li.room, .room-review, .verdict, li.session, .status-line, main') ?? document.body;
          const inner = element.getBoundingClientRect();
          const outer = card.getBoundingClientRect();
          return { what: element.outerHTML.slice(0, 80), over: inner.right - outer.right, under: outer.left - inner.left };
        })
        .filter((box) => box.over > 0.5 || box.under > 0.5),
    );
    expect(spills).toEqual([]);
    // ...and keeps the whole name for screen readers (the cut is only drawn).
    expect(await popup.getByRole('button', { name: `Verify ${LONG_NAME}`, exact: true }).count()).toBe(1);
    const verify = popup.getByRole('button', { name: `Verify ${LONG_NAME}`, exact: true });
    expect(await verify.evaluate((button) => button.scrollWidth > button.clientWidth)).toBe(true);
    await saveScreenshot(popup, 'long-names');
    const unnamed = await popup.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('button, input, select, textarea, a[href], [tabindex]:not([tabindex="-1"])')]
        .filter((element) => {
          const labels =
            element instanceof HTMLInputElement || element instanceof HTMLSelectElement || element instanceof HTMLTextAreaElement
              ? [...(element.labels ?? [])]
              : [];
          const name = [
            element.getAttribute('aria-label'),
            element.getAttribute('aria-labelledby') && document.getElementById(element.getAttribute('aria-labelledby') ?? '')?.textContent,
            ...labels.map((l) => l.textContent),
            element.textContent,
            element.getAttribute('title'),
          ]
            .map((text) => text?.trim() ?? '')
            .find((text) => text !== '');
          return name === undefined;
        })
        .map((element) => element.outerHTML.slice(0, 120)),
    );
    expect(unnamed).toEqual([]);
    // Every control the popup shows now is reachable with Tab.
    const controls = await popup.locator('button:visible, input:visible').count();
    const reached = new Set<string>();
    for (let i = 0; i < controls + 2; i++) {
      await popup.keyboard.press('Tab');
      reached.add(await popup.evaluate(() => (document.activeElement as HTMLElement | null)?.outerHTML.slice(0, 200) ?? ''));
    }
    expect(reached.size).toBeGreaterThanOrEqual(controls);
    await popup.close();
  });

  it('follows the browser into a dark theme', async () => {
    const popup = await chromium.openExtensionPage('popup.html');
    await popup.setViewportSize({ width: 380, height: 800 });
    const background = () => popup.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const text = () => popup.evaluate(() => getComputedStyle(document.body).color);
    await popup.emulateMedia({ colorScheme: 'light' });
    const light = { background: await background(), text: await text() };
    await popup.emulateMedia({ colorScheme: 'dark' });
    const dark = { background: await background(), text: await text() };
    const luminance = (rgb: string) => {
      const [r = 0, g = 0, b = 0] = (rgb.match(/\d+(\.\d+)?/g) ?? []).map(Number);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    expect(luminance(dark.background)).toBeLessThan(80);
    expect(luminance(light.background)).toBeGreaterThan(200);
    expect(luminance(dark.text)).toBeGreaterThan(luminance(dark.background) + 100);
    await popup.locator('[data-status="sync"]').waitFor({ timeout: 60_000 });
    // Buttons keep readable text in both themes (WCAG AA: 4.5:1).
    for (const scheme of ['light', 'dark'] as const) {
      await popup.emulateMedia({ colorScheme: scheme });
      const colours = await popup
        .locator('button.primary')
        .first()
        .evaluate((button) => [getComputedStyle(button).color, getComputedStyle(button).backgroundColor]);
      expect(contrast(colours[0] ?? '', colours[1] ?? ''), `${scheme}: ${colours.join(' on ')}`).toBeGreaterThanOrEqual(4.5);
    }
    await popup.close();
  });
});
