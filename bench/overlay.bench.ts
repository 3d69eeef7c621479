/**
 * What the in-page half costs the page it watches, in Debian Chromium (headless, no GPU):
 *
 * - badge_pass_1000_members_ms: the longest frame of the pass that badges a whole Element page
 *   with 1,000 member rows (not virtualised: all in the DOM) and 500 timeline events, from
 *   show() until every badge is placed: the frame's whole task on the page's main thread, from
 *   a Chromium trace (bench/frameTrace.ts): the painter's batch and the style, layout, paint and
 *   commit of what it changed. The first batch reads the whole page and removes wrong badges;
 *   placing is spread over frames (BATCH_BUDGET_MS). badge_pass_1000_members_total_ms adds up
 *   the frames of the pass, badge_pass_1000_members_frames counts them, and
 *   badge_pass_1000_members_script_ms is the painter's longest batch alone (its own timing,
 *   `longestBatchMs`: script only). 15 fresh page loads, each traced (tracing itself costs a
 *   little). badge_pass_1000_members_badges is how many badges the pass placed, checked against
 *   the members plus the events that show a sender.
 * - scroll_frame_overhead_pct: main-thread busy time (CDP Performance.getMetrics, TaskDuration)
 *   while the virtualised member list of test/fixtures/element-web-virtual.html (1,000 members,
 *   rows that leave the view removed and rows that enter it added on every scroll, as React does
 *   with react-virtuoso's rows) is flung top to bottom in SCROLL_FRAMES animation frames, with
 *   the painter running versus without it; medians of runs in rotating order in one browser,
 *   garbage collected before each. The worst case: every member is warned. "With" counts until
 *   the painter has nothing left to do, so the badges of the rows where the list stopped are in.
 *   Rows that only fly past are not badged (the painter's bursts, DWELL_MS), which is most of
 *   them at this speed: scroll_badges_placed_while_flinging says how many were.
 *   scroll_frame_overhead_quiet_room_pct: the same with the painter running in a room where
 *   nobody is warned (the usual case). scroll_long_tasks_from_overlay: long tasks (> 50 ms)
 *   seen with the painter (every member warned) minus without.
 * - scroll_frame_overhead_slow_scroll_pct: the same at a reading pace (SLOW_SCROLL_FRAMES), where
 *   every row stays long enough to get its badge while the list moves
 *   (scroll_badges_placed_while_scrolling_slowly, checked to be at least 90 % of the members):
 *   what badging each row as it scrolls in costs this page.
 * - disagreement_detect_ms: on the same 1,000-member page, every member warned and badged and
 *   every row showing Element's red shield, one member's shield is swapped for a green one (a
 *   new element, as React swaps Element's icons): the time from the swap to the end of the frame
 *   in which the painter found the disagreement and refilled that member's badge (a task queued
 *   from the frame's callback, so the frame's style, layout and paint are in). 20 rounds, each
 *   swapped back and settled before the next.
 * - content_script_gzip_bytes: the built Chrome content script, gzip -9.
 *
 * Why this way: the painting code is the real one from src/ (BadgePainter, the Element Web
 * adapter, the badges' text), bundled with esbuild from bench/overlayPage.entry.ts and added to
 * plain pages, with no extension and no background: getting a real report would need a
 * signed-in account in a 1,000-member room, and what is timed here never waits on the
 * background anyway. The report is synthetic and warns about every member (identity changed,
 * two new unsigned devices), the worst case: every row and every sender gets a badge. Both
 * scroll variants load the same bundle; only the "with" variant starts a painter, so the
 * difference between them is the painter's work, not script loading. Two approximations: the
 * badges' messages come from a JavaScript lookup (test/unit/chromeI18n.ts) where the extension
 * calls `browser.i18n.getMessage`, and the warnings are built from a findUsers call just before
 * the pass, which warms that code a little (the extension's painter, too, has scanned the page
 * once before the first report arrives).
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright';
import { ensureFreshBuild } from '../test/support/freshBuild.ts';
import { CHROME_BUILD, CHROMIUM_PATH, REPO_ROOT } from '../test/support/paths.ts';
import { BATCH_MARK, FRAME_TRACE_CATEGORIES, markedFrames, type FrameCost, type TraceEvent } from './frameTrace.ts';
import type { PassResult, ScrollResult } from './overlayPage.entry.ts';
import type { BenchResult } from './results.ts';

const MEMBERS = 1000;
const EVENTS = 500;
const PASSES = 15;
/** A fling: 1,000 rows of 56 px in 300 frames, about 11,000 px/s; a row is in the page for about 70 ms. */
const SCROLL_FRAMES = 300;
/** A reading pace, four times slower: a row stays about 280 ms, long enough to get its badge while scrolling. */
const SLOW_SCROLL_FRAMES = 1200;
/** Measured runs per scroll variant, after one discarded warm-up round. */
const SCROLL_RUNS = 13;
const SLOW_SCROLL_RUNS = 5;
const VIRTUAL_ROOM_PREFIX = 'user'; // !virtualA:example.org, the fixture's default room

