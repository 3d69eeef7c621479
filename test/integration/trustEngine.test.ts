import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { MemberReport, RoomTrustReport } from '../../src/trust/types';
import { type NodeBackground, newBrowserProfile, shownIn, shownMasterKey, startNodeBackground } from '../support/nodeBackground.ts';
import { Peer, verifyBySas } from '../support/peer.ts';
import { connectToSynapse, type RegisteredUser } from '../support/synapse.ts';
import { waitFor } from '../support/waitFor.ts';
import { sdkSessionOf } from '../support/sdkSession';

/**
 * The trust engine as the extension runs it (AccountService, Rust crypto, the ledger in
 * IndexedDB), signed in as Alice against the real Synapse, with real peers doing what
 * people do. Every expectation is what the extension reports, not what the peers say.
 */

const server = inject('synapse');
const synapse = connectToSynapse(server);

let alice: RegisteredUser;
let extension: NodeBackground;
/** Alice's phone: a device she signed, which creates the rooms the extension is in. */
let alicePhone: Peer;
const peers: Peer[] = [];

async function person(name: string, opts: { crossSigning?: boolean } = {}): Promise<Peer> {
  const user = await synapse.registerUser({ displayName: name });
  const peer = await Peer.login(server, user, { deviceName: `${name}'s laptop` });
  peers.push(peer);
  if (opts.crossSigning ?? true) await peer.bootstrapCrossSigning();
  return peer;
}

function track(peer: Peer): Peer {
  peers.push(peer);
  return peer;
}

/** A room of Alice's with `others`, once the extension has facts for everyone in it. */
async function roomWith(...others: Peer[]): Promise<string> {
  const roomId = await alicePhone.shareRoomWith(...others);
  await extension.reportWhere(
    roomId,
    (report) => report.memberCount === others.length + 1 && report.checking.length === 0,
    `the extension to know everyone in ${roomId}`,
  );
  return roomId;
}

/** The newest report of `roomId` whose entry for `userId` satisfies `check`. */
function memberWhere(roomId: string, userId: string, check: (member: MemberReport | undefined) => boolean, what: string) {
  return extension.reportWhere(roomId, (report) => check(report.members.find((m) => m.userId === userId)), what);
}

function member(report: RoomTrustReport, userId: string): MemberReport | undefined {
  return report.members.find((m) => m.userId === userId);
}

beforeAll(async () => {
  alice = await synapse.registerUser({ localpart: `alice-${Date.now().toString(36)}`, displayName: 'Alice' });
  extension = await startNodeBackground(newBrowserProfile());
  await extension.account.signIn({ homeserver: server.baseUrl, user: alice.userId, password: alice.password });
  const session = sdkSessionOf(extension.account.device);
  // A fresh account: the extension creates Alice's identity (no password needed, MSC3967).
  await session.crypto.bootstrapCrossSigning({});
  alicePhone = track(await Peer.login(server, alice, { deviceName: "Alice's phone" }));
  await waitFor(
    "the extension to see Alice's phone",
    async () => (await session.crypto.getUserDeviceInfo([alice.userId])).get(alice.userId)?.has(alicePhone.deviceId) || undefined,
  );
  await session.crypto.crossSignDevice(alicePhone.deviceId);
  await waitFor(
    "Alice's phone to learn it is signed",
    async () => (await alicePhone.crypto.getDeviceVerificationStatus(alice.userId, alicePhone.deviceId))?.signedByOwner || undefined,
  );
}, 120_000);

afterEach(async () => {
  for (const peer of peers.splice(0)) {
    if (peer !== alicePhone) peer.stop();
  }
  peers.push(alicePhone);
  if (extension.status.get().policy !== 'default') await extension.account.rooms.setPolicy('default');
});

afterAll(() => {
  for (const peer of peers) peer.stop();
  extension.stop();
});

