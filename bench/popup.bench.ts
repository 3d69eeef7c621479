/**
 * popup_verdict_above_fold: 1 when, in every popup state the e2e tests save as a screenshot
 * (test/support/screenshots.ts: signed out, not set up, the recovery key, emoji verification,
 * ready, warnings, a damaged ledger, 64-character names, offline, the tab's room with news), the
 * verdict and its most urgent action (signed out: the sign-in button) end within the first
 * 600 px of a 380 px wide popup, measured from the layout boxes of the page that was
 * photographed; 0 otherwise. popup_fold_bottom_px_max is where the lowest of them ends.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readFigures } from '../test/support/figures.ts';
import { ensureFreshBuild } from '../test/support/freshBuild.ts';
import { POPUP_FOLD } from '../test/support/screenshots.ts';
import type { BenchResult } from './results.ts';
import { runTestFile } from './testRun.ts';

/** The e2e files that save the popup's states, each as the user meets it. */
const FILES = [
  'test/e2e/security.chromium.test.ts',
  'test/e2e/account.chromium.test.ts',
  'test/e2e/popupQuality.chromium.test.ts',
  'test/e2e/failingServer.chromium.test.ts',
  'test/e2e/inPage.hydrogen.test.ts',
];
const PREFIX = 'popup_fold_bottom_px:';

export default async function popupBench(): Promise<BenchResult> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mtg-popup-'));
  try {
    ensureFreshBuild();
    const figuresFile = path.join(dir, 'popup.json');
    for (const file of FILES) await runTestFile('e2e', file, figuresFile);
    const bottoms = Object.entries(readFigures(figuresFile)).filter(([name]) => name.startsWith(PREFIX));
    if (bottoms.length === 0) throw new Error('no popup state was photographed');
    for (const [name, bottom] of bottoms) console.log(`${name.slice(PREFIX.length)}: the answer ends at ${bottom} px`);
    const lowest = Math.max(...bottoms.map(([, bottom]) => bottom));
    return { popup_verdict_above_fold: lowest <= POPUP_FOLD.height ? 1 : 0, popup_fold_bottom_px_max: Math.round(lowest) };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
