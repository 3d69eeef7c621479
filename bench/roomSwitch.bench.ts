/**
 * Room switches inside a web client that routes with pushState (the Cinny fixture, routing as
 * Cinny v4.2.2's react-router does), with the built extension signed in to a real Synapse,
 * measured by the tests that prove the behaviour (test/e2e/roomSwitch.chromium.test.ts and
 * roomSwitch.firefox.test.ts, their Cinny timing test only). 20 round trips Side room -> Plans,
 * each click made in the page:
 *
 * - room_switch_to_badges_ms (Chromium), room_switch_to_badges_ms_firefox (Firefox ESR): from
 *   performance.now() right before the click into Plans is dispatched to the first frame that
 *   shows Plans' banner and Bob's badges on his member row and his message (a ResizeObserver
 *   callback, which runs in each frame after layout, just before paint). One sample per
 *   switch. Target < 300.
 * - room_switch_stale_frames, room_switch_stale_frames_firefox: frames, over all 40 switches,
 *   that showed anything of the room the page had left (in Side room, any badge or banner,
 *   watched for 1 s after each click). Target 0.
 *
 * A failing test fails the benchmark: a figure from a red run would mean nothing.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readFigures, readSamples } from '../test/support/figures.ts';
import { ensureFreshBuild } from '../test/support/freshBuild.ts';
import type { BenchResult } from './results.ts';
import { runTestFile } from './testRun.ts';

/** The timing test of each file (vitest's -t matches it by name). */
const TIMING_TEST = 'brings the new room';

async function measure(file: string, dir: string): Promise<{ figures: Record<string, number>; samples: Record<string, number[]> }> {
  const figuresFile = path.join(dir, `${path.basename(file)}.json`);
  await runTestFile('e2e', file, figuresFile, ['-t', TIMING_TEST]);
  return { figures: readFigures(figuresFile), samples: readSamples(figuresFile) };
}

function required<T>(values: Record<string, T>, name: string): T {
  const value = values[name];
  if (value === undefined) throw new Error(`the test did not measure ${name}`);
  return value;
}

export default async function roomSwitchBench(): Promise<BenchResult> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mtg-room-switch-'));
  try {
    // The e2e tests run the built extension, and refuse one older than the sources.
    ensureFreshBuild();
    const chromium = await measure('test/e2e/roomSwitch.chromium.test.ts', dir);
    console.log(`  Chromium: ${JSON.stringify(chromium)}`);
    const firefox = await measure('test/e2e/roomSwitch.firefox.test.ts', dir);
    console.log(`  Firefox: ${JSON.stringify(firefox)}`);
    return {
      room_switch_to_badges_ms: required(chromium.samples, 'room_switch_to_badges_ms'),
      room_switch_stale_frames: required(chromium.figures, 'room_switch_stale_frames'),
      room_switch_to_badges_ms_firefox: required(firefox.samples, 'room_switch_to_badges_ms_firefox'),
      room_switch_stale_frames_firefox: required(firefox.figures, 'room_switch_stale_frames_firefox'),
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
