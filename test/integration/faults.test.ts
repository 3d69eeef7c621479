import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { POLL_TIMEOUT_MS } from '../../src/matrix/matrixSession';
import { SYNC_OVERDUE_MARGIN_MS, type SyncStatus } from '../../src/matrix/syncStatus';
import { addFigures } from '../support/figures.ts';
import { type FaultProxy, type ProxiedRequest, startFaultProxy } from '../support/faultProxy.ts';
import { type NodeBackground, newBrowserProfile, startNodeBackground } from '../support/nodeBackground.ts';
import { Peer } from '../support/peer.ts';
import { connectToSynapse, type RegisteredUser } from '../support/synapse.ts';
import { waitFor } from '../support/waitFor.ts';

/**
 * The extension's background (the real AccountService over Rust crypto) signed in through a
 * fault-injecting proxy in front of the real Synapse. Peers talk to Synapse directly, so the
 * world keeps changing while only the extension's line is broken. Each scenario checks: the
 * status stops saying "up to date" and keeps the time of the last good sync; the requests
 * during the fault stay bounded; the status comes back to "up to date" with no user action;
 * and a device Bob added during the fault is in the room's report afterwards.
 *
 * One signed-in extension serves every scenario (signing in and sharing a room take most of a
 * minute on this machine); each scenario leaves the proxy clean, and the revoked-token one,
 * which ends the session, comes last.
 */

const server = inject('synapse');
const synapse = connectToSynapse(server);

/** "A server that disappears for minutes", as long as the test can afford. */
const OUTAGE_MS = 60_000;

/**
 * matrix-js-sdk, while the server is unreachable, pings /versions every 5 to 10 s (sync.js,
 * pokeKeepAlive) and sends nothing else until a ping answers: at most 12 a minute. When
 * /versions answers but /sync fails, each retry waits 2 to 7 s for the keep-alive first, so at
 * most 30 /sync and 30 /versions a minute; Rust crypto's own requests ride on each sync loop.
 * The bounds below add headroom to those figures and still fail on a retry loop without a wait.
 */
const UNREACHABLE_PER_MINUTE = 20;
const FAILING_SYNC_PER_MINUTE = 80;
/** Requests already in flight when a window opens. */
const BURST = 4;

let alice: RegisteredUser;
let proxy: FaultProxy;
let extension: NodeBackground;
let alicePhone: Peer;
let bob: Peer;
let roomId: string;
/** What the scenarios started, stopped at the end whatever happened. */
const cleanups: (() => unknown)[] = [];
/** Every sync status the extension published, with when (the UI shows exactly these). */
const history: { at: number; sync: SyncStatus }[] = [];
/** What each scenario measured, printed at the end for the record. */
const measured: Record<string, unknown> = {};

beforeAll(async () => {
  proxy = await startFaultProxy(server.baseUrl);
  cleanups.push(() => proxy.close());
  alice = await synapse.registerUser({ displayName: 'Alice' });
  extension = await startNodeBackground(newBrowserProfile());
  cleanups.push(() => extension.stop());
  extension.status.onChange((status) => {
    if (status.account.state === 'signed-in') history.push({ at: Date.now(), sync: status.account.sync });
  });
  await extension.account.signIn({ homeserver: proxy.url, user: alice.userId, password: alice.password });
  alicePhone = await Peer.login(server, alice, { deviceName: "Alice's phone" });
  cleanups.push(() => alicePhone.stop());
  bob = await Peer.login(server, await synapse.registerUser({ displayName: 'Bob' }), { deviceName: "Bob's laptop" });
  cleanups.push(() => bob.stop());
  roomId = await alicePhone.shareRoomWith(bob);
  await extension.reportWhere(roomId, (r) => r.memberCount === 2 && r.checking.length === 0, 'the extension to know the room');
  await upToDateAfter(0);
}, 180_000);

afterEach(async () => {
  proxy.clear();
  await proxy.up();
});

