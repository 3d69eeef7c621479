/**
 * How long the background takes to start, as the background itself measures it
 * (performance.now() in the worker, whose clock starts when the browser starts the worker):
 *
 * - chrome_engine_first_start_ms, chrome_engine_restart_ms, firefox_engine_*: signed out, from
 *   the background starting to the Rust crypto store being open; first start on a new profile,
 *   then restarts after the worker is stopped (Chrome, over CDP, as Chrome does when idle) or
 *   the event page suspends (Firefox, short idle timeout).
 *
 * Signed in to a local Synapse (Chrome), to the first completed /sync since the worker started
 * (status.account.firstSyncAfterMs), and the popup from its navigation start to the first real
 * status on screen (its `status-painted` mark):
 *
 * - sw_cold_start_to_ready_ms: a fresh browser process launched on a profile that already holds
 *   the extension's stores, signed in: the worker's first start in that process, no debugger
 *   attached to it (the raw CDP client attaches only to the pages it opens), nothing of the
 *   extension in memory. The worker's clock starts when Chromium creates its global scope, so
 *   spawning its process is not counted. One discarded launch after signing in, then
 *   COLD_LAUNCHES.
 * - popup_first_render_ms: in those same fresh browsers, the popup opened as soon as the
 *   extension is loaded, while its worker starts cold: the first popup of a browser session,
 *   which waits for the worker to answer. Chromium starts the worker of an extension loaded
 *   with --load-extension as it loads it at launch (an extension installed from a store would
 *   wait for an event: the popup, a watched page, its alarm), so the popup is not what wakes the
 *   worker here; but it opens before the worker's script runs (the log says how much later).
 * - sw_warm_restart_to_ready_ms: in a running browser, the worker stopped over CDP (as Chrome
 *   does when it is idle) and woken by a status request from the open options page: the
 *   browser's process, caches and open databases are warm. RESTARTS times.
 * - popup_first_render_warm_ms: the popup opened again with the worker running (its status
 *   cached), RESTARTS times.
 * - popup_first_render_worker_stopped_ms: the case a user meets most, the popup opened in a
 *   running browser whose worker Chrome stopped (idle 30 s, here over CDP) with no extension
 *   page open, so the worker starts again and the popup waits for it; RESTARTS times.
 * - popup_first_render_noop_worker_ms: the floor under popup_first_render_ms on this machine,
 *   the same fresh-browser launches with this build's worker replaced by one that does nothing
 *   but post a signed-out status to the popup: what the browser itself takes to start the
 *   extension's process, load the popup and start a worker. popup_first_render_noop_stopped_ms is
 *   the floor under popup_first_render_worker_stopped_ms, the same way.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readEngineFacts } from '../test/support/extensionPages.ts';
import { launchFirefox } from '../test/support/firefox.ts';
import { ensureFreshBuild } from '../test/support/freshBuild.ts';
import { CHROME_BUILD } from '../test/support/paths.ts';
import { startSynapse, type SynapseServer } from '../test/support/synapse.ts';
import { waitFor } from '../test/support/waitFor.ts';
import { extensionOrigin, launchRawChromium, openExtensionPage, openOptionsPage, type RawChromium } from './rawCdp.ts';
import type { BenchResult } from './results.ts';

const RESTARTS = 7;
const COLD_LAUNCHES = 7;

interface EngineReport {
  startupMs: number;
  backgroundStartedAt: number;
}

/** Evaluated in an extension page: asks the background for its status. */
const STATUS_EXPRESSION = `chrome.runtime.sendMessage({ kind: 'status.get', params: {} }).then((answer) =>
  answer.ok && answer.result.cryptoEngine.state === 'ready'
    ? { startupMs: answer.result.cryptoEngine.startupMs, backgroundStartedAt: answer.result.backgroundStartedAt }
    : null)`;

async function chromeEngineReport(chromium: RawChromium, sessionId: string, notFrom?: number): Promise<EngineReport> {
  return waitFor('the engine to be ready', async () => {
    const { result } = await chromium.send<{ result: { value: EngineReport | null } }>(
      'Runtime.evaluate',
      { expression: STATUS_EXPRESSION, awaitPromise: true, returnByValue: true },
      sessionId,
    );
    return result.value && result.value.backgroundStartedAt !== notFrom ? result.value : undefined;
  });
}

