import fs from 'node:fs';
import path from 'node:path';

/**
 * How many cases the reliability and security tests ran (fault scenarios, restart cycles, fuzz
 * cases, places searched for secrets...; the names end in `_count`, since a green run only
 * says that every case counted passed). `bench/reliability.bench.ts` runs those
 * tests with MTG_FIGURES_FILE naming a fresh file, and copies the sums into
 * `bench/results.json`: the figures are what the tests actually did, not a separate count.
 * Without MTG_FIGURES_FILE (a plain `npm test`) nothing is written.
 */
const figuresFile = (): string | undefined => process.env.MTG_FIGURES_FILE;

export function readFigures(file: string): Record<string, number> {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return {};
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
  } catch {
    return {};
  }
}

/** The samples of timings a test measured (see setSamples). */
export function readSamples(file: string): Record<string, number[]> {
  const isSamples = (value: unknown): value is number[] => Array.isArray(value) && value.every((item) => typeof item === 'number');
  return Object.fromEntries(Object.entries(readStored(file)).filter((entry): entry is [string, number[]] => isSamples(entry[1])));
}

/** Everything stored, figures and samples, so writing one kind keeps the other. */
function readStored(file: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function store(file: string, values: Record<string, unknown>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify({ ...readStored(file), ...values }, null, 2)}\n`);
}

/** Adds `counts` to the stored sums (tests run one file at a time, so no two write at once). */
export function addFigures(counts: Record<string, number>): void {
  const file = figuresFile();
  if (file === undefined) return;
  const sums = readFigures(file);
  for (const [name, value] of Object.entries(counts)) sums[name] = (sums[name] ?? 0) + value;
  store(file, sums);
}

/** Sets figures that are a measurement rather than a count (the largest room, a heap size). */
export function setFigures(values: Record<string, number>): void {
  const file = figuresFile();
  if (file === undefined) return;
  store(file, values);
}

/** Sets the samples of timings (one per switch, say), whose median, min and max a benchmark records. */
export function setSamples(samples: Record<string, number[]>): void {
  const file = figuresFile();
  if (file === undefined) return;
  store(file, samples);
}
