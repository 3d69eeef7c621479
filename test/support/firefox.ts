import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import type { Browser as WebExtensionBrowser } from 'webextension-polyfill';
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
  /**
   * Opens an extension page in a window of its own, in the background: the window the user
   * last focused stays so, and its page stays on screen (a hidden page draws no frames).
   */
  openExtensionPageAside(pagePath: string): Promise<Page>;
  /**
   * The popup as if opened from the toolbar over `page`: `page`'s window is the one last
   * focused, whose active tab the popup's "This tab" speaks of.
   */
  openPopupOver(page: Page): Promise<Page>;
  /**
   * Runs `action` and returns the extension page it made the extension open (a tab from
   * `tabs.create`, a window from `windows.create`) once that page shows `pagePath` and loaded.
   */
  extensionPageOpenedBy(pagePath: string, action: () => Promise<unknown>): Promise<Page>;
  /**
   * Unloads the extension's event page now, as Firefox does when it has been idle for the
   * timeout (`extensions.background.idle.timeout`), through the same call (which declines
   * while a listener's promise is pending: then it tries again). The next event wakes a new
   * instance. Needs the remote agent's system access.
   */
  unloadEventPage(): Promise<void>;
  close(): Promise<void>;
}

interface BidiResult {
  type: string;
  result?: { type: string; value?: unknown };
  exceptionDetails?: { text: string };
}

/** The part of Puppeteer's internal BiDi connection these helpers use. */
interface BidiConnection {
  send(method: string, params: unknown): Promise<{ result: unknown }>;
}

/**
 * Sends a raw WebDriver BiDi command. Puppeteer has no public call for one: this uses its
 * connection, which is internal (puppeteer-core is pinned in package.json).
 */
export async function sendBidi<T>(browser: Browser, method: string, params: unknown): Promise<T> {
  const connection = (browser as unknown as { connection: BidiConnection }).connection;
  return (await connection.send(method, params)).result as T;
}

/** The BiDi browsing context of `page`'s main frame (internal to Puppeteer, as above). */
export function bidiContextOf(page: Page): string {
  return (page.mainFrame() as unknown as { _id: string })._id;
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
  const openExtensionPageAside = async (pagePath: string): Promise<Page> => {
    // Puppeteer's newPage has no "in the background": ask BiDi for the window, then find its page.
    const { context } = await sendBidi<{ context: string }>(browser, 'browsingContext.create', { type: 'window', background: true });
    const url = `${extensionOrigin}/${pagePath}`;
    await sendBidi(browser, 'browsingContext.navigate', { context, url, wait: 'none' });
    const page = await waitFor("the new window's page", async () => (await browser.pages()).find((p) => bidiContextOf(p) === context));
    await untilLoaded(page, url);
    return page;
  };
  return {
    browser,
    extensionUuid,
    async openExtensionPage(pagePath) {
      const page = await browser.newPage();
      const url = `${extensionOrigin}/${pagePath}`;
      // puppeteer never sees moz-extension navigations finish (puppeteer#14314), though
      // the page loads and can be scripted; so start it and wait for the document instead.
      void page.goto(url, { timeout: 0 }).catch(() => undefined);
      await untilLoaded(page, url);
      return page;
    },
    openExtensionPageAside,
    async openPopupOver(page) {
      await page.bringToFront();
      const popup = await openExtensionPageAside('popup.html');
      await popup.setViewport({ width: 380, height: 800 });
      return popup;
    },
    async extensionPageOpenedBy(pagePath, action) {
      const before = new Set(await browser.pages());
      await action();
      const url = `${extensionOrigin}/${pagePath}`;
      // As above, puppeteer may never see the page's URL: ask each new page where it is.
      return waitFor(`the extension to open ${pagePath}`, async () => {
        for (const page of await browser.pages()) {
          if (before.has(page)) continue;
          const state = await page.evaluate(() => `${location.href} ${document.readyState}`).catch(() => undefined);
          if (state?.startsWith(url) && state.endsWith(' complete')) return page;
        }
        return undefined;
      });
    },
    async unloadEventPage() {
      const { contexts } = await sendBidi<{ contexts: { context: string }[] }>(browser, 'browsingContext.getTree', {
        'moz:scope': 'chrome',
        maxDepth: 0,
      });
      const chromeWindow = contexts[0]?.context;
      if (chromeWindow === undefined) throw new Error('Firefox shows no browser window to reach the extension from');
      const expression = `(async () => {
        const extension = WebExtensionPolicy.getByID(${JSON.stringify(geckoId)}).extension;
        await extension.terminateBackground();
        return extension.backgroundState;
      })()`;
      await waitFor('Firefox to unload the event page', async () => {
        const answer = await sendBidi<BidiResult>(browser, 'script.evaluate', {
          expression,
          target: { context: chromeWindow },
          awaitPromise: true,
          resultOwnership: 'none',
        });
        if (answer.type !== 'success')
          throw new Error(`Firefox did not unload the event page: ${answer.exceptionDetails?.text ?? answer.type}`);
        return answer.result?.value === 'stopped' ? true : undefined;
      });
    },
    close: () => browser.close(),
  };
}

