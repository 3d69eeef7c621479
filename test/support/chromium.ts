import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page, type Worker } from 'playwright';
import type { Browser } from 'webextension-polyfill';
import { CHROME_BUILD, CHROMIUM_PATH } from './paths.ts';
import { waitFor } from './waitFor.ts';

/** The extension APIs, inside the extension's own contexts (the worker). */
declare const chrome: Browser;

export interface ChromiumOptions {
  extensionDir?: string;
  /** Reuse a profile (browser restart tests); a fresh temporary one otherwise. */
  userDataDir?: string;
  /** Extra command-line switches, e.g. host resolver rules for fixture sites. */
  args?: string[];
  headless?: boolean;
  /** The browser's UI language, e.g. "de" (on Linux Chromium takes it from LANGUAGE, not --lang). */
  language?: string;
}

export interface ChromiumSession {
  context: BrowserContext;
  extensionId: string;
  userDataDir: string;
  /** The extension's service worker, started if need be. */
  serviceWorker(): Promise<Worker>;
  /** Opens e.g. "popup.html" or "options.html" in a new tab. */
  openExtensionPage(pagePath: string): Promise<Page>;
  /**
   * Opens an extension page in an unfocused window of its own: every other tab stays the one
   * on screen in its window (a new tab would hide the page under test, and the extension
   * counts nothing as seen in a hidden tab).
   */
  openExtensionPageAside(pagePath: string): Promise<Page>;
  /**
   * Opens the popup as the user sees it over `page`. A headless browser cannot click the
   * toolbar button, so the popup opens in an unfocused window of its own, which leaves
   * `page`'s window the last focused one: the one the popup asks about.
   */
  openPopupOver(page: Page): Promise<Page>;
  /** Stops every service worker over CDP, as Chrome does when the worker is idle, and waits until ours has stopped. */
  stopServiceWorkers(): Promise<void>;
  /** Closes the browser; removes the profile unless it was passed in. */
  close(): Promise<void>;
}

/**
 * Debian's Chromium with the built extension, headless, through Playwright. Background
 * networking is off: this machine has no internet, and Chromium's own connections would
 * only add noise and delay.
 */
export async function launchChromium(options: ChromiumOptions = {}): Promise<ChromiumSession> {
  const extensionDir = options.extensionDir ?? CHROME_BUILD;
  await assertBuilt(extensionDir);
  const ownsProfile = options.userDataDir === undefined;
  const userDataDir = options.userDataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'mtg-chromium-')));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: options.headless ?? true,
    ignoreHTTPSErrors: true,
    ...(options.language !== undefined && {
      locale: options.language,
      env: { ...process.env, LANGUAGE: options.language, LC_ALL: '', LANG: `${options.language}.UTF-8` },
    }),
    args: [
      ...(options.language !== undefined ? [`--lang=${options.language}`] : []),
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...(options.args ?? []),
    ],
  });
  try {
    const worker = await currentWorker(context);
    const extensionId = new URL(worker.url()).host;
    return session(context, extensionId, userDataDir, ownsProfile);
  } catch (error) {
    await context.close();
    throw error;
  }
}

function session(context: BrowserContext, extensionId: string, userDataDir: string, ownsProfile: boolean): ChromiumSession {
  const extensionUrl = `chrome-extension://${extensionId}/`;
  const openInWindow = async (url: string): Promise<Page> => {
    const opened = context.waitForEvent('page');
    const worker = await currentWorker(context, extensionUrl);
    await worker.evaluate(async (address) => {
      await chrome.windows.create({ url: address, type: 'popup', focused: false, width: 380, height: 800 });
    }, url);
    const page = await opened;
    await page.waitForLoadState();
    return page;
  };
  return {
    context,
    extensionId,
    userDataDir,
    serviceWorker: () => currentWorker(context, extensionUrl),
    async openExtensionPage(pagePath) {
      const page = await context.newPage();
      await page.goto(extensionUrl + pagePath);
      return page;
    },
    openExtensionPageAside: (pagePath) => openInWindow(extensionUrl + pagePath),
    async openPopupOver(page) {
      await page.bringToFront();
      const popup = await openInWindow(`${extensionUrl}popup.html`);
      await popup.setViewportSize({ width: 380, height: 800 });
      return popup;
    },
    async stopServiceWorkers() {
      // Playwright keeps its Worker object across a stop and restart, so ask DevTools'
      // ServiceWorker domain, which reports each version's running status.
      const page = context.pages()[0] ?? (await context.newPage());
      const cdp = await context.newCDPSession(page);
      try {
        let stopped = false;
        cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
          if (versions.some((v) => v.scriptURL.startsWith(extensionUrl) && v.runningStatus === 'stopped')) stopped = true;
        });
        await cdp.send('ServiceWorker.enable');
        await cdp.send('ServiceWorker.stopAllWorkers');
        await waitFor('the extension service worker to stop', () => (stopped ? true : undefined));
      } finally {
        await cdp.detach();
      }
    },
    async close() {
      await context.close();
      if (ownsProfile) await fs.rm(userDataDir, { recursive: true, force: true });
    },
  };
}

async function currentWorker(context: BrowserContext, urlPrefix = 'chrome-extension://'): Promise<Worker> {
  const running = context.serviceWorkers().find((w) => w.url().startsWith(urlPrefix));
  if (running) return running;
  return context.waitForEvent('serviceworker', {
    predicate: (w) => w.url().startsWith(urlPrefix),
    timeout: 30_000,
  });
}

async function assertBuilt(extensionDir: string): Promise<void> {
  try {
    await fs.access(path.join(extensionDir, 'manifest.json'));
  } catch {
    throw new Error(`No built extension at ${extensionDir}: run "npm run build" first.`);
  }
}
