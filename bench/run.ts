/**
 * Runs every bench/*.bench.ts in turn and writes their figures to bench/results.json, one
 * flat key per figure (the names issues refer to), plus when and where they were measured.
 * A bench file default-exports an async function returning `Record<string, number>`. Runs
 * under tsx, so benchmarks can load the extension's own modules from src/ as they are.
 *
 *   npm run bench                 all benchmarks
 *   npm run bench -- startup      only files whose name contains "startup"
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

type Bench = () => Promise<Record<string, number>>;

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const resultsPath = path.join(benchDir, 'results.json');
const filter = process.argv[2];

const files = (await fs.readdir(benchDir))
  .filter((name) => name.endsWith('.bench.ts') && (filter === undefined || name.includes(filter)))
  .sort();
if (files.length === 0) throw new Error(`No benchmark matches "${filter ?? ''}"`);

// Keep figures from benchmarks not run this time, so a filtered run updates only its own.
const previous = await readPrevious();
const figures: Record<string, number> = { ...previous };
for (const file of files) {
  console.log(`\n== ${file}`);
  const bench = ((await import(path.join(benchDir, file))) as { default: Bench }).default;
  const result = await bench();
  for (const [name, value] of Object.entries(result)) {
    console.log(`${name.padEnd(40)} ${value}`);
    figures[name] = value;
  }
}

const sorted = Object.fromEntries(Object.entries(figures).sort(([a], [b]) => a.localeCompare(b)));
const results = {
  ...sorted,
  measured_on: {
    date: new Date().toISOString(),
    cpus: os.cpus().length,
    memory_gib: Math.round(os.totalmem() / 2 ** 30),
    node: process.versions.node,
  },
};
await fs.writeFile(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nWrote ${path.relative(process.cwd(), resultsPath)}`);

async function readPrevious(): Promise<Record<string, number>> {
  try {
    const parsed = JSON.parse(await fs.readFile(resultsPath, 'utf8')) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
  } catch {
    return {};
  }
}
