/**
 * oauth_sign_in_to_ready_ms: on a server with next-generation auth (Synapse delegating auth to
 * the test stand-in for MAS), from the device grant approved on the provider's pages to the
 * extension's first sync, signed in from its own settings page in Chromium
 * (test/e2e/oauth.chromium.test.ts, its measuring test). It includes the wait for the next poll
 * of the token endpoint at the provider's interval (5 s); oauth_token_to_ready_ms counts from
 * that poll's request to the first sync.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readSamples } from '../test/support/figures.ts';
import { ensureFreshBuild } from '../test/support/freshBuild.ts';
import type { BenchResult } from './results.ts';
import { runTestFile } from './testRun.ts';

export default async function oauthBench(): Promise<BenchResult> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mtg-oauth-'));
  try {
    ensureFreshBuild();
    const figuresFile = path.join(dir, 'oauth.json');
    await runTestFile('e2e', 'test/e2e/oauth.chromium.test.ts', figuresFile, ['-t', 'oauth_sign_in_to_ready_ms']);
    const { oauth_sign_in_to_ready_ms: signIn, oauth_token_to_ready_ms: fromToken } = readSamples(figuresFile);
    if (signIn === undefined || fromToken === undefined) throw new Error('the test did not measure oauth_sign_in_to_ready_ms');
    return { oauth_sign_in_to_ready_ms: signIn, oauth_token_to_ready_ms: fromToken };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
