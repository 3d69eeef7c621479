/**
 * A stamp in each build saying which sources it was built from, so tests and benchmarks never
 * run an extension older than the code they are about. wxt.config.ts writes it into
 * .output/<browser>-mv3/ at the end of every `wxt build`; freshBuild.ts compares it with the
 * sources as they are now. Only node: imports, because WXT loads this file with its config
 * (and the Firefox sources zip ships it for that reason).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const STAMP_FILE = 'build-stamp.json';

/** Everything a build reads that we change: the code, the static files, the build config and the exact dependencies. */
export const BUILD_INPUTS = ['src', 'entrypoints', 'public', 'wxt.config.ts', 'package-lock.json'];

interface Stamp {
  sourcesHash: string;
}

function filesUnder(root: string, input: string): string[] {
  const full = path.join(root, input);
  if (!fs.existsSync(full)) return [];
  if (fs.statSync(full).isFile()) return [input];
  return fs
    .readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

/**
 * SHA-256 over every input file's path and content, in a fixed order: the same sources give
 * the same hash on any machine and at any time (no dates), and a file added, removed, renamed
 * or edited changes it.
 */
export function sourcesHash(root: string, inputs: readonly string[] = BUILD_INPUTS): string {
  const hash = createHash('sha256');
  const files = inputs.flatMap((input) => filesUnder(root, input)).sort();
  for (const file of files) {
    const content = fs.readFileSync(path.join(root, file));
    // Lengths keep the boundaries unambiguous: no two file sets hash the same stream.
    hash.update(`${file}\0${content.length}\0`).update(content);
  }
  return hash.digest('hex');
}

export function writeStamp(buildDir: string, hash: string): void {
  const stamp: Stamp = { sourcesHash: hash };
  fs.writeFileSync(path.join(buildDir, STAMP_FILE), `${JSON.stringify(stamp, null, 2)}\n`);
}

export function readStamp(buildDir: string): string | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(buildDir, STAMP_FILE), 'utf8')) as Partial<Stamp>;
    return typeof parsed.sourcesHash === 'string' ? parsed.sourcesHash : undefined;
  } catch {
    return undefined;
  }
}

export type BuildState = 'fresh' | 'missing' | 'stale';

/** Whether `buildDirs` all exist and were built from the sources now in `root`. A build without a stamp predates it: stale. */
export function buildState(root: string, buildDirs: readonly string[], inputs: readonly string[] = BUILD_INPUTS): BuildState {
  if (buildDirs.some((dir) => !fs.existsSync(path.join(dir, 'manifest.json')))) return 'missing';
  const current = sourcesHash(root, inputs);
  return buildDirs.every((dir) => readStamp(dir) === current) ? 'fresh' : 'stale';
}
