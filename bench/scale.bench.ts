/**
 * The extension at the sizes beyond bench/trustEngine.bench.ts, through the real Rust crypto,
 * against one local Synapse (sqlite on tmpfs), whose population is BIG_ROOM_USERS users with
 * a cross-signing identity and two devices each (one signed by its owner, one not, so every
 * member is warned about), built with raw HTTP (test/support/population.ts, real keys and
 * signatures) and joined to one room.
 *
 * - largest_room_members: the population, all in the big room (which also holds its creator
 *   and the extension's user).
 * - largest_room_report_ms: as room_report_cold_1000x3_ms, at 10,000 x 2: the extension's
 *   background logic in Node (test/support/nodeBackground.ts: AccountService, MatrixSession
 *   with Rust crypto, the ledger in IndexedDB on fake-indexeddb) signed in and joined to the
 *   big room, all 20,000 devices fetched by its crypto from Synapse's /keys/query and checked;
 *   then a NEW TrustEngine over that session and the background's ledger reports the room:
 *   every member's facts from the Rust crypto (SdkTrustFacts), the room's ledger read, updated
 *   and written, the report built. COLD_ROUNDS passes, each over a collected heap.
 * - background_heap_mb_no_rooms, background_heap_mb_50_rooms: the JavaScript heap of the
 *   extension's real service worker in Chromium (CDP Runtime.getHeapUsage, after
 *   HeapProfiler.collectGarbage, on the worker's target, attached once it runs), signed in to
 *   the same Synapse as a user of its own: first in no room, then in ROOMS encrypted rooms of
 *   ROOM_MEMBERS population members each, taken on a stride through the population (so with
 *   10,000 users: 50 x 100 memberships of 5,000 distinct users, 10,000 devices, every member
 *   warned about; about 3 minutes of joins), once the background has
 *   taken in all of them (every member counted, nothing changing for QUIET_MS). HEAP_SAMPLES
 *   readings each. The Rust crypto's WebAssembly memory is not JavaScript heap and is not
 *   counted; the log shows the ArrayBuffer backing stores CDP reports beside it.
 * - rooms_50_distinct_users: how many distinct users those rooms hold together.
 *
 * Building the population takes Synapse about 0.1 s per user at first and more as the room
 * grows: about half an hour on two cores for 10,000. MTG_BENCH_SCALE_USERS=500 tries the
 * benchmark on a smaller population; the big room's figures are then named room_<n>x2_*.
 */
import { TrustEngine } from '../src/background/trustEngine.ts';
import { SdkTrustFacts } from '../src/matrix/sdkTrustFacts.ts';
import type { AccountStatus, ExtensionStatus, TrustOverview } from '../src/messaging/protocol.ts';
import type { RoomTrustReport } from '../src/trust/types.ts';
import { ensureFreshBuild } from '../test/support/freshBuild.ts';
import { CHROME_BUILD } from '../test/support/paths.ts';
import { createRoom, joinRoom, mapLimit, type Population } from '../test/support/population.ts';
import type { RegisteredUser, SynapseServer } from '../test/support/synapse.ts';
import { waitFor } from '../test/support/waitFor.ts';
import {
  bigRoomWithExtension,
  checkBigRoomReport,
  list,
  seconds,
  startSynapseInMemory,
  timedPass,
  unrefLongTimersAfterwards,
  untilCryptoIdle,
} from './bigRoom.ts';
import { attachToServiceWorker, extensionRequest, launchRawChromium, openOptionsPage, type RawChromium } from './rawCdp.ts';
import type { BenchResult } from './results.ts';
import { sdkSessionOf } from '../test/support/sdkSession';

const BIG_ROOM_USERS = Number(process.env.MTG_BENCH_SCALE_USERS ?? 10_000);
const BIG_ROOM = BIG_ROOM_USERS === 10_000 ? 'largest_room' : `room_${BIG_ROOM_USERS}x2`;
const DEVICES = 2;
const COLD_ROUNDS = 3;
const ROOMS = 50;
const ROOM_MEMBERS = Math.min(100, BIG_ROOM_USERS);
const HEAP_SAMPLES = 5;
/** The overview unchanged this long: the background is done with the rooms. */
const QUIET_MS = 10_000;

