/**
 * new_device_to_notification_ms: a new unsigned session of the signed-in account, from its
 * device keys reaching the server (the response to its /keys/upload) to the service worker
 * creating the notification, with no tab open, in Chromium (test/e2e/alerts.chromium.test.ts,
 * its timing test). Target: under 2,000 ms. new_device_to_notification_from_upload_request_ms counts
 * from sending that upload instead: an upper bound, for a test process that sees responses late.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readSamples } from '../test/support/figures.ts';
import { ensureFreshBuild } from '../test/support/freshBuild.ts';
import type { BenchResult } from './results.ts';
import { runTestFile } from './testRun.ts';

export default async function alertsBench(): Promise<BenchResult> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mtg-alerts-'));
  try {
    // The e2e test runs the built extension, and refuses one older than the sources.
    ensureFreshBuild();
    const figuresFile = path.join(dir, 'alerts.json');
    await runTestFile('e2e', 'test/e2e/alerts.chromium.test.ts', figuresFile, ['-t', 'new_device_to_notification_ms']);
    const samples = readSamples(figuresFile);
    const { new_device_to_notification_ms: fromResponse, new_device_to_notification_from_upload_request_ms: fromRequest } = samples;
    if (fromResponse === undefined || fromRequest === undefined) throw new Error('the test did not measure new_device_to_notification_ms');
    return { new_device_to_notification_ms: fromResponse, new_device_to_notification_from_upload_request_ms: fromRequest };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