describe('the extension classifies the devices of the people in its rooms', () => {
  it("a verified user's new device that is not cross-signed is unsigned-of-verified, new, in every shared room", async () => {
    const bob = await person('Bob');
    const first = await roomWith(bob);
    const second = await roomWith(bob);
    await verifyBySas(extension.device(), bob);
    const laptop = track(await bob.addUnsignedDevice({ deviceName: 'Unknown device' }));
    for (const roomId of [first, second]) {
      const report = await memberWhere(
        roomId,
        bob.userId,
        (m) => m?.devices.some((d) => d.deviceId === laptop.deviceId) ?? false,
        "Bob's new device in the report",
      );
      const device = member(report, bob.userId)?.devices.find((d) => d.deviceId === laptop.deviceId);
      expect(device).toMatchObject({ class: 'unsigned-of-verified', severity: 'critical', isNew: true, displayName: 'Unknown device' });
      expect(report.newWarnings.critical).toBeGreaterThanOrEqual(1);
    }
  });

  it('an unverified user whose devices are all signed raises nothing by default, and a warning under the strict policy', async () => {
    const carol = await person('Carol');
    const roomId = await roomWith(carol);
    const quiet = await extension.account.rooms.report(roomId);
    expect(member(quiet, carol.userId)).toBeUndefined();
    expect(quiet.warnings).toEqual({ warn: 0, critical: 0 });

    await extension.account.rooms.setPolicy('strict');
    const strict = await memberWhere(roomId, carol.userId, (m) => m !== undefined, 'Carol under the strict policy');
    expect(member(strict, carol.userId)?.devices).toEqual([
      expect.objectContaining({ deviceId: carol.deviceId, class: 'owner-signed', severity: 'warn', isNew: true }),
    ]);
  });

  it('a device its owner did not sign is unsigned and warned about', async () => {
    const dave = await person('Dave');
    const roomId = await roomWith(dave);
    const rogue = track(await dave.addUnsignedDevice());
    const report = await memberWhere(
      roomId,
      dave.userId,
      (m) => m?.devices.some((d) => d.deviceId === rogue.deviceId) ?? false,
      "Dave's unsigned device",
    );
    expect(member(report, dave.userId)).toMatchObject({
      identity: 'ok',
      severity: 'warn',
      devices: [expect.objectContaining({ deviceId: rogue.deviceId, class: 'unsigned', severity: 'warn', isNew: true })],
    });
  });

  it('an identity reset shows as identity-changed until Alice pins the new identity', async () => {
    const erin = await person('Erin');
    const roomId = await roomWith(erin);
    await erin.resetIdentity();
    const changed = await memberWhere(roomId, erin.userId, (m) => m?.identity === 'identity-changed', "Erin's identity change");
    expect(member(changed, erin.userId)?.severity).toBe('critical');
    expect(changed.newWarnings.critical).toBeGreaterThanOrEqual(1);

    await extension.account.rooms.pinIdentity(erin.userId, shownMasterKey(changed, erin.userId));
    const pinned = await memberWhere(roomId, erin.userId, (m) => m === undefined, "Erin's pinned identity");
    expect(pinned.warnings.critical).toBe(0);
  });

  it('a verified user who resets is a verification violation until Alice withdraws the requirement', async () => {
    const frank = await person('Frank');
    const roomId = await roomWith(frank);
    await verifyBySas(extension.device(), frank);
    await frank.resetIdentity();
    const violated = await memberWhere(roomId, frank.userId, (m) => m?.identity === 'verification-violation', "Frank's violation");
    expect(member(violated, frank.userId)?.severity).toBe('critical');

    await extension.account.rooms.withdrawVerification(frank.userId, shownMasterKey(violated, frank.userId));
    await memberWhere(roomId, frank.userId, (m) => m === undefined, 'the withdrawn requirement');
  });
});

