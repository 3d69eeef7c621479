import { afterEach, describe, expect, inject, it } from 'vitest';
import type { MemberReport, RoomTrustReport } from '../../src/trust/types';
import { type BrowserProfile, type NodeBackground, newBrowserProfile, startNodeBackground } from '../support/nodeBackground.ts';
import { Peer, verifyBySas } from '../support/peer.ts';
import { sdkSessionOf } from '../support/sdkSession';
import { connectToSynapse, type RegisteredUser } from '../support/synapse.ts';
import { waitFor } from '../support/waitFor.ts';

/**
 * "You reset" versus "they reset", as the extension (signed in as Alice) reports it with real
 * peers: Rust crypto shows a contact Alice had verified the same way in both cases ("previously
 * verified, not verified now"); the extension tells them apart from what it remembered.
 */

const server = inject('synapse');
const synapse = connectToSynapse(server);
const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface AliceSetup {
  alice: RegisteredUser;
  profile: BrowserProfile;
  extension: NodeBackground;
  /** Alice's phone, signed by her identity, which creates the rooms. */
  phone: Peer;
}

/** A fresh Alice: the extension signed in and owning her identity, and a phone it signed. */
async function aliceWithExtension(): Promise<AliceSetup> {
  const alice = await synapse.registerUser({ displayName: 'Alice' });
  const profile = newBrowserProfile();
  // Whichever background runs at the end (a test may restart it) is stopped.
  const running = { extension: await startNodeBackground(profile) };
  cleanups.push(() => running.extension.stop());
  const { extension } = running;
  await extension.account.signIn({ homeserver: server.baseUrl, user: alice.userId, password: alice.password });
  const session = sdkSessionOf(extension.account.device);
  await session.crypto.bootstrapCrossSigning({});
  const phone = await peer(alice, "Alice's phone");
  await waitFor(
    "the extension to see Alice's phone",
    async () => (await session.crypto.getUserDeviceInfo([alice.userId])).get(alice.userId)?.has(phone.deviceId) || undefined,
  );
  await session.crypto.crossSignDevice(phone.deviceId);
  await waitFor(
    "Alice's phone to learn it is signed",
    async () => (await phone.crypto.getDeviceVerificationStatus(alice.userId, phone.deviceId))?.signedByOwner || undefined,
  );
  return Object.assign(running, { alice, profile, phone });
}

async function peer(user: RegisteredUser, deviceName: string): Promise<Peer> {
  const started = await Peer.login(server, user, { deviceName });
  cleanups.push(() => started.stop());
  return started;
}

async function contact(name: string): Promise<Peer> {
  const user = await synapse.registerUser({ displayName: name });
  const started = await peer(user, `${name}'s laptop`);
  await started.bootstrapCrossSigning();
  return started;
}

/** A room of Alice's with `others`, each verified by the extension (the quiet check mark in the report). */
async function roomWithVerified(setup: AliceSetup, ...others: Peer[]): Promise<string> {
  const roomId = await setup.phone.shareRoomWith(...others);
  for (const other of others) await verifyBySas(setup.extension.device(), other);
  await setup.extension.reportWhere(
    roomId,
    (report) => others.every((other) => report.verifiedUserIds.includes(other.userId)) && report.checking.length === 0,
    `the extension to show ${others.map((other) => other.userId).join(', ')} as verified`,
  );
  return roomId;
}

function memberIn(report: RoomTrustReport, userId: string): MemberReport | undefined {
  return report.members.find((member) => member.userId === userId);
}

