/**
 * What the benchmarks on big rooms share: a Synapse on tmpfs, a population joined to a room
 * with the extension's background logic (test/support/nodeBackground.ts, real Rust crypto)
 * joined to it, and ways to wait until that background is idle and to time a pass over a
 * collected heap. Used by bench/trustEngine.bench.ts (1,000 x 3) and bench/scale.bench.ts
 * (10,000 x 2).
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CryptoEvent, type CryptoApi } from 'matrix-js-sdk/lib/crypto-api/index.js';
import type { MatrixClient } from 'matrix-js-sdk';
import type { RoomTrustReport } from '../src/trust/types.ts';
import { type NodeBackground, newBrowserProfile, startNodeBackground } from '../test/support/nodeBackground.ts';
import { createPopulation, createRoom, invite, type Population } from '../test/support/population.ts';
// For its side effect: matrix-js-sdk's global logger (IndexedDBStore, MatrixRTC) keeps to warnings.
import '../test/support/peer.ts';
import { startSynapse, type RegisteredUser, type SynapseServer } from '../test/support/synapse.ts';
import { waitFor } from '../test/support/waitFor.ts';
import { sdkSessionOf } from '../test/support/sdkSession';

export interface Push {
  report: RoomTrustReport;
  at: number;
}

export interface BigRoom {
  /** The room's creator, a server admin (it can join more users to rooms it is in). */
  owner: RegisteredUser;
  roomId: string;
  population: Population;
  /** The extension's user, and its background, joined to the room and idle. */
  extensionUser: RegisteredUser;
  background: NodeBackground;
  pushes: PushWatch;
  /** From the extension's join request to its crypto knowing every population device. */
  ingestMs: number;
}

/**
 * A room of `users` users with `devicesPerUser` devices each (all but the last signed by their
 * owner: one warning per member), its creator, and the extension's user, whose background has
 * joined it, knows every device (checked one by one), has gone quiet and, with
 * `awaitWholeReport`, has pushed a report of the whole room. The caller stops the background.
 * `started` is for the progress log.
 */
export async function bigRoomWithExtension(
  synapse: SynapseServer,
  {
    users,
    devicesPerUser,
    started,
    awaitWholeReport,
  }: { users: number; devicesPerUser: number; started: number; awaitWholeReport: boolean },
): Promise<BigRoom> {
  const owner = await synapse.registerUser({ localpart: 'big-room-owner', admin: true });
  await pauseBackgroundUpdates(synapse.baseUrl, owner.accessToken);
  // Public while people join (a private room makes Synapse's user directory pair every new
  // member with every old one), invite-only once everyone is in.
  const roomId = await createRoom(synapse.baseUrl, owner.accessToken, { name: 'Big room', preset: 'public_chat' });
  const population = await createPopulation(synapse, {
    users,
    devicesPerUser,
    roomId,
    adminToken: owner.accessToken,
    onProgress: (done, total) => {
      if (done % 1000 === 0 || total <= 1000) console.log(`  population: ${done}/${total} users (${seconds(performance.now() - started)})`);
    },
  });
  console.log(`  population of ${users}x${devicesPerUser} built in ${seconds(population.elapsedMs)}`);
  await setJoinRule(synapse.baseUrl, owner.accessToken, roomId, 'invite');

  const extensionUser = await synapse.registerUser({ localpart: 'extension-user' });
  await invite(synapse.baseUrl, owner.accessToken, roomId, extensionUser.userId);
  const background = await startNodeBackground(newBrowserProfile());
  try {
    await background.account.signIn({ homeserver: synapse.baseUrl, user: extensionUser.userId, password: extensionUser.password });
    const session = sdkSessionOf(background.account.device);
    const pushes = watchPushes(background);

    const ingestStart = performance.now();
    const ingestMs = await joinAndIngest(session.client, session.crypto, roomId, population);
    console.log(`  the extension knows all ${users * devicesPerUser} devices ${seconds(ingestMs)} after joining`);
    if (awaitWholeReport) {
      await waitFor(
        'the background to report the whole big room',
        () => background.reports.findLast((r) => r.roomId === roomId && r.checking.length === 0 && r.memberCount === users + 2),
        180_000,
      ).catch((error: unknown) => {
        const last = background.reports.findLast((r) => r.roomId === roomId);
        const seen = last
          ? `${last.memberCount} members, being checked: ${last.checking.map((c) => c.userId).join(', ') || 'none'}`
          : 'no report';
        throw new Error(`${(error as Error).message}; its last report had ${seen} (expected ${users + 2} members)`, { cause: error });
      });
      console.log(`  the background reported the whole room ${seconds(performance.now() - ingestStart)} after joining`);
    }
    // Later batches of keys may still have the background recomputing the room (seconds each).
    await untilCryptoIdle(session.crypto, pushes, 3_000, Math.max(300_000, users * 60));
    console.log(`  the background went quiet ${seconds(performance.now() - ingestStart)} after joining`);
    await checkPopulationAsSeen(session.crypto, population);
    return { owner, roomId, population, extensionUser, background, pushes, ingestMs };
  } catch (error) {
    background.stop();
    throw error;
  }
}