async function chromeFigures(): Promise<BenchResult> {
  const chromium = await launchRawChromium(CHROME_BUILD);
  try {
    const { sessionId } = await openOptionsPage(chromium);
    const first = await chromeEngineReport(chromium, sessionId);
    const restarts: number[] = [];
    let previous = first;
    for (let i = 0; i < RESTARTS; i++) {
      await chromium.send('ServiceWorker.enable', {}, sessionId);
      await chromium.send('ServiceWorker.stopAllWorkers', {}, sessionId);
      previous = await chromeEngineReport(chromium, sessionId, previous.backgroundStartedAt);
      restarts.push(previous.startupMs);
    }
    return { chrome_engine_first_start_ms: first.startupMs, chrome_engine_restart_ms: restarts };
  } finally {
    await chromium.close();
  }
}

async function firefoxFigures(): Promise<BenchResult> {
  const firefox = await launchFirefox({ prefs: { 'extensions.background.idle.timeout': 1500 } });
  try {
    // Read what the options page shows: asking the background would keep it awake.
    const page = await firefox.openExtensionPage('options.html');
    const read = async (): Promise<EngineReport | undefined> => {
      const facts = await readEngineFacts(page);
      return facts.startupMs !== null && facts.backgroundStartedAt !== null
        ? { startupMs: facts.startupMs, backgroundStartedAt: facts.backgroundStartedAt }
        : undefined;
    };
    const first = await waitFor('the engine to be ready', read);
    const restarts: number[] = [];
    let previous = first;
    for (let i = 0; i < RESTARTS; i++) {
      // The event page suspends after the idle timeout; the page's status port reconnects and wakes it.
      const before = previous.backgroundStartedAt;
      previous = await waitFor('the event page to restart', async () => {
        const report = await read();
        return report && report.backgroundStartedAt !== before ? report : undefined;
      });
      restarts.push(previous.startupMs);
    }
    return { firefox_engine_first_start_ms: first.startupMs, firefox_engine_restart_ms: restarts };
  } finally {
    await firefox.close();
  }
}

/** Evaluated in an extension page: the background's answer to a request, `{ ok, result }` or `{ ok: false, ... }`. */
function requestExpression(kind: string, params: object): string {
  return `chrome.runtime.sendMessage(${JSON.stringify({ kind, params })})`;
}

interface SyncReport {
  firstSyncAfterMs: number;
  backgroundStartedAt: number;
}

/** The status of a signed-in background once its first sync since it started has completed. */
async function chromeSyncReport(chromium: RawChromium, sessionId: string, notFrom?: number): Promise<SyncReport> {
  return waitFor(
    'a signed-in background to complete its first sync (status.account.firstSyncAfterMs; rebuild if the build predates it)',
    async () => {
      const { result } = await chromium.send<{ result: { value: unknown } }>(
        'Runtime.evaluate',
        { expression: requestExpression('status.get', {}), awaitPromise: true, returnByValue: true },
        sessionId,
      );
      const answer = result.value as {
        ok: boolean;
        result?: { backgroundStartedAt: number; account: { state: string; firstSyncAfterMs?: number } };
      };
      const status = answer.ok ? answer.result : undefined;
      if (status?.account.state !== 'signed-in' || status.account.firstSyncAfterMs === undefined) return undefined;
      if (status.backgroundStartedAt === notFrom) return undefined;
      return { firstSyncAfterMs: status.account.firstSyncAfterMs, backgroundStartedAt: status.backgroundStartedAt };
    },
    60_000,
  );
}

/** Signs the extension in from its options page (`sessionId`) and waits for its first sync. */
async function signIn(chromium: RawChromium, sessionId: string, synapse: SynapseServer): Promise<SyncReport> {
  const user = await synapse.registerUser();
  const signInParams = { homeserver: synapse.baseUrl, user: user.userId, password: user.password };
  const { result } = await chromium.send<{ result: { value: unknown } }>(
    'Runtime.evaluate',
    { expression: requestExpression('account.signIn', signInParams), awaitPromise: true, returnByValue: true },
    sessionId,
  );
  const answer = result.value as { ok: boolean; result?: { state: string } } | undefined;
  if (answer?.ok !== true || answer.result?.state !== 'signed-in') {
    throw new Error(`the extension did not sign in: ${JSON.stringify(answer)}`);
  }
  return chromeSyncReport(chromium, sessionId);
}

/**
 * Warm: in the browser that signed in, the worker is stopped over CDP and woken by a status
 * request from the options page, RESTARTS times; then the popup is opened with the worker
 * running. No debugger is ever attached to the worker.
 */