describe('whose identity changed', () => {
  it('Alice resets from her phone: contacts she verified need verifying again because she reset, said after a restart too', async () => {
    const setup = await aliceWithExtension();
    const bob = await contact('Bob');
    const roomId = await roomWithVerified(setup, bob);
    const before = Date.now();

    await setup.phone.resetIdentity();

    const report = await setup.extension.reportWhere(
      roomId,
      (candidate) => memberIn(candidate, bob.userId)?.cause?.ownReset !== undefined,
      "Bob's warning to say that Alice reset",
    );
    const fromPhone = { deviceId: setup.phone.deviceId, displayName: "Alice's phone" };
    // Still critical: Bob is not verified (never reassured), and it is never said that he reset.
    expect(memberIn(report, bob.userId)).toMatchObject({
      identity: 'verification-violation',
      severity: 'critical',
      cause: { ownReset: { at: expect.any(Number) as number, byDevice: fromPhone } },
    });
    expect(memberIn(report, bob.userId)?.cause?.theirChange).toBeUndefined();
    expect(report.ownReset).toMatchObject({ byDevice: fromPhone, userIds: [bob.userId] });
    expect(report.ownReset?.at).toBeGreaterThanOrEqual(before);
    expect(report.warnings.critical).toBeGreaterThanOrEqual(1);
    // Alice's own line: her identity was replaced, by her.
    expect(memberIn(report, setup.alice.userId)?.cause).toEqual({
      ownReset: report.ownReset && { at: report.ownReset.at, byDevice: fromPhone },
    });
    const overview = await waitFor('the overview to list Bob', () => setup.extension.overviews.findLast((o) => o.ownReset !== undefined));
    expect(overview.ownReset?.contacts.map((c) => c.userId)).toEqual([bob.userId]);

    // What was remembered outlives the worker: a restarted background says the same.
    setup.extension.stop();
    setup.extension = await startNodeBackground(setup.profile);
    const again = await setup.extension.reportWhere(
      roomId,
      (candidate) => memberIn(candidate, bob.userId)?.identity === 'verification-violation',
      "the restarted background's report on Bob",
    );
    expect(memberIn(again, bob.userId)?.cause).toEqual(memberIn(report, bob.userId)?.cause);
  });

  it('Bob and Dave reset: each warning says when and whether Alice had verified (Bob) or only accepted (Dave) the old identity, never that Alice reset', async () => {
    const setup = await aliceWithExtension();
    const [bob, dave] = await Promise.all([contact('Bob'), contact('Dave')]);
    // Bob verified; Dave only accepted as first seen (pinned).
    const roomId = await setup.phone.shareRoomWith(bob, dave);
    await verifyBySas(setup.extension.device(), bob);
    await setup.extension.reportWhere(
      roomId,
      (report) => report.verifiedUserIds.includes(bob.userId) && report.memberCount === 3 && report.checking.length === 0,
      'the extension to know Dave and show Bob as verified',
    );
    const before = Date.now();

    await Promise.all([bob.resetIdentity(), dave.resetIdentity()]);

    const report = await setup.extension.reportWhere(
      roomId,
      (candidate) =>
        memberIn(candidate, bob.userId)?.cause?.theirChange !== undefined &&
        memberIn(candidate, dave.userId)?.cause?.theirChange !== undefined,
      'the warnings to say that Bob and Dave changed',
    );
    const bobReport = memberIn(report, bob.userId);
    expect(bobReport).toMatchObject({ identity: 'verification-violation', severity: 'critical' });
    expect(bobReport?.cause).toEqual({ theirChange: { at: expect.any(Number) as number, hadVerified: true, hadPinned: true } });
    expect(bobReport?.cause?.theirChange?.at).toBeGreaterThanOrEqual(before);
    const daveReport = memberIn(report, dave.userId);
    expect(daveReport).toMatchObject({ identity: 'identity-changed', severity: 'critical' });
    expect(daveReport?.cause).toEqual({ theirChange: { at: expect.any(Number) as number, hadVerified: false, hadPinned: true } });
    expect(report.ownReset).toBeUndefined();
  });

  it('both at once: Alice resets from the extension while Bob resets; Bob gets both messages, Carol only Alice’s', async () => {
    const setup = await aliceWithExtension();
    const [bob, carol] = await Promise.all([contact('Bob'), contact('Carol')]);
    const roomId = await roomWithVerified(setup, bob, carol);
    const { deviceId } = setup.extension.signedIn();

    await Promise.all([setup.extension.account.security().recovery.resetIdentity(setup.alice.password), bob.resetIdentity()]);

    const report = await setup.extension.reportWhere(
      roomId,
      (candidate) => {
        const cause = memberIn(candidate, bob.userId)?.cause;
        return cause?.ownReset !== undefined && cause.theirChange !== undefined && ownResetLists(candidate, carol.userId);
      },
      'both causes for Bob, and Carol in the own-reset list',
    );
    const fromHere = { deviceId, displayName: 'Matrix Trust Guard on Node' };
    expect(memberIn(report, bob.userId)).toMatchObject({
      identity: 'verification-violation',
      severity: 'critical',
      cause: {
        ownReset: { byDevice: fromHere },
        theirChange: { hadVerified: true, hadPinned: true },
      },
    });
    expect(memberIn(report, carol.userId)).toMatchObject({ identity: 'verification-violation', severity: 'critical' });
    expect(memberIn(report, carol.userId)?.cause).toEqual({ ownReset: { at: report.ownReset?.at, byDevice: fromHere } });
    expect(report.ownReset?.userIds).toEqual([bob.userId, carol.userId].sort());
  });
});

/** Whether the report's own-reset notice lists `userId`. */
function ownResetLists(report: RoomTrustReport, userId: string): boolean {
  return report.ownReset?.userIds.includes(userId) ?? false;
}