/** A report of the big room: everyone known, one warning (the unsigned device) per member. */
export function checkBigRoomReport(report: RoomTrustReport, roomId: string, users: number): void {
  if (report.roomId !== roomId || report.memberCount !== users + 2 || report.checking.length > 0 || report.warnings.warn !== users) {
    throw new Error(
      `unexpected big-room report: ${report.memberCount} members, ${report.checking.length} being checked, ${report.warnings.warn} warnings`,
    );
  }
}

/**
 * matrix-js-sdk arms a timer for each request's local timeout and never clears it (its
 * `timeoutSignal`); for /sync that is the poll timeout plus 80 s. Once the background is
 * stopped those timers only keep Node alive, for up to 100 s after the last figure. This
 * notes every long timer armed during the benchmark and, at the end, unrefs them (they still
 * fire if the process lives on for other reasons).
 */
export function unrefLongTimersAfterwards(): () => void {
  const original = globalThis.setTimeout;
  const long: { unref(): unknown }[] = [];
  const noting = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): unknown => {
    const timer: unknown = original(callback, ms, ...args);
    if ((ms ?? 0) >= 30_000 && typeof timer === 'object' && timer !== null && 'unref' in timer && typeof timer.unref === 'function') {
      long.push(timer as { unref(): unknown });
    }
    return timer;
  };
  globalThis.setTimeout = Object.assign(noting, original) as typeof setTimeout;
  return () => {
    globalThis.setTimeout = original;
    for (const timer of long) timer.unref();
  };
}

/** Joins the big room and returns how long until every member's devices are known. */
export async function joinAndIngest(client: MatrixClient, crypto: CryptoApi, roomId: string, population: Population): Promise<number> {
  const userIds = population.users.map((user) => user.userId);
  const devicesPerUser = population.users[0]?.devices.length ?? 0;
  const updated = new Set<string>();
  let allUpdatedAt: number | undefined;
  const onDevices = (ids: string[]) => {
    for (const id of ids) updated.add(id);
    if (allUpdatedAt === undefined && userIds.every((id) => updated.has(id))) allUpdatedAt = performance.now();
  };
  client.on(CryptoEvent.DevicesUpdated, onDevices);
  try {
    const start = performance.now();
    await client.joinRoom(roomId);
    // The events say when the last user's keys were stored; one full look confirms it.
    await waitFor(
      'the extension to know every device of the big room',
      async () => {
        if (allUpdatedAt === undefined) return undefined;
        const known = await crypto.getUserDeviceInfo(userIds);
        return userIds.every((id) => known.get(id)?.size === devicesPerUser) || undefined;
      },
      Math.max(180_000, userIds.length * 60),
    );
    if (allUpdatedAt === undefined) throw new Error('unreachable: waited for allUpdatedAt');
    return allUpdatedAt - start;
  } finally {
    client.off(CryptoEvent.DevicesUpdated, onDevices);
  }
}

/**
 * Times one pass over a collected heap. matrix-js-sdk leaves the wasm wrappers it gets from
 * `OlmMachine.trackedUsers()` to the FinalizationRegistry (1,000 per call at this size), so a
 * pass leaves millions of finalizable objects behind; without a collection in between, the next
 * pass (raw or cold, whichever comes next) pays for them and the figures swing several-fold.
 * Garbage collection during the pass itself is counted, and shown.
 */
