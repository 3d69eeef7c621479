import { describe, expect, it } from 'vitest';
import { parseResults, recordBench, summarize, unitOf, type Machine, type Provenance, type Results } from '../../../bench/results';

/** bench/results.json: each figure keeps the commit it was measured on; a partial run touches only its own. */

const machine: Machine = { os: 'Linux 6 x64', cpu: 'test cpu', cpus: 2, memory_gib: 8, node: '22.0.0' };
const older: Provenance = { commit: 'a'.repeat(40), dirty: false, measured_at: '2026-01-01T00:00:00.000Z', machine: 'old' };
const newer: Provenance = { commit: 'b'.repeat(40), dirty: true, measured_at: '2026-02-01T00:00:00.000Z', machine: 'new' };

describe('a figure', () => {
  it('of samples is their median, with min, max and how many', () => {
    expect(summarize('x_ms', [30, 10, 20])).toEqual({ value: 20, min: 10, max: 30, runs: 3, unit: 'ms' });
    expect(summarize('x_ms', [40, 10, 20, 30])).toEqual({ value: 25, min: 10, max: 40, runs: 4, unit: 'ms' });
  });

  it('rounds derived values to three significant digits, whole numbers from 1,000', () => {
    expect(summarize('x_ms', [1.23456, 2.34567, 3.45678])).toMatchObject({ value: 2.35, min: 1.23, max: 3.46 });
    expect(summarize('x_ms', [1234.6])).toMatchObject({ value: 1235 });
  });

  it('given as a number is kept as it is, without a spread', () => {
    expect(summarize('chrome_build_bytes', 9091866)).toEqual({ value: 9091866, unit: 'bytes' });
  });

  it('refuses no samples or a value that is not a number', () => {
    expect(() => summarize('x_ms', [])).toThrow(/no usable samples/);
    expect(() => summarize('x_ms', [1, Number.NaN])).toThrow(/no usable samples/);
    expect(() => summarize('x_ms', Number.NaN)).toThrow(/NaN/);
  });

  it('has the unit its name says', () => {
    expect(unitOf('popup_first_render_ms')).toBe('ms');
    expect(unitOf('room_switch_to_badges_ms_firefox')).toBe('ms');
    expect(unitOf('room_switch_stale_frames_firefox')).toBe('count');
    expect(unitOf('build_seconds')).toBe('s');
    expect(unitOf('history_bytes_10k_events')).toBe('bytes');
    expect(unitOf('background_heap_mb_50_rooms')).toBe('MiB');
    expect(unitOf('scroll_frame_overhead_pct')).toBe('%');
    expect(unitOf('room_report_cold_vs_raw_ratio')).toBe('ratio');
    expect(unitOf('fuzz_cases_count')).toBe('count');
    expect(unitOf('keys_query_requests_per_min_user_omitted')).toBe('per minute');
  });
});

describe('recording a bench file', () => {
  const before: Results = recordBench(
    recordBench({ figures: {}, machines: {} }, 'startup', { popup_first_render_ms: [80, 90, 100], dropped_ms: 5 }, older, machine),
    'build',
    { chrome_build_bytes: 100 },
    older,
    machine,
  );

  it('stamps every figure with its own commit, date and machine', () => {
    expect(before.figures.popup_first_render_ms).toEqual({ value: 90, min: 80, max: 100, runs: 3, unit: 'ms', bench: 'startup', ...older });
    expect(before.machines).toEqual({ old: machine });
  });

  it('replaces that file’s figures, drops those it no longer measures, and leaves the others as they were', () => {
    const after = recordBench(before, 'startup', { popup_first_render_ms: [70] }, newer, { ...machine, cpus: 4 });
    expect(after.figures.popup_first_render_ms).toMatchObject({ value: 70, commit: newer.commit, dirty: true, machine: 'new' });
    expect(after.figures.dropped_ms).toBeUndefined();
    expect(after.figures.chrome_build_bytes).toEqual(before.figures.chrome_build_bytes);
    expect(after.machines).toEqual({ old: machine, new: { ...machine, cpus: 4 } });
  });

  it('forgets a machine no figure was measured on any more', () => {
    const after = recordBench(recordBench(before, 'startup', {}, newer, machine), 'build', { chrome_build_bytes: 1 }, newer, machine);
    expect(Object.keys(after.machines)).toEqual(['new']);
  });

  it('refuses a name another bench file measures', () => {
    expect(() => recordBench(before, 'overlay', { chrome_build_bytes: 1 }, newer, machine)).toThrow(/both build and overlay/);
  });

  it('survives a round trip through the file', () => {
    expect(parseResults(JSON.stringify(before))).toEqual(before);
  });

  it('keeps nothing of the earlier flat format, which had no commit per figure', () => {
    expect(parseResults(JSON.stringify({ popup_first_render_ms: 85, measured_on: { date: '2026-11-23' } }))).toEqual({
      figures: {},
      machines: {},
    });
    expect(parseResults(undefined)).toEqual({ figures: {}, machines: {} });
    expect(parseResults('not json')).toEqual({ figures: {}, machines: {} });
  });
});