const benchDir = path.join(REPO_ROOT, 'bench');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const high = sorted[middle];
  const low = sorted[sorted.length % 2 === 0 ? middle - 1 : middle];
  if (high === undefined || low === undefined) throw new Error('median of nothing');
  return (low + high) / 2;
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

/**
 * chromeI18n.ts (the unit tests' messages lookup) imports Node modules to find messages.json
 * on disk; the page bundle passes it the JSON instead, so those imports only need to load.
 */
const nodeModulesNotUsedInPage: Plugin = {
  name: 'node-modules-not-used-in-page',
  setup(bundler) {
    bundler.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'unused-node-module' }));
    bundler.onLoad({ filter: /.*/, namespace: 'unused-node-module' }, (args) => ({
      loader: 'js',
      contents: `const unavailable = () => { throw new Error(${JSON.stringify(`${args.path} is not available in the page`)}); };
        export const readFileSync = unavailable;
        export const fileURLToPath = () => '';
        export default { resolve: () => '', dirname: () => '', join: () => '' };`,
    }));
  },
};

async function bundlePageScript(): Promise<string> {
  const result = await build({
    entryPoints: [path.join(benchDir, 'overlayPage.entry.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    alias: { 'webextension-polyfill': path.join(benchDir, 'overlayPage.polyfillStub.ts') },
    plugins: [nodeModulesNotUsedInPage],
    // chromeI18n.ts reads import.meta.url for a path the page never uses.
    logOverride: { 'empty-import-meta': 'silent' },
    logLevel: 'error',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no page script');
  return output.text;
}

// ---------------------------------------------------------------- the 1,000-row Element page

interface Person {
  userId: string;
  name: string;
  color: string;
}

function person(index: number): Person {
  const number = String(index).padStart(4, '0');
  return { userId: `@member${number}:example.org`, name: `Member ${number}`, color: String((index % 8) + 1) };
}

function avatar(tag: 'span' | 'button', who: Person, size: number): string {
  const role = tag === 'button' ? 'button' : 'presentation';
  return `<${tag} class="_avatar_va14e_8 mx_BaseAvatar _avatar-imageless_va14e_55" data-color="${who.color}" data-testid="avatar-img" data-type="round" role="${role}" style="--cpd-avatar-size: ${size}px" title="${who.userId}">M</${tag}>`;
}

/** A row of Element's member list (MemberTileView), as in test/fixtures/element-web.html. */
function memberRow(index: number): string {
  const who = person(index);
  return `<div data-index="${index}" data-known-size="56" data-item-index="${index}" style="overflow-anchor: none"><div>
  <div aria-label="${who.name}" aria-posinset="${index + 1}" aria-selected="false" aria-setsize="${MEMBERS}" class="mx_AccessibleButton mx_MemberTileView" role="option" tabindex="-1">
    <div aria-hidden="true" class="mx_MemberTileView_left">
      <div class="mx_MemberTileView_avatar">${avatar('span', who, 32)}<div class="mx_MemberTileView_presence"></div></div>
      <div class="mx_MemberTileView_name"><div class="mx_DisambiguatedProfile _disambiguatedProfile_1bq6w_8" data-event-density="default" data-event-layout="group" role="button" tabindex="0" title="${who.name} (${who.userId})"><span class="" dir="auto">${who.name}</span></div></div>
    </div>
    <div aria-hidden="true" class="mx_MemberTileView_right"><div class="mx_E2EIconView"><svg class="mx_E2EIconView_warning" height="16px" width="16px" viewBox="0 0 24 24"><path d="M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20"></path></svg></div></div>
  </div>
</div></div>`;
}

/** Events grouped by sender three at a time, as the virtual fixture does: only the first shows avatar and name. */
function hasSender(index: number): boolean {
  return index % 3 === 0;
}

function timelineEvent(index: number): string {
  const eventId = `$event${index}`;
  const who = person(Math.floor(index / 3) % MEMBERS);
  const sender = hasSender(index)
    ? `<div class="mx_DisambiguatedProfile _disambiguatedProfile_1bq6w_8" role="button" tabindex="0"><span class="mx_Username_color${who.color} _username_1bq6w_21" dir="auto">${who.name}</span></div>
  <div class="mx_EventTile_avatar">${avatar('button', who, 30)}</div>`
    : '';
  return `<li class="mx_EventTile${hasSender(index) ? '' : ' mx_EventTile_continuation'}" tabindex="-1" aria-live="off" aria-atomic="true" data-scroll-tokens="${eventId}" data-layout="group" data-self="false" data-event-id="${eventId}" data-has-reply="false">
  ${sender}
  <div id="mx_EventTile_${eventId}" class="mx_EventTile_line">
    <a href="https://matrix.to/#/!bigRoom:example.org/${eventId}" aria-label="12:00"><span class="mx_MessageTimestamp" aria-hidden="true" aria-live="off">12:00</span></a>
    <div class="mx_MTextBody mx_EventTile_content"><div class="mx_EventTile_body translate" dir="auto">Message ${index}</div></div>
  </div>
</li>`;
}

function bigElementPage(): string {
  const rows = Array.from({ length: MEMBERS }, (_, index) => memberRow(index)).join('\n');
  const events = Array.from({ length: EVENTS }, (_, index) => timelineEvent(index)).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Element | 1,000 members</title>
<style>
  html, body { margin: 0; height: 100%; font: 14px sans-serif; }
  .mx_MainSplit { display: flex; height: 100vh; }
  .mx_RoomView_body { flex: 1; display: flex; flex-direction: column; min-width: 0; }
  .mx_RoomView_timeline { flex: 1; overflow-y: auto; }
  .mx_RoomView_MessageList { list-style: none; margin: 0; padding: 0 8px; }
  .mx_RightPanel { width: 320px; display: flex; flex-direction: column; border-left: 1px solid #ccc; }
  [data-testid="virtuoso-scroller"] { height: 600px; overflow-y: auto; }
  .mx_MemberTileView { height: 56px; box-sizing: border-box; display: flex; align-items: center; overflow: hidden; white-space: nowrap; }
  .mx_MemberTileView_left { display: flex; align-items: center; gap: 8px; min-width: 0; }
  .mx_MemberTileView_name { overflow: hidden; text-overflow: ellipsis; }
</style></head>
<body><section id="matrixchat" style="height: 100%" class="notranslate"><div class="mx_MatrixChat_wrapper"><div class="mx_MatrixChat"><div class="mx_RoomView"><div class="mx_MainSplit">
  <div class="mx_RoomView_body mx_MainSplit_timeline" data-layout="group">
    <div class="mx_RoomView_timeline"><div class="mx_AutoHideScrollbar mx_ScrollPanel mx_RoomView_messagePanel" tabindex="-1"><div class="mx_RoomView_messageListWrapper">
      <ol class="mx_RoomView_MessageList" aria-live="polite">
${events}
      </ol>
    </div></div></div>
    <div class="mx_MessageComposer" role="region" aria-label="Message composer"><div class="mx_MessageComposer_wrapper"><div class="mx_MessageComposer_row"><div class="mx_SendMessageComposer"><div class="mx_BasicMessageComposer"><div class="mx_BasicMessageComposer_input" contenteditable="true" role="textbox" aria-multiline="true" aria-label="Send an encrypted message…"><div><br></div></div></div></div></div></div></div>
  </div>
  <div id="mx_RightPanel" class="mx_RightPanel" data-testid="right-panel"><div id="memberlist-panel" class="mx_BaseCard mx_MemberListView" role="tabpanel">
    <div class="mx_BaseCard_header"><h2 class="mx_BaseCard_header_title_heading">People</h2></div>
    <div class="_flex_4dswl_9 mx_MemberListView_container"><div data-testid="virtuoso-scroller" data-virtuoso-scroller="true" role="listbox" aria-label="List of room members" tabindex="0">
      <div data-viewport-type="element"><div data-testid="virtuoso-item-list">
${rows}
      </div></div>
    </div></div>
  </div></div>
</div></div></div></div></section></body></html>
`;
}

// ---------------------------------------------------------------- serving and driving pages

interface Site {
  origin: string;
  close(): Promise<void>;
}

async function serve(pages: Record<string, string>): Promise<Site> {
  const server = http.createServer((request, response) => {
    const body = pages[new URL(request.url ?? '/', 'http://localhost').pathname];
    response.writeHead(body === undefined ? 404 : 200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(body ?? 'not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Loads `url` afresh, adds the page script and waits until the page has rendered a frame with it. */
async function openWithScript(page: Page, url: string, script: string): Promise<void> {
  await page.goto(url, { waitUntil: 'load' });
  await page.addScriptTag({ content: script });
  await page.waitForFunction(() => 'mtgBench' in window);
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))));
}

async function badgePasses(browser: Browser, page: Page, origin: string, script: string): Promise<BenchResult> {
  const expected = MEMBERS + Array.from({ length: EVENTS }, (_, index) => index).filter(hasSender).length;
  const passes: { pass: PassResult; frames: FrameCost[] }[] = [];
  for (let i = 0; i < PASSES; i++) {
    await openWithScript(page, `${origin}/element-1000.html`, script);
    await browser.startTracing(page, { categories: FRAME_TRACE_CATEGORIES });
    const pass = await page.evaluate(() => window.mtgBench.runPass());
    const trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] };
    if (pass.count !== expected || pass.hostsInPage !== expected) {
      throw new Error(`the pass placed ${pass.count} badges (${pass.hostsInPage} in the page), expected ${expected}`);
    }
    const frames = markedFrames(trace.traceEvents, BATCH_MARK);
    // Each batch runs in a frame of its own: a frame missing from the trace would go uncounted.
    if (frames.length !== pass.batches)
      throw new Error(`the trace shows ${frames.length} frames with a painter batch, the painter ran ${pass.batches}`);
    passes.push({ pass, frames });
  }
  const longestFrame = (frames: FrameCost[]): FrameCost => frames.reduce((a, b) => (b.taskMs > a.taskMs ? b : a));
  const longest = (frames: FrameCost[]) => longestFrame(frames).taskMs;
  const shown = passes.map(({ pass, frames }) => {
    const frame = longestFrame(frames);
    return `${frame.taskMs.toFixed(1)} (script ${frame.scriptMs.toFixed(1)} + style, layout, paint ${frame.renderMs.toFixed(1)}; ${frames.length} frames; painter's longest batch ${pass.longestBatchMs.toFixed(1)})`;
  });
  console.log(`  longest frame per pass, ms: ${shown.join('; ')}`);
  await openWithScript(page, `${origin}/element-1000.html`, script);
  const parts = await page.evaluate(() => window.mtgBench.profileParts());
  console.log(
    `  parts on a fresh page: findUsers ${parts.findUsersMs.toFixed(1)} ms for ${parts.anchors} anchors, badgeText ${parts.badgeTextMs.toFixed(1)} ms ` +
      `(alone, per anchor: 5 messages ${parts.messagesMs.toFixed(1)} ms, an Intl.ListFormat ${parts.listFormatMs.toFixed(1)} ms)`,
  );
  console.log(`  a badge's label: ${JSON.stringify(parts.sampleLabel)}`);
  return {
    badge_pass_1000_members_ms: passes.map(({ frames }) => longest(frames)),
    badge_pass_1000_members_total_ms: passes.map(({ frames }) => frames.reduce((sum, frame) => sum + frame.taskMs, 0)),
    badge_pass_1000_members_script_ms: passes.map(({ pass }) => pass.longestBatchMs),
    badge_pass_1000_members_frames: passes.map(({ pass }) => pass.batches),
    badge_pass_1000_members_badges: expected,
  };
}

/** disagreement_detect_ms: see the top of this file. A member in the middle of the list, every member warned. */
async function disagreementDetect(page: Page, origin: string, script: string): Promise<BenchResult> {
  await openWithScript(page, `${origin}/element-1000.html`, script);
  const samples = await page.evaluate(() => window.mtgBench.disagreementRounds('@member0005:example.org', 20));
  console.log(`  shield turned green to the disagreement on screen, ms: ${samples.map((ms) => ms.toFixed(1)).join(', ')}`);
  return { disagreement_detect_ms: samples };
}

interface ScrollRun extends ScrollResult {
  taskMs: number;
  scriptMs: number;
  styleLayoutMs: number;
}

async function metrics(cdp: CDPSession): Promise<Map<string, number>> {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  return new Map(list.map(({ name, value }) => [name, value]));
}

/** Without the painter; with it and every member warned; with it and nobody warned (a quiet room). */
type Variant = 'without' | 'with' | 'quiet';

async function scrollRun(
  page: Page,
  cdp: CDPSession,
  url: string,
  script: string,
  variant: Variant,
  frames = SCROLL_FRAMES,
): Promise<ScrollRun> {
  await openWithScript(page, url, script);
  if (variant !== 'without') {
    const userIds =
      variant === 'with'
        ? Array.from({ length: MEMBERS }, (_, index) => `@${VIRTUAL_ROOM_PREFIX}${String(index).padStart(4, '0')}:example.org`)
        : [];
    const placed = await page.evaluate((ids) => window.mtgBench.startPainter(ids), userIds);
    if (variant === 'with' && placed === 0) throw new Error('the painter placed no badge on the virtual list');
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))));
  }
  // The pages before this one left garbage; collected now, it is not counted against whichever variant runs next.
  await cdp.send('HeapProfiler.collectGarbage');
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))));
  await cdp.send('Performance.enable');
  const before = await metrics(cdp);
  const result = await page.evaluate((count) => window.mtgBench.scrollThrough(count), frames);
  const after = await metrics(cdp);
  await cdp.send('Performance.disable');
  const delta = (name: string) => ((after.get(name) ?? Number.NaN) - (before.get(name) ?? Number.NaN)) * 1000;
  if (result.renders < frames / 2) throw new Error(`the member list re-rendered only ${result.renders} times while scrolling`);
  const expectedBadged = variant === 'with' ? result.rowsAtEnd : 0;
  if (result.rowsAtEnd === 0 || result.badgedRowsAtEnd !== expectedBadged) {
    throw new Error(`${result.badgedRowsAtEnd} of ${result.rowsAtEnd} rows have a badge after scrolling, expected ${expectedBadged}`);
  }
  return {
    ...result,
    taskMs: delta('TaskDuration'),
    scriptMs: delta('ScriptDuration'),
    styleLayoutMs: delta('RecalcStyleDuration') + delta('LayoutDuration'),
  };
}

