/**
 * The reliability and security tests of issue 6, rerun, and how many cases each ran: this runs
 * those test files (unit, integration against a real Synapse, e2e with the built extension)
 * with MTG_FIGURES_FILE naming a fresh file, and reads the sums they wrote through
 * test/support/figures.ts. A test that fails fails the benchmark: a figure from a red run
 * would mean nothing. These are sizes of a green run, not measurements: every name says
 * `_count`, and every case counted passed (the test asserts it).
 *
 * - faults_scenarios_count: network fault scenarios injected through the fault proxy
 *   (test/integration/faults.test.ts); network_tampering_cases_count: lies in /keys/query
 *   answers (test/integration/tampering.test.ts).
 * - restart_cycles_count: service-worker stops (CDP) after which device, server devices,
 *   ledger and warnings were checked (test/e2e/restarts.chromium.test.ts).
 * - fuzz_cases_count: messages thrown at the background's request router, in unit tests and
 *   from a content script's world and a page in Chromium.
 * - hostile_strings_count: hostile names put through every place the page half writes names.
 * - secret_scan_places_count: messages, storage areas, console lines and profile files searched
 *   for secrets (test/e2e/secrets.chromium.test.ts). How many secrets were found in clear is not
 *   a figure: the test fails unless it is none.
 * The scale figures (largest room, heap for 50 rooms) come from bench/scale.bench.ts.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { readFigures } from '../test/support/figures.ts';
import { ensureFreshBuild } from '../test/support/freshBuild.ts';
import { REPO_ROOT } from '../test/support/paths.ts';
import type { BenchResult } from './results.ts';

const run = promisify(execFile);

const SUITES: { project: string; files: string[] }[] = [
  { project: 'unit', files: ['test/unit/messaging/fuzz.test.ts', 'test/unit/overlay/hostileStrings.test.ts'] },
  { project: 'integration', files: ['test/integration/faults.test.ts', 'test/integration/tampering.test.ts'] },
  {
    project: 'e2e',
    files: ['test/e2e/hostile.chromium.test.ts', 'test/e2e/restarts.chromium.test.ts', 'test/e2e/secrets.chromium.test.ts'],
  },
];

const FIGURES = [
  'faults_scenarios_count',
  'network_tampering_cases_count',
  'restart_cycles_count',
  'fuzz_cases_count',
  'hostile_strings_count',
  'secret_scan_places_count',
];

export default async function reliabilityBench(): Promise<BenchResult> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mtg-figures-'));
  const file = path.join(dir, 'figures.json');
  try {
    // The e2e tests run the built extension, and refuse one older than the sources.
    ensureFreshBuild();
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
    const unexpected = Object.keys(figures).filter((name) => !FIGURES.includes(name));
    if (unexpected.length > 0) throw new Error(`the tests counted ${unexpected.join(', ')}, which this benchmark does not describe`);
    return figures;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
