import { assertFreshBuild } from './freshBuild.ts';

/**
 * The e2e tests run the extension in .output: refuse, before any browser starts, a build made
 * from other sources than these (`npm test` builds first; a lone `npm run test:e2e` may not).
 */
export default function setup(): void {
  assertFreshBuild();
}
