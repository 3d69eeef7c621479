import { afterEach, describe, expect, inject, it } from 'vitest';
import { ACKNOWLEDGEMENTS_EVENT_TYPE } from '../../src/background/ports/acknowledgementChannel.ts';
import type { AcknowledgementSyncStatus } from '../../src/messaging/protocol.ts';
import type { RoomTrustReport } from '../../src/trust/types.ts';
import {
  freshSecurityStatus,
  type NodeBackground,
  newBrowserProfile,
  shownIn,
  shownMasterKey,
  startNodeBackground,
} from '../support/nodeBackground.ts';
import { Peer } from '../support/peer.ts';
import { connectToSynapse, type RegisteredUser } from '../support/synapse.ts';
import { waitFor } from '../support/waitFor.ts';

/**
 * Acknowledgements that follow the user: two browsers (two Node backgrounds, two profiles) on
 * one account, a real Synapse, and a server that tampers with what it stores.
 */

const server = inject('synapse');
const synapse = connectToSynapse(server);
const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function browser(user: RegisteredUser): Promise<NodeBackground> {
  const extension = await startNodeBackground(newBrowserProfile());
  cleanups.push(() => extension.stop());
  await extension.account.signIn({ homeserver: server.baseUrl, user: user.userId, password: user.password });
  return extension;
}

async function peer(user: RegisteredUser, deviceName?: string): Promise<Peer> {
  const started = await Peer.login(server, user, { deviceName });
  cleanups.push(() => started.stop());
  return started;
}

function syncState(extension: NodeBackground, state: AcknowledgementSyncStatus['state']): Promise<AcknowledgementSyncStatus> {
  return waitFor(`acknowledgement sync ${state}`, () => {
    const status = extension.status.get().acknowledgementSync;
    return status?.state === state ? status : undefined;
  });
}

/**
 * Alice with two browsers: the first sets up recovery, the second starts without the key (and
 * says so), then is unlocked with it. Her phone shares a room with Bob, who has an unsigned device.
 */
async function twoBrowsersAndARogue() {
  const alice = await synapse.registerUser();
  const first = await browser(alice);
  const recoveryKey = await first.account.security().recovery.start({ reset: false });
  await first.account.security().recovery.confirm(recoveryKey);
  await syncState(first, 'synced');

  const second = await browser(alice);
  await syncState(second, 'off');
  // Unlocking needs the account's identity as a key query fetched it, after the first sync.
  await waitFor('the second browser to know its identity', async () =>
    (await freshSecurityStatus(second.account.security())).crossSigning.publicKeysOnDevice ? true : undefined,
  );
  await second.account.security().recovery.unlock(recoveryKey);
  await syncState(second, 'synced');

  const phone = await peer(alice, 'Phone');
  const bob = await peer(await synapse.registerUser({ displayName: 'Bob' }));
  const roomId = await phone.shareRoomWith(bob);
  const rogue = await bob.addUnsignedDevice({ deviceName: 'Rogue' });
  cleanups.push(() => rogue.stop());
  return { alice, first, second, roomId, bob, rogue, phone };
}

function rogueIn(report: RoomTrustReport, deviceId: string, key?: string) {
  return report.members.flatMap((m) => m.devices).find((d) => d.deviceId === deviceId && (key === undefined || d.ed25519Key === key));
}

async function accountData(user: RegisteredUser): Promise<unknown> {
  const response = await fetch(
    `${server.baseUrl}/_matrix/client/v3/user/${encodeURIComponent(user.userId)}/account_data/${ACKNOWLEDGEMENTS_EVENT_TYPE}`,
    { headers: { Authorization: `Bearer ${user.accessToken}` } },
  );
  return response.ok ? response.json() : undefined;
}

