import { defineConfig } from 'vitest/config';

/**
 * Three layers, run one after another by `npm test`:
 * - unit: pure logic and small modules, with fakes where a browser API is needed;
 * - integration: the test harness itself and Matrix behaviour against a real Synapse;
 * - e2e: the built extension in Debian's Chromium and Firefox ESR.
 * Integration and e2e share one Synapse per run (test/support/synapseGlobalSetup.ts) and run
 * their files one at a time: this is a 2-core machine and browsers are heavy.
 */
export default defineConfig({
  test: {
    reporters: ['default', './test/support/summaryReporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.{ts,tsx}'],
          environment: 'node',
          // The UI's messages in English, read from public/_locales (see the file).
          setupFiles: ['test/unit/setup.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/synapseGlobalSetup.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // The build must be from these sources before anything starts; MTG_CPU_STRESS=1 keeps
          // every core busy during the run (test/support/cpuStress.ts).
          globalSetup: ['test/support/freshBuildGlobalSetup.ts', 'test/support/cpuStress.ts', 'test/support/synapseGlobalSetup.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
