/**
 * Which code and which machine a benchmark run measures: git HEAD, whether the files that
 * make the figures had uncommitted changes, and the hardware and browsers.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { CHROMIUM_PATH, FIREFOX_PATH, REPO_ROOT } from '../test/support/paths.ts';
import type { Machine } from './results.ts';

/** What the figures depend on: the extension's sources and build inputs, the tests and the benchmarks (not their results). */
const MEASURED_PATHS = [
  'src',
  'entrypoints',
  'public',
  'wxt.config.ts',
  'package-lock.json',
  'bench',
  'test',
  ':(exclude)bench/results.json',
];

function git(args: string[]): string {
  return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
}

export function currentCommit(): { commit: string; dirty: boolean } {
  const commit = git(['rev-parse', 'HEAD']);
  // Untracked files count: a new source file changes what is measured as much as an edit.
  const changes = git(['status', '--porcelain', '--untracked-files=all', '--', ...MEASURED_PATHS]);
  return { commit, dirty: changes !== '' };
}

function version(binary: string): string | undefined {
  if (!existsSync(binary)) return undefined;
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

export function describeMachine(): { id: string; machine: Machine } {
  const machine: Machine = {
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cpus: os.cpus().length,
    memory_gib: Math.round(os.totalmem() / 2 ** 30),
    node: process.versions.node,
    chromium: version(CHROMIUM_PATH),
    firefox: version(FIREFOX_PATH),
  };
  // The same machine and software get the same id, so figures of several runs share one entry.
  const id = createHash('sha256').update(JSON.stringify(machine)).digest('hex').slice(0, 8);
  return { id, machine };
}