/** Waits until `page` shows `url`, loaded (whether or not puppeteer saw the navigation). */
async function untilLoaded(page: Page, url: string): Promise<void> {
  await waitFor(`${url} to load in Firefox`, async () => {
    const state = await page.evaluate(() => `${location.href} ${document.readyState}`).catch(() => undefined);
    return state === `${url} complete` ? true : undefined;
  });
}

/** Signs the extension in through the options page's form, as a person would; resolves once the account syncs. */
export async function signInThroughOptionsFirefox(
  options: Page,
  account: { homeserver: string; userId: string; password: string },
): Promise<void> {
  await options.type('input[name="homeserver"]', account.homeserver);
  await options.type('input[name="user"]', account.userId);
  await options.type('input[name="password"]', account.password);
  await options.click('form.sign-in button[type="submit"]');
  await options.waitForSelector('[data-status="sync"].tone-ok', { timeout: 60_000 });
}

/**
 * Acknowledges every new warning in a room in the extension's review page (in a window aside),
 * and waits for "clear".
 */
export async function acknowledgeAllInReviewFirefox(firefox: FirefoxSession, roomId: string): Promise<void> {
  const review = await firefox.openExtensionPageAside(`popup.html#room=${encodeURIComponent(roomId)}`);
  try {
    const acknowledge = await review
      .waitForSelector('::-p-text(Acknowledge all new warnings in this room)', { timeout: 60_000 })
      .catch(async (error: unknown) => {
        // Seen once in a fresh clone's run: say what the review showed instead, for the next time.
        const shown = await review.evaluate(() => document.body.innerText).catch(() => '(unreadable)');
        throw new Error(`no "Acknowledge all" in the review of ${roomId}; it showed: ${shown}`, { cause: error });
      });
    await acknowledge?.click();
    await review.waitForSelector(`.room-review[data-room="${roomId}"] .room-summary.tone-ok`, { timeout: 30_000 });
  } finally {
    await review.close();
  }
}

declare const browser: WebExtensionBrowser;

/**
 * The toolbar button of the tab whose address matches `urlPattern`: badge text and tooltip, or
 * undefined while there is no such tab. Asked from `extensionPage`, an extension page that
 * stays open; the extension may query tabs by address where it has host permissions.
 */
export function toolbarOfTabAt(extensionPage: Page, urlPattern: string): Promise<{ text: string; title: string } | undefined> {
  return extensionPage.evaluate(async (pattern) => {
    const [tab] = await browser.tabs.query({ url: pattern });
    if (tab?.id === undefined) return undefined;
    return { text: await browser.action.getBadgeText({ tabId: tab.id }), title: await browser.action.getTitle({ tabId: tab.id }) };
  }, urlPattern);
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
