import type { CDPSession, Worker } from 'playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'webextension-polyfill';
import type { ExtensionStatus } from '../../src/messaging/protocol';
import { EXTENSION_DATABASE, STORES } from '../../src/storage/extensionDatabase';
import { type ChromiumSession, launchChromium } from '../support/chromium.ts';
import { signInThroughOptions } from '../support/extensionPages.ts';
import { Peer } from '../support/peer.ts';
import { connectToSynapse, type RegisteredUser } from '../support/synapse.ts';
import { waitFor } from '../support/waitFor.ts';

declare const chrome: Browser;

/**
 * README: "an alarm wakes a stopped worker every minute" (src/background/services.ts,
 * SYNC_ALARM). Signed in, the worker has the alarm `resume-sync`, repeating every minute. The
 * worker is stopped over CDP as Chrome stops an idle one, with no extension page, no watched
 * page and no message left to wake it; Dave adds a device he never signed meanwhile. The test
 * then only watches (DevTools' ServiceWorker domain reports each start): the worker must start
 * again when the product's own alarm is due, not before, and that new worker must sync and
 * record Dave's new device in the ledger, which the test reads inside the worker (reading
 * IndexedDB there wakes nothing: the worker is already running).
 *
 * Nothing is shortened: the alarm is the product's own, so the test waits for its next due
 * time, at most a minute after sign-in. Unpacked extensions could have alarms every second,
 * but a faster alarm made by the test would prove only that some alarm wakes the worker, not
 * that the product set one up (or kept it once a minute).
 */

const server = inject('synapse');
const synapse = connectToSynapse(server);
const SYNC_ALARM = 'resume-sync';
const PERIOD_MS = 60_000;
const SLOW = 90_000;

describe('the minute alarm, in Chromium', () => {
  let chromium: ChromiumSession;
  let alice: RegisteredUser;
  let cdp: CDPSession | undefined;
  const peers: Peer[] = [];

  beforeAll(async () => {
    chromium = await launchChromium();
  });

  afterAll(async () => {
    for (const peer of peers) peer.stop();
    await cdp?.detach().catch(() => undefined);
    await (chromium as ChromiumSession | undefined)?.close();
  });

  it('wakes the stopped worker when it is due, and the woken worker syncs with no page open', async () => {
    alice = await synapse.registerUser({ displayName: 'Alice' });
    const dave = await Peer.login(server, await synapse.registerUser({ displayName: 'Dave' }), { deviceName: "Dave's laptop" });
    const phone = await Peer.login(server, alice, { deviceName: "Alice's phone" });
    peers.push(dave, phone);
    await dave.bootstrapCrossSigning();
    const roomId = await phone.shareRoomWith(dave);
    phone.stop();

    const options = await chromium.openExtensionPage('options.html');
    await signInThroughOptions(options, { homeserver: server.baseUrl, userId: alice.userId, password: alice.password });
    const answer = await options.evaluate<{ result: ExtensionStatus }>(() =>
      chrome.runtime.sendMessage({ kind: 'status.get', params: {} }),
    );
    expect(answer.result.account.state).toBe('signed-in');
    const worker = await chromium.serviceWorker();
    // Dave's laptop is in the ledger: the worker has seen the room before it is stopped.
    const ledgerDevices = (instance: Worker) =>
      instance.evaluate(
        async ({ database, ledger, room }) => {
          const open = indexedDB.open(database);
          const db = await new Promise<IDBDatabase>((resolve, reject) => {
            open.onsuccess = () => resolve(open.result);
            open.onerror = () => reject(open.error ?? new Error('open failed'));
          });
          try {
            const request = db.transaction(ledger, 'readonly').objectStore(ledger).getAll();
            const entries = await new Promise<{ roomId: string; deviceId: string }[]>((resolve, reject) => {
              request.onsuccess = () => resolve(request.result as { roomId: string; deviceId: string }[]);
              request.onerror = () => reject(request.error ?? new Error('read failed'));
            });
            return entries.filter((e) => e.roomId === room).map((e) => e.deviceId);
          } finally {
            db.close();
          }
        },
        { database: EXTENSION_DATABASE, ledger: STORES.ledger, room: roomId },
      );
    await waitFor(
      "the ledger to hold Dave's laptop",
      async () => ((await ledgerDevices(worker)).includes(dave.deviceId) ? true : undefined),
      SLOW,
    );

    const alarm = await worker.evaluate((name) => chrome.alarms.get(name), SYNC_ALARM);
    expect(alarm).toMatchObject({ name: SYNC_ALARM, periodInMinutes: 1 });
    if (!alarm) throw new Error('no alarm');

    // Nothing may wake the worker but the alarm: no extension page (their subscriptions would
    // reconnect), and no tab closed after the stop (tabs.onRemoved is an event for it too).
    await options.close();
    // Every start and stop of the worker, as DevTools reports them.
    const blank = chromium.context.pages()[0] ?? (await chromium.context.newPage());
    cdp = await chromium.context.newCDPSession(blank);
    const starts: number[] = [];
    const extensionUrl = `chrome-extension://${chromium.extensionId}/`;
    cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
      if (versions.some((v) => v.scriptURL.startsWith(extensionUrl) && (v.runningStatus === 'starting' || v.runningStatus === 'running')))
        starts.push(Date.now());
    });
    await cdp.send('ServiceWorker.enable');
    await chromium.stopServiceWorkers();
    const stoppedAt = Date.now();
    starts.length = 0;
    // The alarm's next due time after the stop (it may have fired while we were getting here).
    let dueAt = alarm.scheduledTime;
    while (dueAt <= stoppedAt) dueAt += PERIOD_MS;
    console.log(`alarm: worker stopped; the alarm is due in ${Math.round((dueAt - stoppedAt) / 1000)} s`);

    const rogue = await dave.addUnsignedDevice({ deviceName: 'Added while the worker was stopped' });
    peers.push(rogue);
    rogue.stop();

    const wokeAt = await waitFor('the alarm to start the worker again', () => starts[0], dueAt - stoppedAt + SLOW);
    // Not before the alarm was due (a second of slack for the clocks of two processes).
    expect(wokeAt).toBeGreaterThanOrEqual(dueAt - 1_000);
    console.log(`alarm: the worker started ${Math.round((wokeAt - dueAt) / 1000)} s after the alarm was due`);

    // The woken worker syncs by itself: Dave's device added during the stop reaches its ledger.
    const woken = await chromium.serviceWorker();
    await waitFor(
      'the woken worker to record the device added while it was stopped',
      async () => ((await ledgerDevices(woken)).includes(rogue.deviceId) ? true : undefined),
      SLOW,
    );
    // The alarm fired (its next due time moved on by whole periods) and still repeats every minute.
    const next = await woken.evaluate((name) => chrome.alarms.get(name), SYNC_ALARM);
    expect(next).toMatchObject({ name: SYNC_ALARM, periodInMinutes: 1 });
    expect(next?.scheduledTime).toBeGreaterThan(dueAt);
  }, 300_000);
});
