import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { selfSignedCertificate } from './fixtureSite.ts';
import { REPO_ROOT } from './paths.ts';

const run = promisify(execFile);

const HOSTNAME = 'hydrogen.element.io';
const SOURCE = path.join(REPO_ROOT, 'test/hydrogen');
const DIST = path.join(SOURCE, 'dist');
const STAMP = path.join(DIST, '.inputs-hash');
/** What the build depends on: when none of these changed, the last build is reused. */
const BUILD_INPUTS = [
  'test/hydrogen/index.html',
  'test/hydrogen/main.js',
  'test/hydrogen/build.ts',
  'node_modules/hydrogen-view-sdk/package.json',
  'node_modules/@matrix-org/olm/package.json',
  'node_modules/vite/package.json',
];
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

export interface HydrogenApp {
  /** "https://hydrogen.element.io/": the real client's origin, so the extension's content scripts match. */
  url: string;
  hostname: string;
  port: number;
  /** Chromium switches that send the hostname to this server and accept its certificate. */
  chromiumArgs: string[];
  close(): Promise<void>;
}

let built: Promise<void> | undefined;

/**
 * Builds test/hydrogen (once per process, and only when its inputs changed since the last
 * build) in a child process: Vite stays out of the test worker.
 */
export function buildHydrogenApp(): Promise<void> {
  built ??= (async () => {
    const hash = await inputsHash();
    const previous = await fs.readFile(STAMP, 'utf8').catch(() => '');
    if (previous === hash) return;
    await run(process.execPath, [path.join(SOURCE, 'build.ts'), DIST], { cwd: REPO_ROOT });
    await fs.writeFile(STAMP, hash);
  })();
  return built;
}

async function inputsHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const input of BUILD_INPUTS) hash.update(input).update(await fs.readFile(path.join(REPO_ROOT, input)));
  return hash.digest('hex');
}

/**
 * Serves the real Hydrogen web app as https://hydrogen.element.io (a self-signed certificate,
 * made per run with openssl) on 127.0.0.1, configured for `homeserver`: its config.json is
 * answered here, so one build serves any test server.
 */
export async function startHydrogenApp(options: { homeserver: string }): Promise<HydrogenApp> {
  await buildHydrogenApp();
  const { key, cert } = await selfSignedCertificate(HOSTNAME);
  const config = JSON.stringify({ defaultHomeServer: options.homeserver });
  const server = https.createServer({ key, cert }, (request, response) => {
    // The build's file names need no escaping, so the path is used as it comes.
    const { pathname } = new URL(request.url ?? '/', `https://${HOSTNAME}`);
    const send = (status: number, type: string, body: string | Buffer) => {
      response.writeHead(status, { 'content-type': type, 'cache-control': 'no-cache' });
      response.end(body);
    };
    if (pathname === '/favicon.ico') {
      send(204, 'image/x-icon', ''); // the SDK ships no icon; spares the console a 404
      return;
    }
    if (pathname === '/config.json') {
      send(200, 'application/json', config);
      return;
    }
    const file = path.join(DIST, pathname === '/' ? 'index.html' : pathname);
    const type = CONTENT_TYPES[path.extname(file)];
    if (!file.startsWith(DIST + path.sep) || type === undefined) {
      send(404, 'text/plain', 'not found');
      return;
    }
    fs.readFile(file).then(
      (body) => send(200, type, body),
      () => send(404, 'text/plain', 'not found'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://${HOSTNAME}/`,
    hostname: HOSTNAME,
    port,
    chromiumArgs: [`--host-resolver-rules=MAP ${HOSTNAME} 127.0.0.1:${port}`, '--ignore-certificate-errors'],
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Names what each badge sits next to in Hydrogen: a member row, a message sender, the member
 * details (the `hostContext` of readOverlay and readOverlayFirefox).
 */
export const HYDROGEN_HOST_CONTEXT = `(() => {
  const tile = host.closest('li.MemberTileView');
  if (tile) return 'member ' + decodeURIComponent(tile.querySelector('a[href*="/member/"]').getAttribute('href').split('/member/')[1]);
  const message = host.closest('li.Timeline_message');
  if (message) return 'sender ' + message.querySelector('.Timeline_messageSender').getAttribute('title');
  if (host.closest('.MemberDetailsView')) return 'details';
  return 'elsewhere';
})()`;

/**
 * What the helpers below need of a page showing Hydrogen: Playwright's page (Chromium) and
 * Puppeteer's (Firefox over WebDriver BiDi) both have it.
 */
export interface HydrogenPage {
  url(): string;
  evaluate(script: string): Promise<unknown>;
  waitForSelector(selector: string, options: { timeout: number }): Promise<unknown>;
  type(selector: string, text: string): Promise<void>;
  click(selector: string): Promise<void>;
}

/**
 * Signs in through Hydrogen's own login form (the homeserver field is already filled from
 * config.json) and waits until the session has loaded and synced. `page` must show the app
 * (`page.goto(app.url)`). Returns Hydrogen's session id, the one in its URLs.
 */
export async function signInHydrogen(page: HydrogenPage, user: { userId: string; password: string }): Promise<string> {
  // Straight to the login form, even when the profile holds earlier sessions (Hydrogen would list them).
  await page.evaluate(`window.location.hash = '#/login'`);
  await page.waitForSelector('.PasswordLoginView #username', { timeout: 60_000 });
  await page.type('.PasswordLoginView #username', user.userId);
  await page.type('.PasswordLoginView #password', user.password);
  await page.click('.PasswordLoginView button[type="submit"]');
  // Hydrogen shows a load status until the first sync is done, then the session view.
  await page.waitForSelector('.SessionView .RoomList', { timeout: 90_000 });
  return hydrogenSessionId(page);
}

/** The session id in Hydrogen's URL: `#/session/<sid>/…`. */
export function hydrogenSessionId(page: HydrogenPage): string {
  const sessionId = /#\/session\/([^/]+)/.exec(page.url())?.[1];
  if (sessionId === undefined) throw new Error(`Hydrogen shows no session: ${page.url()}`);
  return sessionId;
}

/**
 * Opens a room by URL (with its member list when `members` is set) and waits for the timeline
 * (and the member rows) to render. The user must have joined the room: this waits for it to
 * show in the room list first, as Hydrogen shows a room it does not know yet as unknown.
 */
export async function openRoom(page: HydrogenPage, roomId: string, options: { members?: boolean } = {}): Promise<void> {
  const sessionId = hydrogenSessionId(page);
  const encodedRoomId = encodeURIComponent(roomId);
  await page.waitForSelector(`.RoomList a[href$="/open-room/${encodedRoomId}"]`, { timeout: 60_000 });
  const route = `#/session/${sessionId}/room/${encodedRoomId}${options.members ? '/members' : ''}`;
  await page.evaluate(`window.location.hash = ${JSON.stringify(route)}`);
  await page.waitForSelector('.RoomView .Timeline', { timeout: 60_000 });
  if (options.members) await page.waitForSelector('.MemberListView li.MemberTileView', { timeout: 60_000 });
}
