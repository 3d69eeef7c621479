import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { encodeRecoveryKey } from 'matrix-js-sdk/lib/crypto-api/recovery-key.js';
import { deriveRecoveryKeyFromPassphrase } from 'matrix-js-sdk/lib/crypto-api/key-passphrase.js';
import decryptAESSecretStorageItem from 'matrix-js-sdk/lib/utils/decryptAESSecretStorageItem.js';
import type { CDPSession, Page, Worker } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'webextension-polyfill';
import type { ExtensionStatus } from '../../src/messaging/protocol';
import { type ChromiumSession, launchChromium } from '../support/chromium.ts';
import { addFigures } from '../support/figures.ts';
import { chromiumArgsForSites, type FixtureSite, startFixtureSite } from '../support/fixtureSite.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { Peer } from '../support/peer.ts';
import { contains, needlesOf, readProfile, type ScannedPiece } from '../support/profileScan.ts';
import { type RegisteredUser, startSynapse, type SynapseServer } from '../support/synapse.ts';
import { waitFor } from '../support/waitFor.ts';

declare const chrome: Browser;

/**
 * Issue 6, secrets containment. A full flow in the built extension — sign in from the popup,
 * set up recovery with a passphrase, verify another session of the account with emoji, see a
 * warning in the popup and on a watched page, acknowledge it, sign out — while recording:
 * - every message the background sends to the content script: inside the content script's own
 *   isolated world (found over CDP), `runtime.sendMessage` answers, every port message and every
 *   `runtime.onMessage` are recorded as they arrive. The content script captured its port before
 *   the recorder existed, so the worker is stopped once: the script reconnects through the
 *   recorded functions, and from then on everything it receives is seen (a check proves it);
 * - `storage.local` and `storage.sync` as extension pages see them;
 * - every console line of the worker, the extension pages and the watched page (all its worlds);
 * - every file of the profile, during the flow and after the browser was closed.
 * It fails if the access token, the recovery key (with or without spaces), the secret storage
 * key, the passphrase, the account password or a private key (cross-signing, key backup) is
 * found in any of them in clear: as text, base64, base64url, hex, UTF-16 or raw bytes.
 *
 * The access token: the extension never shows its own, so this test runs its own Synapse and
 * reads the token of the extension's device from Synapse's database (sqlite). Any other token
 * of the user is caught too, by Synapse's token prefix `syt_<base64 of the localpart>_`.
 *
 * The on-disk scan and its limits: see test/support/profileScan.ts. LevelDB compresses table
 * blocks with snappy, so a plain byte search could miss a secret for good; the scanner
 * decompresses them. A positive control proves it: a canary written through the same path as
 * the secrets (IndexedDB of the extension's origin) must be found, including one that snappy
 * compresses (a repeated string: only the decompressed block holds it whole) and a large value.
 * The scanner cannot see into encrypted data (the sealed token, the Rust store's pickles: which
 * is the point) nor into formats it does not parse (e.g. a compressed HTTP cache entry).
 */

const SLOW = 90_000;

interface Secret {
  name: string;
  needles: Uint8Array[];
}

/** Text forms of bytes: base64 (padded and not), base64url, hex. */
function encodings(bytes: Uint8Array): string[] {
  const buffer = Buffer.from(bytes);
  const b64 = buffer.toString('base64');
  return [b64, b64.replace(/=+$/, ''), buffer.toString('base64url'), buffer.toString('hex'), buffer.toString('hex').toUpperCase()];
}

function textSecret(name: string, text: string): Secret {
  return { name, needles: needlesOf([text, ...encodings(Buffer.from(text, 'utf8'))]) };
}

function keySecret(name: string, bytes: Uint8Array): Secret {
  return { name, needles: needlesOf(encodings(bytes), bytes) };
}

