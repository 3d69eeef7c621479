import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright';
import type { Browser } from 'webextension-polyfill';
import type { ExtensionStatus } from '../../src/messaging/protocol';
import { type ChromiumSession, launchChromium } from '../support/chromium.ts';
import { type OAuthHomeserver, type OAuthUser, startOAuthHomeserver } from '../support/oauthHomeserver.ts';
import { oauthPeer } from '../support/oauthPeer.ts';
import type { Peer } from '../support/peer.ts';
import { savePageScreenshot } from '../support/screenshots.ts';
import { setSamples } from '../support/figures.ts';
import { waitFor } from '../support/waitFor.ts';

declare const chrome: Browser;

/**
 * A homeserver with next-generation auth (Synapse delegating auth to the test stand-in for the
 * Matrix Authentication Service, test/support/oauthHomeserver.ts) and the built extension in
 * Chromium, used as a person would: the sign-in form offers only the server's sign-in page, the
 * code is approved on the provider's page in another tab, tokens are refreshed across a stopped
 * worker, the account page resets the identity and signs another session out, and signing out
 * revokes the session on the server.
 */
describe('on a server with next-generation auth, in Chromium', () => {
  let homeserver: OAuthHomeserver;
  let chromium: ChromiumSession;
  let alice: OAuthUser;
  const cleanups: (() => unknown)[] = [];

  /** Access tokens live this long: short, so the tests see refreshes. */
  const TOKEN_TTL_SECONDS = 20;

  beforeAll(async () => {
    homeserver = await startOAuthHomeserver({ accessTokenTtlSeconds: TOKEN_TTL_SECONDS });
    cleanups.push(() => homeserver.stop());
    alice = await homeserver.registerUser({ displayName: 'Alice' });
    chromium = await launchChromium();
    cleanups.push(() => chromium.close());
  });

  afterAll(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function status(page: Page): Promise<ExtensionStatus> {
    const answer = await page.evaluate(() => chrome.runtime.sendMessage({ kind: 'status.get', params: {} }));
    return (answer as { result: ExtensionStatus }).result;
  }

  async function signedIn(page: Page) {
    return waitFor('the extension to be signed in and syncing', async () => {
      const { account } = await status(page);
      return account.state === 'signed-in' && account.sync.state === 'syncing' ? account : undefined;
    });
  }

  /** The provider's pages, as the user goes through them: code, confirm, sign in, until "Device connected". */
  async function approveOnProviderPage(provider: Page, user: OAuthUser, shownCode: string): Promise<void> {
    for (let step = 0; step < 6; step++) {
      if ((await provider.getByText('Device connected').count()) > 0) return;
      if ((await provider.locator('#confirm-device').count()) > 0) {
        // The page shows the code the extension showed: the user compares them before allowing.
        expect(await provider.locator('#user-code').textContent()).toBe(shownCode);
        await provider.locator('#confirm-device').click();
      } else if ((await provider.locator('#username').count()) > 0) {
        await provider.locator('#username').fill(user.username);
        await provider.locator('#password').fill(user.password);
        await provider.locator('#sign-in').click();
      } else if ((await provider.locator('input#user-code').count()) > 0) {
        await provider.locator('input#user-code').fill(shownCode);
        await provider.locator('#submit-code').click();
      }
      await provider.waitForLoadState();
    }
    await provider.getByText('Device connected').waitFor();
  }

  it('signs in with the device grant: only the sign-in page is offered, the code is approved in another tab', async () => {
    const options = await chromium.openExtensionPage('options.html');
    await options.getByLabel('Homeserver').fill(homeserver.baseUrl);
    await options.getByLabel('Homeserver').blur();
    const oauthButton = options.getByRole('button', { name: "Continue to your homeserver's sign-in page" });
    await oauthButton.waitFor();
    // This server takes no passwords: no password field to type one into.
    expect(await options.getByLabel('Password').count()).toBe(0);
    await oauthButton.click();

    const code = (await options.locator('.user-code').textContent({ timeout: 30_000 })) ?? '';
    expect(code).toMatch(/\S{4,}/);
    await savePageScreenshot(options, 'oauth-device-code');
    const opened = chromium.context.waitForEvent('page');
    await options.getByRole('link', { name: 'Open the sign-in page' }).click();
    const provider = await opened;
    await provider.waitForLoadState();
    expect(provider.url().startsWith(homeserver.issuer)).toBe(true);
    await approveOnProviderPage(provider, alice, code);
    await provider.close();

    await options.locator('[data-status="sync"].tone-ok').waitFor({ timeout: 60_000 });
    const account = await signedIn(options);
    expect(account.userId).toBe(alice.userId);
    await options.close();
  });

  it('keeps the session across a stopped worker and an expired access token (refreshed, not signed out)', async () => {
    const stoppedAt = Date.now();
    await chromium.stopServiceWorkers();
    // The access token the worker held is now expired: the provider issued it before the stop.
    await waitFor('the access token to expire', () => (Date.now() > stoppedAt + TOKEN_TTL_SECONDS * 1000 ? true : undefined), 60_000);
    const options = await chromium.openExtensionPage('options.html');
    const account = await waitFor(
      'a sync after the refresh',
      async () => {
        const { account } = await status(options);
        return account.state === 'signed-in' && account.sync.state === 'syncing' && account.sync.lastSyncAt > stoppedAt
          ? account
          : undefined;
      },
      60_000,
    );
    expect(account.userId).toBe(alice.userId);
    const refreshes = homeserver.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/auth/token') && r.at > stoppedAt);
    expect(refreshes.length).toBeGreaterThan(0);
    await options.close();
  });

  it('resets the identity through the account page: explained, opened, and finished when the user comes back', async () => {
    const popup = await chromium.openExtensionPage('popup.html');
    // A first identity needs no approval (MSC3967): set up recovery, which verifies this extension.
    await popup.getByRole('button', { name: 'Set up recovery' }).click();
    await popup.getByRole('button', { name: 'Create recovery key' }).click();
    const key = (await popup.getByTestId('recovery-key').innerText()).replace(/\s+/g, ' ').trim();
    await popup.getByLabel('Type or paste the recovery key to confirm').fill(key);
    await popup.getByRole('button', { name: 'Confirm and set up' }).click();
    await popup.getByText('Recovery is set up, and this extension is verified.').waitFor({ timeout: 60_000 });
    await popup.getByRole('button', { name: 'OK' }).click();
    await popup.close();

    // Resets live in the settings page, behind a confirmation.
    const options = await chromium.openExtensionPage('options.html');

    await options.getByRole('button', { name: 'Reset identity…' }).click();
    await options.getByRole('button', { name: 'Reset my identity' }).click();
    await options
      .getByText('Your server wants you to approve this reset on its account page.', { exact: false })
      .waitFor({ timeout: 60_000 });
    // Never a password on a server that takes none.
    expect(await options.getByLabel('Password').count()).toBe(0);
    await savePageScreenshot(options, 'oauth-reset-approval');
    const opened = chromium.context.waitForEvent('page');
    await options.getByRole('button', { name: 'Open the account page' }).click();
    const accountPage = await opened;
    await accountPage.waitForLoadState();
    if ((await accountPage.locator('#username').count()) > 0) {
      await accountPage.locator('#username').fill(alice.username);
      await accountPage.locator('#password').fill(alice.password);
      await accountPage.locator('#sign-in').click();
    }
    await accountPage.locator('#allow-cross-signing-reset').click();
    await accountPage.waitForLoadState();
    await accountPage.close();
    await options.bringToFront();
    await options.getByRole('button', { name: 'I approved it, finish the reset' }).click();
    await options.getByText('Your identity was reset.').waitFor({ timeout: 60_000 });
    await options.close();
  });

  it('signs another session out through the account page, and sees it gone', async () => {
    const phone: Peer = await oauthPeer(homeserver, alice, 'ALICEPHONE');
    cleanups.push(() => phone.stop());
    // A room of Alice's own, so the extension follows her devices as it does for every member.
    await phone.createEncryptedRoom({ name: 'Notes' });
    const options = await chromium.openExtensionPage('popup.html');
    const row = options.locator('li', { hasText: 'ALICEPHONE' });
    await row.waitFor({ timeout: 60_000 });
    await row.getByRole('button', { name: 'Sign out' }).click();
    const opened = chromium.context.waitForEvent('page');
    await row.getByRole('button', { name: 'Sign out' }).click();
    const accountPage = await opened;
    await accountPage.waitForLoadState();
    if ((await accountPage.locator('#username').count()) > 0) {
      await accountPage.locator('#username').fill(alice.username);
      await accountPage.locator('#password').fill(alice.password);
      await accountPage.locator('#sign-in').click();
    }
    expect(await accountPage.locator('#device-id').textContent()).toBe('ALICEPHONE');
    await accountPage.locator('#sign-out-device').click();
    await accountPage.waitForLoadState();
    await accountPage.close();
    await options.bringToFront();
    await options.getByText('is signed out.', { exact: false }).waitFor({ timeout: 60_000 });
    await options.close();
  });

  it('signs out: the session is revoked on the server, and the device is gone', async () => {
    const options = await chromium.openExtensionPage('options.html');
    const { account } = await status(options);
    if (account.state !== 'signed-in') throw new Error('not signed in');
    const before = Date.now();
    await options.getByRole('button', { name: 'Sign out…' }).click();
    await options.getByRole('button', { name: 'Sign out', exact: true }).click();
    await options.getByLabel('Homeserver').waitFor({ timeout: 60_000 });
    const revocations = homeserver.requests.filter((r) => r.method === 'POST' && r.path.includes('revocation') && r.at >= before);
    expect(revocations.length).toBeGreaterThan(0);
    // The server's own list, read by another app of Alice's: the extension's session is gone.
    const laptop = await oauthPeer(homeserver, alice, 'ALICELAPTOP');
    cleanups.push(() => laptop.stop());
    const { devices } = await laptop.client.getDevices();
    expect(devices.map((device) => device.device_id)).toContain('ALICELAPTOP');
    expect(devices.map((device) => device.device_id)).not.toContain(account.deviceId);
    await options.close();
  });
});

/**
 * oauth_sign_in_to_ready_ms (bench/oauth.bench.ts): from the device grant approved on the
 * provider's pages to the extension's first sync, the extension signed in from its own page,
 * five times. It includes the wait for the extension's next poll of the token endpoint, at the
 * interval the provider asks (5 s here, as MAS); oauth_token_to_ready_ms counts from that
 * poll's request instead: registration is done, what remains is starting the device.
 */
describe('measuring OAuth sign-in, in Chromium', () => {
  const ROUNDS = 5;
  const cleanups: (() => unknown)[] = [];
  let homeserver: OAuthHomeserver;
  let chromium: ChromiumSession;

  beforeAll(async () => {
    homeserver = await startOAuthHomeserver();
    cleanups.push(() => homeserver.stop());
    chromium = await launchChromium();
    cleanups.push(() => chromium.close());
  });

  afterAll(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('measures oauth_sign_in_to_ready_ms', async () => {
    const samples: number[] = [];
    const fromToken: number[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      const user = await homeserver.registerUser();
      const options = await chromium.openExtensionPage('options.html');
      await options.getByLabel('Homeserver').fill(homeserver.baseUrl);
      await options.getByLabel('Homeserver').blur();
      await options.getByRole('button', { name: "Continue to your homeserver's sign-in page" }).click();
      const code = (await options.locator('.user-code').textContent({ timeout: 30_000 })) ?? '';
      await homeserver.approveDeviceCode(user, code);
      const approvedAt = Date.now();
      const firstSyncAt = await waitFor(
        'the first sync',
        async () => {
          const { account } = await status(options);
          return account.state === 'signed-in' && account.sync.state === 'syncing' ? account.sync.lastSyncAt : undefined;
        },
        60_000,
      );
      const tokenPolls = homeserver.requests.filter((r) => r.method === 'POST' && r.path === '/auth/token' && r.at <= firstSyncAt);
      const tokenAt = tokenPolls.at(-1)?.at;
      if (tokenAt === undefined || tokenAt < approvedAt - 1_000) throw new Error('no token request after the approval');
      samples.push(firstSyncAt - approvedAt);
      fromToken.push(firstSyncAt - tokenAt);
      await options.evaluate(() => chrome.runtime.sendMessage({ kind: 'account.signOut', params: {} }));
      await options.getByLabel('Homeserver').waitFor({ timeout: 60_000 });
      await options.close();
    }
    console.log(`oauth_sign_in_to_ready_ms: ${samples.join(', ')}; from the token request: ${fromToken.join(', ')}`);
    setSamples({ oauth_sign_in_to_ready_ms: samples, oauth_token_to_ready_ms: fromToken });
    expect(samples).toHaveLength(ROUNDS);
  }, 600_000);

  async function status(page: Page): Promise<ExtensionStatus> {
    const answer = await page.evaluate(() => chrome.runtime.sendMessage({ kind: 'status.get', params: {} }));
    return (answer as { result: ExtensionStatus }).result;
  }
});

/**
 * A provider without the device grant: the same button runs the authorization code grant with
 * PKCE in the window `identity.launchWebAuthFlow` opens, where the user signs in on the
 * provider's page; the browser catches the redirect to the extension's own URL.
 */
describe('on a server with next-generation auth but no device grant, in Chromium', () => {
  const cleanups: (() => unknown)[] = [];
  let homeserver: OAuthHomeserver;
  let chromium: ChromiumSession;
  let carol: OAuthUser;

  beforeAll(async () => {
    homeserver = await startOAuthHomeserver({ deviceGrant: false });
    cleanups.push(() => homeserver.stop());
    carol = await homeserver.registerUser({ displayName: 'Carol' });
    chromium = await launchChromium();
    cleanups.push(() => chromium.close());
  });

  afterAll(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('signs in with the authorization code in the sign-in window', async () => {
    const options = await chromium.openExtensionPage('options.html');
    await options.getByLabel('Homeserver').fill(homeserver.baseUrl);
    await options.getByLabel('Homeserver').blur();
    const signInWindow = chromium.context.waitForEvent('page', (page) => page.url().startsWith(homeserver.issuer));
    await options.getByRole('button', { name: "Continue to your homeserver's sign-in page" }).click();
    const provider = await signInWindow;
    // PKCE: the provider got a code challenge, never the verifier.
    const authorization = homeserver.requests.find((request) => request.method === 'GET' && request.path === '/auth/auth');
    const asked = new URL(`${homeserver.issuer}/auth${authorization?.search ?? ''}`);
    expect(asked.searchParams.get('code_verifier')).toBeNull();
    expect(asked.searchParams.get('code_challenge_method')).toBe('S256');
    expect(asked.searchParams.get('scope')).toContain('urn:matrix:client:device:');
    await provider.locator('#username').fill(carol.username);
    await provider.locator('#password').fill(carol.password);
    await provider.locator('#sign-in').click();

    await options.locator('[data-status="sync"].tone-ok').waitFor({ timeout: 60_000 });
    const answer = await options.evaluate(() => chrome.runtime.sendMessage({ kind: 'status.get', params: {} }));
    const { account } = (answer as { result: ExtensionStatus }).result;
    expect(account.state === 'signed-in' && account.userId).toBe(carol.userId);
    // The scope asked for the device the extension now is.
    expect(account.state === 'signed-in' && asked.searchParams.get('scope')).toContain(
      `urn:matrix:client:device:${account.state === 'signed-in' ? account.deviceId : ''}`,
    );
    await options.close();
  });
});
