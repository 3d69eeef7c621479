/**
 * The reliability and security figures of issue 6, as the tests that prove them counted them:
 * this runs those test files (unit, integration against a real Synapse, e2e with the built
 * extension) with MTG_FIGURES_FILE naming a fresh file, and reads the sums they wrote through
 * test/support/figures.ts. A test that fails fails the benchmark: a figure from a red run
 * would mean nothing.
 *
 * - faults_survived: network fault scenarios injected through the fault proxy and survived
 *   (test/integration/faults.test.ts); network_tampering_cases: lies in /keys/query answers
 *   that never made a device look signed (test/integration/tampering.test.ts).
 * - restart_cycles_survived: service-worker stops (CDP) after which device, server devices,
 *   ledger and warnings were all as they must be (test/e2e/restarts.chromium.test.ts).
 * - fuzz_cases: messages thrown at the background's request router, in unit tests and from a
 *   content script's world and a page in Chromium.
 * - hostile_strings_tried: hostile names put through every place the page half writes names.
 * - secrets_in_clear: secrets (access token, recovery key, passphrase, private keys) found in
 *   clear in messages, storage, console lines or the on-disk profile; must be 0.
 * The scale figures (largest room, heap for 50 rooms) come from bench/scale.bench.ts.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { readFigures } from '../test/support/figures.ts';
import { REPO_ROOT } from '../test/support/paths.ts';

const run = promisify(execFile);

const SUITES: { project: string; files: string[] }[] = [
  { project: 'unit', files: ['test/unit/messaging/fuzz.test.ts', 'test/unit/overlay/hostileStrings.test.ts'] },
  { project: 'integration', files: ['test/integration/faults.test.ts', 'test/integration/tampering.test.ts'] },
  { project: 'e2e', files: ['test/e2e/hostile.chromium.test.ts', 'test/e2e/restarts.chromium.test.ts', 'test/e2e/secrets.chromium.test.ts'] },
];

const FIGURES = ['faults_survived', 'restart_cycles_survived', 'fuzz_cases', 'hostile_strings_tried', 'secrets_in_clear'];

export default async function reliabilityBench(): Promise<Record<string, number>> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mtg-figures-'));
  const file = path.join(dir, 'figures.json');
  try {
    // The e2e tests run the built extension: build it from these sources.
    await run('npm', ['run', 'build'], { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 });
    for (const { project, files } of SUITES) {
      const started = performance.now();
      try {
        await run('npx', ['vitest', 'run', '--project', project, ...files], {
          cwd: REPO_ROOT,
          env: { ...process.env, MTG_FIGURES_FILE: file },
          maxBuffer: 256 * 1024 * 1024,
        });
      } catch (error) {
        const { stdout = '' } = error as { stdout?: string };
        throw new Error(`the ${project} tests behind the reliability figures failed:\n${stdout.slice(-4000)}`, { cause: error });
      }
      console.log(`  ${project}: ${files.length} files in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
    const figures = readFigures(file);
    const missing = FIGURES.filter((name) => figures[name] === undefined);
    if (missing.length > 0) throw new Error(`the tests did not count ${missing.join(', ')}`);
    return Object.fromEntries(Object.entries(figures).sort(([a], [b]) => a.localeCompare(b)));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
