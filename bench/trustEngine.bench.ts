/**
 * The trust engine on a big room, as the extension runs it: the background's account logic
 * (AccountService, MatrixSession with Rust crypto, TrustEngine, the ledger in IndexedDB) in
 * Node via test/support/nodeBackground.ts, signed in to a local Synapse and joined to a room
 * of 1,000 users with 3 devices each (two signed by their owner, one not), built with raw HTTP
 * by test/support/population.ts; the room also holds its creator (no devices) and the
 * extension's user, 1,002 members. One run gives every figure:
 *
 * - key_ingest_1000x3_ms (informative): from the extension's join request to its crypto
 *   knowing all 3,000 devices (the `CryptoEvent.DevicesUpdated` that completes the set,
 *   confirmed by `getUserDeviceInfo`), while its engine reacts to the sync as usual. The log
 *   also says when the background first pushed a complete report of the room.
 * - raw_crypto_1000x3_ms: only the CryptoApi calls a report needs, for every member: one
 *   getUserDeviceInfo for the room, getUserVerificationStatus per user and
 *   getDeviceVerificationStatus per device (the calls SdkTrustFacts.usersFacts makes).
 * - room_report_cold_1000x3_ms: `report(roomId)` of a NEW TrustEngine (empty facts, ledger and
 *   report caches) built over the running session and the background's ledger store, keys
 *   already ingested: every member's facts from crypto, the room's ledger read from IndexedDB,
 *   the ledger update and the report. Raw and cold alternate three times in this process, each
 *   pass over a collected heap (see timedPass); medians; room_report_cold_vs_raw_ratio is
 *   cold over raw.
 * - room_report_warm_1000x3_ms: `account.report(roomId)` (what a page's request runs) when
 *   nothing changed: the engine's cached report plus stamping its warnings as shown, median of
 *   20, after one first request that does the stamping.
 * - report_incremental_one_device_ms: a member adds an unsigned device; from the extension's
 *   DevicesUpdated for that member (the crypto now knows the device; the engine's recompute is
 *   triggered by that very event) to the background pushing the room's report that lists the
 *   device. Median of 5.
 * - new_device_to_report_ms: in a small encrypted room with the extension, Bob (raw HTTP like
 *   the population, so the start is exact) adds an unsigned device: from his /keys/upload
 *   being answered to the background pushing a report that lists it, while the extension
 *   syncs (sync wake-up, /keys/query, recompute). Median of 5.
 *
 * Synapse keeps its sqlite files on tmpfs here (building the population is ~11 requests per
 * user; fsyncs would double the time). About 4-5 minutes on two cores, 100 s of it the
 * population. MTG_BENCH_TRUST_USERS=50 runs a small room (figure names follow the size).
 *
 * src/ uses extension-less imports and parameter properties, which Node's type stripping does
 * not take, so a module hook transpiles src/ with TypeScript when this file loads it (in the
 * extension, Vite does that job).
 */
import { existsSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CryptoEvent, type CryptoApi } from 'matrix-js-sdk/lib/crypto-api/index.js';
import type { MatrixClient } from 'matrix-js-sdk';
import type { RoomTrustReport } from '../src/trust/types.ts';
import { TrustEngine } from '../src/background/trustEngine.ts';
import { SdkTrustFacts } from '../src/matrix/sdkTrustFacts.ts';
import { type NodeBackground, newBrowserProfile, startNodeBackground } from '../test/support/nodeBackground.ts';
import {
  addDevice,
  createMember,
  createPopulation,
  createRoom,
  invite,
  type Population,
} from '../test/support/population.ts';
// For its side effect: matrix-js-sdk's global logger (IndexedDBStore, MatrixRTC) keeps to warnings.
import '../test/support/peer.ts';
import { startSynapse, type SynapseServer } from '../test/support/synapse.ts';
import { waitFor } from '../test/support/waitFor.ts';
import type { BenchResult } from './results.ts';

/** A smaller room for trying the benchmark out: MTG_BENCH_TRUST_USERS=50 (figure names follow). */
const USERS = Number(process.env.MTG_BENCH_TRUST_USERS ?? 1000);
const DEVICES = 3;
const SIZE = `${USERS}x${DEVICES}`;
const RAW_VS_COLD_ROUNDS = 3;
const WARM_REPEATS = 20;
const DEVICE_REPEATS = 5;

interface Push {
  report: RoomTrustReport;
  at: number;
}

