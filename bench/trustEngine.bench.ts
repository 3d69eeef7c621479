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
 * - room_report_warm_1000x3_ms: `account.rooms.report(roomId)` (what a page's request runs) when
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
import { CryptoEvent, type CryptoApi } from 'matrix-js-sdk/lib/crypto-api/index.js';
import type { MatrixClient } from 'matrix-js-sdk';
import type { RoomTrustReport } from '../src/trust/types.ts';
import { TrustEngine } from '../src/background/trustEngine.ts';
import { SdkTrustFacts } from '../src/matrix/sdkTrustFacts.ts';
import { addDevice, createMember, createRoom, type Population } from '../test/support/population.ts';
import type { SynapseServer } from '../test/support/synapse.ts';
import {
  type BigRoom,
  bigRoomWithExtension,
  checkBigRoomReport,
  joinedMemberIds,
  list,
  ms,
  type PushWatch,
  seconds,
  startSynapseInMemory,
  timedPass,
  unrefLongTimersAfterwards,
  untilCryptoIdle,
} from './bigRoom.ts';
import { median, type BenchResult } from './results.ts';
import { sdkSessionOf } from '../test/support/sdkSession';

/** A smaller room for trying the benchmark out: MTG_BENCH_TRUST_USERS=50 (figure names follow). */
const USERS = Number(process.env.MTG_BENCH_TRUST_USERS ?? 1000);
const DEVICES = 3;
const SIZE = `${USERS}x${DEVICES}`;
const RAW_VS_COLD_ROUNDS = 3;
const WARM_REPEATS = 20;
const DEVICE_REPEATS = 5;

export default async function trustEngineBench(): Promise<BenchResult> {
  const started = performance.now();
  const releaseTimers = unrefLongTimersAfterwards();
  const synapse = await startSynapseInMemory('bench-trust');
  let background: BigRoom['background'] | undefined;
  try {
    const room = await bigRoomWithExtension(synapse, { users: USERS, devicesPerUser: DEVICES, started, awaitWholeReport: true });
    const { roomId, population, pushes } = room;
    background = room.background;
    const bg = background;
    const session = sdkSessionOf(bg.account.device);

    const memberIds = joinedMemberIds(session.client, roomId);
    const raw: number[] = [];
    const cold: number[] = [];
    let coldEngine: TrustEngine | undefined;
    for (let round = 0; round < RAW_VS_COLD_ROUNDS; round++) {
      await untilCryptoIdle(session.crypto, pushes, 1_000);
      raw.push(await timedPass('raw crypto calls', () => rawCryptoCalls(session.crypto, memberIds)));
      coldEngine?.stop();
      const engine = new TrustEngine({
        facts: new SdkTrustFacts(session.client, session.crypto, session.deviceLists),
        ledger: bg.ledger,
        policy: () => bg.status.get().policy,
        now: Date.now,
      });
      coldEngine = engine;
      let report: RoomTrustReport | undefined;
      await untilCryptoIdle(session.crypto, pushes, 1_000);
      cold.push(await timedPass('cold report', async () => (report = await engine.report(roomId))));
      if (report) checkBigRoomReport(report, roomId, USERS);
    }
    console.log(`  raw crypto: ${list(raw)} ms; cold report: ${list(cold)} ms`);

    // The first request after the report stamps 1,000 new warnings as shown (a ledger write).
    const t = performance.now();
    await bg.account.rooms.report(roomId);
    console.log(`  first account.report after the big room settled (stamps warnings shown): ${ms(performance.now() - t)}`);
    const warm = await repeat(WARM_REPEATS, () => bg.account.rooms.report(roomId));
    const engineOnly = await repeat(WARM_REPEATS, () => coldEngine?.report(roomId));
    console.log(`  warm: account.report ${list(warm)} ms; engine.report alone median ${ms(median(engineOnly))}`);
    coldEngine?.stop();

    const incremental = await incrementalRecompute(synapse.baseUrl, session.client, roomId, population, pushes);
    const endToEnd = await newDeviceToReport(synapse, session.client, room.extensionUser.userId, pushes);

    return {
      [`key_ingest_${SIZE}_ms`]: Math.round(room.ingestMs),
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
  console.log(
    `  raw pass over ${userIds.length} users, ${devices} devices: getUserDeviceInfo ${ms(deviceInfo)} of ${ms(performance.now() - start)}`,
  );
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
    (report) => report.roomId === roomId && report.memberCount === 2 && report.checking.length === 0,
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

async function repeat(times: number, work: () => Promise<unknown> | undefined): Promise<number[]> {
  const durations: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await work();
    durations.push(performance.now() - t);
  }
  return durations;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