export async function timedPass(what: string, work: () => Promise<unknown>): Promise<number> {
  await settleHeap();
  const gcBefore = gcTotals.ms;
  const start = performance.now();
  await work();
  const elapsed = performance.now() - start;
  await delay(0); // let the observer report the collections of the pass
  console.log(`  ${what}: ${ms(elapsed)} (garbage collection ${ms(gcTotals.ms - gcBefore)})`);
  return elapsed;
}

const gcTotals = { ms: 0 };
let collect: (() => void) | undefined;

async function settleHeap(): Promise<void> {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
    new PerformanceObserver((entries) => {
      for (const entry of entries.getEntries()) gcTotals.ms += entry.duration;
    }).observe({ entryTypes: ['gc'] });
  }
  for (let i = 0; i < 3; i++) {
    collect();
    await delay(50); // FinalizationRegistry callbacks run as tasks after a collection
  }
}

/** Every population device as the extension's crypto sees it: the right key, signed or not as built. */
export async function checkPopulationAsSeen(crypto: CryptoApi, population: Population): Promise<void> {
  const wrong: string[] = [];
  const known = await crypto.getUserDeviceInfo(population.users.map((user) => user.userId));
  for (const user of population.users) {
    // `known`: the crypto holds an identity for the user.
    if (!(await crypto.getUserVerificationStatus(user.userId)).known) wrong.push(`${user.userId} has no identity`);
    for (const device of user.devices) {
      const status = await crypto.getDeviceVerificationStatus(user.userId, device.deviceId);
      const fingerprint = known.get(user.userId)?.get(device.deviceId)?.getFingerprint();
      if (status?.signedByOwner !== device.signedByOwner || fingerprint !== device.ed25519) {
        wrong.push(`${user.userId}/${device.deviceId}: signedByOwner ${String(status?.signedByOwner)}, key ${fingerprint ?? 'none'}`);
      }
    }
  }
  if (wrong.length > 0) throw new Error(`the population is not what the extension sees:\n${wrong.slice(0, 10).join('\n')}`);
  const pattern = population.users[0]?.devices.map((device) => device.signedByOwner).join('/') ?? '';
  const devices = population.users.reduce((sum, user) => sum + user.devices.length, 0);
  console.log(`  checked: all ${population.users.length} identities and ${devices} devices as built (signedByOwner ${pattern})`);
}

export interface PushWatch {
  /** The next pushed report that satisfies `check`, and when it was pushed. */
  next(check: (report: RoomTrustReport) => boolean, what: string, timeoutMs: number): Promise<Push>;
  /** Resolves once no report was pushed for `ms`. */
  quiet(ms: number): Promise<void>;
  /** Milliseconds since the last push. */
  quietFor(): number;
}

/** Hooks the background's report list, so every push is seen the moment it happens. */
export function watchPushes(background: NodeBackground): PushWatch {
  const waiters = new Set<{ check: (report: RoomTrustReport) => boolean; resolve: (push: Push) => void }>();
  let lastPushAt = performance.now();
  const push = background.reports.push.bind(background.reports);
  background.reports.push = (...reports: RoomTrustReport[]) => {
    const at = performance.now();
    lastPushAt = at;
    for (const report of reports) {
      for (const waiter of waiters) {
        if (waiter.check(report)) {
          waiters.delete(waiter);
          waiter.resolve({ report, at });
        }
      }
    }
    return push(...reports);
  };
  return {
    next(check, what, timeoutMs) {
      return new Promise<Push>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs);
        const waiter = {
          check,
          resolve: (value: Push) => {
            clearTimeout(timer);
            resolve(value);
          },
        };
        waiters.add(waiter);
      });
    },
    quietFor: () => performance.now() - lastPushAt,
    async quiet(quietMs) {
      await waitFor(`${quietMs} ms without a pushed report`, () => performance.now() - lastPushAt >= quietMs || undefined, 120_000);
    },
  };
}

/**
 * Waits until nobody (the background's engine above all) has asked the crypto for a device
 * list, nor pushed a report, for `quietMs`: a recompute asks for every member's devices and
 * ends with a push, so the background is idle. Measuring while it recomputes would time both.
 */