export default async function scaleBench(): Promise<BenchResult> {
  ensureFreshBuild();
  const started = performance.now();
  const releaseTimers = unrefLongTimersAfterwards();
  const synapse = await startSynapseInMemory('bench-scale');
  try {
    const { figures, owner, population } = await bigRoomFigures(synapse, started);
    const heap = await heapFigures(synapse, owner, population);
    return { ...figures, ...heap };
  } finally {
    await synapse.stop();
    releaseTimers();
    console.log(`  scale benchmark took ${seconds(performance.now() - started)}`);
  }
}

async function bigRoomFigures(
  synapse: SynapseServer,
  started: number,
): Promise<{ figures: BenchResult; owner: RegisteredUser; population: Population }> {
  // What is timed and checked is a new engine's report. The background's own report is not
  // waited for: it can keep the room's creator and the extension's user pending (neither gets a
  // device update after the join to trigger a recompute), which would stall the run for nothing.
  const room = await bigRoomWithExtension(synapse, { users: BIG_ROOM_USERS, devicesPerUser: DEVICES, started, awaitWholeReport: false });
  const { background, roomId, pushes } = room;
  try {
    const session = sdkSessionOf(background.account.device);
    const times: number[] = [];
    for (let round = 0; round < COLD_ROUNDS; round++) {
      const engine = new TrustEngine({
        facts: new SdkTrustFacts(session.client, session.crypto, session.deviceLists),
        ledger: background.ledger,
        policy: () => background.status.get().policy,
        now: Date.now,
      });
      try {
        let report: RoomTrustReport | undefined;
        await untilCryptoIdle(session.crypto, pushes, 1_000);
        times.push(await timedPass('cold report of the big room', async () => (report = await engine.report(roomId))));
        if (!report) throw new Error('no report of the big room');
        checkBigRoomReport(report, roomId, BIG_ROOM_USERS);
      } finally {
        engine.stop();
      }
    }
    console.log(`  big room, a new engine's first report: ${list(times)} ms`);
    return {
      figures: { [`${BIG_ROOM}_members`]: BIG_ROOM_USERS, [`${BIG_ROOM}_report_ms`]: times },
      owner: room.owner,
      population: room.population,
    };
  } finally {
    background.stop();
  }
}

/** ROOMS public encrypted rooms of ROOM_MEMBERS population members each, on a stride through the population. */
async function fiftyRooms(
  synapse: SynapseServer,
  owner: RegisteredUser,
  population: Population,
): Promise<{ roomIds: string[]; distinctUsers: number }> {
  const roomIds: string[] = [];
  const joins: { roomId: string; token: string }[] = [];
  const distinct = new Set<string>();
  for (let r = 0; r < ROOMS; r++) {
    const roomId = await createRoom(synapse.baseUrl, owner.accessToken, { name: `Room ${r}`, preset: 'public_chat' });
    roomIds.push(roomId);
    const members = new Set(Array.from({ length: ROOM_MEMBERS }, (_, k) => population.users[(r * 97 + k * 13) % population.users.length]));
    if (members.size !== ROOM_MEMBERS) throw new Error(`room ${r} drew ${members.size} distinct members, expected ${ROOM_MEMBERS}`);
    for (const user of members) {
      if (!user) throw new Error('the population is smaller than a room');
      distinct.add(user.userId);
      joins.push({ roomId, token: user.devices[0]?.accessToken ?? '' });
    }
  }
  const start = performance.now();
  await mapLimit(joins, 8, ({ roomId, token }) => joinRoom(synapse.baseUrl, token, roomId));
  console.log(
    `  ${ROOMS} rooms of ${ROOM_MEMBERS} members (${distinct.size} distinct users) built in ${seconds(performance.now() - start)}`,
  );
  return { roomIds, distinctUsers: distinct.size };
}

interface HeapUsage {
  usedSize: number;
  backingStorageSize?: number;
}

/** The worker's heap after a full collection, HEAP_SAMPLES times: JavaScript heap in MiB (ArrayBuffer backing stores only logged). */
async function readHeap(chromium: RawChromium, workerSession: string, what: string): Promise<number[]> {
  const heap: number[] = [];
  const buffers: number[] = [];
  for (let i = 0; i < HEAP_SAMPLES; i++) {
    await chromium.send('HeapProfiler.collectGarbage', {}, workerSession);
    const usage = await chromium.send<HeapUsage>('Runtime.getHeapUsage', {}, workerSession);
    heap.push(usage.usedSize / 2 ** 20);
    if (usage.backingStorageSize !== undefined) buffers.push(usage.backingStorageSize / 2 ** 20);
  }
  console.log(`  worker heap ${what}: ${list(heap)} MiB (ArrayBuffer backing stores: ${list(buffers)} MiB)`);
  return heap;
}