/** Runs `variants` in rotating order after a discarded warm-up round, so drift hits every variant alike. */
async function scrollRuns(
  page: Page,
  cdp: CDPSession,
  url: string,
  script: string,
  variants: Variant[],
  runs: number,
  frames: number,
): Promise<Partial<Record<Variant, ScrollRun[]>>> {
  const results: Partial<Record<Variant, ScrollRun[]>> = {};
  for (const variant of variants) await scrollRun(page, cdp, url, script, variant, frames);
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < variants.length; k++) {
      const variant = variants[(i + k) % variants.length] as Variant;
      (results[variant] ??= []).push(await scrollRun(page, cdp, url, script, variant, frames));
    }
  }
  for (const [variant, list] of Object.entries(results)) {
    const shown = list.map(
      (r) =>
        `${r.taskMs.toFixed(0)} (script ${r.scriptMs.toFixed(0)}, style+layout ${r.styleLayoutMs.toFixed(0)}, long tasks ${r.longTasks}, ` +
        `painter ${r.painterMs.toFixed(0)} in ${r.painterBatches} batches, longest ${r.longestBatchMs.toFixed(1)}, badges ${r.placedWhileScrolling} + ${r.placedAfterwards})`,
    );
    console.log(`  scroll over ${frames} frames, ${variant}: main-thread ms ${shown.join('; ')}`);
  }
  return results;
}

