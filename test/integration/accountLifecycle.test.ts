import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { BackgroundRecords } from '../../src/background/backgroundRecords';
import { CRYPTO_DATABASE_PREFIX, SYNC_DATABASE } from '../../src/matrix/matrixSession';
import { openExtensionDatabase } from '../../src/storage/extensionDatabase';
import { RecordStore } from '../../src/storage/recordStore';
import { historyEvent } from '../../src/trust/trustHistory';
import type { RoomTrustReport } from '../../src/trust/types';
import { type NodeBackground, newBrowserProfile, shownIn, startNodeBackground } from '../support/nodeBackground.ts';
import { Peer } from '../support/peer.ts';
import { connectToSynapse, type RegisteredUser } from '../support/synapse.ts';
import { waitFor } from '../support/waitFor.ts';

/** Signing in, restarting, and being signed out, as the extension's background does them. */

const server = inject('synapse');
const synapse = connectToSynapse(server);
const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function background(profile = newBrowserProfile()): Promise<NodeBackground & { profile: typeof profile }> {
  const started = await startNodeBackground(profile);
  cleanups.push(() => started.stop());
  return { ...started, profile };
}

async function peer(user: RegisteredUser, deviceName?: string): Promise<Peer> {
  const started = await Peer.login(server, user, { deviceName });
  cleanups.push(() => started.stop());
  return started;
}

