import { afterEach, describe, expect, inject, it } from 'vitest';
import { Peer } from '../support/peer.ts';
import { connectToSynapse } from '../support/synapse.ts';

/**
 * What one Matrix device learns about other users' devices and identities, through its own
 * Rust crypto, in the situations the extension has to classify. Every assertion is made from
 * an observer's point of view, never from the device's own.
 */

const server = inject('synapse');
const synapse = connectToSynapse(server);
// Observations arrive through sync and background key queries.
const eventually = { timeout: 30_000, interval: 100 };

const running: Peer[] = [];
afterEach(() => {
  for (const peer of running.splice(0)) peer.stop();
});

function track(peer: Peer): Peer {
  running.push(peer);
  return peer;
}

async function signIn(name: string): Promise<Peer> {
  const user = await synapse.registerUser({ displayName: name });
  return track(await Peer.login(server, user, { deviceName: `${name}'s first device` }));
}

async function signInWithCrossSigning(name: string): Promise<Peer> {
  const peer = await signIn(name);
  await peer.bootstrapCrossSigning();
  return peer;
}

/** How `observer` rates `device`; null while it does not know the device. */
async function deviceTrust(observer: Peer, device: Peer) {
  const status = await observer.crypto.getDeviceVerificationStatus(device.userId, device.deviceId);
  if (!status) return null;
  const { signedByOwner, crossSigningVerified, localVerified } = status;
  return { signedByOwner, crossSigningVerified, localVerified };
}

/** How `observer` rates `user`'s cross-signing identity. */
async function userTrust(observer: Peer, user: Peer) {
  const status = await observer.crypto.getUserVerificationStatus(user.userId);
  return {
    verified: status.isCrossSigningVerified(),
    wasVerified: status.wasCrossSigningVerified(),
    needsUserApproval: status.needsUserApproval,
  };
}

/** The device ids of `user` that `observer` tracks, without asking it to download anything. */
async function trackedDeviceIds(observer: Peer, user: Peer): Promise<string[]> {
  const devices = await observer.crypto.getUserDeviceInfo([user.userId]);
  return [...(devices.get(user.userId)?.keys() ?? [])].sort();
}

function decryptedBody(reader: Peer, roomId: string, eventId: string): unknown {
  const event = reader.client.getRoom(roomId)?.findEventById(eventId);
  return event?.isDecryptionFailure() === false ? event.getContent().body : undefined;
}

describe('what a peer observes about other devices', () => {
  it('a peer with bootstrapped cross-signing has a device signed by its owner', async () => {
    const alice = await signIn('alice');
    await alice.bootstrapCrossSigning();
    const bob = await signIn('bob');
    await alice.shareRoomWith(bob);

    await expect
      .poll(() => deviceTrust(bob, alice), eventually)
      .toEqual({ signedByOwner: true, crossSigningVerified: false, localVerified: false });
  });

  it('an unsigned device is seen as not signed by its owner, until the owner signs it', async () => {
    const alice = await signInWithCrossSigning('alice');
    const bob = await signIn('bob');
    await alice.shareRoomWith(bob);

    const aliceLaptop = track(await alice.addUnsignedDevice({ deviceName: 'unsigned laptop' }));
    await expect.poll(() => deviceTrust(bob, aliceLaptop), eventually).toMatchObject({ signedByOwner: false });

    await alice.signOwnDevice(aliceLaptop);
    await expect.poll(() => deviceTrust(bob, aliceLaptop), eventually).toMatchObject({ signedByOwner: true });
  });

  it('a signed extra device is seen as signed by its owner', async () => {
    const alice = await signInWithCrossSigning('alice');
    const alicePhone = track(await alice.addSignedDevice({ deviceName: 'phone' }));
    const bob = await signIn('bob');
    await alice.shareRoomWith(bob);

    await expect
      .poll(() => deviceTrust(bob, alicePhone), eventually)
      .toEqual({ signedByOwner: true, crossSigningVerified: false, localVerified: false });
  });

  it('after SAS verification the observer sees the user as cross-signing verified, and their signed devices as crossSigningVerified', async () => {
    const alice = await signInWithCrossSigning('alice');
    const bob = await signInWithCrossSigning('bob');
    const bobPhone = track(await bob.addSignedDevice({ deviceName: 'phone' }));
    const bobTablet = track(await bob.addUnsignedDevice({ deviceName: 'unsigned tablet' }));
    await bob.shareRoomWith(alice);

    await alice.verifyUser(bob);

    await expect.poll(() => userTrust(alice, bob), eventually).toMatchObject({ verified: true });
    await expect.poll(() => userTrust(bob, alice), eventually).toMatchObject({ verified: true });
    await expect.poll(() => deviceTrust(alice, bob), eventually).toMatchObject({ crossSigningVerified: true });
    await expect.poll(() => deviceTrust(alice, bobPhone), eventually).toMatchObject({ crossSigningVerified: true });
    // The case this project exists for: a device of a verified user that its owner never signed.
    await expect.poll(() => deviceTrust(alice, bobTablet), eventually).toMatchObject({ signedByOwner: false, crossSigningVerified: false });
  });

  it('after a verified user resets their identity, the observer sees wasCrossSigningVerified and no longer verified', async () => {
    const alice = await signInWithCrossSigning('alice');
    const bob = await signInWithCrossSigning('bob');
    const carol = await signIn('carol');
    await bob.shareRoomWith(alice, carol);
    await alice.verifyUser(bob);
    // Carol never verifies Bob, but must have seen his first identity for a reset to be a change.
    await expect.poll(() => deviceTrust(carol, bob), eventually).toMatchObject({ signedByOwner: true });

    await bob.resetIdentity();

    await expect.poll(() => userTrust(alice, bob), eventually).toMatchObject({ verified: false, wasVerified: true });
    await expect.poll(() => userTrust(carol, bob), eventually).toEqual({ verified: false, wasVerified: false, needsUserApproval: true });
  });

  it("members of an encrypted room see each other's devices", async () => {
    const alice = await signIn('alice');
    const bob = await signIn('bob');
    const roomId = await alice.createEncryptedRoom({ name: 'both of us', invite: [bob.userId] });
    await bob.joinRoom(roomId);

    // No explicit download: room membership alone makes each side track the other's devices.
    await expect.poll(() => trackedDeviceIds(alice, bob), eventually).toEqual([bob.deviceId]);
    await expect.poll(() => trackedDeviceIds(bob, alice), eventually).toEqual([alice.deviceId]);

    const bobLaptop = track(await bob.addUnsignedDevice({ deviceName: 'laptop' }));
    await expect.poll(() => trackedDeviceIds(alice, bob), eventually).toEqual([bob.deviceId, bobLaptop.deviceId].sort());

    const eventId = await alice.sendText(roomId, 'hello, encrypted');
    await expect.poll(() => decryptedBody(bob, roomId, eventId), eventually).toBe('hello, encrypted');
  });
});