export default async function trustEngineBench(): Promise<BenchResult> {
  const started = performance.now();
  const releaseTimers = unrefLongTimersAfterwards();
  const synapse = await startSynapseInMemory();
  let background: NodeBackground | undefined;
  try {
    const owner = await synapse.registerUser({ localpart: 'big-room-owner', admin: true });
    // Public while people join (a private room makes Synapse's user directory pair every new
    // member with every old one), invite-only once everyone is in.
    const roomId = await createRoom(synapse.baseUrl, owner.accessToken, { name: 'Big room', preset: 'public_chat' });
    const population = await createPopulation(synapse, {
      users: USERS,
      devicesPerUser: DEVICES,
      roomId,
      adminToken: owner.accessToken,
      onProgress: (done, total) => console.log(`  population: ${done}/${total} users (${seconds(performance.now() - started)})`),
    });
    console.log(`  population of ${SIZE} built in ${seconds(population.elapsedMs)}`);
    await setJoinRule(synapse.baseUrl, owner.accessToken, roomId, 'invite');

    const alice = await synapse.registerUser({ localpart: 'extension-user' });
    await invite(synapse.baseUrl, owner.accessToken, roomId, alice.userId);
    background = await startNodeBackground(newBrowserProfile());
    await background.account.signIn({ homeserver: synapse.baseUrl, user: alice.userId, password: alice.password });
    const session = background.account.session;
    if (!session) throw new Error('the extension has no session after signing in');
    const pushes = watchPushes(background);

    const ingestStart = performance.now();
    const ingest = await joinAndIngest(session.client, session.crypto, roomId, population);
    console.log(`  the extension knows all ${USERS * DEVICES} devices ${seconds(ingest)} after joining`);
    const bg = background;
    await waitFor(
      'the background to report the whole big room',
      () => bg.reports.findLast((r) => r.roomId === roomId && r.pendingUserIds.length === 0 && r.memberCount === USERS + 2),
      180_000,
    );
    console.log(`  the background reported the whole room ${seconds(performance.now() - ingestStart)} after joining`);
    // Later batches of keys may still have the background recomputing the room (seconds each).
    await untilCryptoIdle(session.crypto, pushes, 3_000);
    console.log(`  the background went quiet ${seconds(performance.now() - ingestStart)} after joining`);

    const memberIds = joinedMemberIds(session.client, roomId);
    await checkPopulationAsSeen(session.crypto, population);
    const raw: number[] = [];
    const cold: number[] = [];
    let coldEngine: TrustEngine | undefined;
    for (let round = 0; round < RAW_VS_COLD_ROUNDS; round++) {
      await untilCryptoIdle(session.crypto, pushes, 1_000);
      raw.push(await timedPass('raw crypto calls', () => rawCryptoCalls(session.crypto, memberIds)));
      coldEngine?.stop();
      const engine = new TrustEngine({
        facts: new SdkTrustFacts(session.client, session.crypto),
        ledger: bg.ledger,
        policy: () => bg.status.get().policy,
        now: Date.now,
      });
      coldEngine = engine;
      let report: RoomTrustReport | undefined;
      await untilCryptoIdle(session.crypto, pushes, 1_000);
      cold.push(await timedPass('cold report', async () => (report = await engine.report(roomId))));
      if (report) checkBigRoomReport(report, roomId);
    }
    console.log(`  raw crypto: ${list(raw)} ms; cold report: ${list(cold)} ms`);

    // The first request after the report stamps 1,000 new warnings as shown (a ledger write).
    const t = performance.now();
    await background.account.report(roomId);
    console.log(`  first account.report after the big room settled (stamps warnings shown): ${ms(performance.now() - t)}`);
    const warm = await repeat(WARM_REPEATS, () => background?.account.report(roomId));
    const engineOnly = await repeat(WARM_REPEATS, () => coldEngine?.report(roomId));
    console.log(`  warm: account.report ${list(warm)} ms; engine.report alone median ${ms(median(engineOnly))}`);
    coldEngine?.stop();

    const incremental = await incrementalRecompute(synapse.baseUrl, session.client, roomId, population, pushes);
    const endToEnd = await newDeviceToReport(synapse, session.client, alice.userId, pushes);

    return {
      [`key_ingest_${SIZE}_ms`]: Math.round(ingest),
      [`raw_crypto_${SIZE}_ms`]: raw,
      [`room_report_cold_${SIZE}_ms`]: cold,
      room_report_cold_vs_raw_ratio: round2(median(cold) / median(raw)),
      [`room_report_warm_${SIZE}_ms`]: warm,
      report_incremental_one_device_ms: incremental,
      new_device_to_report_ms: endToEnd,
    };
  } finally {
    background?.stop();
    await synapse.stop();
    releaseTimers();
    console.log(`  trust engine benchmark took ${seconds(performance.now() - started)}`);
  }
}

