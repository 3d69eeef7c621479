/**
 * Tests and benchmarks of the built extension refuse a build older than the sources (e2e:
 * `npm test` builds first, so a stale build there is a mistake to report) or rebuild it
 * (benchmarks, which set up what they need).
 */
import { execFileSync } from 'node:child_process';
import { buildState, type BuildState } from './buildStamp.ts';
import { CHROME_BUILD, FIREFOX_BUILD, REPO_ROOT } from './paths.ts';

const BUILDS = [CHROME_BUILD, FIREFOX_BUILD];

export function buildProblem(state: BuildState): string | undefined {
  if (state === 'missing') return 'There is no built extension in .output: run npm run build';
  if (state === 'stale') return 'The built extension in .output is older than the sources: run npm run build';
  return undefined;
}

/** Throws one sentence unless both builds in .output were made from the sources as they are. */
export function assertFreshBuild(root = REPO_ROOT, builds: readonly string[] = BUILDS): void {
  const problem = buildProblem(buildState(root, builds));
  if (problem !== undefined) throw new Error(problem);
}

/** Builds both browsers' extensions unless .output already holds them from these sources. */
export function ensureFreshBuild(): void {
  const state = buildState(REPO_ROOT, BUILDS);
  if (state === 'fresh') return;
  console.log(`  ${state === 'missing' ? 'no build in .output' : 'the build in .output is older than the sources'}: npm run build`);
  execFileSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  assertFreshBuild();
}
