import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'webextension-polyfill';
import type { ExtensionStatus, RequestKind, RequestParams, RequestResult } from '../../src/messaging/protocol';
import type { LedgerEntry, RoomTrustReport } from '../../src/trust/types';
import { type ChromiumSession, launchChromium } from '../support/chromium.ts';
import { signInThroughOptions } from '../support/extensionPages.ts';
import { addFigures } from '../support/figures.ts';
import { Peer } from '../support/peer.ts';
import { connectToSynapse, type RegisteredUser } from '../support/synapse.ts';
import { waitFor } from '../support/waitFor.ts';
import { seededRandom } from '../support/seededRandom.ts';

declare const chrome: Browser;

/**
 * Issue 6, restarts: Chrome stops the service worker whenever it likes. Here it is stopped over
 * CDP fifty times at seeded random points while a peer keeps adding devices it never signed:
 * right after a device appears (the worker is syncing, building the report, writing the
 * ledger), once the worker has reported it, right after an acknowledgement was sent (a ledger
 * write of several entries), with the popup open, and in the middle of the popup's recovery
 * setup. After every stop the same device must come back, alone on the server, with every
 * ledger entry it had (none twice), and with every warning that should show.
 * Then the whole browser is closed and started again on the same profile.
 *
 * The seed is printed; MTG_RESTART_SEED=<n> replays a run.
 */

const server = inject('synapse');
const synapse = connectToSynapse(server);

const CYCLES = 50;
const SEED = Number(process.env.MTG_RESTART_SEED ?? Date.now() % 100_000);
const DEVICE_NAME = 'Matrix Trust Guard on Chrome';
/** Generous: a 2-core machine shared with other test runs, and a debugger attached to the worker. */
const SLOW = 90_000;

type StopPoint = 'device-added' | 'device-reported' | 'acknowledge-sent' | 'popup-open' | 'recovery-key-shown';

const keyOf = (e: Pick<LedgerEntry, 'roomId' | 'userId' | 'deviceId' | 'ed25519Key'>) =>
  JSON.stringify([e.roomId, e.userId, e.deviceId, e.ed25519Key]);