/**
 * matrix-js-sdk arms a timer for each request's local timeout and never clears it (its
 * `timeoutSignal`); for /sync that is the poll timeout plus 80 s. Once the background is
 * stopped those timers only keep Node alive, for up to 100 s after the last figure. This
 * notes every long timer armed during the benchmark and, at the end, unrefs them (they still
 * fire if the process lives on for other reasons).
 */
function unrefLongTimersAfterwards(): () => void {
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
async function joinAndIngest(client: MatrixClient, crypto: CryptoApi, roomId: string, population: Population): Promise<number> {
  const userIds = population.users.map((user) => user.userId);
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
        return userIds.every((id) => known.get(id)?.size === DEVICES) || undefined;
      },
      180_000,
    );
    if (allUpdatedAt === undefined) throw new Error('unreachable: waited for allUpdatedAt');
    return allUpdatedAt - start;
  } finally {
    client.off(CryptoEvent.DevicesUpdated, onDevices);
  }
}

/**
 * The crypto calls a report needs, nothing else, for every member (what SdkTrustFacts.usersFacts
 * makes): one getUserDeviceInfo for the room, then getUserVerificationStatus per user and
 * getDeviceVerificationStatus per device.
 */
async function rawCryptoCalls(crypto: CryptoApi, userIds: readonly string[]): Promise<void> {
  const start = performance.now();
  const known = await crypto.getUserDeviceInfo([...userIds]);
  const deviceInfo = performance.now() - start;
  let devices = 0;
  for (const userId of userIds) {
    await crypto.getUserVerificationStatus(userId);
    for (const deviceId of known.get(userId)?.keys() ?? []) {
      await crypto.getDeviceVerificationStatus(userId, deviceId);
      devices++;
    }
  }
  console.log(`  raw pass over ${userIds.length} users, ${devices} devices: getUserDeviceInfo ${ms(deviceInfo)} of ${ms(performance.now() - start)}`);
}

/**
 * Times one pass over a collected heap. matrix-js-sdk leaves the wasm wrappers it gets from
 * `OlmMachine.trackedUsers()` to the FinalizationRegistry (1,000 per call at this size), so a
 * pass leaves millions of finalizable objects behind; without a collection in between, the next
 * pass (raw or cold, whichever comes next) pays for them and the figures swing several-fold.
 * Garbage collection during the pass itself is counted, and shown.
 */
