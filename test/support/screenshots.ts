import fs from 'node:fs/promises';
import path from 'node:path';
import type { Locator, Page } from 'playwright';
import { setFigures } from './figures.ts';
import { REPO_ROOT } from './paths.ts';

/** Where e2e runs save what each state looks like; the README shows them. */
export const SCREENSHOTS = path.join(REPO_ROOT, 'docs/screenshots');

/** A browser popup's most: what the user sees of the popup without scrolling. */
export const POPUP_FOLD = { width: 380, height: 600 };

/**
 * Saves a popup state as the user sees it without scrolling (380 x 600) in the light theme as
 * docs/screenshots/<name>.png and in the dark one as <name>-dark.png, and records where the
 * verdict and the most urgent action end (the popup_verdict_above_fold figure), failing when that
 * is below the fold. The page's viewport and theme are put back afterwards.
 */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  await fs.mkdir(SCREENSHOTS, { recursive: true });
  const viewport = page.viewportSize();
  const wasDark = await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches);
  await page.setViewportSize(POPUP_FOLD);
  await page.evaluate(() => window.scrollTo(0, 0));
  const bottom = await foldBottom(page);
  setFigures({ [`popup_fold_bottom_px:${name}`]: bottom });
  // The popup's first screen must answer on its own, in every state the README shows.
  if (bottom > POPUP_FOLD.height)
    throw new Error(`${name}: the verdict and its action end at ${bottom} px, below the popup's ${POPUP_FOLD.height}`);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-dark.png`) });
  await page.emulateMedia({ colorScheme: wasDark ? 'dark' : 'light' });
  if (viewport) await page.setViewportSize(viewport);
}

/**
 * How far down the popup the answer ends: the bottom of the verdict, or of its action when it
 * has one (signed out, the sign-in form's button is the action), in CSS pixels from the top.
 */
export function foldBottom(page: Page): Promise<number> {
  return page.evaluate(() => {
    const bottom = (selector: string) => {
      const element = document.querySelector(selector);
      return element ? element.getBoundingClientRect().bottom + window.scrollY : undefined;
    };
    const verdict = bottom('.verdict');
    if (verdict === undefined) throw new Error('no verdict in this page');
    return Math.max(verdict, bottom('#sign-in form button[type="submit"]') ?? 0);
  });
}

/** Saves a whole extension page's body (a settings page state) as docs/screenshots/<name>.png. */
export async function savePageScreenshot(page: Page, name: string): Promise<void> {
  await fs.mkdir(SCREENSHOTS, { recursive: true });
  await page.locator('body').screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

/**
 * Saves what the window shows (a web client with our badges) as docs/screenshots/<name>.png;
 * `page` is Playwright's (Chromium) or Puppeteer's (Firefox).
 */
export async function saveWindowScreenshot(page: { screenshot(options: { path: string }): Promise<unknown> }, name: string): Promise<void> {
  await fs.mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

/** Saves one element (a settings section) as docs/screenshots/<name>.png. */
export async function saveElementScreenshot(element: Locator, name: string): Promise<void> {
  await fs.mkdir(SCREENSHOTS, { recursive: true });
  await element.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}
