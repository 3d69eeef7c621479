/**
 * The shape of bench/results.json and the rules for updating it, kept apart from run.ts so
 * they can be unit-tested. Every figure carries where it comes from (its bench file, the
 * commit and machine it was measured on, when), so figures measured at different times can
 * sit in one file without passing for one run.
 */

/**
 * What a bench file returns for each figure: a number (one measurement, a count, or a value
 * derived from other figures) or the samples of a timing, from which the median, min and max
 * are derived here.
 */
export type Measured = number | number[];

export type BenchResult = Record<string, Measured>;

export interface Machine {
  os: string;
  cpu: string;
  cpus: number;
  memory_gib: number;
  node: string;
  chromium?: string;
  firefox?: string;
}

/** Where and when a run measured its figures. */
export interface Provenance {
  /** git HEAD when the run started. */
  commit: string;
  /** The sources, tests or benchmarks had uncommitted changes: the figures are not exactly `commit`'s. */
  dirty: boolean;
  measured_at: string;
  /** A key of `Results.machines`. */
  machine: string;
}

export interface FigureRecord extends Provenance {
  /** The median for sampled figures, else the number the bench returned. */
  value: number;
  min?: number;
  max?: number;
  runs?: number;
  unit: string;
  /** The bench file it came from ("startup" for startup.bench.ts). */
  bench: string;
}

export interface Results {
  figures: Record<string, FigureRecord>;
  machines: Record<string, Machine>;
}

/** Units follow the figure names' suffixes; anything else counts things. */
/** A unit may be followed by a qualifier such as the browser (`room_switch_to_badges_ms_firefox`). */
const UNITS: [RegExp, string][] = [
  [/_ms(_|$)/, 'ms'],
  [/_seconds$/, 's'],
  // A size may be qualified by what it is of (`history_bytes_10k_events`).
  [/_bytes(_|$)/, 'bytes'],
  [/_pct$/, '%'],
  [/_ratio$/, 'ratio'],
  [/_per_min(_|$)/, 'per minute'],
  [/_mb(_|$)/, 'MiB'],
  [/_px(_|$)/, 'px'],
  // 1 when a condition held in every case measured, 0 when it failed in one.
  [/_above_fold$/, 'yes (1) or no (0)'],
];

export function unitOf(name: string): string {
  return UNITS.find(([pattern]) => pattern.test(name))?.[1] ?? 'count';
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) throw new Error('the median of no samples');
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Three significant digits, whole numbers from 1,000 up: what noise between runs leaves meaningful. */
export function roundFigure(value: number): number {
  return Math.abs(value) >= 1000 ? Math.round(value) : Number(value.toPrecision(3));
}

export function summarize(name: string, measured: Measured): Pick<FigureRecord, 'value' | 'min' | 'max' | 'runs' | 'unit'> {
  const unit = unitOf(name);
  if (typeof measured === 'number') {
    if (!Number.isFinite(measured)) throw new Error(`${name} is ${measured}`);
    return { value: measured, unit };
  }
  if (measured.length === 0 || !measured.every(Number.isFinite))
    throw new Error(`${name} has no usable samples: ${JSON.stringify(measured)}`);
  return {
    value: roundFigure(median(measured)),
    min: roundFigure(Math.min(...measured)),
    max: roundFigure(Math.max(...measured)),
    runs: measured.length,
    unit,
  };
}

/**
 * `results` with one bench file's new figures: every figure that file wrote before is
 * replaced or, if it no longer measures it, removed; other files' figures stay exactly as
 * they were. Machines no figure refers to any more are dropped.
 */
export function recordBench(results: Results, bench: string, measured: BenchResult, provenance: Provenance, machine: Machine): Results {
  const figures: Record<string, FigureRecord> = {};
  for (const [name, record] of Object.entries(results.figures)) {
    if (record.bench !== bench) figures[name] = record;
  }
  for (const [name, value] of Object.entries(measured)) {
    if (figures[name] !== undefined) throw new Error(`${name} is measured by both ${figures[name].bench} and ${bench}`);
    figures[name] = { ...summarize(name, value), bench, ...provenance };
  }
  const machines: Record<string, Machine> = { ...results.machines, [provenance.machine]: machine };
  const used = new Set(Object.values(figures).map((record) => record.machine));
  return {
    figures: Object.fromEntries(Object.entries(figures).sort(([a], [b]) => a.localeCompare(b))),
    machines: Object.fromEntries(Object.entries(machines).filter(([id]) => used.has(id))),
  };
}

/**
 * The stored results, or none if the file holds something else (the flat format of earlier
 * runs had no commit per figure: nothing in it can be kept honestly).
 */
export function parseResults(text: string | undefined): Results {
  const empty: Results = { figures: {}, machines: {} };
  if (text === undefined) return empty;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return empty;
  }
  if (!isObject(parsed) || !isObject(parsed.figures) || !isObject(parsed.machines)) return empty;
  const figures = Object.entries(parsed.figures).filter(
    (entry): entry is [string, FigureRecord] =>
      isObject(entry[1]) && typeof entry[1].value === 'number' && typeof entry[1].commit === 'string' && typeof entry[1].bench === 'string',
  );
  return { figures: Object.fromEntries(figures), machines: parsed.machines as Record<string, Machine> };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