describe('secrets containment in Chromium', () => {
  let synapse: SynapseServer;
  let site: FixtureSite;
  let chromium: ChromiumSession;
  let profile: string;
  const peers: Peer[] = [];
  /** Texts seen by the content script, console lines and storage contents: place -> texts. */
  const consoleLines: string[] = [];
  const storageDumps: string[] = [];

  beforeAll(async () => {
    // Our own Synapse: its database holds the extension's access token, which nothing else reveals.
    synapse = await startSynapse({ name: 'secrets' });
    profile = await fs.mkdtemp(path.join(os.tmpdir(), 'mtg-secrets-'));
  });

  afterAll(async () => {
    for (const peer of peers) peer.stop();
    // Each may be missing if an earlier step of beforeAll or the test failed.
    await (chromium as ChromiumSession | undefined)?.close().catch(() => undefined);
    await (site as FixtureSite | undefined)?.close();
    await (synapse as SynapseServer | undefined)?.stop();
    await fs.rm(profile, { recursive: true, force: true });
  });

  function recordConsoleOf(page: Page): void {
    page.on('console', (message) => consoleLines.push(`${page.url()}: ${message.text()}`));
    page.on('pageerror', (error) => consoleLines.push(`${page.url()} error: ${error.message}`));
  }

  /** Records every console line of the worker, whichever instance runs. */
  function recordWorkerConsole(session: ChromiumSession): void {
    const seen = new WeakSet<object>();
    const attach = (worker: Worker) => {
      if (seen.has(worker)) return;
      seen.add(worker);
      worker.on('console', (message) => consoleLines.push(`worker: ${message.text()}`));
    };
    session.context.serviceWorkers().forEach(attach);
    session.context.on('serviceworker', attach);
    // Every page, extension pages and the watched page alike (its isolated world is heard over CDP below).
    session.context.on('page', recordConsoleOf);
  }

  async function status(page: Page): Promise<ExtensionStatus> {
    return waitFor(
      'the background to answer',
      async () => {
        try {
          const answer = await page.evaluate<{ result?: ExtensionStatus } | undefined>(() =>
            chrome.runtime.sendMessage({ kind: 'status.get', params: {} }),
          );
          return answer?.result;
        } catch {
          return undefined;
        }
      },
      SLOW,
    );
  }

  /** storage.local and storage.sync as an extension page sees them (absent without the "storage" permission). */
  async function dumpStorage(page: Page): Promise<void> {
    const areas = await page.evaluate(async () => {
      const storage = (chrome as Partial<Browser>).storage;
      if (storage === undefined) return { api: false, local: '', sync: '' };
      return { api: true, local: JSON.stringify(await storage.local.get(null)), sync: JSON.stringify(await storage.sync.get(null)) };
    });
    storageDumps.push(`storage.local: ${areas.local}`, `storage.sync: ${areas.sync}`);
    // The manifest asks for no "storage" permission: nothing of the extension can write there.
    expect(areas.api).toBe(false);
  }

  it('never lets the token, the recovery key, the passphrase or a private key out in clear', async () => {
    const alice: RegisteredUser = await synapse.registerUser({ displayName: 'Alice' });
    const dave = await Peer.login(synapse, await synapse.registerUser({ displayName: 'Dave' }), { deviceName: "Dave's laptop" });
    const phone = await Peer.login(synapse, alice, { deviceName: "Alice's phone" });
    peers.push(dave, phone);
    await dave.bootstrapCrossSigning();
    const roomId = await phone.shareRoomWith(dave);

    const html = await fs.readFile(path.join(REPO_ROOT, 'test/fixtures/element-web.html'), 'utf8');
    site = await startFixtureSite('app.element.io', { '/': html });
    chromium = await launchChromium({ userDataDir: profile, args: chromiumArgsForSites([site]) });
    recordWorkerConsole(chromium);

    // The positive control, written before anything else, through the extension's own IndexedDB.
    const nonce = Math.random().toString(36).slice(2, 10);
    const canaries = {
      small: `mtg-canary-small-${nonce}`,
      // Repeated: snappy turns the second half into a back-reference, so only a decompressed block holds it whole.
      compressible: `mtg-canary-rep-${nonce}-mtg-canary-rep-${nonce}`,
      large: `mtg-canary-large-${nonce}-end`,
    };
    const options = await chromium.openExtensionPage('options.html');
    await options.evaluate(async (c) => {
      await new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('mtg-secrets-canary', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('canary');
        open.onerror = () => reject(open.error ?? new Error('open failed'));
        open.onsuccess = () => {
          const transaction = open.result.transaction('canary', 'readwrite');
          const store = transaction.objectStore('canary');
          store.put(c.small, 'small');
          store.put(c.compressible, 'compressible');
          store.put(`${'lorem ipsum dolor sit amet '.repeat(20_000)}${c.large}`, 'large');
          transaction.oncomplete = () => {
            open.result.close();
            resolve();
          };
          transaction.onerror = () => reject(transaction.error ?? new Error('write failed'));
        };
      });
    }, canaries);
    await dumpStorage(options);

    // The watched page, and the recorder inside its content script's isolated world.
    const watched = await chromium.context.newPage();
    const cdp = await chromium.context.newCDPSession(watched);
    const isolated = new Set<number>();
    cdp.on('Runtime.executionContextCreated', ({ context }) => {
      const aux = context.auxData as { type?: string } | undefined;
      if (aux?.type === 'isolated' && context.origin === `chrome-extension://${chromium.extensionId}`) isolated.add(context.id);
    });
    // Every world of the page, the content script's included.
    cdp.on('Runtime.consoleAPICalled', ({ args, type }) =>
      consoleLines.push(`watched page ${type}: ${args.map((a) => JSON.stringify(a.value ?? a.description ?? '')).join(' ')}`),
    );
    cdp.on('Runtime.exceptionThrown', ({ exceptionDetails }) =>
      consoleLines.push(`watched page exception: ${exceptionDetails.text} ${exceptionDetails.exception?.description ?? ''}`),
    );
    await cdp.send('Runtime.enable');
    await watched.goto(`https://app.element.io/#/room/${roomId}`);
    const contentWorld = await waitFor('the content script to start', () => [...isolated][0], SLOW);
    const installed = await evaluateIn(cdp, contentWorld, RECORDER);
    expect(installed).toBeGreaterThan(0);

    // Sign in from the popup, as a person would.
    let popup = await chromium.openExtensionPage('popup.html');
    await popup.setViewportSize({ width: 380, height: 800 });
    await popup.getByLabel('Homeserver').fill(synapse.baseUrl);
    await popup.getByLabel('User').fill(alice.userId);
    await popup.getByLabel('Password').fill(alice.password);
    await popup.getByRole('button', { name: 'Sign in', exact: true }).click();
    await popup.locator('[data-status="sync"].tone-ok').waitFor({ timeout: SLOW });
    const signedIn = (await status(options)).account;
    if (signedIn.state !== 'signed-in') throw new Error('not signed in');
    const accessToken = readAccessToken(synapse, alice.userId, signedIn.deviceId);
    // It is the extension's token indeed: the server knows it as the extension's device.
    const whoami = await fetch(`${synapse.baseUrl}/_matrix/client/v3/account/whoami`, {
      headers: { Authorization: `Bearer ${accessToken}` },
    });
    expect(await whoami.json()).toMatchObject({ user_id: alice.userId, device_id: signedIn.deviceId });

    // The content script connected before the recorder existed: a worker stop makes it reconnect
    // through it. Answers to its requests are recorded already (sign-in made it look again), so
    // only a message on a port opened through the recorder proves the reconnection.
    const throughRecordedPort = `globalThis.__mtgRecorded.some((m) => m.channel.startsWith('port'))`;
    expect(await evaluateIn(cdp, contentWorld, throughRecordedPort)).toBe(false);
    // The popup is closed first: an open one goes on showing the stopped worker's state until the
    // restarted worker answers, and nothing in it tells the two apart, so a click there could land
    // on the old view and vanish with it (under load, "Set up recovery" did). One opened after the
    // restart can only show the new worker.
    await popup.close();
    await chromium.stopServiceWorkers();
    await waitFor(
      'the content script to reconnect through the recorder',
      async () => ((await evaluateIn(cdp, contentWorld, throughRecordedPort)) as boolean) || undefined,
      SLOW,
    );
    popup = await chromium.openExtensionPage('popup.html');
    await popup.setViewportSize({ width: 380, height: 800 });
    await popup.locator('[data-status="sync"].tone-ok').waitFor({ timeout: SLOW });

    // Recovery from a passphrase.
    const passphrase = `correct horse battery staple ${nonce}`;
    await popup.getByRole('button', { name: 'Set up recovery' }).click();
    await popup.getByLabel('A passphrase of my choosing').check();
    await popup.getByLabel('Passphrase (at least 12 characters)').fill(passphrase);
    await popup.getByRole('button', { name: 'Create recovery key' }).click();
    await popup.getByLabel('Type your passphrase again to confirm').fill(passphrase);
    await popup.getByRole('button', { name: 'Confirm and set up' }).click();
    await popup.getByText('Recovery is set up, and this extension is verified.').waitFor({ timeout: SLOW });
    await popup.getByRole('button', { name: 'OK' }).click();

    // Verify the phone with emoji, from the popup's list of sessions: the extension signs it with its self-signing key.
    const session = popup.locator(`li.session[data-device="${phone.deviceId}"]`);
    await session.waitFor({ timeout: SLOW });
    await session.getByRole('button', { name: 'Verify' }).click();
    const request = await waitFor(
      'the phone to receive the request',
      () => phone.crypto.getVerificationRequestsToDeviceInProgress(alice.userId)[0],
      SLOW,
    );
    await request.accept();
    const verifier = await waitFor('the phone to have a verifier', () => request.verifier, SLOW);
    const done = verifier.verify();
    const phoneSas = await waitFor('the phone to show emoji', () => verifier.getShowSasCallbacks() ?? undefined, SLOW);
    await popup.locator('ol.emoji li').first().waitFor({ timeout: SLOW });
    expect(await popup.locator('ol.emoji .emoji-name').allInnerTexts()).toEqual(phoneSas.sas.emoji?.map(([, name]) => name));
    await phoneSas.confirm();
    await popup.getByRole('button', { name: 'They match' }).click();
    await done;
    await popup.getByText('Verified.').waitFor({ timeout: SLOW });
    await popup.getByRole('button', { name: 'OK' }).click();

    // A warning: Dave adds a device he never signed. It shows on the watched page and in the popup; acknowledge it.
    const rogue = await dave.addUnsignedDevice({ deviceName: 'Rogue' });
    peers.push(rogue);
    await waitFor(
      'the content script to receive a report naming the rogue device',
      async () =>
        ((await evaluateIn(
          cdp,
          contentWorld,
          `globalThis.__mtgRecorded.some((m) => m.channel.startsWith('port') && m.text.includes(${JSON.stringify(rogue.deviceId)}))`,
        )) as boolean) || undefined,
      SLOW,
    );
    await popup.getByRole('button', { name: /new/ }).first().click();
    const device = popup.locator(`li.device[data-device="${rogue.deviceId}"]`);
    await device.waitFor({ timeout: SLOW });
    await device.getByRole('button', { name: 'Acknowledge' }).click();
    await device.locator('.tag').waitFor({ state: 'detached', timeout: SLOW });
    await dumpStorage(popup);

    // The secrets, learned from the server side: the secret storage key from the passphrase, and with it every private key.
    const secrets = await accountSecrets(synapse.baseUrl, alice, passphrase);
    secrets.push(
      textSecret('access token', accessToken),
      textSecret('account password', alice.password),
      textSecret('passphrase', passphrase),
    );
    secrets.push({
      name: 'any access token of the user',
      needles: needlesOf([`syt_${Buffer.from(alice.localpart).toString('base64').replace(/=+$/, '')}_`]),
    });

    // Sign out from the options page.
    await options.getByRole('button', { name: 'Sign out…' }).click();
    await options.getByRole('button', { name: 'Sign out', exact: true }).click();
    await options.getByLabel('Homeserver').waitFor({ timeout: SLOW });
    await dumpStorage(options);

    // Console positive controls: a line from each kind of context must be recorded.
    const consoleCanary = `mtg-console-canary-${nonce}`;
    await (await chromium.serviceWorker()).evaluate((line) => console.log(line), `${consoleCanary} worker`);
    await options.evaluate((line) => console.log(line), `${consoleCanary} page`);
    await evaluateIn(cdp, contentWorld, `console.log(${JSON.stringify(`${consoleCanary} content`)})`);
    const messages = (await evaluateIn(cdp, contentWorld, 'globalThis.__mtgRecorded')) as { channel: string; text: string }[];
    const duringFlow = await readProfile(profile);
    await waitFor(
      'the console canaries to be recorded',
      () => ['worker', 'page', 'content'].every((where) => consoleLines.some((l) => l.includes(`${consoleCanary} ${where}`))) || undefined,
      SLOW,
    );

    // The browser closed, then started once more on the profile and closed again: LevelDB turns its logs into compressed tables.
    await chromium.close();
    chromium = await launchChromium({ userDataDir: profile, args: chromiumArgsForSites([site]) });
    recordWorkerConsole(chromium);
    await status(await chromium.openExtensionPage('options.html'));
    await chromium.close();
    const afterClose = await readProfile(profile);

    // What the recorder proves it saw: answers to the content script's requests and the room's reports.
    expect(messages.some((m) => m.channel === 'response' && m.text.includes('"client"'))).toBe(true);
    expect(messages.some((m) => m.channel === 'port pageRoom' && m.text.includes(rogue.deviceId))).toBe(true);

    // With the browser closed nothing rewrites the files: every LevelDB table and log must parse.
    expect(afterClose.pieces.filter((p) => p.what.startsWith('unparsed')).map((p) => `${p.file}: ${p.what}`)).toEqual([]);
    // The positive control of the disk scan.
    const canaryHits = (text: string, pieces: ScannedPiece[]) => pieces.filter((p) => needlesOf([text]).some((n) => contains(p.bytes, n)));
    for (const canary of Object.values(canaries))
      expect(canaryHits(canary, afterClose.pieces).length, `canary ${canary} found on disk`).toBeGreaterThan(0);
    const compressed = canaryHits(canaries.compressible, afterClose.pieces);
    console.log(
      `secrets: the compressible canary was found in: ${[...new Set(compressed.map((p) => `${path.basename(p.file)} (${p.what})`))].join(', ')}`,
    );
    // After the close and reopen LevelDB holds it in a snappy table: the decompressed block must show it.
    expect(compressed.some((p) => p.file.endsWith('.ldb') && p.what.startsWith('block'))).toBe(true);

    // The scan.
    const places: { place: string; bytes: Uint8Array }[] = [
      ...messages.map((m, i) => ({ place: `message ${i} (${m.channel})`, bytes: Buffer.from(m.text) })),
      ...storageDumps.map((d) => ({ place: d.split(':')[0] ?? 'storage', bytes: Buffer.from(d) })),
      ...consoleLines.map((l, i) => ({ place: `console line ${i}`, bytes: Buffer.from(l) })),
      ...[...duringFlow.pieces, ...afterClose.pieces].map((p) => ({
        place: `${path.relative(profile, p.file)} (${p.what})`,
        bytes: p.bytes,
      })),
    ];
    const found: string[] = [];
    for (const secret of secrets) {
      for (const { place, bytes } of places) if (secret.needles.some((n) => contains(bytes, n))) found.push(`${secret.name} in ${place}`);
    }
    const scanned = messages.length + storageDumps.length + consoleLines.length + duringFlow.files + afterClose.files;
    console.log(
      `secrets: ${secrets.length} secrets, ${messages.length} messages, ${storageDumps.length} storage areas, ${consoleLines.length} console lines, ` +
        `${duringFlow.files} + ${afterClose.files} profile files (${duringFlow.pieces.length + afterClose.pieces.length} pieces) scanned; found in clear: ${found.length}`,
    );
    addFigures({ secret_scan_places_count: scanned });
    if (process.env.MTG_SECRETS_DUMP !== undefined)
      await fs.writeFile(process.env.MTG_SECRETS_DUMP, [...consoleLines, ...messages.map((m) => `${m.channel} ${m.text}`)].join('\n'));
    expect(found).toEqual([]);
  }, 600_000);
});