async function warmFigures(chromium: RawChromium, sessionId: string, first: SyncReport): Promise<BenchResult> {
  let previous = first;
  const restarts: number[] = [];
  for (let i = 0; i < RESTARTS; i++) {
    await chromium.send('ServiceWorker.enable', {}, sessionId);
    await chromium.send('ServiceWorker.stopAllWorkers', {}, sessionId);
    previous = await chromeSyncReport(chromium, sessionId, previous.backgroundStartedAt);
    restarts.push(previous.firstSyncAfterMs);
  }
  console.log(`  warm worker restarts, start to first sync: ${restarts.join(', ')} ms`);
  const renders = await popupRenders(chromium, sessionId);
  console.log(`  popup opened over a running worker to status painted: ${renders.map((ms) => ms.toFixed(1)).join(', ')} ms`);
  const stopped = await stoppedWorkerRenders(chromium, sessionId);
  console.log(`  popup opened over a stopped worker to status painted: ${stopped.map((ms) => ms.toFixed(1)).join(', ')} ms`);
  return { sw_warm_restart_to_ready_ms: restarts, popup_first_render_warm_ms: renders, popup_first_render_worker_stopped_ms: stopped };
}

/**
 * In a running browser: every extension page closed, the worker stopped and gone, then the popup
 * opened, RESTARTS times. `sessionId` is an extension page of this browser, closed here.
 */
async function stoppedWorkerRenders(chromium: RawChromium, sessionId: string): Promise<number[]> {
  const { result } = await chromium.send<{ result: { value: string } }>(
    'Runtime.evaluate',
    { expression: 'location.origin', returnByValue: true },
    sessionId,
  );
  const origin = result.value;
  // A plain tab to speak to the ServiceWorker domain from, so that no extension page stays open.
  const { targetId } = await chromium.send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
  const { sessionId: blank } = await chromium.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
  await chromium.send('ServiceWorker.enable', {}, blank);
  const renders: number[] = [];
  for (let i = 0; i < RESTARTS; i++) {
    await closeExtensionPages(chromium, origin);
    await waitFor('the worker to be stopped', async () => {
      await chromium.send('ServiceWorker.stopAllWorkers', {}, blank);
      const { targetInfos } = await chromium.send<{ targetInfos: { type: string; url: string }[] }>('Target.getTargets');
      return targetInfos.every((t) => !t.url.startsWith(`${origin}/`)) || undefined;
    });
    const popup = await openExtensionPage(chromium, origin, 'popup.html');
    renders.push(await statusPainted(chromium, popup.sessionId));
  }
  await closeExtensionPages(chromium, origin);
  return renders;
}

async function closeExtensionPages(chromium: RawChromium, origin: string): Promise<void> {
  const { targetInfos } = await chromium.send<{ targetInfos: { targetId: string; type: string; url: string }[] }>('Target.getTargets');
  for (const target of targetInfos) {
    if (target.type === 'page' && target.url.startsWith(`${origin}/`))
      await chromium.send('Target.closeTarget', { targetId: target.targetId });
  }
}

/**
 * One fresh browser on the signed-in `profile`: the popup opened as soon as the browser is
 * up, its first status paint, and the worker's start to first sync. Only pages are attached.
 */
async function coldLaunch(profile: string, origin: string): Promise<{ popupMs: number; readyMs: number; scriptBeganAfterPopupMs: number }> {
  const chromium = await launchRawChromium(CHROME_BUILD, { userDataDir: profile });
  try {
    // The popup can open once the extension is loaded, which is when Chromium starts its worker.
    if ((await extensionOrigin(chromium)) !== origin) throw new Error('the extension has another id in the relaunched browser');
    const popupOpenedAt = Date.now();
    const { sessionId, ready } = await openExtensionPage(chromium, origin, 'popup.html');
    const popupMs = await statusPainted(chromium, sessionId);
    await ready;
    const report = await chromeSyncReport(chromium, sessionId);
    return { popupMs, readyMs: report.firstSyncAfterMs, scriptBeganAfterPopupMs: report.backgroundStartedAt - popupOpenedAt };
  } finally {
    await chromium.close();
  }
}

