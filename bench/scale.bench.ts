/**
 * The trust engine at sizes no test Synapse here can hold: a room of 10,000 members, and 50
 * rooms drawn from 5,000 distinct users. A real Synapse takes about a tenth of a second per
 * member to build a population (bench/trustEngine.bench.ts builds 1,000 users with three
 * devices each in ~100 s), and a 10,000-member room's joins slow down as the room grows, so
 * these sizes are out of reach of a run of `npm run bench`. What is measured here is
 * everything the extension does above the crypto layer: the facts come from an in-memory
 * TrustFactSource (what SdkTrustFacts hands over after one batched Rust crypto call, whose
 * cost bench/trustEngine.bench.ts measures against Synapse: about 2 ms per member), and
 * everything else is the extension's own code: TrustEngine, the ledger logic, the room
 * report, and for the big room the real LedgerStore on fake-indexeddb (slower than a
 * browser's IndexedDB, so the time is on the safe side).
 *
 * - largest_room_members: members of the big room; each has a device signed by its owner and
 *   one that is not, so every member is warned about (the worst case: 10,000 warnings and
 *   20,000 ledger entries written).
 * - largest_room_report_ms: a new engine's first report of that room: facts for every member,
 *   the room's ledger read and checked, ledger updated and written, the report built. Median
 *   of 3, each on a fresh database.
 * - background_heap_mb_50_rooms: the JavaScript heap the engine keeps for 50 rooms of 100 to
 *   590 members drawn from 5,000 distinct users (2 devices each; about 17,000 memberships):
 *   facts, ledgers and reports of every room, measured as heap used after a full GC with the
 *   engine alive minus before it was built. The ledger here is written nowhere (in the
 *   extension it lives in IndexedDB, outside the worker's heap), so the figure is the engine's.
 * - rooms_50_reports_ms: all 50 reports, from an empty engine.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { IDBFactory } from 'fake-indexeddb';
import { TrustEngine, type LedgerPersistence } from '../src/background/trustEngine.ts';
import type { FactsChange, TrustFactSource } from '../src/matrix/sdkTrustFacts.ts';
import { openExtensionDatabase } from '../src/storage/extensionDatabase.ts';
import { LedgerStore } from '../src/storage/ledgerStore.ts';
import type { RoomFacts, UserFacts } from '../src/trust/types.ts';

const BIG_ROOM_MEMBERS = 10_000;
const ROOMS = 50;
const DISTINCT_USERS = 5_000;
const OWN_USER = '@me:example.org';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function userId(index: number): string {
  return `@user${String(index).padStart(5, '0')}:example.org`;
}

/** Two devices: one its owner signed, one not (a warning for every member). */
function factsFor(id: string): UserFacts {
  const device = (suffix: string, signedByOwner: boolean) => ({
    deviceId: `${id.slice(1, 10).toUpperCase()}${suffix}`,
    ed25519Key: Buffer.from(`${id}/${suffix}`).toString('base64').replace(/=+$/, '').slice(0, 43),
    displayName: `${id} ${suffix}`,
    signedByOwner,
    crossSigningVerified: false,
    locallyVerified: false,
  });
  return {
    userId: id,
    isOwnUser: id === OWN_USER,
    hasIdentity: true,
    verified: false,
    wasVerified: false,
    needsApproval: false,
    // The extension's own account has just the extension's device, signed.
    devices: id === OWN_USER ? [{ ...device('PHONE', true), deviceId: 'EXTENSION' }] : [device('PHONE', true), device('LAPTOP', false)],
  };
}

/** Facts as SdkTrustFacts gives them, from memory: rooms and their members, users and their devices. */
class MemoryFacts implements TrustFactSource {
  readonly ownUserId = OWN_USER;
  readonly ownDeviceId = 'EXTENSION';
  private readonly users = new Map<string, UserFacts>();

  constructor(private readonly rooms: Map<string, RoomFacts>) {
    for (const room of rooms.values()) for (const member of room.members) if (!this.users.has(member.userId)) this.users.set(member.userId, factsFor(member.userId));
  }

  usersFacts(userIds: readonly string[]): Promise<Map<string, UserFacts>> {
    return Promise.resolve(new Map(userIds.flatMap((id) => (this.users.has(id) ? [[id, this.users.get(id) as UserFacts] as const] : []))));
  }

