/**
 * The page half of bench/overlay.bench.ts: the extension's real in-page painting code (the
 * BadgePainter and the Element Web adapter, from src/), bundled by esbuild into one script the
 * benchmark adds to fixture pages, with a few hooks on `window.mtgBench`. No background and no
 * extension APIs: the badges' text comes from the English messages.json through the same
 * substitution rules the unit tests use, and the report is synthetic, every member warned.
 */
import messages from '../public/_locales/en/messages.json';
import { elementWebAdapter } from '../src/clients/element';
import { BadgePainter, type Frames, type PainterHooks } from '../src/overlay/badgePainter';
import { DWELL_MS } from '../src/overlay/burstGate';
import { badgeText } from '../src/overlay/warningText';
import type { MemberBadge } from '../src/trust/pageWarnings';
import { t, useMessageLookup } from '../src/text/i18n';
import { lookupIn } from '../test/unit/chromeI18n';
import { BATCH_MARK } from './frameTrace';

export interface PassResult {
  /** The painter's longest batch (from its stats hook): its script in one frame (the trace adds style, layout and paint). */
  longestBatchMs: number;
  /** All batches' script added up, and how many frames it took. */
  totalMs: number;
  batches: number;
  /** From show() to the frame after the last badge was placed, wall clock. */
  wallMs: number;
  /** Badges the painter holds, and badge hosts actually in the page. */
  count: number;
  hostsInPage: number;
}

export interface PartsResult {
  anchors: number;
  findUsersMs: number;
  badgeTextMs: number;
  /** Within badgeText, per anchor: the five messages a badge needs, and one Intl.ListFormat made and used. */
  messagesMs: number;
  listFormatMs: number;
  /** One badge's label, to show the messages were found. */
  sampleLabel: string;
}

export interface ScrollResult {
  /** Long tasks (> 50 ms) the page reported while scrolling. */
  longTasks: number;
  /** Times the fixture replaced its member rows. */
  renders: number;
  /** Member rows on screen at the end, and how many of them carry a badge. */
  rowsAtEnd: number;
  badgedRowsAtEnd: number;
  /** The painter's longest batch while scrolling (0 without a painter). */
  longestBatchMs: number;
  /** The painter's batches while scrolling, and their total time (its frame callbacks, timed around). */
  painterBatches: number;
  painterMs: number;
  /** Badges the painter placed while the list was moving, and after it stopped until it had nothing left to do. */
  placedWhileScrolling: number;
  placedAfterwards: number;
}

export interface OverlayBenchApi {
  /** A fresh painter over the whole page, every member found in it warned; stopped afterwards. */
  runPass(): Promise<PassResult>;
  /** Times the parts of a pass on their own: reading the page, and the badges' text. */
  profileParts(): PartsResult;
  /** Starts a painter that warns about `userIds` and leaves it running; returns the badges it placed. */
  startPainter(userIds: string[]): Promise<number>;
  /** Scrolls the member list from top to bottom over `frames` animation frames. */
  scrollThrough(frames: number): Promise<ScrollResult>;
  /**
   * With every member warned and badged, replaces one member's red shield with a green one (as
   * React swaps Element's icons) and back, `rounds` times: for each, the ms from the swap to
   * the end of the frame whose painter pass found the disagreement and refilled the badge.
   */
  disagreementRounds(userId: string, rounds: number): Promise<number[]>;
}

declare global {
  interface Window {
    mtgBench: OverlayBenchApi;
  }
}

useMessageLookup(lookupIn(messages));

/** The worst kind of warning: a changed identity and two unsigned new devices (longest text). */
function warningFor(userId: string): MemberBadge {
  const device = (deviceId: string) => ({
    deviceId,
    ed25519Key: `key-${deviceId}`,
    displayName: `Laptop ${deviceId}`,
    class: 'unsigned' as const,
    severity: 'critical' as const,
    isNew: true,
    firstSeenAt: 0,
  });
  return { userId, severity: 'critical', identity: 'identity-changed', newDevices: [device('DEVICEA'), device('DEVICEB')] };
}

