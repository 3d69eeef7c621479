import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints one plain closing line per run, e.g. "e2e: 9 passed, 0 failed", so the totals of
 * each layer can be read by tools (and by people) without parsing vitest's own summary.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const projects = new Set<string>();
    for (const module of testModules) {
      projects.add(module.project.name || 'tests');
      // A module that failed to load has no test cases; count it as a failure.
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) failed += 1;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
        else skipped += 1;
      }
    }
    const label = [...projects].join('+') || 'tests';
    const skippedPart = skipped > 0 ? `, ${skipped} skipped` : '';
    console.log(`\n${label}: ${passed} passed, ${failed} failed${skippedPart}`);
  }
}
