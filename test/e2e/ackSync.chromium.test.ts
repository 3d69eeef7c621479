import type { Page } from 'playwright';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { type ChromiumSession, launchChromium } from '../support/chromium.ts';
import { saveScreenshot } from '../support/screenshots.ts';
import { connectToSynapse, type RegisteredUser } from '../support/synapse.ts';

/**
 * Where acknowledgements are shared, as the popup says it: only here (and why) in a browser
 * without the recovery key, shared once it was unlocked with it.
 */

const server = inject('synapse');
const synapse = connectToSynapse(server);
const browsers: ChromiumSession[] = [];

afterEach(async () => {
  for (const browser of browsers.splice(0)) await browser.close();
});

async function popupIn(): Promise<Page> {
  const chromium = await launchChromium();
  browsers.push(chromium);
  const popup = await chromium.openExtensionPage('popup.html');
  await popup.setViewportSize({ width: 380, height: 800 });
  return popup;
}

async function signInFromPopup(popup: Page, user: RegisteredUser): Promise<void> {
  await popup.getByLabel('Homeserver').fill(server.baseUrl);
  await popup.getByLabel('User').fill(user.userId);
  await popup.getByLabel('Password').fill(user.password);
  await popup.getByRole('button', { name: 'Sign in', exact: true }).click();
  await popup.locator('[data-status="sync"].tone-ok').waitFor({ timeout: 60_000 });
}

const line = (popup: Page) => popup.locator('[data-status="acknowledgement-sync"]');

describe('acknowledgements across browsers, in the popup', () => {
  it('says they stay in a browser without the recovery key, and are shared once it is unlocked with it', async () => {
    const alice = await synapse.registerUser({ displayName: 'Alice' });
    const first = await popupIn();
    await signInFromPopup(first, alice);
    await first.getByRole('button', { name: 'Set up recovery' }).click();
    await first.getByRole('button', { name: 'Create recovery key' }).click();
    const key = (await first.getByTestId('recovery-key').innerText()).replace(/\s+/g, ' ').trim();
    await first.getByLabel('Type or paste the recovery key to confirm').fill(key);
    await first.getByRole('button', { name: 'Confirm and set up' }).click();
    await first.getByRole('button', { name: 'OK' }).click({ timeout: 60_000 });
    await line(first).locator('text=/Shared, as of/').waitFor({ timeout: 30_000 });

    const second = await popupIn();
    await signInFromPopup(second, alice);
    await line(second).locator('text=Only in this browser').waitFor();
    expect(await line(second).innerText()).toContain('not been unlocked with your recovery key');
    await second.getByRole('button', { name: 'Verify with recovery key' }).click();
    await second.getByLabel('Recovery key').fill(key);
    await second.locator('form').getByRole('button', { name: 'Verify this extension' }).click();
    await second.getByRole('button', { name: 'OK' }).click({ timeout: 60_000 });
    await line(second).locator('text=/Shared, as of/').waitFor({ timeout: 60_000 });
    expect(await line(second).innerText()).toContain('0 acknowledgements shared, encrypted.');
    await line(second).scrollIntoViewIfNeeded();
    await saveScreenshot(second, 'ack-sync');
  });
});
