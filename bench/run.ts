/**
 * Runs bench/*.bench.ts in turn and writes their figures to bench/results.json:
 *
 *   { "figures": { "<name>": { "value", "min", "max", "runs", "unit", "bench",
 *                              "commit", "dirty", "measured_at", "machine" } },
 *     "machines": { "<machine>": { "os", "cpu", "cpus", "memory_gib", "node", "chromium", "firefox" } } }
 *
 * Figure names stay flat (issues refer to them). A bench file default-exports an async
 * function returning, per name, a number (one measurement or a count) or the samples of a
 * timing, whose median becomes `value`, with their min, max and how many `runs`. Every
 * figure records the commit (git HEAD, `dirty` if src/, entrypoints/, public/, bench/, test/
 * or the build config had uncommitted changes), when and on which machine it was measured
 * (see bench/results.ts). Runs under tsx, so benchmarks can load the extension's own modules
 * from src/ as they are. `npm run bench` first sets up what the benchmarks use (the Synapse
 * venv, the browsers); benchmarks that run the built extension rebuild it if it is older than
 * the sources (test/support/freshBuild.ts).
 *
 *   npm run bench                 all benchmarks; rewrites the whole file, so nothing stale survives
 *   npm run bench -- startup      only files whose name contains "startup": their figures are
 *                                 replaced, every other figure is kept as it was, with its own commit
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { currentCommit, describeMachine } from './provenance.ts';
import { parseResults, recordBench, type BenchResult, type Results } from './results.ts';

type Bench = () => Promise<BenchResult>;

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const resultsPath = path.join(benchDir, 'results.json');
const filter = process.argv[2];

const files = (await fs.readdir(benchDir))
  .filter((name) => name.endsWith('.bench.ts') && (filter === undefined || name.includes(filter)))
  .sort();
if (files.length === 0) throw new Error(`No benchmark matches "${filter ?? ''}"`);

const { commit, dirty } = currentCommit();
const { id: machineId, machine } = describeMachine();
console.log(`Measuring ${commit}${dirty ? ' with uncommitted changes' : ''} on ${machine.cpus} × ${machine.cpu}`);

let results: Results =
  filter === undefined ? { figures: {}, machines: {} } : parseResults(await fs.readFile(resultsPath, 'utf8').catch(() => undefined));
for (const file of files) {
  console.log(`\n== ${file}`);
  const bench = ((await import(path.join(benchDir, file))) as { default: Bench }).default;
  const measured = await bench();
  results = recordBench(
    results,
    file.replace(/\.bench\.ts$/, ''),
    measured,
    { commit, dirty, measured_at: new Date().toISOString(), machine: machineId },
    machine,
  );
  for (const [name, record] of Object.entries(results.figures)) {
    if (!(name in measured)) continue;
    const spread = record.runs === undefined ? '' : ` (${record.min ?? ''} to ${record.max ?? ''}, ${record.runs} runs)`;
    console.log(`${name.padEnd(44)} ${record.value} ${record.unit}${spread}`);
  }
  // Written after every file: a later failure keeps what was measured, and nothing older.
  await fs.writeFile(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
}
console.log(`\nWrote ${path.relative(process.cwd(), resultsPath)}`);
