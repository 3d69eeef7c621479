import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, wherever the checkout lives. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const CHROME_BUILD = path.join(REPO_ROOT, '.output/chrome-mv3');
export const FIREFOX_BUILD = path.join(REPO_ROOT, '.output/firefox-mv3');
export const TEST_RESULTS = path.join(REPO_ROOT, 'test-results');

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const FIREFOX_PATH = '/usr/bin/firefox-esr';