export async function untilCryptoIdle(crypto: CryptoApi, pushes: PushWatch, quietMs: number, timeoutMs = 300_000): Promise<void> {
  let lastCallAt = performance.now();
  const original = crypto.getUserDeviceInfo.bind(crypto);
  crypto.getUserDeviceInfo = (...args) => {
    lastCallAt = performance.now();
    return original(...args);
  };
  try {
    await waitFor(
      'the background to stop computing',
      () => (performance.now() - lastCallAt >= quietMs && pushes.quietFor() >= quietMs) || undefined,
      timeoutMs,
    );
  } finally {
    Reflect.deleteProperty(crypto, 'getUserDeviceInfo'); // the prototype's method again
  }
}

export function joinedMemberIds(client: MatrixClient, roomId: string): string[] {
  const room = client.getRoom(roomId);
  if (!room) throw new Error('the extension does not have the big room');
  return room.getJoinedMembers().map((member) => member.userId);
}

export async function setJoinRule(baseUrl: string, token: string, roomId: string, joinRule: 'invite' | 'public'): Promise<void> {
  const response = await fetch(`${baseUrl}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.join_rules/`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ join_rule: joinRule }),
  });
  if (!response.ok) throw new Error(`setting the join rule answered ${response.status}`);
}

/**
 * Synapse on sqlite commits (and fsyncs) thousands of small transactions while the population
 * is built; on tmpfs that costs nothing. startSynapse puts its files under os.tmpdir(), which
 * reads TMPDIR when called.
 */
/**
 * Synapse's user directory keeps, for every room that is not public, a row for each pair of
 * its members: once the 10,000-member room turns invite-only that is 10,000² rows (about 33 GB
 * of sqlite; measured: 330 MB at 1,000 members), which filled memory and slowed every request of
 * the fifty-room part to a crawl. Nothing here searches the directory, so Synapse does not keep
 * it: this switch stops the live updates (`update_user_directory` is the legacy name; its
 * replacement only moves the work to a worker), and pauseBackgroundUpdates the first fill, a
 * background update that a fresh database queues and that ran, minutes in, over the big room.
 */
const NO_USER_DIRECTORY = { update_user_directory: false };

/**
 * Pauses Synapse's background updates (admin API; not kept over a restart). A fresh database
 * queues dozens, among them the user directory's first fill (see NO_USER_DIRECTORY); the
 * others only add indexes and columns Synapse does without until they are done.
 */
export async function pauseBackgroundUpdates(baseUrl: string, adminToken: string): Promise<void> {
  const response = await fetch(`${baseUrl}/_synapse/admin/v1/background_updates/enabled`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ enabled: false }),
  });
  const answer = (await response.json().catch(() => undefined)) as { enabled?: unknown } | undefined;
  if (!response.ok || answer?.enabled !== false) throw new Error(`pausing Synapse's background updates answered ${response.status}`);
}

export async function startSynapseInMemory(name: string): Promise<SynapseServer> {
  const previous = process.env.TMPDIR;
  if (existsSync('/dev/shm')) {
    removeAbandonedDatabases('/dev/shm', name);
    process.env.TMPDIR = '/dev/shm';
  }
  try {
    return await startSynapse({ name, extraConfig: NO_USER_DIRECTORY });
  } finally {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  }
}

/**
 * A benchmark that was killed leaves its Synapse directory in /dev/shm, which is memory: a
 * 10,000-user database was once 17 GB (see NO_USER_DIRECTORY), and one left behind made the
 * next run's figures those of a machine out of memory. Removes those whose Synapse no longer
 * runs (its pid file names no live process).
 */
function removeAbandonedDatabases(root: string, name: string): void {
  for (const entry of readdirSync(root)) {
    if (!entry.startsWith(`synapse-${name}-`)) continue;
    const dir = join(root, entry);
    let pid: number | undefined;
    try {
      pid = Number(readFileSync(join(dir, 'homeserver.pid'), 'utf8').trim());
    } catch {
      // No pid file: Synapse never started there, or it was removed with a clean stop.
    }
    if (pid !== undefined && Number.isInteger(pid) && pid > 0 && isRunning(pid)) continue;
    console.log(`  removing ${dir}, left by a run that did not finish`);
    rmSync(dir, { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

export function seconds(value: number): string {
  return `${(value / 1000).toFixed(1)} s`;
}

export function list(values: readonly number[]): string {
  return values.map((value) => value.toFixed(1)).join(', ');
}
