import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { FIREFOX_BUILD, FIREFOX_PATH } from './paths.ts';
import { waitFor } from './waitFor.ts';

export interface FirefoxOptions {
  extensionDir?: string;
  /** Extra preferences, e.g. a short `extensions.background.idle.timeout` (ms). */
  prefs?: Record<string, string | number | boolean>;
  headless?: boolean;
  /** Accept self-signed certificates (fixture sites served as if from a real origin). */
  acceptInsecureCerts?: boolean;
}

export interface FirefoxSession {
  browser: Browser;
  /** The moz-extension:// host, fixed before install so tests can open our pages. */
  extensionUuid: string;
  openExtensionPage(pagePath: string): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Debian's Firefox ESR over WebDriver BiDi (puppeteer-core), with the built extension
 * installed as a temporary add-on. Opening moz-extension:// pages needs system access for
 * the remote agent and a UUID we choose, set through `extensions.webextensions.uuids`.
 */
export async function launchFirefox(options: FirefoxOptions = {}): Promise<FirefoxSession> {
  const extensionDir = options.extensionDir ?? FIREFOX_BUILD;
  const geckoId = await readGeckoId(extensionDir);
  const extensionUuid = crypto.randomUUID();
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: options.headless ?? true,
    args: ['--remote-allow-system-access'],
    acceptInsecureCerts: options.acceptInsecureCerts ?? false,
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [geckoId]: extensionUuid }),
      ...options.prefs,
    },
  });
  try {
    await browser.installExtension(extensionDir);
  } catch (error) {
    await browser.close();
    throw error;
  }
  const extensionOrigin = `moz-extension://${extensionUuid}`;
  return {
    browser,
    extensionUuid,
    async openExtensionPage(pagePath) {
      const page = await browser.newPage();
      const url = `${extensionOrigin}/${pagePath}`;
      // puppeteer never sees moz-extension navigations finish (puppeteer#14314), though
      // the page loads and can be scripted; so start it and wait for the document instead.
      void page.goto(url, { timeout: 0 }).catch(() => undefined);
      await waitFor(`${pagePath} to load in Firefox`, async () => {
        const state = await page.evaluate(() => `${location.href} ${document.readyState}`).catch(() => undefined);
        return state === `${url} complete` ? true : undefined;
      });
      return page;
    },
    close: () => browser.close(),
  };
}

async function readGeckoId(extensionDir: string): Promise<string> {
  let manifest: unknown;
  try {
    manifest = JSON.parse(await fs.readFile(path.join(extensionDir, 'manifest.json'), 'utf8'));
  } catch {
    throw new Error(`No built Firefox extension at ${extensionDir}: run "npm run build" first.`);
  }
  const id = (manifest as { browser_specific_settings?: { gecko?: { id?: unknown } } }).browser_specific_settings?.gecko?.id;
  if (typeof id !== 'string') throw new Error('The Firefox manifest has no gecko id');
  return id;
}