/**
 * Installed in the content script's isolated world: wraps the functions the script calls
 * (`runtime.sendMessage`, `runtime.connect`) to keep every answer and every port message, and
 * listens to `runtime.onMessage`. Chromium 156 has a native `browser`; both namespaces are wrapped.
 */
const RECORDER = `(() => {
  if (globalThis.__mtgRecorded) return -1;
  const log = (globalThis.__mtgRecorded = []);
  const record = (channel, value) => {
    let text;
    try { text = JSON.stringify(value) ?? String(value); } catch { text = String(value); }
    log.push({ channel, text });
  };
  const runtimes = [...new Set([globalThis.chrome?.runtime, globalThis.browser?.runtime].filter(Boolean))];
  for (const runtime of runtimes) {
    const send = runtime.sendMessage;
    runtime.sendMessage = function (...args) {
      const last = args[args.length - 1];
      if (typeof last === 'function') {
        args[args.length - 1] = (response) => { record('response', response); last(response); };
        return send.apply(this, args);
      }
      const answer = send.apply(this, args);
      answer.then((response) => record('response', response), () => undefined);
      return answer;
    };
    const connect = runtime.connect;
    runtime.connect = function (...args) {
      const port = connect.apply(this, args);
      port.onMessage.addListener((message) => record('port ' + port.name, message));
      return port;
    };
    runtime.onMessage.addListener((message) => { record('onMessage', message); });
  }
  return runtimes.length;
})()`;

