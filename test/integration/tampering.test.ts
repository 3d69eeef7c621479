import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DeviceReport, RoomTrustReport } from '../../src/trust/types';
import { addFigures } from '../support/figures.ts';
import { type FaultProxy, startFaultProxy } from '../support/faultProxy.ts';
import { type NodeBackground, newBrowserProfile, startNodeBackground } from '../support/nodeBackground.ts';
import { Peer } from '../support/peer.ts';
import { connectToSynapse, type RegisteredUser } from '../support/synapse.ts';
import { waitFor } from '../support/waitFor.ts';

/**
 * A hostile homeserver lies in /keys/query answers, to the extension only (the proxy rewrites
 * the answers it gets; peers talk to Synapse directly and see the truth). Whatever it says, a
 * device must never come out as signed by its owner (or verified) unless the owner's keys
 * really signed it. Each case also has an untampered device that must still classify as
 * owner-signed, so the test fails both if tampering had no effect and if it broke everything.
 *
 * The strict policy puts owner-signed devices in the reports too, so every class is visible.
 */

const server = inject('synapse');
const synapse = connectToSynapse(server);

type DeviceKeys = {
  user_id: string;
  device_id: string;
  keys: Record<string, string>;
  signatures?: Record<string, Record<string, string>>;
  unsigned?: unknown;
} & Record<string, unknown>;
interface KeysQueryAnswer {
  device_keys?: Record<string, Record<string, DeviceKeys>>;
}

let proxy: FaultProxy;
let extension: NodeBackground;
let bob: Peer;
let carol: Peer;
let carolUser: RegisteredUser;
let roomId: string;
const cleanups: (() => unknown)[] = [];
const undoRewrites: (() => void)[] = [];
/** What each case observed, printed at the end for the record. */
const observed: Record<string, unknown> = {};

async function person(name: string): Promise<{ peer: Peer; user: RegisteredUser }> {
  const user = await synapse.registerUser({ displayName: name });
  const peer = await Peer.login(server, user, { deviceName: `${name}'s laptop` });
  cleanups.push(() => peer.stop());
  await peer.bootstrapCrossSigning();
  return { peer, user };
}

async function signedDevice(owner: Peer, name: string): Promise<Peer> {
  const device = await owner.addSignedDevice({ deviceName: name });
  cleanups.push(() => device.stop());
  return device;
}

beforeAll(async () => {
  proxy = await startFaultProxy(server.baseUrl);
  cleanups.push(() => proxy.close());
  const alice = await synapse.registerUser({ displayName: 'Alice' });
  extension = await startNodeBackground(newBrowserProfile());
  cleanups.push(() => extension.stop());
  await extension.account.signIn({ homeserver: proxy.url, user: alice.userId, password: alice.password });
  await extension.account.rooms.setPolicy('strict');
  const alicePhone = await Peer.login(server, alice, { deviceName: "Alice's phone" });
  cleanups.push(() => alicePhone.stop());
  bob = (await person('Bob')).peer;
  ({ peer: carol, user: carolUser } = await person('Carol'));
  roomId = await alicePhone.shareRoomWith(bob, carol);
  await extension.reportWhere(
    roomId,
    (r) =>
      r.memberCount === 3 &&
      r.checking.length === 0 &&
      deviceIn(r, bob.userId, bob.deviceId)?.class === 'owner-signed' &&
      deviceIn(r, carol.userId, carol.deviceId)?.class === 'owner-signed',
    'the extension to see Bob and Carol as owner-signed',
  );
}, 180_000);

afterEach(() => {
  for (const undo of undoRewrites.splice(0)) undo();
});