/** The server (or whoever holds it) replaces the stored content. */
async function putAccountData(user: RegisteredUser, content: unknown): Promise<void> {
  const response = await fetch(
    `${server.baseUrl}/_matrix/client/v3/user/${encodeURIComponent(user.userId)}/account_data/${ACKNOWLEDGEMENTS_EVENT_TYPE}`,
    {
      method: 'PUT',
      headers: { Authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(content),
    },
  );
  expect(response.ok).toBe(true);
}

describe('acknowledgements across browsers', () => {
  it('an acknowledgement in one browser quiets the other, and the server holds only ciphertext', async () => {
    const { alice, first, second, roomId, bob, rogue } = await twoBrowsersAndARogue();
    const isRogueNew = (r: RoomTrustReport) => rogueIn(r, rogue.deviceId)?.isNew === true;
    const drawn = await first.reportWhere(roomId, isRogueNew, 'the rogue device, new in the first browser');
    await second.reportWhere(roomId, isRogueNew, 'the rogue device, new in the second browser');
    const rogueKey = rogueIn(drawn, rogue.deviceId)?.ed25519Key ?? '';

    const shown = shownIn(drawn, { userId: bob.userId });
    await first.account.rooms.acknowledge(roomId, shown);
    const quiet = await second.reportWhere(roomId, (r) => rogueIn(r, rogue.deviceId)?.isNew === false, 'the second browser to go quiet');
    // Bob's warnings are all acknowledged (Alice's own unsigned phone, acknowledged nowhere, still warns).
    expect(quiet.members.find((m) => m.userId === bob.userId)?.devices.filter((d) => d.isNew)).toEqual([]);
    expect(second.status.get().acknowledgementSync).toMatchObject({ state: 'synced', acknowledgements: shown.length });

    // What the server stores, read by an admin: nothing that names anyone or anything.
    const admin = await synapse.registerUser({ admin: true });
    const response = await fetch(`${server.baseUrl}/_synapse/admin/v1/users/${encodeURIComponent(alice.userId)}/accountdata`, {
      headers: { Authorization: `Bearer ${admin.accessToken}` },
    });
    const all = (await response.json()) as { account_data: { global: Record<string, unknown> } };
    const stored = all.account_data.global[ACKNOWLEDGEMENTS_EVENT_TYPE];
    expect(Object.keys(stored as object).sort()).toEqual(['ciphertext', 'iv', 'kid', 'v']);
    const text = JSON.stringify(stored);
    for (const clear of [alice.userId, bob.userId, rogue.deviceId, rogueKey, roomId, 'unsigned']) expect(text).not.toContain(clear);
  });

  it('refuses tampered account data, keeps warning, writes a merged valid copy again; a changed key warns in both', async () => {
    const { alice, first, second, roomId, bob, rogue } = await twoBrowsersAndARogue();
    const isRogueNew = (r: RoomTrustReport) => rogueIn(r, rogue.deviceId)?.isNew === true;
    const drawn = await first.reportWhere(roomId, isRogueNew, 'the rogue device, new in the first browser');
    await second.reportWhere(roomId, isRogueNew, 'the rogue device, new in the second browser');
    const beforeAcknowledging = (await accountData(alice)) as { v: number; iv: string; ciphertext: string };

    // Garbage, then a valid copy with one character of its ciphertext changed: both refused.
    await putAccountData(alice, { v: 1, iv: 'AAAAAAAAAAAAAAAA', ciphertext: 'AAAA' });
    await syncState(second, 'rejected');
    const { ciphertext } = beforeAcknowledging;
    const flipped = `${ciphertext.slice(0, 10)}${ciphertext[10] === 'A' ? 'B' : 'A'}${ciphertext.slice(11)}`;
    await putAccountData(alice, { ...beforeAcknowledging, ciphertext: flipped });
    await syncState(second, 'rejected');
    expect((await second.account.rooms.report(roomId)).newWarnings.warn).toBeGreaterThan(0);
    expect(await accountData(alice)).toMatchObject({ ciphertext: flipped });

    // A decision in the first browser writes a valid, merged copy over the damaged one.
    await first.account.rooms.acknowledge(roomId, shownIn(drawn, { userId: bob.userId }));
    await second.reportWhere(roomId, (r) => rogueIn(r, rogue.deviceId)?.isNew === false, 'the second browser to go quiet');
    await syncState(second, 'synced');
    const valid = await accountData(alice);
    expect(valid).not.toMatchObject({ ciphertext: flipped });

    // A replay of the old valid copy (without the acknowledgement) is written over with the union.
    await putAccountData(alice, beforeAcknowledging);
    await waitFor('a browser to write the union back over the replay', async () => {
      const now = (await accountData(alice)) as { ciphertext: string } | undefined;
      return now !== undefined && now.ciphertext !== beforeAcknowledging.ciphertext ? now : undefined;
    });
    expect(rogueIn(await second.account.rooms.report(roomId), rogue.deviceId)?.isNew).toBe(false);

    // The rogue device id comes back with another key: not covered by the old acknowledgement anywhere.
    await rogue.logout();
    const reborn = await bob.addUnsignedDevice({ deviceName: 'Rogue again', deviceId: rogue.deviceId });
    cleanups.push(() => reborn.stop());
    const newKey = (await reborn.crypto.getOwnDeviceKeys()).ed25519;
    for (const extension of [first, second]) {
      const report = await extension.reportWhere(roomId, (r) => rogueIn(r, rogue.deviceId, newKey) !== undefined, 'the reborn device');
      expect(rogueIn(report, rogue.deviceId, newKey)).toMatchObject({ isNew: true });
    }
  });

  it('an identity accepted in one browser is accepted in the other, and only that identity', async () => {
    const { first, second, phone } = await twoBrowsersAndARogue();
    const erin = await peer(await synapse.registerUser({ displayName: 'Erin' }));
    await erin.bootstrapCrossSigning();
    const roomId = await phone.shareRoomWith(erin);
    const known = (r: RoomTrustReport) => r.memberCount === 2 && r.checking.length === 0;
    await first.reportWhere(roomId, known, 'the first browser to know Erin');
    await second.reportWhere(roomId, known, 'the second browser to know Erin');

    await erin.resetIdentity();
    const changed = (r: RoomTrustReport) => r.members.find((m) => m.userId === erin.userId)?.identity === 'identity-changed';
    const drawn = await first.reportWhere(roomId, changed, 'the first browser to see Erin reset');
    await second.reportWhere(roomId, changed, 'the second browser to see Erin reset');

    await first.account.rooms.pinIdentity(erin.userId, shownMasterKey(drawn, erin.userId));
    // Quiet in the latest report of the room (Erin is then no member with a warning at all).
    await waitFor('the second browser to accept Erin’s new identity', () => {
      const latest = second.reports.findLast((r) => r.roomId === roomId);
      return latest !== undefined && !changed(latest) ? latest : undefined;
    });

    // Erin resets again: the identity accepted before does not cover this one, in either browser.
    await erin.resetIdentity();
    const changedAgain = (r: RoomTrustReport) => changed(r) && shownMasterKey(r, erin.userId) !== shownMasterKey(drawn, erin.userId);
    await first.reportWhere(roomId, changedAgain, 'the first browser to see Erin reset again');
    await second.reportWhere(roomId, changedAgain, 'the second browser to see Erin reset again');
  });

  it('a new recovery key set up in one browser makes a new sync key; the other says to unlock again, and shares once it has', async () => {
    const { first, second, roomId, bob, rogue } = await twoBrowsersAndARogue();
    const drawn = await first.reportWhere(roomId, (r) => rogueIn(r, rogue.deviceId)?.isNew === true, 'the rogue device');
    await first.account.rooms.acknowledge(roomId, shownIn(drawn, { userId: bob.userId }));
    await second.reportWhere(roomId, (r) => rogueIn(r, rogue.deviceId)?.isNew === false, 'the second browser to go quiet');

    const security = first.account.security();
    const newKey = await security.recovery.start({ reset: true });
    await security.recovery.confirm(newKey);
    await syncState(second, 'other-key');
    await syncState(first, 'synced');

    await second.account.security().recovery.unlock(newKey);
    await syncState(second, 'synced');
    expect(second.status.get().acknowledgementSync).toMatchObject({ acknowledgements: shownIn(drawn, { userId: bob.userId }).length });
  });
});
