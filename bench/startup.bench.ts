/**
 * How long the background takes from starting to having the Rust crypto store open, as the
 * background itself measures it (performance.now() when the engine is ready): first start on
 * a new profile, then restarts after the worker is stopped, as Chrome does when idle. Chrome
 * runs with no debugger on the worker; Firefox cycles its event page with a short idle timeout.
 * Signed in to a local Synapse, Chrome's worker restarts are also timed to their first completed
 * sync (sw_cold_start_to_ready_ms).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CHROME_BUILD, REPO_ROOT } from '../test/support/paths.ts';
import { readEngineFacts } from '../test/support/extensionPages.ts';
import { launchFirefox } from '../test/support/firefox.ts';
import { startSynapse } from '../test/support/synapse.ts';
import { waitFor } from '../test/support/waitFor.ts';
import { launchRawChromium, openOptionsPage, type RawChromium } from './rawCdp.ts';

const RESTARTS = 7;

interface EngineReport {
  startupMs: number;
  backgroundStartedAt: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
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

async function chromeFigures(): Promise<Record<string, number>> {
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
    return { chrome_engine_first_start_ms: first.startupMs, chrome_engine_restart_ms: median(restarts) };
  } finally {
    await chromium.close();
  }
}

async function firefoxFigures(): Promise<Record<string, number>> {
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
    return { firefox_engine_first_start_ms: first.startupMs, firefox_engine_restart_ms: median(restarts) };
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
      const answer = result.value as { ok: boolean; result?: { backgroundStartedAt: number; account: { state: string; firstSyncAfterMs?: number } } };
      const status = answer.ok ? answer.result : undefined;
      if (status?.account.state !== 'signed-in' || status.account.firstSyncAfterMs === undefined) return undefined;
      if (status.backgroundStartedAt === notFrom) return undefined;
      return { firstSyncAfterMs: status.account.firstSyncAfterMs, backgroundStartedAt: status.backgroundStartedAt };
    },
    60_000,
  );
}

/**
 * Service worker start to "crypto ready, sync resumed" with an account signed in, as the
 * background measures it (status.account.firstSyncAfterMs: performance.now() in the worker at
 * its first completed /sync since it started). The extension signs in to a local Synapse from
 * its options page, then the worker is stopped over CDP and woken by a status request from the
 * page, several times; no debugger is ever attached to the worker.
 */
async function chromeSignedInFigures(): Promise<Record<string, number>> {
  if (!existsSync(CHROME_BUILD)) execFileSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  const synapse = await startSynapse({ name: 'bench-startup' });
  try {
    const user = await synapse.registerUser();
    const chromium = await launchRawChromium(CHROME_BUILD);
    try {
      const { sessionId } = await openOptionsPage(chromium);

      const signIn = { homeserver: synapse.baseUrl, user: user.userId, password: user.password };
      const { result } = await chromium.send<{ result: { value: unknown } }>(
        'Runtime.evaluate',
        { expression: requestExpression('account.signIn', signIn), awaitPromise: true, returnByValue: true },
        sessionId,
      );
      const answer = result.value as { ok: boolean; result?: { state: string } } | undefined;
      if (answer?.ok !== true || answer.result?.state !== 'signed-in') {
        throw new Error(`the extension did not sign in: ${JSON.stringify(answer)}`);
      }
      let previous = await chromeSyncReport(chromium, sessionId);
      const restarts: number[] = [];
      for (let i = 0; i < RESTARTS; i++) {
        await chromium.send('ServiceWorker.enable', {}, sessionId);
        await chromium.send('ServiceWorker.stopAllWorkers', {}, sessionId);
        previous = await chromeSyncReport(chromium, sessionId, previous.backgroundStartedAt);
        restarts.push(previous.firstSyncAfterMs);
      }
      console.log(`  signed-in worker restarts, start to first sync: ${restarts.join(', ')} ms`);
      const renders = await popupRenders(chromium, sessionId);
      console.log(`  popup opened to status painted: ${renders.map((ms) => ms.toFixed(1)).join(', ')} ms`);
      return { sw_cold_start_to_ready_ms: median(restarts), popup_first_render_ms: Number(median(renders).toFixed(1)) };
    } finally {
      await chromium.close();
    }
  } finally {
    await synapse.stop();
  }
}

/**
 * The popup opened with the background running (its status cached): from the page's navigation
 * start to the first real status on screen, as the popup marks it (`status-painted`).
 */
async function popupRenders(chromium: RawChromium, sessionId: string): Promise<number[]> {
  const { result } = await chromium.send<{ result: { value: string } }>('Runtime.evaluate', { expression: 'location.origin', returnByValue: true }, sessionId);
  const renders: number[] = [];
  for (let i = 0; i < RESTARTS; i++) {
    await chromium.send('Page.navigate', { url: `${result.value}/popup.html` }, sessionId);
    const painted = await waitFor('the popup to paint its status', async () => {
      const mark = await chromium.send<{ result: { value: number | null } }>(
        'Runtime.evaluate',
        { expression: "performance.getEntriesByName('status-painted')[0]?.startTime ?? null", returnByValue: true },
        sessionId,
      );
      return mark.result.value ?? undefined;
    });
    renders.push(painted);
  }
  return renders;
}

export default async function startupBench(): Promise<Record<string, number>> {
  return { ...(await chromeFigures()), ...(await firefoxFigures()), ...(await chromeSignedInFigures()) };
}