/** Our rooms in the overview, as "room members/warn/critical": what changes while the background takes them in. */
function roomsSeen(overview: TrustOverview | undefined, roomIds: string[]): string[] {
  return (overview?.rooms ?? [])
    .filter((room) => roomIds.includes(room.roomId))
    .map((room) => `${room.roomId} ${room.memberCount}/${room.warnings.warn}/${room.warnings.critical}`)
    .sort();
}

/**
 * Waits until the overview lists every room with all its members (the population's, the rooms'
 * creator and the extension's user) and has not changed for QUIET_MS: the background has taken
 * the rooms in and stopped working on them. Their warnings are not waited for: the background's
 * incremental updates can leave a few members of a room without their warning for good (a
 * member whose keys arrive while another room's report is computed), which would stall the
 * run; the log says how many are missing.
 */
async function untilRoomsTakenIn(chromium: RawChromium, sessionId: string, roomIds: string[]): Promise<TrustOverview> {
  let overview: TrustOverview | undefined;
  let seen = '';
  let changedAt = performance.now();
  await waitFor(
    `the background to take in all ${ROOMS} rooms`,
    async () => {
      overview = (await extensionRequest(chromium, sessionId, 'trust.overview')).result as TrustOverview | undefined;
      const now = roomsSeen(overview, roomIds);
      if (now.join() !== seen) {
        seen = now.join();
        changedAt = performance.now();
      }
      const whole = now.length === roomIds.length && now.every((room) => room.split(' ')[1]?.startsWith(`${ROOM_MEMBERS + 2}/`));
      return (whole && performance.now() - changedAt >= QUIET_MS) || undefined;
    },
    600_000,
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; rooms as seen: ${seen || 'none'}`, { cause: error });
  });
  if (!overview) throw new Error('unreachable: waited for an overview');
  return overview;
}

async function heapFigures(synapse: SynapseServer, owner: RegisteredUser, population: Population): Promise<BenchResult> {
  const user = await synapse.registerUser({ localpart: 'heap-user' });
  const chromium = await launchRawChromium(CHROME_BUILD);
  try {
    const { sessionId, extensionOrigin } = await openOptionsPage(chromium);
    const signIn = await extensionRequest(chromium, sessionId, 'account.signIn', {
      homeserver: synapse.baseUrl,
      user: user.userId,
      password: user.password,
    });
    if (!signIn.ok || (signIn.result as AccountStatus).state !== 'signed-in')
      throw new Error(`the extension did not sign in: ${JSON.stringify(signIn)}`);
    const status = async () => (await extensionRequest(chromium, sessionId, 'status.get')).result as ExtensionStatus | undefined;
    const synced = await waitFor('the extension to sync', async () => {
      const now = await status();
      return now?.account.state === 'signed-in' && now.account.firstSyncAfterMs !== undefined ? now : undefined;
    });
    // Attached from now on: the worker cannot be stopped between the two readings.
    const worker = await attachToServiceWorker(chromium, extensionOrigin);
    const noRooms = await readHeap(chromium, worker, 'signed in, in no room');

    const { roomIds, distinctUsers } = await fiftyRooms(synapse, owner, population);
    const joinedAt = performance.now();
    await mapLimit(roomIds, 8, (roomId) => joinRoom(synapse.baseUrl, user.accessToken, roomId));
    const overview = await untilRoomsTakenIn(chromium, sessionId, roomIds);
    const warnings = overview.rooms.filter((room) => roomIds.includes(room.roomId)).reduce((sum, room) => sum + room.warnings.warn, 0);
    console.log(
      `  the background took in all ${ROOMS} rooms ${seconds(performance.now() - joinedAt)} after joining them ` +
        `(${warnings} of ${ROOMS * ROOM_MEMBERS} warnings reported)`,
    );
    const fiftyRoomsHeap = await readHeap(chromium, worker, `in ${ROOMS} rooms`);
    if ((await status())?.backgroundStartedAt !== synced.backgroundStartedAt)
      throw new Error('the worker restarted between the heap readings');
    return { background_heap_mb_no_rooms: noRooms, background_heap_mb_50_rooms: fiftyRoomsHeap, rooms_50_distinct_users: distinctUsers };
  } finally {
    await chromium.close();
  }
}
