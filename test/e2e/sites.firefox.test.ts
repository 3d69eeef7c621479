import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import type { Browser } from 'webextension-polyfill';
import { readEngineFacts, settled } from '../support/extensionPages.ts';
import { launchFirefox, type FirefoxSession } from '../support/firefox.ts';
import { startFixtureSite, type FixtureSite } from '../support/fixtureSite.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { SCREENSHOTS } from '../support/screenshots.ts';
import { waitFor } from '../support/waitFor.ts';

declare const browser: Browser;

/**
 * A self-hosted web client, added in the options page. Firefox, because it can answer the
 * browser's permission prompt without a human (`extensions.webextOptionalPermissionPrompts`);
 * Chromium's prompt cannot be answered headless, so there the same code is covered by the
 * SiteRegistry unit tests. The site is the Element fixture served as https://chat.example.org.
 */

const HOST = 'chat.example.org';

describe('adding and removing a self-hosted web client, in Firefox ESR', () => {
  let site: FixtureSite;
  let firefox: FirefoxSession;
  let options: Page;
  let origin: string;

  /** The watched tab's toolbar tooltip, asked from the options page (the extension may see that tab's URL). */
  async function titleOfSiteTab(): Promise<string | undefined> {
    return options.evaluate(async (pattern) => {
      const [tab] = await browser.tabs.query({ url: pattern });
      return tab?.id === undefined ? undefined : browser.action.getTitle({ tabId: tab.id });
    }, `https://${HOST}/*`);
  }

  /**
   * The options page, once it has stopped growing above the sites form: the list of sites
   * shows, and so has the engine check (its facts come late on a loaded machine, and push the
   * form down; Puppeteer scrolls an element into view once per action, so a form pushed out of
   * view afterwards could never be filled).
   */
  async function openOptions(): Promise<Page> {
    const page = await firefox.openExtensionPage('options.html');
    await page.waitForSelector('li[data-site="https://app.element.io"]');
    await waitFor('the engine check to settle in the options page', async () => settled(await readEngineFacts(page)), 60_000);
    return page;
  }

  /** Whether the extension holds the site's host permission (getAll also lists the built-in sites). */
  const hasHostPermission = () => options.evaluate((pattern) => browser.permissions.contains({ origins: [pattern] }), `https://${HOST}/*`);

  beforeAll(async () => {
    const fixture = await fs.readFile(path.join(REPO_ROOT, 'test/fixtures/element-web.html'), 'utf8');
    site = await startFixtureSite(HOST, { '/': fixture });
    origin = `https://${HOST}:${site.port}`;
    firefox = await launchFirefox({
      acceptInsecureCerts: true,
      prefs: {
        // Grants optional permissions as if the user clicked "Allow" in the prompt.
        'extensions.webextOptionalPermissionPrompts': false,
        // The fixture site's name resolves to this machine.
        'network.dns.localDomains': HOST,
      },
    });
    options = await openOptions();
  });

  afterAll(async () => {
    await (firefox as FirefoxSession | undefined)?.close();
    await (site as FixtureSite | undefined)?.close();
  });

  it('refuses a clear-text address with a clear message, asking the browser for nothing', async () => {
    await options.locator('#site-origin').fill(`http://${HOST}`);
    await options.locator('form.add-site button[type="submit"]').click();
    const alert = await options.waitForSelector('.sites-section [role="alert"]');
    expect(await alert?.evaluate((node) => node.textContent)).toBe(
      'Type the https address of your web client, e.g. https://chat.example.org.',
    );
    expect(await hasHostPermission()).toBe(false);
  });

  it('adds the site: permission for that host only, a registered script, and the page is recognised', async () => {
    await options.locator('#site-origin').fill(`${origin}/#/room/!abc:example.org`);
    await options.locator('form.add-site button[type="submit"]').click();
    await options.waitForSelector(`li[data-site="${origin}"][data-added]`);
    expect(await hasHostPermission()).toBe(true);
    // Only that host: no other site's pages became readable.
    expect(await options.evaluate(() => browser.permissions.contains({ origins: ['https://example.com/*'] }))).toBe(false);
    expect(await options.evaluate(() => browser.scripting.getRegisteredContentScripts())).toMatchObject([
      { matches: [`https://${HOST}/*`] },
    ]);
    const list = await options.waitForSelector('.sites-section');
    await list?.screenshot({ path: path.join(SCREENSHOTS, 'options-sites.png') });

    const page = await firefox.browser.newPage();
    await page.goto(`${origin}/#/room/!abc:example.org`);
    const title = await waitFor('the added site to be recognised', async () => {
      const value = await titleOfSiteTab();
      return value?.includes('Element Web') ? value : undefined;
    });
    // Not signed in: the toolbar names the client the page's adapter recognised.
    expect(title).toBe('Matrix Trust Guard: Element Web detected. Sign in to see warnings for this page.');
    await page.close();
  });

  it('registers the script again when the extension starts with the site stored but not registered', async () => {
    // What a browser restart leaves: the stored list and the permission, but no registration
    // (they are made with persistAcrossSessions: false). Reloading the extension starts its
    // background afresh, which must register the site again.
    await options.evaluate(() => browser.scripting.unregisterContentScripts());
    await options.evaluate(() => setTimeout(() => browser.runtime.reload(), 0));
    await options.close().catch(() => undefined);
    options = await waitFor('the options page after the reload', () => openOptions().catch(() => undefined), 60_000);
    await waitFor('the site to be registered again', async () => {
      const scripts = await options.evaluate(() => browser.scripting.getRegisteredContentScripts()).catch(() => []);
      return scripts.length === 1 ? true : undefined;
    });
    const page = await firefox.browser.newPage();
    await page.goto(`${origin}/`);
    await waitFor('the added site to be recognised after the restart', async () =>
      (await titleOfSiteTab())?.includes('Element Web') ? true : undefined,
    );
    await page.close();
  });

  it('removes the site: script unregistered, permission released, the list as before', async () => {
    await options.locator(`li[data-site="${origin}"] button[aria-label="Stop watching ${origin}"]`).click();
    await waitFor('the site to leave the list', async () => ((await options.$(`li[data-site="${origin}"]`)) === null ? true : undefined));
    expect(await options.evaluate(() => browser.scripting.getRegisteredContentScripts())).toEqual([]);
    expect(await hasHostPermission()).toBe(false);
  });
});
