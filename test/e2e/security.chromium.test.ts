import type { Page } from 'playwright';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { type ChromiumSession, launchChromium } from '../support/chromium.ts';
import { verifyWithOwnDevice } from '../support/extensionPages.ts';
import { Peer } from '../support/peer.ts';
import { saveScreenshot } from '../support/screenshots.ts';
import { connectToSynapse, type RegisteredUser } from '../support/synapse.ts';
import { waitFor } from '../support/waitFor.ts';

/**
 * The popup's encryption setup, as a person uses it, in the built extension against Synapse:
 * sign in, set up recovery, verify another browser with the key or with emoji, reset.
 * Each state is saved as a screenshot under docs/screenshots/ for the README.
 */

const server = inject('synapse');
const synapse = connectToSynapse(server);
const browsers: ChromiumSession[] = [];
const peers: Peer[] = [];

afterEach(async () => {
  for (const peer of peers.splice(0)) peer.stop();
  for (const browser of browsers.splice(0)) await browser.close();
});
afterAll(async () => {
  for (const browser of browsers) await browser.close();
});

async function popupIn(chromium: ChromiumSession): Promise<Page> {
  const popup = await chromium.openExtensionPage('popup.html');
  await popup.setViewportSize({ width: 380, height: 800 });
  return popup;
}

/** Signs in from the popup's own form; resolves once the account syncs. */
async function signInFromPopup(popup: Page, user: RegisteredUser): Promise<void> {
  await popup.getByLabel('Homeserver').fill(server.baseUrl);
  await popup.getByLabel('User').fill(user.userId);
  await popup.getByLabel('Password').fill(user.password);
  await popup.getByRole('button', { name: 'Sign in', exact: true }).click();
  await popup.locator('[data-status="sync"].tone-ok').waitFor({ timeout: 60_000 });
}

async function newBrowser(): Promise<ChromiumSession> {
  const chromium = await launchChromium();
  browsers.push(chromium);
  return chromium;
}

const line = (popup: Page, id: string) => popup.locator(`[data-status="${id}"]`);

