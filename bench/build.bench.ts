/**
 * Build time and the size of what users download: both builds, their store zips, and the
 * two bundles whose size matters most (the background, parsed at every worker start, and
 * the content script, injected into every watched page).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { STAMP_FILE } from '../test/support/buildStamp.ts';
import { CHROME_BUILD, FIREFOX_BUILD, REPO_ROOT } from '../test/support/paths.ts';
import type { BenchResult } from './results.ts';

const run = promisify(execFile);

async function timed(args: string[]): Promise<number> {
  const started = performance.now();
  await run('npx', ['wxt', ...args], { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 });
  return (performance.now() - started) / 1000;
}

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    // The build stamp is for tests and stays out of the store zips: not what users download.
    if (entry.isFile() && entry.name !== STAMP_FILE) total += (await fs.stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

async function zipBytes(browser: string): Promise<number> {
  const outputs = await fs.readdir(path.join(REPO_ROOT, '.output'));
  const zip = outputs.find((name) => name.endsWith(`-${browser}.zip`));
  if (!zip) throw new Error(`no ${browser} zip in .output`);
  return (await fs.stat(path.join(REPO_ROOT, '.output', zip))).size;
}

export default async function buildBench(): Promise<BenchResult> {
  await fs.rm(path.join(REPO_ROOT, '.output'), { recursive: true, force: true });
  const chromeSeconds = await timed(['build']);
  const firefoxSeconds = await timed(['build', '-b', 'firefox']);
  await timed(['zip']);
  await timed(['zip', '-b', 'firefox']);
  const size = async (file: string) => (await fs.stat(path.join(CHROME_BUILD, file))).size;
  return {
    build_seconds: Number((chromeSeconds + firefoxSeconds).toFixed(2)),
    chrome_build_seconds: Number(chromeSeconds.toFixed(2)),
    firefox_build_seconds: Number(firefoxSeconds.toFixed(2)),
    chrome_build_bytes: await directoryBytes(CHROME_BUILD),
    firefox_build_bytes: await directoryBytes(FIREFOX_BUILD),
    chrome_zip_bytes: await zipBytes('chrome'),
    firefox_zip_bytes: await zipBytes('firefox'),
    background_js_bytes: await size('background.js'),
    content_script_bytes: await size('content-scripts/watch.js'),
    crypto_wasm_bytes: await size('wasm/matrix_sdk_crypto_wasm_bg.wasm'),
  };
}
