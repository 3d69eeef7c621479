import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../test/support/paths.ts';

const run = promisify(execFile);

/**
 * Runs one test file (`vitest run --project <project> <file> [...args]`) with its figures going
 * to `figuresFile` (test/support/figures.ts). A failing test fails the benchmark: a figure from a
 * red run would mean nothing.
 */
export async function runTestFile(project: string, file: string, figuresFile: string, args: readonly string[] = []): Promise<void> {
  try {
    await run('npx', ['vitest', 'run', '--project', project, file, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, MTG_FIGURES_FILE: figuresFile },
      maxBuffer: 256 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout = '' } = error as { stdout?: string };
    throw new Error(`${file} failed, so it measured nothing:\n${stdout.slice(-4000)}`, { cause: error });
  }
}