afterAll(async () => {
  console.log(`tampering observations: ${JSON.stringify(observed, null, 2)}`);
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function bobDevices(report: RoomTrustReport): DeviceReport[] {
  return report.members.find((m) => m.userId === bob.userId)?.devices ?? [];
}

function deviceIn(report: RoomTrustReport, userId: string, deviceId: string): DeviceReport | undefined {
  return report.members.find((m) => m.userId === userId)?.devices.find((d) => d.deviceId === deviceId);
}

/**
 * Every class the extension ever reported under the device id (with the key it had), across
 * every pushed report, in the order first seen.
 */
function everyClassOf(userId: string, deviceId: string): { class: string; ed25519Key: string }[] {
  const seen = new Map<string, { class: string; ed25519Key: string }>();
  for (const report of extension.reports) {
    if (report.roomId !== roomId) continue;
    const devices = report.members.find((m) => m.userId === userId)?.devices.filter((d) => d.deviceId === deviceId) ?? [];
    for (const device of devices) seen.set(`${device.class} ${device.ed25519Key}`, { class: device.class, ed25519Key: device.ed25519Key });
  }
  return [...seen.values()];
}

/** Rewrites the extension's /keys/query answers with `tamper`, counting the answers it changed. */
function tamperKeysQuery(tamper: (answer: KeysQueryAnswer) => boolean): { count: () => number } {
  let count = 0;
  undoRewrites.push(
    proxy.rewrite(/\/keys\/query/, (body) => {
      if (tamper(body as KeysQueryAnswer)) count += 1;
      return body;
    }),
  );
  return { count: () => count };
}

/** Matrix canonical JSON: keys sorted, no spaces (what signatures are made over). */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const unpadded = (base64: string) => base64.replace(/=+$/, '');

/** Flips one character of a base64 signature: still well-formed, no longer valid. */
function corrupt(signature: string): string {
  return `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
}

/** The newest report of the room that satisfies `check`, waiting generously (key queries on a busy machine). */
function reportWith(check: (report: RoomTrustReport) => boolean, what: string): Promise<RoomTrustReport> {
  return waitFor(what, () => extension.reports.findLast((report) => report.roomId === roomId && check(report)), 90_000);
}

/** A control that must come out owner-signed: proves the extension re-queried and still classifies. */
async function controlIsOwnerSigned(device: Peer): Promise<RoomTrustReport> {
  return reportWith(
    (r) => deviceIn(r, device.userId, device.deviceId)?.class === 'owner-signed',
    `${device.label} (untampered) to be owner-signed`,
  );
}

describe('a homeserver that lies in /keys/query', () => {
  it("cannot pass off a device whose owner's signature is forged as owner-signed", async () => {
    // One new device of Bob's reaches the extension with its self-signing (cross-signing)
    // signature corrupted; the device's own signature is left intact.
    const targets = new Set<string>();
    const tampered = tamperKeysQuery((answer) => {
      let changed = false;
      for (const [deviceId, keys] of Object.entries(answer.device_keys?.[bob.userId] ?? {})) {
        if (!targets.has(deviceId)) continue;
        const own = keys.signatures?.[bob.userId] ?? {};
        for (const keyId of Object.keys(own)) {
          if (keyId === `ed25519:${deviceId}`) continue;
          own[keyId] = corrupt(own[keyId] ?? '');
          changed = true;
        }
      }
      return changed;
    });
    const forged = await bob.addUnsignedDevice({ deviceName: 'Forged signature' });
    cleanups.push(() => forged.stop());
    targets.add(forged.deviceId);
    await bob.signOwnDevice(forged);
    // Signed after the forged one, and left alone: once the extension shows it owner-signed,
    // it has processed an answer for Bob that carried the forged device's real signature,
    // corrupted.
    const control = await signedDevice(bob, 'Bob untampered');
    const report = await controlIsOwnerSigned(control);
    expect(tampered.count()).toBeGreaterThan(0);
    observed['bad-signature'] = everyClassOf(bob.userId, forged.deviceId);
    // The device keeps its own valid signature, so it is accepted, but only ever as unsigned.
    expect(deviceIn(report, bob.userId, forged.deviceId)).toMatchObject({ class: 'unsigned', isNew: true });
    expect(everyClassOf(bob.userId, forged.deviceId).map((seen) => seen.class)).toEqual(['unsigned']);
    // Carol, who sees the truth, finds it signed: the lie alone made the difference.
    await waitFor(
      'Carol to see the forged device signed',
      async () => (await carol.crypto.getDeviceVerificationStatus(bob.userId, forged.deviceId))?.signedByOwner || undefined,
      90_000,
    );
    addFigures({ network_tampering_cases_count: 1 });
  }, 180_000);

  it('cannot swap the ed25519 key of a known device under the same device id, and the user is told it tried', async () => {
    const before = await extension.reportWhere(
      roomId,
      (r) => deviceIn(r, bob.userId, bob.deviceId)?.class === 'owner-signed',
      "Bob's laptop",
    );
    const oldKey = deviceIn(before, bob.userId, bob.deviceId)?.ed25519Key;
    // The server makes a key pair of its own and signs the laptop's entry with it: a valid
    // self-signature over a new key, under the id the extension already knows.
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const jwk = publicKey.export({ format: 'jwk' });
    const newKey = unpadded(Buffer.from(jwk.x ?? '', 'base64url').toString('base64'));
    const tampered = tamperKeysQuery((answer) => {
      const keys = answer.device_keys?.[bob.userId]?.[bob.deviceId];
      if (!keys) return false;
      keys.keys[`ed25519:${bob.deviceId}`] = newKey;
      const { signatures, unsigned: _unsigned, ...signable } = keys;
      const selfSigned = unpadded(sign(null, Buffer.from(canonicalJson(signable)), privateKey).toString('base64'));
      keys.signatures = { ...signatures, [bob.userId]: { ...signatures?.[bob.userId], [`ed25519:${bob.deviceId}`]: selfSigned } };
      return true;
    });
    // A new device of Bob's makes the extension query his devices again. The answer that brings
    // it also carries the swapped laptop (every answer with the laptop is rewritten), so the
    // control arriving proves the lie was delivered and processed, not just ignored unread.
    const control = await signedDevice(bob, 'Bob untampered 2');
    await waitFor('a tampered answer', () => (tampered.count() > 0 ? true : undefined), 90_000);
    await controlIsOwnerSigned(control);
    const report = await extension.reportWhere(
      roomId,
      (r) => bobDevices(r).some((device) => device.ed25519Key === newKey),
      'the offered key to be reported',
    );
    const seen = everyClassOf(bob.userId, bob.deviceId);
    observed['key-change'] = { oldKey, newKey, seen };
    // Rust crypto refuses a new ed25519 key under a known device id: the laptop keeps its real
    // key and class, and the server's key is never taken for the laptop's (let alone as signed).
    expect(seen).toEqual([
      { class: 'owner-signed', ed25519Key: oldKey },
      { class: 'conflicting-key', ed25519Key: newKey },
    ]);
    // The attempt itself is a critical warning, new until acknowledged, naming the key kept.
    expect(bobDevices(report).find((device) => device.ed25519Key === newKey)).toMatchObject({
      deviceId: bob.deviceId,
      class: 'conflicting-key',
      severity: 'critical',
      isNew: true,
      conflictsWithKey: oldKey,
    });
    expect(report.members.find((m) => m.userId === bob.userId)?.severity).toBe('critical');
    // The ledger records it as a device of its own (another key is another device).
    const entries = (await extension.ledger.entriesForRoom(roomId)).filter((e) => e.userId === bob.userId && e.deviceId === bob.deviceId);
    expect(entries.map((e) => [e.ed25519Key, e.firstClass]).sort()).toEqual(
      [
        [newKey, 'conflicting-key'],
        [oldKey, 'owner-signed'],
      ].sort(),
    );

    // The server stops lying: the next complete answer offers the real key, the warning goes, the entry stays as history.
    for (const undo of undoRewrites.splice(0)) undo();
    const honest = await signedDevice(bob, 'Bob untampered 3');
    await controlIsOwnerSigned(honest);
    const after = await extension.reportWhere(
      roomId,
      (r) => !bobDevices(r).some((device) => device.ed25519Key === newKey),
      'the conflict to end',
    );
    expect(deviceIn(after, bob.userId, bob.deviceId)).toMatchObject({ ed25519Key: oldKey, class: 'owner-signed' });
    const history = (await extension.ledger.entriesForRoom(roomId)).find((e) => e.ed25519Key === newKey);
    expect(history?.departedAt).toBeDefined();
    addFigures({ network_tampering_cases_count: 1 });
  }, 180_000);

  it("cannot slip another user's devices in among Bob's", async () => {
    // Carol's real, signed device entries, as the server would have them.
    const carolDevices = (await (
      await fetch(`${server.baseUrl}/_matrix/client/v3/keys/query`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${carolUser.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ device_keys: { [carol.userId]: [] } }),
      })
    ).json()) as KeysQueryAnswer;
    const carolEntries = carolDevices.device_keys?.[carol.userId] ?? {};
    expect(Object.keys(carolEntries)).toContain(carol.deviceId);
    const tampered = tamperKeysQuery((answer) => {
      const bobs = answer.device_keys?.[bob.userId];
      if (!bobs) return false;
      // Carol's devices as they are (user_id Carol), and one relabelled as Bob's.
      for (const [deviceId, keys] of Object.entries(carolEntries)) bobs[deviceId] = structuredClone(keys);
      bobs[`${carol.deviceId}X`] = {
        ...structuredClone(carolEntries[carol.deviceId] ?? ({} as DeviceKeys)),
        user_id: bob.userId,
        device_id: `${carol.deviceId}X`,
      };
      return true;
    });
    // As above: the answer that brings this control device also carries Carol's devices.
    const control = await signedDevice(bob, 'Bob untampered too');
    await waitFor('a tampered answer', () => (tampered.count() > 0 ? true : undefined), 90_000);
    const report = await controlIsOwnerSigned(control);
    const slipped = [...Object.keys(carolEntries), `${carol.deviceId}X`].flatMap((deviceId) => everyClassOf(bob.userId, deviceId));
    observed['other-user'] = {
      slipped,
      bobDevices: report.members.find((m) => m.userId === bob.userId)?.devices.map((d) => `${d.deviceId} ${d.class}`),
    };
    // Entries with user_id Carol, and the one relabelled as Bob's (its signature no longer
    // matches), are both dropped: none of them ever shows as Bob's device.
    expect(slipped).toEqual([]);
    // Carol's own devices are still hers and still owner-signed.
    expect(deviceIn(report, carol.userId, carol.deviceId)).toMatchObject({ class: 'owner-signed' });
    addFigures({ network_tampering_cases_count: 1 });
  }, 180_000);
});