async function evaluateIn(cdp: CDPSession, contextId: number, expression: string): Promise<unknown> {
  const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', { contextId, expression, returnByValue: true });
  if (exceptionDetails)
    throw new Error(`in the content script's world: ${exceptionDetails.text} ${exceptionDetails.exception?.description ?? ''}`);
  return result.value as unknown;
}

/** The access token of one device, from Synapse's own database (the extension never shows it). */
function readAccessToken(server: SynapseServer, userId: string, deviceId: string): string {
  const db = new DatabaseSync(path.join(path.dirname(server.logPath), 'homeserver.db'), { readOnly: true });
  try {
    const row = db.prepare('SELECT token FROM access_tokens WHERE user_id = ? AND device_id = ?').get(userId, deviceId) as
      { token?: string } | undefined;
    if (typeof row?.token !== 'string') throw new Error(`no access token for ${userId}/${deviceId}`);
    return row.token;
  } finally {
    db.close();
  }
}

/**
 * From the server's account data and the passphrase: the secret storage key (as raw bytes and
 * as the recovery key it encodes), and every secret it protects (the private cross-signing
 * keys and the key backup's private key).
 */
async function accountSecrets(baseUrl: string, user: RegisteredUser, passphrase: string): Promise<Secret[]> {
  const accountData = async <T>(type: string): Promise<T> => {
    const response = await fetch(`${baseUrl}/_matrix/client/v3/user/${encodeURIComponent(user.userId)}/account_data/${type}`, {
      headers: { Authorization: `Bearer ${user.accessToken}` },
    });
    if (!response.ok) throw new Error(`account data ${type}: ${response.status}`);
    return (await response.json()) as T;
  };
  const { key: keyId } = await accountData<{ key: string }>('m.secret_storage.default_key');
  const keyInfo = await accountData<{ passphrase: { salt: string; iterations: number } }>(`m.secret_storage.key.${keyId}`);
  const key = await deriveRecoveryKeyFromPassphrase(passphrase, keyInfo.passphrase.salt, keyInfo.passphrase.iterations);
  const recoveryKey = encodeRecoveryKey(key);
  if (recoveryKey === undefined) throw new Error('could not encode the recovery key');
  const secrets: Secret[] = [
    keySecret('secret storage key', key),
    { name: 'recovery key', needles: needlesOf([recoveryKey, recoveryKey.replace(/\s+/g, '')]) },
  ];
  for (const name of ['m.cross_signing.master', 'm.cross_signing.self_signing', 'm.cross_signing.user_signing', 'm.megolm_backup.v1']) {
    const stored = await accountData<{ encrypted: Record<string, { iv: string; ciphertext: string; mac: string }> }>(name);
    const encrypted = stored.encrypted[keyId];
    if (!encrypted) throw new Error(`${name} is not encrypted with the default key`);
    const privateKey = await decryptAESSecretStorageItem(encrypted, key, name);
    secrets.push(textSecret(`${name} (base64)`, privateKey), keySecret(`${name} (bytes)`, Buffer.from(privateKey, 'base64')));
  }
  return secrets;
}
