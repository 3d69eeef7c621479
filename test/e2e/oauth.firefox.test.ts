import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'webextension-polyfill';
import type { ExtensionStatus } from '../../src/messaging/protocol';
import { readEngineFacts } from '../support/extensionPages.ts';
import { type FirefoxSession, launchFirefox } from '../support/firefox.ts';
import { type OAuthHomeserver, type OAuthUser, startOAuthHomeserver } from '../support/oauthHomeserver.ts';
import { waitFor } from '../support/waitFor.ts';

declare const browser: Browser;

/**
 * A homeserver with next-generation auth (Synapse delegating auth to the test stand-in for the
 * Matrix Authentication Service, test/support/oauthHomeserver.ts) and the built extension in
 * Firefox ESR, whose background is an event page: the sign-in form offers only the server's
 * sign-in page, the code is approved on the provider's page in another tab, and the session
 * outlives its first access token and the event page's suspension (a short idle timeout makes
 * Firefox unload it within seconds whenever nothing happens).
 */
describe('on a server with next-generation auth, in Firefox ESR', () => {
  let homeserver: OAuthHomeserver;
  let firefox: FirefoxSession;
  let alice: OAuthUser;
  /** When the first access token expires at the latest: issued by the last token request before sign-in showed. */
  let firstTokenExpiresAt = 0;
  const cleanups: (() => unknown)[] = [];
  const SLOW = 60_000;

  /** Access tokens live this long: short, so the test sees a refresh. */
  const TOKEN_TTL_SECONDS = 20;
  /** Firefox unloads the event page after this much quiet (ms); 30 s by default. */
  const IDLE_TIMEOUT_MS = 3000;

  beforeAll(async () => {
    homeserver = await startOAuthHomeserver({ accessTokenTtlSeconds: TOKEN_TTL_SECONDS });
    cleanups.push(() => homeserver.stop());
    alice = await homeserver.registerUser({ displayName: 'Alice' });
    firefox = await launchFirefox({ prefs: { 'extensions.background.idle.timeout': IDLE_TIMEOUT_MS } });
    cleanups.push(() => firefox.close());
  });

  afterAll(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function status(page: Page): Promise<ExtensionStatus> {
    const answer = await page.evaluate(() => browser.runtime.sendMessage({ kind: 'status.get', params: {} }));
    return (answer as { result: ExtensionStatus }).result;
  }

  async function count(page: Page, selector: string): Promise<number> {
    return (await page.$$(selector)).length;
  }

  async function textOf(page: Page, selector: string): Promise<string> {
    return page.$eval(selector, (node) => node.textContent.trim());
  }

  /** Clicks a submit button and waits for the page it leads to. */
  async function submit(page: Page, selector: string): Promise<void> {
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
  }

  /** The provider's pages, as the user goes through them: code, confirm, sign in, until "Device connected". */
  async function approveOnProviderPage(provider: Page, user: OAuthUser, shownCode: string): Promise<void> {
    const connected = () => provider.evaluate(() => document.body.innerText.includes('Device connected'));
    for (let step = 0; step < 6; step++) {
      if (await connected()) return;
      if ((await count(provider, '#confirm-device')) > 0) {
        // The page shows the code the extension showed: the user compares them before allowing.
        expect(await textOf(provider, '#user-code')).toBe(shownCode);
        await submit(provider, '#confirm-device');
      } else if ((await count(provider, '#username')) > 0) {
        await provider.type('#username', user.username);
        await provider.type('#password', user.password);
        await submit(provider, '#sign-in');
      } else if ((await count(provider, 'input#user-code')) > 0) {
        await provider.type('input#user-code', shownCode);
        await submit(provider, '#submit-code');
      }
    }
    await waitFor('"Device connected" on the provider page', async () => ((await connected()) ? true : undefined));
  }

  it('signs in with the device grant: only the sign-in page is offered, the code is approved in another tab', async () => {
    const options = await firefox.openExtensionPage('options.html');
    await options.type('input[name="homeserver"]', homeserver.baseUrl);
    // Leave the field as a person does: the form asks the server what it offers.
    await options.keyboard.press('Tab');
    const oauthButton = await options.waitForSelector(
      `::-p-xpath(//button[normalize-space(.)="Continue to your homeserver's sign-in page"])`,
      { timeout: SLOW },
    );
    if (!oauthButton) throw new Error('no OAuth button');
    // This server takes no passwords: no password field to type one into.
    expect(await count(options, 'input[name="password"]')).toBe(0);
    await oauthButton.click();

    const codeView = await options.waitForSelector('.user-code', { timeout: SLOW });
    const code = (await codeView?.evaluate((node) => node.textContent.trim())) ?? '';
    expect(code).toMatch(/\S{4,}/);
    const link = await options.waitForSelector('::-p-xpath(//a[normalize-space(.)="Open the sign-in page"])');
    if (!link) throw new Error('no link to the sign-in page');
    expect(await link.evaluate((a) => (a as HTMLAnchorElement).target)).toBe('_blank');
    // Firefox opens the target=_blank link in a tab (the provider sees its GET at once), but
    // puppeteer over BiDi lists no page or target for a tab an extension page opened: the
    // link's own address is opened in a new page instead, and that page is driven.
    const href = await link.evaluate((a) => (a as HTMLAnchorElement).href);
    expect(href.startsWith(homeserver.issuer)).toBe(true);
    const provider = await firefox.browser.newPage();
    await provider.goto(href, { waitUntil: 'load' });
    await approveOnProviderPage(provider, alice, code);
    await provider.close();

    await options.waitForSelector('[data-status="sync"].tone-ok', { timeout: SLOW });
    const account = await waitFor(
      'the extension to be signed in and syncing',
      async () => {
        const { account } = await status(options);
        return account.state === 'signed-in' && account.sync.state === 'syncing' ? account : undefined;
      },
      SLOW,
    );
    expect(account.userId).toBe(alice.userId);
    const tokenRequests = homeserver.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/auth/token'));
    firstTokenExpiresAt = (tokenRequests.at(-1)?.at ?? Date.now()) + TOKEN_TTL_SECONDS * 1000;
    await options.close();
  });

  it('keeps the session across an unloaded event page and an expired access token (refreshed, not signed out)', async () => {
    const looking = await firefox.openExtensionPage('options.html');
    const before = await waitFor('the background to report', async () => (await readEngineFacts(looking)).backgroundStartedAt ?? undefined);
    await looking.close();
    const closedAt = Date.now();
    // No extension page is open: Firefox unloads the quiet event page after its idle timeout, and
    // the access token the background held (issued before closedAt) expires meanwhile.
    await waitFor('the access token to expire', () => (Date.now() > closedAt + TOKEN_TTL_SECONDS * 1000 ? true : undefined), SLOW);

    const options = await firefox.openExtensionPage('options.html');
    const account = await waitFor(
      'a sync after the expiry',
      async () => {
        const { account } = await status(options);
        return account.state === 'signed-in' &&
          account.sync.state === 'syncing' &&
          account.sync.lastSyncAt > closedAt + TOKEN_TTL_SECONDS * 1000
          ? account
          : undefined;
      },
      SLOW,
    );
    expect(account.userId).toBe(alice.userId);
    const after = await waitFor('the background to report', async () => (await readEngineFacts(options)).backgroundStartedAt ?? undefined);
    // Another background instance, started after the last page closed, answers: the event page
    // was unloaded in the quiet (the idle timeout) and woken again.
    expect(after).not.toBe(before);
    expect(after).toBeGreaterThan(closedAt);
    // The provider saw a token request after the first access token expired: a refresh.
    const refreshes = homeserver.requests.filter(
      (r) => r.method === 'POST' && r.path.startsWith('/auth/token') && r.at > firstTokenExpiresAt,
    );
    expect(refreshes.length).toBeGreaterThan(0);
    await options.close();
  });
});
