import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright';
import type { Browser } from 'webextension-polyfill';
import type { ExtensionStatus } from '../../src/messaging/protocol';
import { type ChromiumSession, launchChromium } from '../support/chromium.ts';
import { type OAuthUser, type SsoHomeserver, startSsoHomeserver } from '../support/oauthHomeserver.ts';
import { waitFor } from '../support/waitFor.ts';

declare const chrome: Browser;

/**
 * Legacy single sign-on (`m.login.sso`) end to end: a Synapse whose only way in is an upstream
 * OpenID provider (the test stand-in, test/support/oauthHomeserver.ts), the built extension in
 * Chromium, and the user signing in on the provider's page in the window
 * `identity.launchWebAuthFlow` opens. Synapse hands the extension a login token on its
 * redirect URL, and the extension's own device signs in with it.
 */
describe('legacy single sign-on, in Chromium', () => {
  let homeserver: SsoHomeserver;
  let chromium: ChromiumSession;
  let carol: OAuthUser;
  /** What beforeAll started, stopped whatever failed after it. */
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    homeserver = await startSsoHomeserver({ name: 'sso-e2e' });
    cleanups.push(() => homeserver.stop());
    carol = await homeserver.registerUser({ displayName: 'Carol' });
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

  it('offers only single sign-on, and signs in through the provider page in the sign-on window', async () => {
    const options = await chromium.openExtensionPage('options.html');
    await options.getByLabel('Homeserver').fill(homeserver.baseUrl);
    await options.getByLabel('Homeserver').blur();
    const ssoButton = options.getByRole('button', { name: 'Sign in with single sign-on' });
    await ssoButton.waitFor();
    // This server takes no passwords (only its identity provider): no password field either.
    expect(await options.getByLabel('Password').count()).toBe(0);

    // The sign-on window is a page of the browser like any other: the user signs in on it.
    const signOnWindow = chromium.context.waitForEvent('page', (page) => page.url().startsWith(homeserver.issuer));
    await ssoButton.click();
    const provider = await signOnWindow;
    await provider.locator('#username').fill(carol.username);
    await provider.locator('#password').fill(carol.password);
    await provider.locator('#sign-in').click();

    await options.locator('[data-status="sync"].tone-ok').waitFor({ timeout: 60_000 });
    const account = await waitFor('the account to be signed in', async () => {
      const { account } = await status(options);
      return account.state === 'signed-in' ? account : undefined;
    });
    expect(account.userId).toBe(carol.userId);
    // The device is Synapse's own: a session of Carol's account.
    const admin = await homeserver.synapse.registerUser({ admin: true });
    const devices = (await (
      await fetch(`${homeserver.synapse.baseUrl}/_synapse/admin/v2/users/${encodeURIComponent(carol.userId)}/devices`, {
        headers: { authorization: `Bearer ${admin.accessToken}` },
      })
    ).json()) as { devices: { device_id: string; display_name?: string }[] };
    expect(devices.devices.map((device) => device.device_id)).toContain(account.deviceId);
    await options.close();
  });
});
