/**
 * What the frames a page script marks cost the page's main thread, from a Chromium trace
 * (categories in FRAME_TRACE_CATEGORIES): for each mark, the top-level task it ran in. A frame
 * is one task (BeginMainFrame): the animation-frame callbacks, then style, layout, paint and
 * the commit to the compositor of what they changed, so the task's duration is the frame's
 * whole main-thread cost. The Long Animation Frames API would say the same, but only for
 * frames over 50 ms.
 */

/** The performance.mark() bench/overlayPage.entry.ts leaves in every painter batch of a pass. */
export const BATCH_MARK = 'mtg-painter-batch';

export const FRAME_TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing'];

export interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  pid: number;
  tid: number;
  /** Microseconds. */
  ts: number;
  dur?: number;
}

export interface FrameCost {
  /** The frame's whole task on the main thread. */
  taskMs: number;
  /** Of which animation-frame callbacks (FireAnimationFrame): script. */
  scriptMs: number;
  /** The rest: style, layout, paint, layerize, commit. */
  renderMs: number;
}

function within(outer: TraceEvent, inner: TraceEvent): boolean {
  return outer.pid === inner.pid && outer.tid === inner.tid && outer.ts <= inner.ts && inner.ts <= outer.ts + (outer.dur ?? 0);
}

/** The cost of every distinct frame that holds a `mark` (a performance.mark() name), in trace order. */
export function markedFrames(events: readonly TraceEvent[], mark: string): FrameCost[] {
  const tasks = events.filter(
    (e) => e.ph === 'X' && e.name === 'RunTask' && e.cat.split(',').includes('disabled-by-default-devtools.timeline'),
  );
  const frames = new Set<TraceEvent>();
  for (const marked of events.filter((e) => e.name === mark && e.cat.split(',').includes('blink.user_timing'))) {
    const task = tasks.find((t) => within(t, marked));
    if (!task) throw new Error(`no top-level task holds the mark at ${marked.ts} µs: is ${FRAME_TRACE_CATEGORIES.join(', ')} traced?`);
    frames.add(task);
  }
  return [...frames]
    .sort((a, b) => a.ts - b.ts)
    .map((task) => {
      const taskMs = (task.dur ?? 0) / 1000;
      const scriptMs = events
        .filter((e) => e.ph === 'X' && e.name === 'FireAnimationFrame' && within(task, e))
        .reduce((sum, e) => sum + (e.dur ?? 0) / 1000, 0);
      return { taskMs, scriptMs, renderMs: taskMs - scriptMs };
    });
}
