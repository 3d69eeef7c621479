/**
 * The smallest Chrome DevTools Protocol client that the start-up benchmark needs. Playwright
 * attaches a debugger to the extension's service worker, which slows it several-fold; this
 * client attaches only to the pages it opens, so the worker runs as it would for a user
 * (bench/scale.bench.ts attaches to the worker on purpose, to read its heap, once it runs).
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

export interface RawChromiumOptions {
  /** A profile to use and keep (browser restarts on one profile); a fresh temporary one otherwise. */
  userDataDir?: string;
}

export async function launchRawChromium(extensionDir: string, options: RawChromiumOptions = {}): Promise<RawChromium> {
  const profile = options.userDataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'mtg-bench-')));
  // The port file of an earlier launch on this profile would point at a browser that is gone.
  await fs.rm(path.join(profile, 'DevToolsActivePort'), { force: true });
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
  const exited = new Promise((resolve) => chromium.once('exit', resolve));
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
  const send = <T>(method: string, params: object = {}, sessionId?: string): Promise<T> => {
    const id = nextId++;
    socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    return new Promise<T>((resolve, reject) => pending.set(id, { resolve: resolve as (v: unknown) => void, reject }));
  };
  return {
    send,
    async close() {
      // Closed the way a user quits, so a kept profile is written out as after any session. The
      // browser may exit before it answers.
      const timer = setTimeout(() => chromium.kill('SIGKILL'), 15_000);
      await Promise.race([send('Browser.close').catch(() => undefined), exited]);
      await exited;
      clearTimeout(timer);
      socket.close();
      if (options.userDataDir === undefined) await fs.rm(profile, { recursive: true, force: true });
    },
  };
}

/** The extension's origin, once Chromium has started its service worker (it does when it loads the extension). */
export async function extensionOrigin(chromium: RawChromium): Promise<string> {
  const worker = await waitFor('the extension service worker', async () => {
    const { targetInfos } = await chromium.send<{ targetInfos: { type: string; url: string }[] }>('Target.getTargets');
    return targetInfos.find((t) => t.type === 'service_worker' && t.url.startsWith('chrome-extension://'));
  });
  // Node's URL gives non-web schemes a "null" origin, so build it from the host.
  return `chrome-extension://${new URL(worker.url).host}`;
}

/**
 * Opens one of the extension's pages in a new tab and attaches to that page only (never to the
 * worker). Resolves with the page's session as soon as the navigation is under way; `ready`
 * resolves once the page can reach the extension API.
 */
export async function openExtensionPage(
  chromium: RawChromium,
  origin: string,
  pagePath: string,
): Promise<{ sessionId: string; ready: Promise<void> }> {
  // Chromium will not open an extension page straight from createTarget; navigate instead.
  const { targetId } = await chromium.send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await chromium.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
  await chromium.send('Page.navigate', { url: `${origin}/${pagePath}` }, sessionId);
  const ready = waitFor(`${pagePath} to reach the extension API`, async () => {
    const { result } = await chromium.send<{ result: { value: unknown } }>(
      'Runtime.evaluate',
      {
        expression: `location.origin === ${JSON.stringify(origin)} && typeof chrome.runtime?.sendMessage === 'function'`,
        returnByValue: true,
      },
      sessionId,
    );
    return result.value === true || undefined;
  }).then(() => undefined);
  return { sessionId, ready };
}

/** Opens the extension's options page in a new tab, attached to that page only, once it can reach the extension API. */
export async function openOptionsPage(chromium: RawChromium): Promise<{ sessionId: string; extensionOrigin: string }> {
  const origin = await extensionOrigin(chromium);
  const { sessionId, ready } = await openExtensionPage(chromium, origin, 'options.html');
  await ready;
  return { sessionId, extensionOrigin: origin };
}

export interface ExtensionAnswer {
  ok: boolean;
  result?: unknown;
  error?: unknown;
}

/** Evaluated in an extension page (`sessionId`): the background's answer to one request, as sendMessage gives it. */
export async function extensionRequest(
  chromium: RawChromium,
  sessionId: string,
  kind: string,
  params: object = {},
): Promise<ExtensionAnswer> {
  const { result } = await chromium.send<{ result: { value: ExtensionAnswer } }>(
    'Runtime.evaluate',
    { expression: `chrome.runtime.sendMessage(${JSON.stringify({ kind, params })})`, awaitPromise: true, returnByValue: true },
    sessionId,
  );
  return result.value;
}

/**
 * Attaches to the extension's running service worker: for reading its heap, never while it
 * starts (an attached debugger slows a worker several-fold, and keeps it from being stopped).
 */
export async function attachToServiceWorker(chromium: RawChromium, origin: string): Promise<string> {
  const { targetInfos } = await chromium.send<{ targetInfos: { targetId: string; type: string; url: string }[] }>('Target.getTargets');
  const worker = targetInfos.find((t) => t.type === 'service_worker' && t.url.startsWith(`${origin}/`));
  if (!worker) throw new Error('the extension service worker is not running');
  const { sessionId } = await chromium.send<{ sessionId: string }>('Target.attachToTarget', { targetId: worker.targetId, flatten: true });
  return sessionId;
}
