import fs from 'node:fs/promises';
import path from 'node:path';
import type { CDPSession, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'webextension-polyfill';
import type { ExtensionStatus } from '../../src/messaging/protocol';
import { type ChromiumSession, launchChromium } from '../support/chromium.ts';
import { signInThroughOptions } from '../support/extensionPages.ts';
import { addFigures } from '../support/figures.ts';
import { chromiumArgsForSites, startFixtureSite, type FixtureSite } from '../support/fixtureSite.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { Peer } from '../support/peer.ts';
import { connectToSynapse, type RegisteredUser } from '../support/synapse.ts';
import { waitFor } from '../support/waitFor.ts';

declare const chrome: Browser;

/**
 * Hostile input at the extension's edges, in Chromium with the built extension signed in and
 * a ledger with real warnings: a compromised or malicious page that runs code in our content
 * script's world (an XSS in the web client cannot, but a bug in ours might let it steer what
 * the script sends), a page posting messages at us, and a site we do not watch. Whatever they
 * send, the background answers with typed errors and nothing it holds changes: not the
 * account, not the policy, not one ledger entry.
 */

const server = inject('synapse');
const synapse = connectToSynapse(server);

/** The kinds a content script may send; anything else from one must be refused. */
const CONTENT_SCRIPT_KINDS = ['page.hello', 'page.room', 'page.shown', 'page.review', 'page.visible'];

/** A well-formed ed25519 key, for requests that must be refused for who sends them, not their shape. */
const SOME_KEY = 'q0Xk3Zc1bm9yZWFsbHlhbmVkMjU1MTlrZXloZXJlAAA';

describe('hostile input against the built extension, in Chromium', () => {
  let chromium: ChromiumSession;
  let alice: RegisteredUser;
  let roomId: string;
  let rogue: Peer;
  const peers: Peer[] = [];
  const sites: FixtureSite[] = [];

  async function fromOptions<T>(run: (page: Page) => Promise<T>): Promise<T> {
    // In a window of its own: a new tab would hide the page under test from the user.
    const page = await chromium.openExtensionPageAside('options.html');
    try {
      return await run(page);
    } finally {
      await page.close();
    }
  }

  /** Everything the background holds that a hostile message could try to change. */
  async function backgroundState(): Promise<{ account: unknown; policy: string; ledger: unknown; sites: unknown }> {
    return fromOptions(async (page) => {
      const answers = await page.evaluate(async () => {
        const ask = async (kind: string): Promise<{ ok: boolean; result: unknown }> => chrome.runtime.sendMessage({ kind, params: {} });
        return { status: await ask('status.get'), ledger: await ask('ledger.export'), sites: await ask('sites.list') };
      });
      const status = answers.status.result as ExtensionStatus;
      const account =
        status.account.state === 'signed-in'
          ? { state: 'signed-in', userId: status.account.userId, deviceId: status.account.deviceId }
          : status.account;
      const ledger = JSON.parse((answers.ledger.result as { json: string }).json) as { entries: unknown[] };
      return { account, policy: status.policy, ledger: ledger.entries, sites: answers.sites.result };
    });
  }

  /** The ledger entry of the rogue device in `room`, as exported. */
  async function rogueEntry(room: string): Promise<{ roomId: string; deviceId: string; warnedAt?: number } | undefined> {
    const { ledger } = await backgroundState();
    return (ledger as { roomId: string; deviceId: string; warnedAt?: number }[]).find(
      (entry) => entry.roomId === room && entry.deviceId === rogue.deviceId,
    );
  }

  /** The execution context our content script runs in, in `page` (CDP: an isolated world named after the extension). */
  async function contentScriptWorld(page: Page): Promise<{ cdp: CDPSession; contextId: number }> {
    const cdp = await page.context().newCDPSession(page);
    const worlds: { id: number; name: string; type: string }[] = [];
    cdp.on('Runtime.executionContextCreated', ({ context }) => {
      const aux = context.auxData as { type?: string } | undefined;
      worlds.push({ id: context.id, name: context.name, type: aux?.type ?? '' });
    });
    await cdp.send('Runtime.enable');
    const world = await waitFor('the content script world', () =>
      worlds.find((w) => w.type === 'isolated' && w.name === 'Matrix Trust Guard'),
    );
    return { cdp, contextId: world.id };
  }

  beforeAll(async () => {
    alice = await synapse.registerUser({ displayName: 'Alice' });
    const element = await fs.readFile(path.join(REPO_ROOT, 'test/fixtures/element-web.html'), 'utf8');
    sites.push(await startFixtureSite('app.element.io', { '/': element }));
    sites.push(await startFixtureSite('chat.unwatched.example', { '/': element }));
    chromium = await launchChromium({ args: chromiumArgsForSites(sites) });
    await fromOptions((options) =>
      signInThroughOptions(options, { homeserver: server.baseUrl, userId: alice.userId, password: alice.password }),
    );
    const phone = await Peer.login(server, alice, { deviceName: "Alice's phone" });
    const dave = await Peer.login(server, await synapse.registerUser({ displayName: 'Dave' }), { deviceName: "Dave's laptop" });
    peers.push(phone, dave);
    await dave.bootstrapCrossSigning();
    roomId = await phone.shareRoomWith(dave);
    rogue = await dave.addUnsignedDevice({ deviceName: 'Rogue' });
    peers.push(rogue);
    await waitFor(
      'the ledger to hold the rogue device',
      async () =>
        ((await backgroundState()).ledger as { deviceId: string }[]).some((entry) => entry.deviceId === rogue.deviceId) || undefined,
      120_000,
    );
  });

  afterAll(async () => {
    for (const peer of peers) peer.stop();
    await chromium.close();
    for (const site of sites) await site.close();
  });

  it('refuses, from a content script world under hostile control, every request only extension pages may make, and random ones', async () => {
    const page = await chromium.context.newPage();
    await page.goto(`https://app.element.io/#/room/${roomId}`);
    const { cdp, contextId } = await contentScriptWorld(page);
    // What a content script may ask works from that world (so the refusals below are not a
    // dead channel).
    const { result: allowed } = await cdp.send('Runtime.evaluate', {
      contextId,
      awaitPromise: true,
      returnByValue: true,
      expression: `chrome.runtime.sendMessage({ kind: 'page.room', params: { room: { kind: 'id', roomId: ${JSON.stringify(roomId)} } } })`,
    });
    expect((allowed.value as { ok: boolean }).ok).toBe(true);
    // The page shows the room's banner: its warnings are stamped as shown, once, before the state is taken.
    await waitFor('the banner to count as shown', async () => (await rogueEntry(roomId))?.warnedAt);
    const before = await backgroundState();
    const ids = { roomId, userId: rogue.userId, deviceId: rogue.deviceId, key: SOME_KEY };
    const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', {
      contextId,
      awaitPromise: true,
      returnByValue: true,
      expression: `(async (ids) => {
        // The most damaging things a page could want, well-formed, then broken and random ones.
        const wanted = [
          ['room.report', { roomId: ids.roomId }],
          ['room.acknowledge', { roomId: ids.roomId, devices: [{ userId: ids.userId, deviceId: ids.deviceId, ed25519Key: ids.key }] }],
          ['user.pinIdentity', { userId: ids.userId, masterKey: ids.key }],
          ['user.withdrawVerification', { userId: ids.userId, masterKey: ids.key }],
          ['settings.setPolicy', { policy: 'default' }],
          ['ledger.import', { json: '{"format":"matrix-trust-guard/warned-device-ledger","version":1,"exportedAt":0,"entries":[]}' }],
          ['ledger.export', {}],
          ['account.signOut', {}],
          ['account.signIn', { homeserver: 'evil.example', user: '@me:evil.example', password: 'x' }],
          ['sites.add', { origin: 'https://evil.example' }],
          ['sites.remove', { origin: 'https://app.element.io' }],
          ['recovery.start', { reset: true }],
          ['recovery.showKey', {}],
          ['identity.reset', {}],
          ['session.signOut', { deviceId: ids.deviceId }],
          ['verification.start', {}],
          ['tab.state', { tabId: 1 }],
          ['status.get', {}],
          ['security.status', {}],
          ['trust.overview', {}],
        ];
        let seed = 7;
        const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
        const junk = [null, 0, -1, '', 'x'.repeat(100000), [], {}, { kind: 'room.acknowledge' }, { kind: 42, params: {} }, { kind: 'page.room', params: { room: { kind: 'id', roomId: 'not-a-room' } } },
          { kind: 'page.hello', params: { understood: 'yes' } }, { kind: 'room.report', params: { roomId: ids.roomId, extra: 1 } }, { kind: '__proto__', params: {} },
          JSON.parse('{"kind":"page.visible","params":{"__proto__":{"x":1}}}')];
        const messages = wanted.map(([kind, params]) => ({ kind, params }));
        for (let i = 0; i < 400; i++) messages.push(junk[Math.floor(rand() * junk.length)]);
        const answers = [];
        for (const message of messages) {
          try {
            answers.push({ kind: message && message.kind, answer: await chrome.runtime.sendMessage(message) });
          } catch (error) {
            answers.push({ kind: message && message.kind, thrown: String(error) });
          }
        }
        return answers;
      })(${JSON.stringify(ids)})`,
    });
    expect(exceptionDetails).toBeUndefined();
    const answers = result.value as { kind: unknown; answer?: { ok: boolean; error?: { code: string } }; thrown?: string }[];
    expect(answers).toHaveLength(420);
    for (const { kind, answer, thrown } of answers) {
      expect(thrown, String(kind)).toBeUndefined();
      expect(answer?.ok, String(kind)).toBe(false);
      expect(['malformed', 'unknown-kind', 'forbidden'], String(kind)).toContain(answer?.error?.code);
    }
    // The twenty requests only extension pages may make were refused as forbidden, not merely malformed.
    expect(answers.slice(0, 20).map((a) => a.answer?.error?.code)).toEqual(Array(20).fill('forbidden'));
    expect(CONTENT_SCRIPT_KINDS).not.toContain('room.report');
    expect(CONTENT_SCRIPT_KINDS).not.toContain('room.acknowledge');
    addFigures({ fuzz_cases_count: answers.length + 1 });
    await cdp.detach();
    await page.close();
    expect(await backgroundState()).toEqual(before);
  });

  it('lets a page learn and stamp nothing of a room other than the one its tab shows', async () => {
    // A second room with the same rogue device, never opened anywhere.
    const [phone, dave] = peers as [Peer, Peer];
    const hidden = await phone.shareRoomWith(dave);
    await waitFor('the ledger to hold the rogue device in the second room', async () => (await rogueEntry(hidden)) ?? undefined, 120_000);
    const page = await chromium.context.newPage();
    await page.goto(`https://app.element.io/#/room/${roomId}`);
    const { cdp, contextId } = await contentScriptWorld(page);
    const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', {
      contextId,
      awaitPromise: true,
      returnByValue: true,
      expression: `(async (rooms) => {
        // The tab shows the first room (as the page said, through the real content script).
        await chrome.runtime.sendMessage({ kind: 'page.room', params: { room: { kind: 'id', roomId: rooms.shown } } });
        const follow = (name, topic) => new Promise((resolve) => {
          const port = chrome.runtime.connect({ name });
          const heard = [];
          port.onMessage.addListener((message) => heard.push(message));
          port.onDisconnect.addListener(() => resolve({ heard, disconnected: true }));
          port.postMessage({ topic });
          setTimeout(() => { port.disconnect(); resolve({ heard, disconnected: false }); }, 3000);
        });
        const other = await follow('pageRoom', rooms.hidden);
        const full = await follow('room', rooms.hidden);
        const own = await follow('pageRoom', rooms.shown);
        // Claiming to have shown the other room's warnings.
        const claim = await chrome.runtime.sendMessage({ kind: 'page.shown', params: { roomId: rooms.hidden, banner: true, userIds: [rooms.rogue] } });
        return { other, full, own, claim };
      })(${JSON.stringify({ shown: roomId, hidden, rogue: rogue.userId })})`,
    });
    expect(exceptionDetails).toBeUndefined();
    type Followed = { heard: { value?: unknown; unavailable?: string }[]; disconnected: boolean };
    const { other, full, own, claim } = result.value as { other: Followed; full: Followed; own: Followed; claim: { ok: boolean } };
    // The other room: refused, with nothing of it (no badge, no count, no name).
    expect(other.heard).toEqual([{ name: 'pageRoom', topic: hidden, unavailable: '' }]);
    expect(JSON.stringify(other.heard)).not.toContain(rogue.deviceId);
    // Full reports are for the extension's own pages: the port is closed at once.
    expect(full).toEqual({ heard: [], disconnected: true });
    // Its own room works over the same channel, with only what badges need.
    const view = own.heard.find((message) => message.value !== undefined)?.value as {
      roomId: string;
      badges: { newDevices: Record<string, unknown>[] }[];
    };
    expect(view.roomId).toBe(roomId);
    expect(JSON.stringify(view)).toContain(rogue.deviceId);
    expect(Object.keys(view.badges[0]?.newDevices[0] ?? {}).sort()).toEqual(['class', 'deviceId', 'displayName']);
    // The claim is answered, and ignored: the tab is not on that room.
    expect(claim.ok).toBe(true);
    expect((await rogueEntry(hidden))?.warnedAt).toBeUndefined();
    await cdp.detach();
    await page.close();
  });

  it('ignores what the page itself posts, and gives a page no way to reach the background', async () => {
    const before = await backgroundState();
    const page = await chromium.context.newPage();
    await page.goto(`https://app.element.io/#/room/${roomId}`);
    await contentScriptWorld(page);
    const reach = await page.evaluate((room) => {
      for (const kind of ['room.acknowledge', 'account.signOut', 'settings.setPolicy', 'page.review']) {
        window.postMessage({ kind, params: { roomId: room, policy: 'strict' } }, '*');
        window.postMessage(JSON.stringify({ kind, params: { roomId: room } }), '*');
        document.dispatchEvent(new CustomEvent('mtg', { detail: { kind, params: { roomId: room } } }));
      }
      // No extension lists this site as externally connectable: the page has no channel to us.
      const runtime = (globalThis as { chrome?: { runtime?: { sendMessage?: unknown } } }).chrome?.runtime;
      return typeof runtime?.sendMessage;
    }, roomId);
    expect(reach).toBe('undefined');
    // The messages above had a round trip's time to do harm: a request made after them has been answered.
    await fromOptions((options) => options.evaluate(() => chrome.runtime.sendMessage({ kind: 'status.get', params: {} })));
    expect(await backgroundState()).toEqual(before);
    addFigures({ fuzz_cases_count: 12 });
    await page.close();
  });

  it('runs nothing in a site it does not watch, even one with a Matrix client in it', async () => {
    const page = await chromium.context.newPage();
    const cdp = await page.context().newCDPSession(page);
    const worlds: string[] = [];
    cdp.on('Runtime.executionContextCreated', ({ context }) =>
      worlds.push(`${(context.auxData as { type?: string } | undefined)?.type ?? ''}:${context.name}`),
    );
    await cdp.send('Runtime.enable');
    await page.goto(`https://chat.unwatched.example/#/room/${roomId}`);
    await page.waitForLoadState('load');
    await page.locator('.mx_MemberTileView').first().waitFor();
    // Content scripts run at document_idle, right after the load; on the watched site the world
    // is there by now (first test). A frame later, and after the background answered a request:
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
    await fromOptions((options) => options.evaluate(() => chrome.runtime.sendMessage({ kind: 'status.get', params: {} })));
    expect(worlds.filter((world) => world.includes('Matrix Trust Guard'))).toEqual([]);
    await cdp.detach();
    await page.close();
  });
});