  /** Every member's list is current here: these facts stand in for fetched ones. */
  deviceListCheck(): undefined {
    return undefined;
  }

  roomFacts(roomId: string): RoomFacts | undefined {
    return this.rooms.get(roomId);
  }

  roomIds(): string[] {
    return [...this.rooms.keys()];
  }

  onChange(_listener: (change: FactsChange) => void): () => void {
    return () => undefined;
  }
}

function room(roomId: string, memberIds: string[]): RoomFacts {
  return {
    roomId,
    name: roomId,
    encrypted: true,
    members: [OWN_USER, ...memberIds].map((id) => ({ userId: id, displayName: id.slice(1, 10), membership: 'join' as const })),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function bigRoom(): Promise<Record<string, number>> {
  const roomId = '!big:example.org';
  const facts = new MemoryFacts(new Map([[roomId, room(roomId, Array.from({ length: BIG_ROOM_MEMBERS }, (_, i) => userId(i)))]]));
  const times: number[] = [];
  for (let run = 0; run < 3; run++) {
    const ledger = new LedgerStore(await openExtensionDatabase(new IDBFactory()));
    const engine = new TrustEngine({ facts, ledger, policy: () => 'default', now: () => Date.UTC(2026, 10, 23) });
    gc();
    const started = performance.now();
    const report = await engine.report(roomId);
    times.push(performance.now() - started);
    const warned = report.members.filter((member) => member.devices.some((device) => device.isNew)).length;
    if (warned !== BIG_ROOM_MEMBERS) throw new Error(`the big room's report warns about ${warned} members, expected ${BIG_ROOM_MEMBERS}`);
    const written = (await ledger.allEntries()).length;
    if (written !== BIG_ROOM_MEMBERS * 2) throw new Error(`the ledger holds ${written} entries, expected ${BIG_ROOM_MEMBERS * 2}`);
    engine.stop();
  }
  console.log(`  big room first reports: ${times.map((ms) => ms.toFixed(0)).join(', ')} ms`);
  return { largest_room_members: BIG_ROOM_MEMBERS, largest_room_report_ms: Math.round(median(times)) };
}

async function fiftyRooms(): Promise<Record<string, number>> {
  // Deterministic spread: room r takes members from a stride through the 5,000 users.
  const rooms = new Map<string, RoomFacts>();
  let memberships = 0;
  for (let r = 0; r < ROOMS; r++) {
    const size = 100 + ((r * 10) % 500);
    const ids = Array.from({ length: size }, (_, k) => userId((r * 97 + k * 13) % DISTINCT_USERS));
    const unique = [...new Set(ids)];
    memberships += unique.length;
    rooms.set(`!room${r}:example.org`, room(`!room${r}:example.org`, unique));
  }
  const facts = new MemoryFacts(rooms);
  const distinct = new Set([...rooms.values()].flatMap((r) => r.members.map((m) => m.userId))).size - 1;
  const nowhere: LedgerPersistence = { entriesForRoom: () => Promise.resolve([]), write: () => Promise.resolve() };
  gc();
  const before = process.memoryUsage().heapUsed;
  const engine = new TrustEngine({ facts, ledger: nowhere, policy: () => 'default', now: () => Date.UTC(2026, 10, 23) });
  const started = performance.now();
  const reports = await engine.allReports();
  const elapsed = performance.now() - started;
  gc();
  const heapMb = (process.memoryUsage().heapUsed - before) / 2 ** 20;
  if (reports.length !== ROOMS) throw new Error(`${reports.length} reports for ${ROOMS} rooms`);
  console.log(`  50 rooms: ${memberships} memberships of ${distinct} distinct users, reports in ${elapsed.toFixed(0)} ms, heap kept ${heapMb.toFixed(1)} MB`);
  engine.stop();
  return { background_heap_mb_50_rooms: Number(heapMb.toFixed(1)), rooms_50_reports_ms: Math.round(elapsed), rooms_50_distinct_users: distinct };
}

export default async function scaleBench(): Promise<Record<string, number>> {
  return { ...(await bigRoom()), ...(await fiftyRooms()) };
}