/** A web server on 127.0.0.1 that answers with `handler`. */
async function localServer(handler: http.RequestListener): Promise<string> {
  const web = http.createServer(handler);
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => web.close(resolve)));
  return `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
}

/** The user's devices as the server lists them. */
async function serverDevices(user: RegisteredUser): Promise<{ device_id: string; display_name?: string }[]> {
  const response = await fetch(`${server.baseUrl}/_matrix/client/v3/devices`, { headers: { Authorization: `Bearer ${user.accessToken}` } });
  return ((await response.json()) as { devices: { device_id: string; display_name?: string }[] }).devices;
}

/** A room shared by the user (through a phone of theirs) and Bob, whose extra device is unsigned. */
async function roomWithUnsignedDevice(user: RegisteredUser): Promise<{ roomId: string; rogue: Peer }> {
  const phone = await peer(user, 'Phone');
  const bob = await peer(await synapse.registerUser({ displayName: 'Bob' }));
  const roomId = await phone.shareRoomWith(bob);
  const rogue = await bob.addUnsignedDevice();
  cleanups.push(() => rogue.stop());
  return { roomId, rogue };
}

describe('signing in', () => {
  it('is one new device, named for the extension, with its credentials sealed', async () => {
    const user = await synapse.registerUser();
    const extension = await background();
    const status = await extension.account.signIn({ homeserver: server.baseUrl, user: user.localpart, password: user.password });
    expect(status).toMatchObject({ state: 'signed-in', userId: user.userId, homeserverUrl: server.baseUrl });
    const named = (await serverDevices(user)).filter((d) => d.display_name === 'Matrix Trust Guard on Node');
    expect(named.map((d) => d.device_id)).toEqual([extension.signedIn().deviceId]);
    await waitFor('the first sync', () => (extension.signedIn().sync.state === 'syncing' ? true : undefined));
  });

  it('finds the homeserver through .well-known when given a server that delegates', async () => {
    const user = await synapse.registerUser();
    const delegating = await localServer((request, response) => {
      if (request.url === '/.well-known/matrix/client') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ 'm.homeserver': { base_url: server.baseUrl } }));
      } else {
        response.writeHead(404).end();
      }
    });
    const extension = await background();
    const status = await extension.account.signIn({ homeserver: delegating, user: user.userId, password: user.password });
    expect(status).toMatchObject({ state: 'signed-in', homeserverUrl: server.baseUrl });
  });

  it('says so when the password is wrong, and stays signed out', async () => {
    const user = await synapse.registerUser();
    const extension = await background();
    await expect(extension.account.signIn({ homeserver: server.baseUrl, user: user.userId, password: 'not-it' })).rejects.toThrow(
      'The user name or password is not right.',
    );
    expect(extension.status.get().account).toEqual({ state: 'signed-out' });
  });

  it('says so when the address is not a Matrix homeserver', async () => {
    const notMatrix = await localServer((_request, response) => response.writeHead(404).end('nothing here'));
    const extension = await background();
    await expect(extension.account.signIn({ homeserver: notMatrix, user: 'alice', password: 'x' })).rejects.toThrow(
      'does not look like a Matrix homeserver',
    );
  });

  it('says so when the homeserver cannot be reached', async () => {
    const extension = await background();
    // Port 9 (discard) has nothing listening on this machine: the connection is refused.
    await expect(extension.account.signIn({ homeserver: 'http://127.0.0.1:9', user: 'alice', password: 'x' })).rejects.toThrow(
      'cannot be reached',
    );
  });
});

describe('a restarted background', () => {
  it('is the same device, without a new login, with the same ledger, and resumes sync from the stored token', async () => {
    const user = await synapse.registerUser();
    const first = await background();
    await first.account.signIn({ homeserver: server.baseUrl, user: user.userId, password: user.password });
    const { deviceId } = first.signedIn();
    const { roomId, rogue } = await roomWithUnsignedDevice(user);
    await first.reportWhere(roomId, (r) => r.members.some((m) => m.devices.some((d) => d.deviceId === rogue.deviceId)), 'the rogue device');
    const ledgerBefore = await first.ledger.entriesForRoom(roomId);
    first.stop();

    const second = await background(first.profile);
    expect(second.signedIn().deviceId).toBe(deviceId);
    await waitFor('the restarted device to sync', () => (second.signedIn().sync.state === 'syncing' ? true : undefined));
    const syncs = second.requests.filter((url) => url.includes('/sync'));
    expect(new URL(syncs[0] ?? '').searchParams.get('since')).toBeTruthy();
    expect(second.requests.some((url) => url.includes('/login'))).toBe(false);
    expect((await serverDevices(user)).filter((d) => d.display_name === 'Matrix Trust Guard on Node')).toHaveLength(1);
    expect(await second.ledger.entriesForRoom(roomId)).toEqual(ledgerBefore);
    const report = await second.account.rooms.report(roomId);
    expect(report.members.flatMap((m) => m.devices).find((d) => d.deviceId === rogue.deviceId)).toMatchObject({ isNew: true });
  });
});

describe('being signed out', () => {
  it('by the server (device deleted) says "signed out by the server", drops the device and keeps the ledger', async () => {
    const user = await synapse.registerUser();
    const admin = await synapse.registerUser({ admin: true });
    const extension = await background();
    await extension.account.signIn({ homeserver: server.baseUrl, user: user.userId, password: user.password });
    const { deviceId } = extension.signedIn();
    const { roomId } = await roomWithUnsignedDevice(user);
    // Every device the room will ever warn about (the phone, Bob's laptop and his rogue device,
    // all unsigned) before the ledger is read: a device learnt a moment later would add an entry
    // and look like a changed ledger.
    const warnedDevices = (r: RoomTrustReport) => r.members.reduce((count, m) => count + m.devices.length, 0);
    await extension.reportWhere(roomId, (r) => r.checking.length === 0 && r.memberCount === 2 && warnedDevices(r) === 3, 'the room');
    const ledger = await extension.ledger.allEntries();
    expect(ledger.length).toBeGreaterThan(0);

    const removed = await fetch(`${server.baseUrl}/_synapse/admin/v2/users/${encodeURIComponent(user.userId)}/devices/${deviceId}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${admin.accessToken}` },
    });
    expect(removed.ok).toBe(true);
    const ended = await waitFor('the extension to notice', () => {
      const account = extension.status.get().account;
      return account.state === 'signed-out' ? account : undefined;
    });
    expect(ended.endedByServerAt).toBeGreaterThan(0);
    expect(await extension.ledger.allEntries()).toEqual(ledger);

    // A new start remembers why, until the next sign-in.
    extension.stop();
    const restarted = await background(extension.profile);
    expect(restarted.status.get().account).toEqual({ state: 'signed-out', endedByServerAt: ended.endedByServerAt });
    await restarted.account.signIn({ homeserver: server.baseUrl, user: user.userId, password: user.password });
    expect(restarted.signedIn().deviceId).not.toBe(deviceId);
    expect((await restarted.ledger.allEntries()).length).toBeGreaterThanOrEqual(ledger.length);
  });

  it('by the user logs the device out on the server and wipes every local store', async () => {
    const user = await synapse.registerUser();
    const extension = await background();
    await extension.account.signIn({ homeserver: server.baseUrl, user: user.userId, password: user.password });
    const { deviceId } = extension.signedIn();
    const { roomId } = await roomWithUnsignedDevice(user);
    await extension.reportWhere(roomId, (r) => r.memberCount === 2, 'the room');
    // What the account remembered of identities (keys it saw) goes with it.
    const records = new RecordStore<BackgroundRecords>(await openExtensionDatabase(extension.profile.indexedDB));
    await records.put('identity-memory', { userId: user.userId, memory: { contacts: {} } });
    // The trust history and its retention setting go with the ledger.
    await extension.history.append([historyEvent({ kind: 'identity-pinned', at: Date.now(), userId: user.userId })]);
    await records.put('history-settings', { retentionDays: 30 });

    await expect(extension.account.signOut()).resolves.toEqual({ removedFromServer: true });
    expect((await serverDevices(user)).map((d) => d.device_id)).not.toContain(deviceId);
    expect(await extension.ledger.allEntries()).toEqual([]);
    expect(await records.get('identity-memory')).toBeUndefined();
    expect(await extension.history.all()).toEqual([]);
    expect(await records.get('history-settings')).toBeUndefined();
    const databases = (await extension.profile.indexedDB.databases()).map((d) => d.name);
    // matrix-js-sdk's IndexedDBStore names its database "matrix-js-sdk:" + the name it is given.
    expect(databases.filter((name) => name === `matrix-js-sdk:${SYNC_DATABASE}` || name?.startsWith(CRYPTO_DATABASE_PREFIX))).toEqual([]);
    extension.stop();
    const restarted = await background(extension.profile);
    expect(restarted.status.get().account).toEqual({ state: 'signed-out' });
  });
});

describe('the warning history', () => {
  it('exports as JSON and imports into another browser, merged, and refuses a damaged file', async () => {
    const user = await synapse.registerUser();
    const first = await background();
    await first.account.signIn({ homeserver: server.baseUrl, user: user.userId, password: user.password });
    const { roomId, rogue } = await roomWithUnsignedDevice(user);
    const drawn = await first.reportWhere(
      roomId,
      (r) => r.members.some((m) => m.devices.some((d) => d.deviceId === rogue.deviceId)),
      'the rogue device',
    );
    await first.account.rooms.acknowledge(roomId, shownIn(drawn, { userId: rogue.userId }));
    const exported = await first.account.rooms.exportLedger();
    first.stop();

    const second = await background();
    await second.account.signIn({ homeserver: server.baseUrl, user: user.userId, password: user.password });
    await second.reportWhere(
      roomId,
      (r) => r.members.some((m) => m.devices.some((d) => d.deviceId === rogue.deviceId && d.isNew)),
      'the rogue device, new here',
    );
    await expect(second.account.rooms.importLedger('{"format":"something else"}')).rejects.toThrow(
      'This file cannot be imported: it is not a warning history exported by Matrix Trust Guard.',
    );
    const count = await second.account.rooms.importLedger(exported);
    expect(count).toBe((await second.ledger.allEntries()).length);
    // The acknowledgement made in the first browser quiets the device in the second.
    const report = await second.reportWhere(
      roomId,
      (r) => r.members.every((m) => m.devices.every((d) => d.deviceId !== rogue.deviceId || !d.isNew)),
      'the imported acknowledgement',
    );
    expect(report.members.flatMap((m) => m.devices).find((d) => d.deviceId === rogue.deviceId)?.acknowledgedAt).toBeDefined();
  });
});