describe('service worker and browser restarts, in Chromium', () => {
  let chromium: ChromiumSession;
  let profile: string;
  let alice: RegisteredUser;
  let dave: Peer;
  let roomId: string;
  /** One extension page kept open to talk to the background, as the options page does. */
  let page: Page;
  const peers: Peer[] = [];
  /** Dave's devices that he never signed: each must show as a warning until acknowledged. */
  const unsignedDeviceIds: string[] = [];

  /** One request to the background; undefined while no worker answers (it is stopping or starting). */
  async function ask<K extends RequestKind>(kind: K, params: RequestParams<K>): Promise<RequestResult<K> | undefined> {
    try {
      type Answer = { ok: true; result: RequestResult<K> } | { ok: false; error: { message: string } } | undefined;
      const answer = await page.evaluate<Answer, readonly [K, RequestParams<K>]>(
        ([k, p]) => chrome.runtime.sendMessage({ kind: k, params: p }),
        [kind, params] as const,
      );
      if (answer === undefined) return undefined;
      if (!answer.ok) throw new Error(`${kind} failed: ${answer.error.message}`);
      return answer.result;
    } catch (error) {
      // "Could not establish connection" / "message port closed": the worker went away mid-request.
      if (error instanceof Error && /establish connection|port closed|Receiving end/i.test(error.message)) return undefined;
      throw error;
    }
  }

  async function request<K extends RequestKind>(kind: K, params: RequestParams<K>): Promise<RequestResult<K>> {
    return waitFor(`the background to answer ${kind}`, () => ask(kind, params), SLOW);
  }

  async function ledger(): Promise<LedgerEntry[]> {
    const { json } = await request('ledger.export', {});
    return (JSON.parse(json) as { entries: LedgerEntry[] }).entries;
  }

  async function signedIn(): Promise<{ deviceId: string; startedAt: number }> {
    return waitFor(
      'the background to be signed in and syncing',
      async () => {
        const status: ExtensionStatus | undefined = await ask('status.get', {});
        if (status?.account.state !== 'signed-in' || status.account.sync.state !== 'syncing') return undefined;
        return { deviceId: status.account.deviceId, startedAt: status.backgroundStartedAt };
      },
      SLOW,
    );
  }

  async function extensionDevicesOnServer(): Promise<string[]> {
    const response = await fetch(`${server.baseUrl}/_matrix/client/v3/devices`, {
      headers: { Authorization: `Bearer ${alice.accessToken}` },
    });
    const { devices } = (await response.json()) as { devices: { device_id: string; display_name?: string }[] };
    return devices.filter((d) => d.display_name === DEVICE_NAME).map((d) => d.device_id);
  }

  /** Alice's cross-signing keys and secret storage on the server, which only a confirmed recovery setup uploads. */
  async function recoveryOnServer(): Promise<{ masterKey: boolean; defaultKey: boolean }> {
    const headers = { Authorization: `Bearer ${alice.accessToken}`, 'content-type': 'application/json' };
    const keys = (await (
      await fetch(`${server.baseUrl}/_matrix/client/v3/keys/query`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ device_keys: { [alice.userId]: [] } }),
      })
    ).json()) as { master_keys?: Record<string, unknown> };
    const defaultKey = await fetch(
      `${server.baseUrl}/_matrix/client/v3/user/${encodeURIComponent(alice.userId)}/account_data/m.secret_storage.default_key`,
      { headers },
    );
    return { masterKey: keys.master_keys?.[alice.userId] !== undefined, defaultKey: defaultKey.ok };
  }

  /** The room's report once it shows every device in `deviceIds` (of Dave) as a warning. */
  async function reportShowing(deviceIds: readonly string[]): Promise<RoomTrustReport> {
    return waitFor(
      `the room report to list ${deviceIds.length} unsigned devices of Dave`,
      async () => {
        const report = await ask('room.report', { roomId });
        const shown = new Set(report?.members.find((m) => m.userId === dave.userId)?.devices.map((d) => d.deviceId));
        return report && deviceIds.every((id) => shown.has(id)) ? report : undefined;
      },
      SLOW,
    );
  }

  /** Stops the worker, and returns once a new one is signed in with the same device. */
  async function restartWorker(before: { deviceId: string; startedAt: number }): Promise<void> {
    await chromium.stopServiceWorkers();
    const after = await waitFor(
      'a new worker instance',
      async () => {
        const now = await signedIn();
        return now.startedAt !== before.startedAt ? now : undefined;
      },
      SLOW,
    );
    expect(after.deviceId).toBe(before.deviceId);
  }

  /** What must hold after every restart, given the ledger as it was just before the stop. */
  async function checkAfterRestart(deviceId: string, ledgerBefore: readonly LedgerEntry[]): Promise<void> {
    expect(await extensionDevicesOnServer()).toEqual([deviceId]);
    // Every warning that should show does show, once the new worker has caught up.
    const report = await reportShowing(unsignedDeviceIds);
    const entries = await ledger();
    const keys = entries.map(keyOf);
    expect(new Set(keys).size, 'no ledger entry twice').toBe(keys.length);
    const now = new Map(entries.map((e) => [keyOf(e), e]));
    for (const old of ledgerBefore) {
      const kept = now.get(keyOf(old));
      expect(kept, `ledger entry for ${old.userId}/${old.deviceId} kept`).toBeDefined();
      expect(kept?.firstSeenAt).toBe(old.firstSeenAt);
      if (old.acknowledgedAt !== undefined) expect(kept?.acknowledgedAt).toBe(old.acknowledgedAt);
      if (old.warnedAt !== undefined) expect(kept?.warnedAt).toBe(old.warnedAt);
    }
    const daves = report.members.find((m) => m.userId === dave.userId)?.devices ?? [];
    for (const id of unsignedDeviceIds) {
      const entry = entries.find((e) => e.userId === dave.userId && e.deviceId === id);
      expect(entry, `ledger entry for Dave's ${id}`).toBeDefined();
      // Unacknowledged in the ledger: the report says it is new.
      expect(daves.find((d) => d.deviceId === id)?.isNew, `warning for ${id}`).toBe(entry?.acknowledgedAt === undefined);
    }
  }

  beforeAll(async () => {
    profile = await fs.mkdtemp(path.join(os.tmpdir(), 'mtg-restarts-'));
    alice = await synapse.registerUser({ displayName: 'Alice' });
    const daveUser = await synapse.registerUser({ displayName: 'Dave' });
    dave = await Peer.login(server, daveUser, { deviceName: "Dave's laptop" });
    peers.push(dave);
    await dave.bootstrapCrossSigning();
    const phone = await Peer.login(server, alice, { deviceName: "Alice's phone" });
    peers.push(phone);
    roomId = await phone.shareRoomWith(dave);
    // The phone has done its part (Alice in the room); it need not sync for fifty cycles.
    phone.stop();
    chromium = await launchChromium({ userDataDir: profile });
    const options = await chromium.openExtensionPage('options.html');
    await signInThroughOptions(options, { homeserver: server.baseUrl, userId: alice.userId, password: alice.password });
    page = options;
  });

  afterAll(async () => {
    for (const peer of peers) peer.stop();
    // Missing if beforeAll failed before the launch.
    await (chromium as ChromiumSession | undefined)?.close();
    await fs.rm(profile, { recursive: true, force: true });
  });

  it(`keeps its device, its ledger and its warnings across ${CYCLES} worker stops at random points`, async () => {
    console.log(`restarts: seed ${SEED} (MTG_RESTART_SEED=${SEED} replays it)`);
    const random = seededRandom(SEED);
    const started = Date.now();
    let current = await signedIn();
    const firstDevice = current.deviceId;
    await reportShowing([]);
    const points: StopPoint[] = [];
    /** Acknowledgements the stop cut off before they were written, and those that landed. */
    const acknowledgements = { kept: 0, lost: 0 };
    // Recovery setup twice at fixed places, the rest at random: each cycle costs a worker start.
    const recoveryAt = new Set([Math.floor(random() * 20) + 5, Math.floor(random() * 20) + 28]);

    for (let cycle = 0; cycle < CYCLES; cycle += 1) {
      const roll = random();
      const point: StopPoint = recoveryAt.has(cycle)
        ? 'recovery-key-shown'
        : roll < 0.3
          ? 'device-added'
          : roll < 0.5
            ? 'device-reported'
            : roll < 0.65 && unsignedDeviceIds.length > 0
              ? 'acknowledge-sent'
              : 'popup-open';
      points.push(point);
      const ledgerBefore = await ledger();
      let popup: Page | undefined;
      let acknowledged: string[] = [];
      let recoveryKey: string | undefined;

      if (point === 'device-added' || point === 'device-reported') {
        const device = await dave.addUnsignedDevice({ deviceName: `Dave's unsigned ${cycle}` });
        // Its keys are on the server; the device itself need not keep syncing.
        device.stop();
        peers.push(device);
        unsignedDeviceIds.push(device.deviceId);
        if (point === 'device-reported') await reportShowing(unsignedDeviceIds);
        // 'device-added': the worker is about to see it, in its next sync, key query, report and
        // ledger write, which take a second or two here. Not a wait for anything: a seeded moment
        // in that window to stop at, so the fifty stops land at different steps of it.
        else await delay(Math.floor(random() * 2000));
      } else if (point === 'acknowledge-sent') {
        // Dave's own signed laptop is in the ledger too, but was never a warning to acknowledge.
        const pending = (await ledger()).filter(
          (e) => e.userId === dave.userId && unsignedDeviceIds.includes(e.deviceId) && e.acknowledgedAt === undefined,
        );
        acknowledged = pending.map(keyOf);
        // Not awaited: the stop races the acknowledgement's ledger write of several entries.
        void page.evaluate((p) => chrome.runtime.sendMessage({ kind: 'room.acknowledge', params: p }).catch(() => undefined), {
          roomId,
          userId: dave.userId,
        });
      } else if (point === 'popup-open') {
        popup = await chromium.openExtensionPage('popup.html');
        await popup.locator('[data-status="sync"].tone-ok').waitFor({ timeout: SLOW });
      } else {
        popup = await chromium.openExtensionPage('popup.html');
        await popup.getByRole('button', { name: 'Set up recovery' }).click({ timeout: SLOW });
        await popup.getByRole('button', { name: 'Create recovery key' }).click();
        recoveryKey = (await popup.getByTestId('recovery-key').innerText({ timeout: SLOW })).replace(/\s+/g, '');
      }

      await restartWorker(current);
      current = await signedIn();

      if (point === 'recovery-key-shown' && popup && recoveryKey !== undefined) {
        // The new key lived only in the stopped worker's memory and nothing was uploaded before
        // it was typed back: the flow starts over, and the server has no recovery and no identity.
        expect(await recoveryOnServer()).toEqual({ masterKey: false, defaultKey: false });
        await popup.getByRole('button', { name: 'Set up recovery' }).waitFor({ timeout: SLOW });
        expect(await popup.locator('section.recovery').count()).toBe(0);
        const confirm = await page.evaluate(
          (typed) => chrome.runtime.sendMessage({ kind: 'recovery.confirm', params: { typed } }),
          recoveryKey,
        );
        expect(confirm).toMatchObject({ ok: false, error: { message: 'This recovery key is no longer waiting; start again.' } });
        expect(await recoveryOnServer()).toEqual({ masterKey: false, defaultKey: false });
      }
      if (point === 'acknowledge-sent' && acknowledged.length > 0) {
        // The acknowledgement landed whole or not at all: never some of Dave's devices only.
        const after = new Map((await ledger()).map((e) => [keyOf(e), e]));
        const stamps = new Set(acknowledged.map((key) => after.get(key)?.acknowledgedAt));
        expect(stamps.size, 'one acknowledgement time (or none) for all entries').toBe(1);
        acknowledgements[stamps.has(undefined) ? 'lost' : 'kept'] += 1;
      }
      if (popup) {
        // The open popup reconnects to the new worker and shows it syncing.
        await popup.locator('[data-status="sync"].tone-ok').waitFor({ timeout: SLOW });
        await popup.close();
      }
      await checkAfterRestart(firstDevice, ledgerBefore);
      addFigures({ restart_cycles_count: 1 });
    }
    const counts = Object.fromEntries(
      ['device-added', 'device-reported', 'acknowledge-sent', 'popup-open', 'recovery-key-shown'].map((p) => [
        p,
        points.filter((q) => q === p).length,
      ]),
    );
    console.log(
      `restarts: ${CYCLES} cycles in ${Math.round((Date.now() - started) / 1000)} s, ${unsignedDeviceIds.length} devices added`,
      counts,
      'acknowledgements',
      acknowledgements,
    );
    expect(unsignedDeviceIds.length).toBeGreaterThan(0);
  }, 900_000);

  /**
   * Confirms a new recovery key in `page` (the popup, or the options page for a new key), stops
   * the worker as soon as `stopWhen` sees the first of the setup's uploads on the server, and
   * then finishes the setup as a person would: the popup offers it again if it is incomplete.
   */
  async function recoveryCutShort(
    flowPage: Page,
    stopWhen: (onServer: { masterKey: boolean; defaultKeyId: string | null }) => boolean,
  ): Promise<void> {
    const before = await signedIn();
    const ledgerBefore = await ledger();
    await flowPage.getByRole('button', { name: 'Create recovery key' }).click({ timeout: SLOW });
    const key = (await flowPage.getByTestId('recovery-key').innerText({ timeout: SLOW })).replace(/\s+/g, ' ').trim();
    await flowPage.getByLabel('Type or paste the recovery key to confirm').fill(key);
    await flowPage.getByRole('button', { name: 'Confirm and set up' }).click();
    // The worker uploads cross-signing keys, a new secret storage key, the secrets under it and
    // a key backup, one after the other: stop it as soon as the chosen upload shows.
    await waitFor('the chosen upload to reach the server', async () => (stopWhen(await uploadsOnServer()) ? true : undefined), SLOW);
    await restartWorker(before);
    await checkAfterRestart(before.deviceId, ledgerBefore);
    const { status } = await request('security.status', {});
    if (!status) throw new Error('no encryption setup read after the restart');
    console.log(
      `restarts: recovery setup stopped part way; after the restart cross-signing ready ${status.crossSigning.ready}, ` +
        `secret storage ready ${status.secretStorage.ready}, key backup ${status.keyBackup.serverVersion ?? 'none'}`,
    );
    const popup = await chromium.openExtensionPage('popup.html');
    if (!(
      status.secretStorage.ready &&
      status.crossSigning.ready &&
      status.thisDeviceVerified &&
      status.keyBackup.serverVersion !== null
    )) {
      // Not finished: the popup offers the setup again, and this time it completes.
      await popup.getByRole('button', { name: 'Set up recovery' }).click({ timeout: SLOW });
      await popup.getByRole('button', { name: 'Create recovery key' }).click();
      const again = (await popup.getByTestId('recovery-key').innerText({ timeout: SLOW })).replace(/\s+/g, ' ').trim();
      await popup.getByLabel('Type or paste the recovery key to confirm').fill(again);
      await popup.getByRole('button', { name: 'Confirm and set up' }).click();
      await popup.getByText('Recovery is set up, and this extension is verified.').waitFor({ timeout: SLOW });
      // Back to idle, so the settings page offers its resets again.
      await popup.locator('section.recovery').getByRole('button', { name: 'OK' }).click();
    }
    await waitFor(
      'recovery and key backup to be set up, and this extension verified',
      async () => {
        const now = (await ask('security.status', {}))?.status;
        return now?.secretStorage.ready && now.crossSigning.ready && now.thisDeviceVerified && now.keyBackup.serverVersion !== null
          ? true
          : undefined;
      },
      SLOW,
    );
    await popup.close();
    addFigures({ restart_cycles_count: 1 });
  }

  async function uploadsOnServer(): Promise<{ masterKey: boolean; defaultKeyId: string | null }> {
    const { masterKey } = await recoveryOnServer();
    const response = await fetch(
      `${server.baseUrl}/_matrix/client/v3/user/${encodeURIComponent(alice.userId)}/account_data/m.secret_storage.default_key`,
      { headers: { Authorization: `Bearer ${alice.accessToken}` } },
    );
    return { masterKey, defaultKeyId: response.ok ? ((await response.json()) as { key: string }).key : null };
  }

  it('lets a recovery setup cut short between its uploads be finished', async () => {
    // First setup, stopped once the identity is on the server and before secret storage.
    const popup = await chromium.openExtensionPage('popup.html');
    await popup.getByRole('button', { name: 'Set up recovery' }).click({ timeout: SLOW });
    await recoveryCutShort(popup, (onServer) => onServer.masterKey);
    await popup.close();
    // A new recovery key from the settings, stopped once its secret storage key replaced the
    // old one and before the secrets and the backup were stored under it.
    const { defaultKeyId: previous } = await uploadsOnServer();
    await page.getByRole('button', { name: 'New recovery key…' }).click({ timeout: SLOW });
    await page.getByRole('button', { name: 'Make a new recovery key' }).click();
    await recoveryCutShort(page, (onServer) => onServer.defaultKeyId !== null && onServer.defaultKeyId !== previous);
    expect(await recoveryOnServer()).toEqual({ masterKey: true, defaultKey: true });
  }, 300_000);

  it('keeps its device and its ledger when the browser is closed and started again on the same profile', async () => {
    const before = await signedIn();
    const ledgerBefore = await ledger();
    expect(ledgerBefore.length).toBeGreaterThan(0);
    await chromium.close();
    chromium = await launchChromium({ userDataDir: profile });
    page = await chromium.openExtensionPage('options.html');
    const after = await signedIn();
    expect(after.deviceId).toBe(before.deviceId);
    await checkAfterRestart(before.deviceId, ledgerBefore);
  }, 300_000);
});
