import { describe, expect, it } from 'vitest';
import { markedFrames, type TraceEvent } from '../../../bench/frameTrace';

/** The overlay bench's frame figure is the whole task of each frame the painter ran in, not only its script. */

const MAIN = { pid: 1, tid: 1 };
const task = (ts: number, dur: number): TraceEvent => ({
  ...MAIN,
  name: 'RunTask',
  cat: 'disabled-by-default-devtools.timeline',
  ph: 'X',
  ts,
  dur,
});
const animationFrame = (ts: number, dur: number): TraceEvent => ({
  ...MAIN,
  name: 'FireAnimationFrame',
  cat: 'devtools.timeline',
  ph: 'X',
  ts,
  dur,
});
const mark = (ts: number, where = MAIN): TraceEvent => ({ ...where, name: 'batch', cat: 'blink.user_timing', ph: 'I', ts });

describe('frames a page marked', () => {
  it('cost their whole task: script, then style, layout and paint', () => {
    const events = [
      task(0, 10_000),
      animationFrame(100, 4_000),
      mark(200),
      { ...MAIN, name: 'Layout', cat: 'devtools.timeline', ph: 'X', ts: 5_000, dur: 3_000 },
    ];
    expect(markedFrames(events, 'batch')).toEqual([{ taskMs: 10, scriptMs: 4, renderMs: 6 }]);
  });

  it('count a frame once however many marks it holds, in order, and leave unmarked frames out', () => {
    const events = [task(50_000, 2_000), mark(50_500), task(0, 1_000), mark(100), mark(900), task(20_000, 7_000)];
    expect(markedFrames(events, 'batch').map((frame) => frame.taskMs)).toEqual([1, 2]);
  });

  it('take the task on the mark’s own thread', () => {
    const otherThread = { pid: 1, tid: 2 };
    const events = [{ ...task(0, 9_000), ...otherThread }, task(100, 3_000), mark(500)];
    expect(markedFrames(events, 'batch').map((frame) => frame.taskMs)).toEqual([3]);
    expect(() => markedFrames([{ ...task(0, 9_000), ...otherThread }, mark(500)], 'batch')).toThrow(/no top-level task/);
  });
});