function warningsFor(userIds: Iterable<string>): Map<string, MemberBadge> {
  return new Map([...userIds].map((userId) => [userId, warningFor(userId)]));
}

function nextFrame(): Promise<number> {
  return new Promise((resolve) => requestAnimationFrame(resolve));
}

/** Resolves once the frame after the next one has been rendered (a task queued from its rAF runs after it). */
function frameRendered(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

/** Animation frames for the painter, with the time its callbacks take added up. */
const timedFrames = {
  batches: 0,
  ms: 0,
  /** Whether batches leave BATCH_MARK (during a pass). */
  marking: false as boolean,
  request(callback: () => void): number {
    return requestAnimationFrame(() => {
      if (timedFrames.marking) performance.mark(BATCH_MARK);
      const started = performance.now();
      callback();
      timedFrames.ms += performance.now() - started;
      timedFrames.batches++;
    });
  },
  cancel(handle: number): void {
    cancelAnimationFrame(handle);
  },
} satisfies Frames & { batches: number; ms: number; marking: boolean };

let running: BadgePainter | undefined;

/** What the painter's stats hook reported since `reset`: its longest batch, badges placed, work left. */
const stats = {
  longestBatchMs: 0,
  placed: 0,
  pending: 0,
  reset(): void {
    this.longestBatchMs = 0;
    this.placed = 0;
    this.pending = 0;
  },
};
const statsHook: PainterHooks = {
  batch: ({ ms, placed, pending }) => {
    stats.longestBatchMs = Math.max(stats.longestBatchMs, ms);
    stats.placed += placed;
    stats.pending = pending;
  },
};

window.mtgBench = {
  async runPass() {
    await frameRendered();
    const warnings = warningsFor(elementWebAdapter.findUsers(document).map((found) => found.userId));
    stats.reset();
    const painter = new BadgePainter(document, elementWebAdapter, timedFrames, statsHook);
    timedFrames.batches = 0;
    timedFrames.ms = 0;
    timedFrames.marking = true;
    const started = performance.now();
    painter.start();
    painter.show(warnings);
    while (timedFrames.batches === 0 || stats.pending > 0) await nextFrame();
    await frameRendered();
    timedFrames.marking = false;
    performance.clearMarks(BATCH_MARK);
    const result = {
      longestBatchMs: stats.longestBatchMs,
      totalMs: timedFrames.ms,
      batches: timedFrames.batches,
      wallMs: performance.now() - started,
      count: painter.count,
      hostsInPage: document.querySelectorAll('[data-mtg-badge]').length,
    };
    painter.stop();
    return result;
  },

  profileParts() {
    let started = performance.now();
    const found = elementWebAdapter.findUsers(document);
    const findUsersMs = performance.now() - started;
    const warnings = warningsFor(found.map((anchor) => anchor.userId));
    started = performance.now();
    for (const { userId } of found) {
      const warning = warnings.get(userId);
      if (warning) badgeText(warning);
    }
    const badgeTextMs = performance.now() - started;
    started = performance.now();
    for (let i = 0; i < found.length; i++) {
      t('badgeIdentityChanged');
      t('badgeDevicesMany', '2');
      t('badgeDeviceLine', 'Laptop', 'DEVICEA', 'x');
      t('badgeDeviceLine', 'Laptop', 'DEVICEB', 'x');
      t('badgeLabel', 'x');
    }
    const messagesMs = performance.now() - started;
    started = performance.now();
    for (let i = 0; i < found.length; i++) new Intl.ListFormat(undefined, { type: 'conjunction' }).format(['a', 'b']);
    const listFormatMs = performance.now() - started;
    const sampleLabel = badgeText(warningFor('@sample:example.org')).label;
    return { anchors: found.length, findUsersMs, badgeTextMs, messagesMs, listFormatMs, sampleLabel };
  },

  async startPainter(userIds) {
    running?.stop();
    stats.reset();
    const painter = new BadgePainter(document, elementWebAdapter, timedFrames, statsHook);
    running = painter;
    painter.start();
    painter.show(warningsFor(userIds));
    while (timedFrames.batches === 0 || stats.pending > 0) await nextFrame();
    return painter.count;
  },

  async disagreementRounds(userId, rounds) {
    running?.stop();
    const users = elementWebAdapter.findUsers(document).map((found) => found.userId);
    let waiting: { disagrees: boolean; resolve: (at: number) => void } | undefined;
    const painter = new BadgePainter(document, elementWebAdapter, timedFrames, {
      ...statsHook,
      disagreements: (found) => {
        if (!waiting || found.has(userId) !== waiting.disagrees) return;
        const { resolve } = waiting;
        waiting = undefined;
        // Queued from the frame's callback: runs once that frame has been rendered.
        setTimeout(() => resolve(performance.now()), 0);
      },
    });
    running = painter;
    stats.reset();
    painter.start();
    painter.show(warningsFor(users));
    while (timedFrames.batches === 0 || stats.pending > 0) await nextFrame();
    const row = document.querySelector(`.mx_MemberTileView:has([title="${userId}"])`);
    const shield = (state: 'verified' | 'warning') => {
      const icon = row?.querySelector('.mx_E2EIconView svg');
      if (!icon) throw new Error(`no shield in the row of ${userId}`);
      const swapped = icon.cloneNode(true) as Element;
      swapped.setAttribute('class', `mx_E2EIconView_${state}`);
      icon.replaceWith(swapped);
    };
    const samples: number[] = [];
    for (let round = 0; round < rounds; round++) {
      await frameRendered();
      const found = new Promise<number>((resolve) => (waiting = { disagrees: true, resolve }));
      const started = performance.now();
      shield('verified');
      samples.push((await found) - started);
      const gone = new Promise<number>((resolve) => (waiting = { disagrees: false, resolve }));
      shield('warning');
      await gone;
    }
    painter.stop();
    running = undefined;
    return samples;
  },

  async scrollThrough(frames) {
    const scroller = document.querySelector('[data-testid="virtuoso-scroller"]');
    if (!scroller) throw new Error('no member list scroller in the page');
    const longTasks: PerformanceEntry[] = [];
    const observer = new PerformanceObserver((list) => longTasks.push(...list.getEntries()));
    observer.observe({ type: 'longtask' });
    const rendersBefore = Number(document.body.getAttribute('data-fixture-renders'));
    stats.longestBatchMs = 0;
    timedFrames.batches = 0;
    timedFrames.ms = 0;
    const bottom = scroller.scrollHeight - scroller.clientHeight;
    const placedBefore = stats.placed;
    for (let frame = 1; frame <= frames; frame++) {
      scroller.scrollTop = Math.round((bottom * frame) / frames);
      await nextFrame();
    }
    const placedWhileScrolling = stats.placed - placedBefore;
    // The last position's scroll event and rows come in the next frame, and the badges of the
    // rows where the list stopped DWELL_MS later. Both variants wait the same frames, so the
    // difference between them is the painter's work, not a longer wait; if the painter still
    // has work then, it waits longer (and that counts against it).
    for (let frame = 0; frame < Math.ceil(DWELL_MS / 16) * 2; frame++) await nextFrame();
    while (running && stats.pending > 0) await nextFrame();
    await frameRendered();
    longTasks.push(...observer.takeRecords());
    observer.disconnect();
    const rows = [...document.querySelectorAll('.mx_MemberTileView')];
    return {
      longTasks: longTasks.filter((entry) => entry.duration > 50).length,
      renders: Number(document.body.getAttribute('data-fixture-renders')) - rendersBefore,
      rowsAtEnd: rows.length,
      badgedRowsAtEnd: rows.filter((row) => row.querySelector('[data-mtg-badge]') !== null).length,
      longestBatchMs: stats.longestBatchMs,
      painterBatches: timedFrames.batches,
      painterMs: timedFrames.ms,
      placedWhileScrolling,
      placedAfterwards: stats.placed - placedBefore - placedWhileScrolling,
    };
  },
};