afterAll(async () => {
  console.log(`fault measurements: ${JSON.stringify(measured, null, 2)}`);
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function sync(): SyncStatus {
  return extension.signedIn().sync;
}

/** Waits until the extension says "up to date" from a sync that answered after `after`. */
function upToDateAfter(after: number, timeoutMs = 60_000): Promise<number> {
  return waitFor(
    `the extension to be up to date again (after ${new Date(after).toISOString()})`,
    () => {
      const current = sync();
      return current.state === 'syncing' && current.lastSyncAt > after ? current.lastSyncAt : undefined;
    },
    timeoutMs,
  );
}

/**
 * When the fault began, once the extension is up to date (so no scenario depends on how the
 * one before it ended).
 */
async function faultStarts(): Promise<{ at: number }> {
  await upToDateAfter(0);
  return { at: Date.now() };
}

/**
 * The first "offline" the extension published after `from`, checked to keep the time of the
 * last good sync before it. A long-poll already in flight when a fault is injected still
 * answers normally, so the last good sync is the last "up to date" before the offline one, not
 * the one before the fault was injected.
 */
function offlineAfter(from: number, timeoutMs = 60_000): Promise<Extract<SyncStatus, { state: 'offline' }> & { lastSyncAt: number }> {
  return waitFor(
    'the status to say offline',
    () => {
      const index = history.findIndex((entry) => entry.at >= from && entry.sync.state === 'offline');
      if (index < 0) return undefined;
      const offline = history[index]?.sync;
      // The status just before (up to date, or catching up after an earlier fault) names it.
      const before = history[index - 1]?.sync;
      const lastGood = before && 'lastSyncAt' in before ? before.lastSyncAt : undefined;
      if (offline?.state !== 'offline' || lastGood === undefined) throw new Error('offline without a good sync before it');
      expect(offline.lastSyncAt).toBe(lastGood);
      expect(offline.since).toBeGreaterThanOrEqual(lastGood);
      return { ...offline, lastSyncAt: lastGood };
    },
    timeoutMs,
  );
}

/** Bob logs in a new device (directly on Synapse) while the extension's line is broken. */
async function bobAddsDevice(name: string): Promise<Peer> {
  const device = await bob.addUnsignedDevice({ deviceName: name });
  cleanups.push(() => device.stop());
  return device;
}

/** Nothing lost: the device added during the fault reaches the room's report. */
async function reportHas(device: Peer): Promise<void> {
  const report = await extension.reportWhere(
    roomId,
    (r) => r.members.some((m) => m.userId === bob.userId && m.devices.some((d) => d.deviceId === device.deviceId)),
    `${device.label} in the report`,
    // Key queries after an outage can wait for the next sync loop.
  );
  const member = report.members.find((m) => m.userId === bob.userId);
  expect(member?.devices.find((d) => d.deviceId === device.deviceId)).toMatchObject({ class: 'unsigned', isNew: true });
}

function proxiedBetween(from: number, to: number, path?: RegExp): ProxiedRequest[] {
  return proxy.requests.filter((r) => r.at >= from && r.at <= to && (path === undefined || path.test(r.path)));
}

/** Asserts `count` requests in `windowMs` stay within `perMinute` (plus those in flight), and records the rate. */
function expectBounded(name: string, count: number, windowMs: number, perMinute: number): void {
  const ratePerMinute = Math.round((count * 60_000) / windowMs);
  measured[name] = { requests: count, windowSeconds: Math.round(windowMs / 1000), perMinute: ratePerMinute, bound: perMinute };
  expect(count).toBeLessThanOrEqual(Math.ceil((perMinute * windowMs) / 60_000) + BURST);
}

describe('under network faults the extension', () => {
  it(
    `survives the server disappearing for ${OUTAGE_MS / 1000} s (connections refused): offline, a ping every few seconds, back by itself`,
    async () => {
      const { at: downAt } = await faultStarts();
      const fetchesBefore = extension.requests.length;
      await proxy.down(OUTAGE_MS);
      const offline = await offlineAfter(downAt);
      const added = await bobAddsDevice('Phone added while the server was away');
      // The proxy sees nothing while it is down: count what the extension tried to fetch. The
      // status is read before each probe of the server; a read followed by a refused probe was
      // taken during the outage (once the server is back, the extension may be back first).
      const duringOutage: SyncStatus[] = [];
      await waitFor(
        'the server to come back',
        async () => {
          const status = sync();
          const up = await fetch(`${proxy.url}/_matrix/client/versions`).then(
            () => true,
            () => false,
          );
          if (!up) duringOutage.push(status);
          return up || undefined;
        },
        OUTAGE_MS + 30_000,
      );
      const upAt = Date.now();
      const tried = extension.requests.slice(fetchesBefore);
      expectBounded('refused', tried.length, upAt - downAt, UNREACHABLE_PER_MINUTE);
      // It did keep trying, or it would never notice the server is back.
      expect(tried.filter((url) => url.includes('/versions')).length).toBeGreaterThanOrEqual(Math.floor((upAt - downAt) / 10_000) - 2);
      // Offline all along, with the last good sync the UI shows.
      expect(duringOutage.length).toBeGreaterThan(0);
      for (const status of duringOutage)
        expect(status).toMatchObject({ state: 'offline', since: offline.since, lastSyncAt: offline.lastSyncAt });

      const back = await upToDateAfter(upAt);
      measured['refused-recovery'] = { outageSeconds: OUTAGE_MS / 1000, secondsToRecover: Math.round((back - upAt) / 1000) };
      // One keep-alive interval (at most 10 s) and a sync: well under half a minute.
      expect(back - upAt).toBeLessThan(30_000);
      await reportHas(added);
      addFigures({ faults_scenarios_count: 1 });
    },
    OUTAGE_MS + 150_000,
  );

  it('survives connections reset in the middle of /sync responses', async () => {
    const { at } = await faultStarts();
    proxy.inject({ kind: 'reset', path: /\/sync\b/, count: 3 });
    const added = await bobAddsDevice('Phone added during resets');
    await waitFor('three resets', () => (proxy.applied('reset') >= 3 ? true : undefined), 90_000);
    // A reset is a failed sync: the status said so, and kept the last good sync while it did.
    await offlineAfter(at);
    const back = await upToDateAfter(Date.now(), 60_000);
    expectBounded('reset', proxiedBetween(at, back).length, back - at, FAILING_SYNC_PER_MINUTE);
    await reportHas(added);
    addFigures({ faults_scenarios_count: 1 });
  }, 180_000);

  it('does not say "up to date" while a /sync hangs for 50 s, and recovers when it answers', async () => {
    const { at } = await faultStarts();
    // Longer than Chrome lets a fetch wait (30 s) and than the overdue rule (20 s + 15 s), shorter
    // than matrix-js-sdk's own give-up time (20 s + 80 s): only the overdue rule can notice it.
    proxy.inject({ kind: 'delay', delayMs: 50_000, path: /\/sync\b/, count: 1 });
    await waitFor('the /sync to hang', () => (proxy.applied('delay') >= 1 ? true : undefined), 60_000);
    const added = await bobAddsDevice('Phone added during a hung sync');
    const offline = await offlineAfter(at, 90_000);
    const lastGoodSync = offline.lastSyncAt;
    const overdueAfter = offline.since - lastGoodSync;
    expect(overdueAfter).toBe(POLL_TIMEOUT_MS + SYNC_OVERDUE_MARGIN_MS);
    // The status changed when the answer became overdue (timers may run a little late), long
    // before the hung request ended (at 50 s) or matrix-js-sdk gave up on it (at 100 s).
    const said = history.find((entry) => entry.at >= at && entry.sync.state === 'offline');
    expect((said?.at ?? Number.POSITIVE_INFINITY) - lastGoodSync).toBeLessThan(POLL_TIMEOUT_MS + SYNC_OVERDUE_MARGIN_MS + 10_000);
    expect(proxy.requests.filter((r) => r.fault === 'delay').length).toBe(1);

    const back = await upToDateAfter(lastGoodSync, 90_000);
    measured.delay = {
      hungSeconds: 50,
      secondsUntilOffline: Math.round(overdueAfter / 1000),
      secondsToRecover: Math.round((back - at) / 1000),
    };
    // A hung request is not a storm: nothing but the hung /sync and Rust crypto's own requests.
    expectBounded('delay-requests', proxiedBetween(at, back).length, back - at, UNREACHABLE_PER_MINUTE);
    await reportHas(added);
    addFigures({ faults_scenarios_count: 1 });
  }, 180_000);

  it.each([
    { status: 502, path: undefined, what: 'every request' },
    { status: 503, path: /\/sync\b/, what: '/sync only' },
  ])(
    'survives $status on $what: offline, bounded retries, back by itself',
    async ({ status, path }) => {
      const { at } = await faultStarts();
      const appliedBefore = proxy.applied('status');
      proxy.inject({ kind: 'status', status, path });
      const added = await bobAddsDevice(`Phone added during ${status}s`);
      await offlineAfter(at);
      // Let the retries run a while before counting them.
      await waitFor(`five ${status}s`, () => (proxy.applied('status') >= appliedBefore + 5 ? true : undefined), 60_000);
      const clearedAt = Date.now();
      proxy.clear();
      expectBounded(`status-${status}`, proxiedBetween(at, clearedAt).length, clearedAt - at, FAILING_SYNC_PER_MINUTE);
      const back = await upToDateAfter(clearedAt);
      measured[`status-${status}-recovery`] = {
        faultSeconds: Math.round((clearedAt - at) / 1000),
        secondsToRecover: Math.round((back - clearedAt) / 1000),
      };
      await reportHas(added);
      addFigures({ faults_scenarios_count: 1 });
    },
    180_000,
  );

  it('waits as long as a 429 asks (retry_after_ms) before the next request', async () => {
    const retryAfterMs = 9_000;
    const { at } = await faultStarts();
    proxy.inject({ kind: 'rate-limit', retryAfterMs, path: /\/sync\b/, count: 2 });
    const added = await bobAddsDevice('Phone added while rate-limited');
    await waitFor('both 429s', () => (proxy.applied('rate-limit') >= 2 ? true : undefined), 90_000);
    const back = await upToDateAfter(Date.now(), 60_000);
    const limited = proxy.requests.filter((r) => r.at >= at && r.fault === 'rate-limit');
    // The sync loop's next knock (its retry, or the keep-alive before it) waits the retry time;
    // matrix-js-sdk alone would knock again after 2 to 7 s.
    const retryGapsMs = limited.map(
      (hit) => (proxy.requests.find((r) => r.at > hit.at && /\/sync\b|\/versions/.test(r.path))?.at ?? Number.NaN) - hit.at,
    );
    for (const gap of retryGapsMs) expect(gap).toBeGreaterThanOrEqual(retryAfterMs - 100);
    // Anything else in the window was already on its way when the 429 arrived.
    const inWindow = limited.flatMap((hit) => proxy.requests.filter((r) => r.at > hit.at && r.at < hit.at + retryAfterMs - 100));
    expect(inWindow.length).toBeLessThanOrEqual(BURST);
    const offline = await offlineAfter(at);
    measured['rate-limit'] = {
      retryAfterMs,
      retryGapsMs,
      inWindow: inWindow.map((r) => `${r.method} ${r.path.split('?')[0] ?? ''} +${r.at - at}ms`),
    };
    expect(back).toBeGreaterThan(offline.lastSyncAt);
    await reportHas(added);
    addFigures({ faults_scenarios_count: 1 });
  }, 180_000);

  it('survives malformed JSON from /sync and from /keys/query without crashing or wedging', async () => {
    const { at } = await faultStarts();
    proxy.inject({ kind: 'malformed-json', path: /\/sync\b/, count: 2 });
    proxy.inject({ kind: 'malformed-json', path: /\/keys\/query/, count: 1 });
    const added = await bobAddsDevice('Phone added during malformed answers');
    await waitFor('two malformed /sync answers', () => (proxy.applied('malformed-json') >= 2 ? true : undefined), 90_000);
    await offlineAfter(at);
    await upToDateAfter(Date.now(), 60_000);
    // The key query that got garbage is asked again: Bob's new device still arrives.
    await reportHas(added);
    measured['malformed-json'] = { malformedAnswers: proxy.applied('malformed-json') };
    addFigures({ faults_scenarios_count: 1 });
  }, 180_000);

  // Last: it ends the shared extension's session.
  it('answers a revoked token (M_UNKNOWN_TOKEN) with "signed out by the server", keeps the ledger, and a new sign-in sees it', async () => {
    const ledger = await extension.ledger.allEntries();
    expect(ledger.some((entry) => entry.userId === bob.userId)).toBe(true);
    proxy.inject({ kind: 'unknown-token', path: /\/sync\b/, count: 1 });
    const ended = await waitFor(
      'the extension to notice',
      () => {
        const account = extension.status.get().account;
        return account.state === 'signed-out' ? account : undefined;
      },
      60_000,
    );
    expect(ended.endedByServerAt).toBeGreaterThan(0);
    expect(await extension.ledger.allEntries()).toEqual(ledger);
    await extension.account.signIn({ homeserver: proxy.url, user: alice.userId, password: alice.password });
    const entries = await extension.ledger.allEntries();
    for (const entry of ledger)
      expect(entries).toContainEqual(expect.objectContaining({ roomId: entry.roomId, userId: entry.userId, deviceId: entry.deviceId }));
    await upToDateAfter(ended.endedByServerAt ?? 0);
    addFigures({ faults_scenarios_count: 1 });
  }, 180_000);
});
