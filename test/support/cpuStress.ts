import os from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * Stress mode for the e2e layer: with MTG_CPU_STRESS set (to anything but "0" or ""), one
 * busy thread per core spins for the whole run, so the browsers, the extension's worker and
 * Synapse get only part of the CPU, as on a loaded machine. A race between the extension and
 * a test (or inside the extension) that a fast machine hides shows up here.
 *
 * Threads, not processes: they cannot outlive the test run, whatever ends it.
 */
const SPIN = 'for (;;) {}';

export function cpuStressRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.MTG_CPU_STRESS;
  return value !== undefined && value !== '' && value !== '0';
}

export async function startCpuStress(threads = os.availableParallelism()): Promise<() => Promise<void>> {
  const workers = Array.from({ length: threads }, () => new Worker(SPIN, { eval: true }));
  // Each thread is spinning once it is online.
  await Promise.all(workers.map((worker) => new Promise((resolve, reject) => worker.once('online', resolve).once('error', reject))));
  return async () => {
    await Promise.all(workers.map((worker) => worker.terminate()));
  };
}

/** A vitest global setup: starts the stress when asked for, and stops it at teardown. */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (!cpuStressRequested()) return undefined;
  const threads = os.availableParallelism();
  const stop = await startCpuStress(threads);
  console.log(`CPU stress: ${threads} busy threads (one per core) until the run ends`);
  return stop;
}
