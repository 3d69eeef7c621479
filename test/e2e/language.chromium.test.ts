import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readMessages } from '../unit/chromeI18n.ts';
import { type ChromiumSession, launchChromium } from '../support/chromium.ts';
import { saveScreenshot } from '../support/screenshots.ts';
import { connectToSynapse, type RegisteredUser } from '../support/synapse.ts';
import path from 'node:path';
import { REPO_ROOT } from '../support/paths.ts';

/**
 * A German browser gets the extension in German: signed in through the settings page, with
 * the popup open over a page, no English sentence of the extension is on either page.
 */

const server = inject('synapse');
const synapse = connectToSynapse(server);
const english = readMessages();
const german = readMessages(path.join(REPO_ROOT, 'public/_locales/de/messages.json'));

/**
 * The English texts that must not show in a German page: each message that German says
 * differently, cut at its placeholders, in pieces long enough not to be a German word too.
 */
function englishPieces(): string[] {
  const pieces = new Set<string>();
  for (const [key, entry] of Object.entries(english)) {
    if (german[key]?.message === entry.message) continue;
    for (const piece of entry.message.split(/\$[A-Za-z0-9_@]+\$/)) if (piece.trim().length >= 12) pieces.add(piece.trim());
  }
  return [...pieces];
}

async function englishOn(page: Page): Promise<string[]> {
  const text = await page.evaluate(() => document.body.innerText);
  return englishPieces().filter((piece) => text.includes(piece));
}

describe('the extension in a German browser, in Chromium', () => {
  let chromium: ChromiumSession;
  let alice: RegisteredUser;

  beforeAll(async () => {
    alice = await synapse.registerUser({ displayName: 'Alice' });
    chromium = await launchChromium({ language: 'de' });
  });

  afterAll(async () => {
    await chromium.close();
  });

  it('speaks German, signed out and signed in, in the settings and the popup', async () => {
    const worker = await chromium.serviceWorker();
    expect(await worker.evaluate(() => chrome.i18n.getUILanguage())).toMatch(/^de/);

    const options = await chromium.openExtensionPage('options.html');
    await options.locator('[data-status="account"]', { hasText: 'Nicht angemeldet' }).waitFor();
    expect(await englishOn(options)).toEqual([]);

    await options.getByLabel('Homeserver').fill(server.baseUrl);
    await options.getByLabel('Benutzer').fill(alice.userId);
    await options.getByLabel('Passwort').fill(alice.password);
    await options.getByRole('button', { name: 'Anmelden', exact: true }).click();
    await options.locator('[data-status="sync"].tone-ok').waitFor({ timeout: 60_000 });
    await options.locator('[data-status="sync"]', { hasText: 'Aktuell' }).waitFor();
    expect(await englishOn(options)).toEqual([]);

    const page = await chromium.context.newPage();
    await page.goto('about:blank');
    const popup = await chromium.openPopupOver(page);
    await popup.getByRole('heading', { name: 'Verschlüsselung' }).waitFor({ timeout: 60_000 });
    await popup.locator('[data-status="cross-signing"]').waitFor({ timeout: 60_000 });
    expect(await englishOn(popup)).toEqual([]);
    await saveScreenshot(popup, 'popup-german');
  });
});

declare const chrome: { i18n: { getUILanguage(): string } };