describe('encryption setup in the popup, in Chromium', () => {
  it('sets up recovery on a fresh account: the key is shown once, typed back, and everything turns ready', async () => {
    const alice = await synapse.registerUser({ displayName: 'Alice' });
    const first = await newBrowser();
    const popup = await popupIn(first);
    await popup.getByLabel('Homeserver').waitFor();
    await saveScreenshot(popup, 'signed-out');
    await signInFromPopup(popup, alice);
    await line(popup, 'cross-signing').waitFor();
    expect(await line(popup, 'cross-signing').innerText()).toContain('Not set up');
    expect(await line(popup, 'this-device').innerText()).toContain('Not verified');
    await saveScreenshot(popup, 'not-set-up');

    // The verdict's most urgent action is the setup's first step: it opens the recovery form.
    expect(await popup.locator('.verdict-headline').innerText()).toBe('1 problem needs you');
    await popup.getByRole('button', { name: 'Set up encryption' }).click();
    await popup.getByRole('button', { name: 'Create recovery key' }).click();
    const keyView = popup.getByTestId('recovery-key');
    await keyView.waitFor();
    const key = (await keyView.innerText()).replace(/\s+/g, ' ').trim();
    expect(key.split(' ')).toHaveLength(12);
    await saveScreenshot(popup, 'recovery-key');

    await popup.getByLabel('Type or paste the recovery key to confirm').fill('EsTc LW2K PGiF wKEA');
    await popup.getByRole('button', { name: 'Confirm and set up' }).click();
    await popup.getByText('That is not the recovery key shown above.').waitFor();
    await popup.getByLabel('Type or paste the recovery key to confirm').fill(key);
    await popup.getByRole('button', { name: 'Confirm and set up' }).click();
    await popup.getByText('Recovery is set up, and this extension is verified.').waitFor({ timeout: 60_000 });
    await popup.getByRole('button', { name: 'OK' }).click();
    // Its ok tone: a text locator for "Verified" would also match "Not verified".
    await popup.locator('[data-status="this-device"].tone-ok').waitFor();
    expect(await line(popup, 'cross-signing').innerText()).toContain('Ready');
    expect(await line(popup, 'recovery').innerText()).toContain('Set up');
    await line(popup, 'key-backup').locator('text=/Active \\(version \\d+\\)/').waitFor();
    // Opened again, as the user comes back to it: all clear, the setup folded to one line.
    const again = await popupIn(first);
    await again.locator('.verdict[data-verdict="ok"]').waitFor({ timeout: 60_000 });
    expect(await again.locator('.verdict-headline').innerText()).toBe('All clear');
    expect(await again.locator('details#security > summary').innerText()).toContain('Encryption setup: all ready');
    await saveScreenshot(again, 'ready');
    await again.close();

    // A second browser signs in to the same account: not verified until the key is given.
    const second = await popupIn(await newBrowser());
    await signInFromPopup(second, alice);
    await line(second, 'this-device').locator('text=Not verified').waitFor();
    await second.getByRole('button', { name: 'Verify with recovery key' }).click();
    await second.getByLabel('Recovery key').fill('EsTc LW2K PGiF wKEA 5L2Y ArUB 7ivx s4Ht Dhpc 3Xxp 2fCA 1EAY');
    await second.locator('form').getByRole('button', { name: 'Verify this extension' }).click();
    await second.getByText('That key does not match.').waitFor();
    expect(await line(second, 'this-device').innerText()).toContain('Not verified');
    await second.getByLabel('Recovery key').fill(key);
    await second.locator('form').getByRole('button', { name: 'Verify this extension' }).click();
    await second.locator('[data-status="this-device"].tone-ok').waitFor({ timeout: 60_000 });
  });

  it('survives the popup closing in the middle of setup: the same key waits, nothing is uploaded until it is typed back', async () => {
    const alice = await synapse.registerUser({ displayName: 'Alice' });
    const chromium = await newBrowser();
    let popup = await popupIn(chromium);
    await signInFromPopup(popup, alice);
    await popup.getByRole('button', { name: 'Set up recovery' }).click();
    await popup.getByRole('button', { name: 'Create recovery key' }).click();
    const shown = (await popup.getByTestId('recovery-key').innerText()).replace(/\s+/g, ' ').trim();
    // Focus went to a password manager: the popup is gone.
    await popup.close();
    const keysOnServer = async () => {
      const response = await fetch(`${server.baseUrl}/_matrix/client/v3/keys/query`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${alice.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ device_keys: { [alice.userId]: [] } }),
      });
      return ((await response.json()) as { master_keys?: Record<string, unknown> }).master_keys?.[alice.userId] !== undefined;
    };
    expect(await keysOnServer()).toBe(false);
    popup = await popupIn(chromium);
    const again = popup.getByTestId('recovery-key');
    await again.waitFor({ timeout: 30_000 });
    expect((await again.innerText()).replace(/\s+/g, ' ').trim()).toBe(shown);
    await popup.getByLabel('Type or paste the recovery key to confirm').fill(shown);
    await popup.getByRole('button', { name: 'Confirm and set up' }).click();
    await popup.getByText('Recovery is set up, and this extension is verified.').waitFor({ timeout: 60_000 });
    expect(await keysOnServer()).toBe(true);
  });

  it('verifies this extension with emoji against another device of the account', async () => {
    const alice = await synapse.registerUser({ displayName: 'Alice' });
    const phone = await Peer.login(server, alice, { deviceName: "Alice's phone" });
    peers.push(phone);
    await phone.bootstrapCrossSigning();
    const popup = await popupIn(await newBrowser());
    await signInFromPopup(popup, alice);
    await line(popup, 'this-device').locator('text=Not verified').waitFor();
    // The extension must know the phone before its request means anything to it.
    await verifyWithOwnDevice(popup, phone, () => saveScreenshot(popup, 'verification-emoji'));
  });

  it('sets up recovery from a passphrase, and a reset of the identity asks for the password and shows to others', async () => {
    const alice = await synapse.registerUser({ displayName: 'Alice' });
    const popup = await popupIn(await newBrowser());
    await signInFromPopup(popup, alice);
    await popup.getByRole('button', { name: 'Set up recovery' }).click();
    await popup.getByLabel('A passphrase of my choosing').check();
    await popup.getByLabel('Passphrase (at least 12 characters)').fill('correct horse battery staple');
    await popup.getByRole('button', { name: 'Create recovery key' }).click();
    await popup.getByLabel('Type your passphrase again to confirm').fill('correct horse battery staple');
    await popup.getByRole('button', { name: 'Confirm and set up' }).click();
    await popup.getByText('Recovery is set up, and this extension is verified.').waitFor({ timeout: 60_000 });
    await popup.getByRole('button', { name: 'OK' }).click();

    const bob = await Peer.login(server, await synapse.registerUser({ displayName: 'Bob' }));
    const phone = await Peer.login(server, alice, { deviceName: "Alice's phone" });
    peers.push(bob, phone);
    await phone.shareRoomWith(bob);
    await waitFor(
      "Bob to know Alice's identity",
      async () => (await bob.crypto.getUserVerificationStatus(alice.userId)).known || undefined,
    );

    const options = await (browsers[0] as ChromiumSession).openExtensionPage('options.html');
    await options.getByRole('button', { name: 'Reset identity…' }).click();
    await options.getByText('Everyone who verified you will see your identity change').waitFor();
    await options.getByRole('button', { name: 'Reset my identity' }).click();
    await options.getByText('Your homeserver asks for your account password to confirm this.').waitFor({ timeout: 60_000 });
    await options.getByLabel('Password').fill(alice.password);
    await options.getByRole('button', { name: 'Continue' }).click();
    await options.getByText('Your identity was reset.').waitFor({ timeout: 60_000 });
    await waitFor(
      "Bob to see Alice's identity change",
      async () => (await bob.crypto.getUserVerificationStatus(alice.userId)).needsUserApproval || undefined,
    );
  });
});