describe('the warned-device ledger, per room', () => {
  it('warns once, stays quiet once acknowledged, warns again when the device gets worse', async () => {
    const grace = await person('Grace');
    const roomId = await roomWith(grace);
    const tablet = track(await grace.addUnsignedDevice({ deviceName: "Grace's tablet" }));
    const drawn = await memberWhere(roomId, grace.userId, (m) => m?.devices.some((d) => d.isNew) ?? false, "Grace's new tablet");

    const acknowledged = await extension.account.rooms.acknowledge(roomId, shownIn(drawn, { userId: grace.userId }));
    expect(member(acknowledged, grace.userId)?.devices[0]).toMatchObject({ deviceId: tablet.deviceId, isNew: false });
    expect(acknowledged.newWarnings).toEqual({ warn: 0, critical: 0 });

    // Alice verifies Grace: the tablet Grace never signed is now unsigned-of-verified, worse than when acknowledged.
    await verifyBySas(extension.device(), grace);
    const worse = await memberWhere(
      roomId,
      grace.userId,
      (m) => m?.devices[0]?.class === 'unsigned-of-verified',
      'the tablet getting worse',
    );
    expect(member(worse, grace.userId)?.devices[0]).toMatchObject({ isNew: true, severity: 'critical' });
  });

  it('keeps a departed device as history, and a device id that returns with a new key is a new device', async () => {
    const heidi = await person('Heidi');
    const roomId = await roomWith(heidi);
    const old = await heidi.addUnsignedDevice({ deviceName: 'Old phone' });
    const drawn = await memberWhere(
      roomId,
      heidi.userId,
      (m) => m?.devices.some((d) => d.deviceId === old.deviceId) ?? false,
      'the old phone',
    );
    await extension.account.rooms.acknowledge(roomId, shownIn(drawn, { userId: heidi.userId, deviceId: old.deviceId }));
    const oldKey = (await extension.ledger.entriesForRoom(roomId)).find((e) => e.deviceId === old.deviceId)?.ed25519Key;

    await old.logout();
    await waitFor('the old phone to be recorded as departed', async () =>
      (await extension.ledger.entriesForRoom(roomId)).find((e) => e.deviceId === old.deviceId && e.departedAt !== undefined),
    );
    const reborn = track(await heidi.addUnsignedDevice({ deviceName: 'Old phone, reinstalled', deviceId: old.deviceId }));
    const isReborn = (d: { deviceId: string; ed25519Key: string }) => d.deviceId === reborn.deviceId && d.ed25519Key !== oldKey;
    const report = await memberWhere(roomId, heidi.userId, (m) => m?.devices.some(isReborn) ?? false, 'the reborn device');
    expect(member(report, heidi.userId)?.devices.filter((d) => d.deviceId === old.deviceId)).toEqual([
      expect.objectContaining({
        ed25519Key: (await reborn.crypto.getOwnDeviceKeys()).ed25519,
        isNew: true,
        displayName: 'Old phone, reinstalled',
      }),
    ]);
    const entries = (await extension.ledger.entriesForRoom(roomId)).filter((e) => e.deviceId === old.deviceId);
    expect(entries).toHaveLength(2);
    expect(entries.find((e) => e.ed25519Key === oldKey)).toMatchObject({ acknowledgedClass: 'unsigned' });
    expect(entries.find((e) => e.ed25519Key === oldKey)?.departedAt).toBeDefined();
    const fresh = entries.find((e) => e.ed25519Key !== oldKey);
    expect(fresh?.departedAt).toBeUndefined();
    expect(fresh?.acknowledgedAt).toBeUndefined();
  });

  it('acknowledges exactly what was shown: a device that arrives after the list was drawn stays new', async () => {
    const judy = await person('Judy');
    const roomId = await roomWith(judy);
    const first = track(await judy.addUnsignedDevice({ deviceName: 'First tablet' }));
    const drawn = await memberWhere(
      roomId,
      judy.userId,
      (m) => m?.devices.some((d) => d.deviceId === first.deviceId) ?? false,
      "Judy's first tablet",
    );
    const second = track(await judy.addUnsignedDevice({ deviceName: 'Second tablet' }));
    await memberWhere(roomId, judy.userId, (m) => m?.devices.some((d) => d.deviceId === second.deviceId) ?? false, "Judy's second tablet");
    // "Acknowledge all" from the list drawn before the second tablet came.
    const after = await extension.account.rooms.acknowledge(roomId, shownIn(drawn));
    expect(member(after, judy.userId)?.devices.map((d) => [d.deviceId, d.isNew])).toEqual([
      [second.deviceId, true],
      [first.deviceId, false],
    ]);
  });

  it('acknowledges exactly what was shown: a device id that came back with a new key after the list was drawn stays new', async () => {
    const kim = await person('Kim');
    const roomId = await roomWith(kim);
    const phone = await kim.addUnsignedDevice({ deviceName: 'Phone' });
    const drawn = await memberWhere(
      roomId,
      kim.userId,
      (m) => m?.devices.some((d) => d.deviceId === phone.deviceId) ?? false,
      "Kim's phone",
    );
    await phone.logout();
    const reborn = track(await kim.addUnsignedDevice({ deviceName: 'Phone, reinstalled', deviceId: phone.deviceId }));
    const rebornKey = (await reborn.crypto.getOwnDeviceKeys()).ed25519;
    await memberWhere(roomId, kim.userId, (m) => m?.devices.some((d) => d.ed25519Key === rebornKey) ?? false, "Kim's reinstalled phone");
    // The click on the line drawn before: its key, not the device id, is what it names.
    const after = await extension.account.rooms.acknowledge(roomId, shownIn(drawn, { userId: kim.userId }));
    expect(member(after, kim.userId)?.devices.find((d) => d.ed25519Key === rebornKey)?.isNew).toBe(true);
  });

  it('keeps the entries of a member who left the room', async () => {
    const ivan = await person('Ivan');
    const roomId = await roomWith(ivan);
    const extra = track(await ivan.addUnsignedDevice());
    await memberWhere(roomId, ivan.userId, (m) => m?.devices.some((d) => d.deviceId === extra.deviceId) ?? false, "Ivan's extra device");
    await ivan.client.leave(roomId);
    await extension.reportWhere(roomId, (report) => report.memberCount === 1, 'Ivan to leave');
    const entries = await waitFor("Ivan's entries to be marked departed", async () => {
      const mine = (await extension.ledger.entriesForRoom(roomId)).filter((e) => e.userId === ivan.userId);
      return mine.length === 2 && mine.every((e) => e.departedAt !== undefined) ? mine : undefined;
    });
    expect(entries.map((e) => e.deviceId).sort()).toEqual([ivan.deviceId, extra.deviceId].sort());
    const exported = JSON.parse(await extension.account.rooms.exportLedger()) as { entries: { userId: string; deviceId: string }[] };
    expect(exported.entries.some((e) => e.userId === ivan.userId && e.deviceId === extra.deviceId)).toBe(true);
  });
});