async function timedPass(what: string, work: () => Promise<unknown>): Promise<number> {
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
async function checkPopulationAsSeen(crypto: CryptoApi, population: Population): Promise<void> {
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
  console.log(`  checked: all ${USERS} identities and ${USERS * DEVICES} devices as built (signedByOwner ${pattern})`);
}

/** A report of the big room: everyone known, one warning (the unsigned device) per member. */
function checkBigRoomReport(report: RoomTrustReport, roomId: string): void {
  if (report.roomId !== roomId || report.memberCount !== USERS + 2 || report.pendingUserIds.length > 0 || report.warnings.warn !== USERS) {
    throw new Error(
      `unexpected big-room report: ${report.memberCount} members, ${report.pendingUserIds.length} pending, ${report.warnings.warn} warnings`,
    );
  }
}

/**
 * One member adds an unsigned device; from the extension's DevicesUpdated for that member to
 * the pushed report of the big room listing the device.
 */
async function incrementalRecompute(
  baseUrl: string,
  client: MatrixClient,
  roomId: string,
  population: Population,
  pushes: PushWatch,
): Promise<number[]> {
  const results: number[] = [];
  for (let i = 0; i < DEVICE_REPEATS; i++) {
    const user = population.users[i];
    if (!user) throw new Error('population too small');
    let updatedAt: number | undefined;
    const onDevices = (ids: string[]) => {
      if (updatedAt === undefined && ids.includes(user.userId)) updatedAt = performance.now();
    };
    client.on(CryptoEvent.DevicesUpdated, onDevices);
    try {
      let deviceId = '';
      const pushed = pushes.next(
        (report) => report.roomId === roomId && listsDevice(report, user.userId, deviceId),
        `the big room's report to list ${user.userId}'s new device`,
        30_000,
      );
      const device = await addDevice(baseUrl, user, { signed: false });
      deviceId = device.deviceId;
      const { at } = await pushed;
      if (updatedAt === undefined) throw new Error('a report listed the new device before DevicesUpdated');
      results.push(at - updatedAt);
      console.log(
        `  incremental: DevicesUpdated -> report ${ms(at - updatedAt)} (keys uploaded -> DevicesUpdated ${ms(updatedAt - device.keysUploadedAt)})`,
      );
    } finally {
      client.off(CryptoEvent.DevicesUpdated, onDevices);
    }
    await pushes.quiet(300);
  }
  return results;
}

/**
 * A small encrypted room of the extension's user and Bob (a cross-signed user with one signed
 * device); Bob adds unsigned devices, one at a time, while the extension syncs.
 */
async function newDeviceToReport(synapse: SynapseServer, client: MatrixClient, aliceId: string, pushes: PushWatch): Promise<number[]> {
  const bob = await createMember(synapse, { localpart: 'bob', devices: 1, signedDevices: 1 });
  const bobToken = bob.devices[0]?.accessToken ?? '';
  const roomId = await createRoom(synapse.baseUrl, bobToken, { name: 'Small room', invite: [aliceId] });
  const known = pushes.next(
    (report) => report.roomId === roomId && report.memberCount === 2 && report.pendingUserIds.length === 0,
    'the background to report the small room',
    30_000,
  );
  await client.joinRoom(roomId);
  await known;
  await pushes.quiet(500);
  const results: number[] = [];
  for (let i = 0; i < DEVICE_REPEATS; i++) {
    let deviceId = '';
    const pushed = pushes.next(
      (report) => report.roomId === roomId && listsDevice(report, bob.userId, deviceId),
      "the small room's report to list Bob's new device",
      30_000,
    );
    const device = await addDevice(synapse.baseUrl, bob, { signed: false });
    deviceId = device.deviceId;
    const { at } = await pushed;
    results.push(at - device.keysUploadedAt);
    console.log(`  new device -> report: ${ms(at - device.keysUploadedAt)}`);
    await pushes.quiet(300);
  }
  return results;
}

function listsDevice(report: RoomTrustReport, userId: string, deviceId: string): boolean {
  if (deviceId === '') return false;
  return report.members.some((member) => member.userId === userId && member.devices.some((device) => device.deviceId === deviceId));
}

interface PushWatch {
  /** The next pushed report that satisfies `check`, and when it was pushed. */
  next(check: (report: RoomTrustReport) => boolean, what: string, timeoutMs: number): Promise<Push>;
  /** Resolves once no report was pushed for `ms`. */
  quiet(ms: number): Promise<void>;
  /** Milliseconds since the last push. */
  quietFor(): number;
}

/** Hooks the background's report list, so every push is seen the moment it happens. */
function watchPushes(background: NodeBackground): PushWatch {
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
async function untilCryptoIdle(crypto: CryptoApi, pushes: PushWatch, quietMs: number): Promise<void> {
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
      300_000,
    );
  } finally {
    Reflect.deleteProperty(crypto, 'getUserDeviceInfo'); // the prototype's method again
  }
}

function joinedMemberIds(client: MatrixClient, roomId: string): string[] {
  const room = client.getRoom(roomId);
  if (!room) throw new Error('the extension does not have the big room');
  return room.getJoinedMembers().map((member) => member.userId);
}

async function setJoinRule(baseUrl: string, token: string, roomId: string, joinRule: 'invite' | 'public'): Promise<void> {
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
async function startSynapseInMemory(): Promise<SynapseServer> {
  const previous = process.env.TMPDIR;
  if (existsSync('/dev/shm')) process.env.TMPDIR = '/dev/shm';
  try {
    return await startSynapse({ name: 'bench-trust' });
  } finally {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  }
}

async function repeat(times: number, work: () => Promise<unknown> | undefined): Promise<number[]> {
  const durations: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await work();
    durations.push(performance.now() - t);
  }
  return durations;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

function seconds(value: number): string {
  return `${(value / 1000).toFixed(1)} s`;
}

function list(values: readonly number[]): string {
  return values.map((value) => value.toFixed(1)).join(', ');
}