/** Signed in to a local Synapse: warm figures in the browser that signed in, then cold ones in fresh browsers on its profile. */
async function chromeSignedInFigures(): Promise<BenchResult> {
  const synapse = await startSynapse({ name: 'bench-startup' });
  const profile = await fs.mkdtemp(path.join(os.tmpdir(), 'mtg-bench-profile-'));
  try {
    const chromium = await launchRawChromium(CHROME_BUILD, { userDataDir: profile });
    let warm: BenchResult;
    let origin: string;
    try {
      const options = await openOptionsPage(chromium);
      origin = options.extensionOrigin;
      warm = await warmFigures(chromium, options.sessionId, await signIn(chromium, options.sessionId, synapse));
    } finally {
      await chromium.close();
    }
    // The first launch after signing in may still settle stores the session left behind: not timed.
    await coldLaunch(profile, origin);
    const cold = [];
    for (let i = 0; i < COLD_LAUNCHES; i++) cold.push(await coldLaunch(profile, origin));
    console.log(`  cold launches, worker start to first sync: ${cold.map((c) => c.readyMs).join(', ')} ms`);
    console.log(
      `  cold launches, popup opened to status painted: ${cold.map((c) => `${c.popupMs.toFixed(1)} (the worker's script began ${c.scriptBeganAfterPopupMs} ms after the popup opened)`).join(', ')} ms`,
    );
    return { ...warm, sw_cold_start_to_ready_ms: cold.map((c) => c.readyMs), popup_first_render_ms: cold.map((c) => c.popupMs) };
  } finally {
    await fs.rm(profile, { recursive: true, force: true });
    await synapse.stop();
  }
}

/** The popup's `status-painted` mark: ms from its navigation start to the first real status on screen. */
async function statusPainted(chromium: RawChromium, sessionId: string): Promise<number> {
  return waitFor('the popup to paint its status', async () => {
    const mark = await chromium
      .send<{ result: { value: number | null } }>(
        'Runtime.evaluate',
        { expression: "performance.getEntriesByName('status-painted')[0]?.startTime ?? null", returnByValue: true },
        sessionId,
      )
      // While the page is still navigating from about:blank, its context may be gone.
      .catch(() => ({ result: { value: null } }));
    return mark.result.value ?? undefined;
  });
}

/**
 * The popup opened with the background running (its status cached): from the page's navigation
 * start to the first real status on screen, as the popup marks it (`status-painted`).
 */
async function popupRenders(chromium: RawChromium, sessionId: string): Promise<number[]> {
  const { result } = await chromium.send<{ result: { value: string } }>(
    'Runtime.evaluate',
    { expression: 'location.origin', returnByValue: true },
    sessionId,
  );
  const renders: number[] = [];
  for (let i = 0; i < RESTARTS; i++) {
    await chromium.send('Page.navigate', { url: `${result.value}/popup.html` }, sessionId);
    renders.push(await statusPainted(chromium, sessionId));
  }
  return renders;
}

/** A worker that does nothing but post a signed-out status to whoever subscribes to it. */
const NOOP_WORKER = `chrome.runtime.onConnect.addListener((port) => {
  if (port.name === 'status') port.postMessage({ name: 'status', value: { account: { state: 'signed-out' },
    cryptoEngine: { state: 'starting' }, policy: 'default', backgroundStartedAt: Date.now(), extensionVersion: '0' } });
});
`;

/**
 * The floors: this build's pages with the no-op worker, launched and stopped as above. Whatever
 * the real worker adds on top of these is ours to cut; these are not.
 */
async function noopWorkerFloors(): Promise<BenchResult> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mtg-bench-noop-'));
  const profile = await fs.mkdtemp(path.join(os.tmpdir(), 'mtg-bench-noop-profile-'));
  try {
    await fs.cp(CHROME_BUILD, dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'background.js'), NOOP_WORKER);
    const launches: number[] = [];
    let stopped: number[] = [];
    for (let i = 0; i <= COLD_LAUNCHES; i++) {
      const chromium = await launchRawChromium(dir, { userDataDir: profile });
      try {
        const origin = await extensionOrigin(chromium);
        const { sessionId } = await openExtensionPage(chromium, origin, 'popup.html');
        const painted = await statusPainted(chromium, sessionId);
        // The first launch on the new profile installs the extension: not timed.
        if (i > 0) launches.push(painted);
        if (i === COLD_LAUNCHES) stopped = await stoppedWorkerRenders(chromium, sessionId);
      } finally {
        await chromium.close();
      }
    }
    console.log(`  no-op worker, fresh browser, popup opened to status painted: ${launches.map((ms) => ms.toFixed(1)).join(', ')} ms`);
    console.log(`  no-op worker, stopped in a running browser: ${stopped.map((ms) => ms.toFixed(1)).join(', ')} ms`);
    return { popup_first_render_noop_worker_ms: launches, popup_first_render_noop_stopped_ms: stopped };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rm(profile, { recursive: true, force: true });
  }
}

export default async function startupBench(): Promise<BenchResult> {
  ensureFreshBuild();
  return {
    ...(await chromeFigures()),
    ...(await firefoxFigures()),
    ...(await chromeSignedInFigures()),
    ...(await noopWorkerFloors()),
  };
}
