/**
 * How long the background takes from starting to having the Rust crypto store open, as the
 * background itself measures it (performance.now() when the engine is ready): first start on
 * a new profile, then restarts after the worker is stopped, as Chrome does when idle. Chrome
 * runs with no debugger on the worker; Firefox cycles its event page with a short idle timeout.
 */
import { CHROME_BUILD } from '../test/support/paths.ts';
import { readEngineFactsInPage } from '../test/support/extensionPages.ts';
import { launchFirefox } from '../test/support/firefox.ts';
import { waitFor } from '../test/support/waitFor.ts';
import { launchRawChromium, type RawChromium } from './rawCdp.ts';

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
    const { targetInfos } = await waitFor('the extension service worker', async () => {
      const targets = await chromium.send<{ targetInfos: { type: string; url: string }[] }>('Target.getTargets');
      return targets.targetInfos.some((t) => t.type === 'service_worker') ? targets : undefined;
    });
    const worker = targetInfos.find((t) => t.type === 'service_worker');
    // Node's URL gives non-web schemes a "null" origin, so build it from the host.
    const extensionOrigin = `chrome-extension://${new URL(worker?.url ?? '').host}`;
    // Chromium will not open an extension page straight from createTarget; navigate instead.
    const { targetId } = await chromium.send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await chromium.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
    await chromium.send('Page.navigate', { url: `${extensionOrigin}/options.html` }, sessionId);

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
      const facts = await page.evaluate(readEngineFactsInPage);
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

export default async function startupBench(): Promise<Record<string, number>> {
  return { ...(await chromeFigures()), ...(await firefoxFigures()) };
}
