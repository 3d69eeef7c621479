/**
 * Key queries under a failing or lying homeserver, as the tests that prove the behaviour
 * measure it (each run of a test file is one sample):
 *
 * - keys_query_recovery_to_warning_ms: in Chromium with the built extension and the real
 *   Hydrogen client, key queries fail (502 through the fault proxy) while Bob adds an unsigned
 *   device; from the moment the first complete answer about Bob has been sent by the proxy to
 *   the moment the extension's toolbar button says "new warning" (polled every 20 ms in the
 *   worker). test/e2e/failingServer.chromium.test.ts. Target < 2,000.
 * - keys_query_fault_end_to_warning_ms: the same warning, from the moment the proxy stops
 *   failing. The extension learns of the end only by asking again, and it asks at most every
 *   15 s while queries fail (2, 4, 8, then 15 s): up to that, plus the figure above.
 * - keys_query_requests_per_min_user_omitted: the homeserver answers every key query but leaves
 *   Bob out (the fault proxy rewrites the answers); key queries asking about Bob that reach the
 *   server, per minute, over the first six (first to sixth). Before the backoff, ~11,500 in a
 *   minute. test/integration/keyQueries.test.ts. Target < 10.
 *
 * A failing test fails the benchmark: a figure from a red run would mean nothing.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readFigures } from '../test/support/figures.ts';
import { ensureFreshBuild } from '../test/support/freshBuild.ts';
import type { BenchResult } from './results.ts';
import { runTestFile } from './testRun.ts';

const RUNS = 3;

/** Runs one test file once and returns the figures it wrote. */
async function figuresOf(project: string, file: string, dir: string, index: number): Promise<Record<string, number>> {
  const figuresFile = path.join(dir, `${project}-${index}.json`);
  await runTestFile(project, file, figuresFile);
  return readFigures(figuresFile);
}

function samplesOf(runs: Record<string, number>[], name: string): number[] {
  const samples = runs.map((figures) => figures[name]).filter((value): value is number => value !== undefined);
  if (samples.length !== runs.length) throw new Error(`the tests did not measure ${name} every run`);
  return samples;
}

export default async function keyQueriesBench(): Promise<BenchResult> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mtg-key-queries-'));
  try {
    // The e2e test runs the built extension, and refuses one older than the sources.
    ensureFreshBuild();
    const browser: Record<string, number>[] = [];
    const omitted: Record<string, number>[] = [];
    for (let i = 0; i < RUNS; i++) {
      browser.push(await figuresOf('e2e', 'test/e2e/failingServer.chromium.test.ts', dir, i));
      omitted.push(await figuresOf('integration', 'test/integration/keyQueries.test.ts', dir, i));
      console.log(`  run ${i + 1} of ${RUNS}: ${JSON.stringify({ ...browser.at(-1), ...omitted.at(-1) })}`);
    }
    return {
      keys_query_recovery_to_warning_ms: samplesOf(browser, 'keys_query_recovery_to_warning_ms'),
      keys_query_fault_end_to_warning_ms: samplesOf(browser, 'keys_query_fault_end_to_warning_ms'),
      keys_query_requests_per_min_user_omitted: samplesOf(omitted, 'keys_query_requests_per_min_user_omitted'),
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
