/**
 * The smallest Chrome DevTools Protocol client that the start-up benchmark needs. Playwright
 * attaches a debugger to the extension's service worker, which slows it several-fold; this
 * client only ever attaches to the page it opens, so the worker runs as it would for a user.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM_PATH } from '../test/support/paths.ts';
import { waitFor } from '../test/support/waitFor.ts';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export interface RawChromium {
  /** Sends a command, optionally within an attached target's session. */
  send<T = unknown>(method: string, params?: object, sessionId?: string): Promise<T>;
  close(): Promise<void>;
}

export async function launchRawChromium(extensionDir: string): Promise<RawChromium> {
  const profile = await fs.mkdtemp(path.join(os.tmpdir(), 'mtg-bench-'));
  const chromium: ChildProcess = spawn(
    CHROMIUM_PATH,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      'about:blank',
    ],
    { stdio: 'ignore' },
  );
  const activePort = path.join(profile, 'DevToolsActivePort');
  const [port, browserPath] = await waitFor('Chromium to open its DevTools port', async () => {
    const text = await fs.readFile(activePort, 'utf8').catch(() => '');
    const lines = text.trim().split('\n');
    return lines.length === 2 ? lines : undefined;
  });
  const socket = new WebSocket(`ws://127.0.0.1:${port ?? ''}${browserPath ?? ''}`);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = () => reject(new Error('could not connect to Chromium DevTools'));
  });
  let nextId = 1;
  const pending = new Map<number, Pending>();
  socket.onmessage = (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
    const waiter = message.id === undefined ? undefined : pending.get(message.id);
    if (!waiter || message.id === undefined) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(message.error.message));
    else waiter.resolve(message.result);
  };
  return {
    send<T>(method: string, params: object = {}, sessionId?: string): Promise<T> {
      const id = nextId++;
      socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
      return new Promise<T>((resolve, reject) => pending.set(id, { resolve: resolve as (v: unknown) => void, reject }));
    },
    async close() {
      socket.close();
      const exited = new Promise((resolve) => chromium.once('exit', resolve));
      chromium.kill('SIGTERM');
      await exited;
      await fs.rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens the extension's options page in a new tab and attaches to that page only (never to the
 * worker), once it can reach the extension API. Returns the page's session.
 */
export async function openOptionsPage(chromium: RawChromium): Promise<{ sessionId: string; extensionOrigin: string }> {
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
  await waitFor('the options page to reach the extension API', async () => {
    const { result } = await chromium.send<{ result: { value: unknown } }>(
      'Runtime.evaluate',
      { expression: `location.origin === ${JSON.stringify(extensionOrigin)} && typeof chrome.runtime?.sendMessage === 'function'`, returnByValue: true },
      sessionId,
    );
    return result.value === true || undefined;
  });
  return { sessionId, extensionOrigin };
}