describe("Alice's own devices", () => {
  it('a login with her password from a device her identity has not signed is critical, in the account and every room', async () => {
    const judy = await person('Judy');
    const roomId = await roomWith(judy);
    const intruder = track(await Peer.login(server, alice, { deviceName: 'Intruder' }));
    await waitFor('the account status to list the intruder', () => {
      const account = extension.status.get().account;
      return account.state === 'signed-in' && account.ownDevices?.some((d) => d.deviceId === intruder.deviceId) ? account : undefined;
    });
    const own = extension.signedIn().ownDevices ?? [];
    expect(own.find((d) => d.deviceId === intruder.deviceId)).toMatchObject({ class: 'unsigned-of-verified', displayName: 'Intruder' });
    expect(own.find((d) => d.deviceId === alicePhone.deviceId)).toMatchObject({ class: 'verified' });
    const report = await memberWhere(
      roomId,
      alice.userId,
      (m) => m?.devices.some((d) => d.deviceId === intruder.deviceId) ?? false,
      'the intruder in the room',
    );
    expect(member(report, alice.userId)?.devices[0]).toMatchObject({ class: 'unsigned-of-verified', severity: 'critical' });
    await intruder.logout();
  });
});

describe('live updates', () => {
  it('a member who joins with an unsigned device while the extension syncs is in the pushed report', async () => {
    const mallory = await person('Mallory', { crossSigning: true });
    const roomId = await roomWith();
    const rogue = track(await mallory.addUnsignedDevice());
    await alicePhone.client.invite(roomId, mallory.userId);
    await mallory.joinRoom(roomId);
    const report = await memberWhere(
      roomId,
      mallory.userId,
      (m) => m?.devices.some((d) => d.deviceId === rogue.deviceId) ?? false,
      "Mallory's rogue device pushed",
    );
    expect(member(report, mallory.userId)?.devices.find((d) => d.deviceId === rogue.deviceId)).toMatchObject({
      class: 'unsigned',
      isNew: true,
    });
  });
});

describe('rooms as web clients name them in their URLs', () => {
  it('resolves an alias to the room it names, and only for rooms the extension has joined', async () => {
    const kim = await person('Kim');
    const roomId = await roomWith(kim);
    const alias = `#plans-${Date.now().toString(36)}:${server.serverName}`;
    await alicePhone.client.createAlias(alias, roomId);
    await expect(extension.account.rooms.joinedRoomFor({ kind: 'alias', alias })).resolves.toBe(roomId);
    await expect(extension.account.rooms.joinedRoomFor({ kind: 'id', roomId })).resolves.toBe(roomId);
    // A room the extension's account is not in: nothing to report on, whatever names it.
    const elsewhere = await kim.createEncryptedRoom({ name: 'Not Alice' });
    const elsewhereAlias = `#elsewhere-${Date.now().toString(36)}:${server.serverName}`;
    await kim.client.createAlias(elsewhereAlias, elsewhere);
    await expect(extension.account.rooms.joinedRoomFor({ kind: 'id', roomId: elsewhere })).resolves.toBeUndefined();
    await expect(extension.account.rooms.joinedRoomFor({ kind: 'alias', alias: elsewhereAlias })).resolves.toBeUndefined();
    await expect(
      extension.account.rooms.joinedRoomFor({ kind: 'alias', alias: `#nobody-${Date.now().toString(36)}:${server.serverName}` }),
    ).resolves.toBeUndefined();
  });
});
