import fs from 'node:fs/promises';
import path from 'node:path';
import type { Locator, Page } from 'playwright';
import { REPO_ROOT } from './paths.ts';

/** Where e2e runs save what each state looks like; the README shows them. */
export const SCREENSHOTS = path.join(REPO_ROOT, 'docs/screenshots');

/** Saves the page's body (the popup's own size) as docs/screenshots/<name>.png. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
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