function runsOf(results: Partial<Record<Variant, ScrollRun[]>>, variant: Variant): ScrollRun[] {
  const list = results[variant];
  if (!list || list.length === 0) throw new Error(`no ${variant} runs`);
  return list;
}

function overheadPct(results: Partial<Record<Variant, ScrollRun[]>>, variant: Variant): number {
  const withoutMs = median(runsOf(results, 'without').map((r) => r.taskMs));
  return round(((median(runsOf(results, variant).map((r) => r.taskMs)) - withoutMs) / withoutMs) * 100, 1);
}

async function scrollOverhead(browser: Browser, origin: string, script: string): Promise<BenchResult> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const cdp = await page.context().newCDPSession(page);
  try {
    const url = `${origin}/element-web-virtual.html?members=${MEMBERS}`;
    const fast = await scrollRuns(page, cdp, url, script, ['with', 'without', 'quiet'], SCROLL_RUNS, SCROLL_FRAMES);
    const slow = await scrollRuns(page, cdp, url, script, ['with', 'without'], SLOW_SCROLL_RUNS, SLOW_SCROLL_FRAMES);
    // At a reading pace every row stays long enough to be badged while the list moves; if that
    // stopped happening, the slow figure would measure nothing.
    const slowPlaced = median(runsOf(slow, 'with').map((r) => r.placedWhileScrolling));
    if (slowPlaced < MEMBERS * 0.9)
      throw new Error(`only ${slowPlaced} badges were placed while scrolling slowly through ${MEMBERS} warned members`);
    const longTasks = median(runsOf(fast, 'with').map((r) => r.longTasks)) - median(runsOf(fast, 'without').map((r) => r.longTasks));
    return {
      scroll_frame_overhead_pct: overheadPct(fast, 'with'),
      scroll_frame_overhead_quiet_room_pct: overheadPct(fast, 'quiet'),
      scroll_badges_placed_while_flinging: runsOf(fast, 'with').map((r) => r.placedWhileScrolling),
      scroll_frame_overhead_slow_scroll_pct: overheadPct(slow, 'with'),
      scroll_badges_placed_while_scrolling_slowly: slowPlaced,
      scroll_long_tasks_from_overlay: Math.max(0, longTasks),
    };
  } finally {
    await cdp.detach().catch(() => undefined);
    await page.close();
  }
}

async function contentScriptGzipBytes(): Promise<BenchResult> {
  const file = path.join(CHROME_BUILD, 'content-scripts/watch.js');
  return { content_script_gzip_bytes: gzipSync(await fs.readFile(file), { level: 9 }).length };
}

export default async function overlayBench(): Promise<BenchResult> {
  ensureFreshBuild();
  const script = await bundlePageScript();
  const site = await serve({
    '/element-1000.html': bigElementPage(),
    '/element-web-virtual.html': await fs.readFile(path.join(REPO_ROOT, 'test/fixtures/element-web-virtual.html'), 'utf8'),
  });
  try {
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const passes = await badgePasses(browser, page, site.origin, script);
      const disagreement = await disagreementDetect(page, site.origin, script);
      await page.close();
      const scrolling = await scrollOverhead(browser, site.origin, script);
      return { ...passes, ...disagreement, ...scrolling, ...(await contentScriptGzipBytes()) };
    } finally {
      await browser.close();
    }
  } finally {
    await site.close();
  }
}
