import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright';
import type { Browser } from 'webextension-polyfill';
import { ENGINE_CHECK_DATABASE_PREFIX } from '../../src/matrix/cryptoEngineCheck';
import { CRYPTO_DATABASE_PREFIX, SYNC_DATABASE } from '../../src/matrix/matrixSession';
import type { ExtensionStatus } from '../../src/messaging/protocol';
import { EXTENSION_DATABASE, STORES } from '../../src/storage/extensionDatabase';
import { type ChromiumSession, launchChromium } from '../support/chromium.ts';
import { signInThroughOptions } from '../support/extensionPages.ts';
import { Peer } from '../support/peer.ts';
import { connectToSynapse, type RegisteredUser } from '../support/synapse.ts';
import { waitFor } from '../support/waitFor.ts';

declare const chrome: Browser;

/**
 * README: "Signing out logs the device out on the server and deletes every local store, the
 * warning history included." In the built extension, signed in with a warning in its ledger
 * and a damaged ledger record set aside, the options page's "Sign out" must leave:
 * - on the server, no device of the extension;
 * - in the extension's origin (every IndexedDB database, every object store), nothing of the
 *   account: no sync store (matrix-js-sdk's `matrix-js-sdk:<name>`), no Rust crypto store, an
 *   empty ledger and set-aside store, no sealed secret of the account (its token, its crypto
 *   store key) and no record of it.
 * What may stay is listed, and is not the account's: the vault's sealing key, the offline
 * engine-check device (its store, the key sealing it, its record) that proves the engine
 * works while signed out, and the user's settings (policy, added sites).
 * The same inventory taken before the sign-out is the positive control: each of those stores
 * held the account's data then.
 */

const server = inject('synapse');
const synapse = connectToSynapse(server);
const SLOW = 90_000;

/** matrix-js-sdk's IndexedDBStore names its database "matrix-js-sdk:" + the name it is given. */
const SYNC_DATABASE_NAME = `matrix-js-sdk:${SYNC_DATABASE}`;
const ACCOUNT_CRYPTO_DATABASES = [`${CRYPTO_DATABASE_PREFIX}::matrix-sdk-crypto`, `${CRYPTO_DATABASE_PREFIX}::matrix-sdk-crypto-meta`];

/** Every database of the extension's origin: each object store with its record count and, for our own database, its keys. */
type Inventory = Record<string, Record<string, { count: number; keys?: string[] }>>;

/**
 * Taken in an extension page (the worker's origin, so the same databases). Keys are listed
 * only for the extension's own database, whose keys are names and ledger ids, never secrets.
 * Each connection is closed at once, so it never blocks the worker deleting a database.
 */
async function inventory(page: Page): Promise<Inventory> {
  return page.evaluate(async (ownDatabase) => {
    const asPromise = <T>(request: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error ?? new Error('request failed'));
      });
    const found: Record<string, Record<string, { count: number; keys?: string[] }>> = {};
    for (const { name } of await indexedDB.databases()) {
      if (name === undefined) continue;
      const db = await asPromise(indexedDB.open(name));
      try {
        const stores: Record<string, { count: number; keys?: string[] }> = {};
        for (const storeName of [...db.objectStoreNames]) {
          const store = db.transaction(storeName, 'readonly').objectStore(storeName);
          const count = await asPromise(store.count());
          stores[storeName] =
            name === ownDatabase ? { count, keys: (await asPromise(store.getAllKeys())).map((k) => JSON.stringify(k)) } : { count };
        }
        found[name] = stores;
      } finally {
        db.close();
      }
    }
    return found;
  }, EXTENSION_DATABASE);
}

describe('signing out, in Chromium', () => {
  let chromium: ChromiumSession;
  let alice: RegisteredUser;
  const peers: Peer[] = [];

  async function status(page: Page): Promise<ExtensionStatus> {
    const answer = await page.evaluate<{ result: ExtensionStatus }>(() => chrome.runtime.sendMessage({ kind: 'status.get', params: {} }));
    return answer.result;
  }

  async function extensionDevicesOnServer(): Promise<string[]> {
    const response = await fetch(`${server.baseUrl}/_matrix/client/v3/devices`, {
      headers: { Authorization: `Bearer ${alice.accessToken}` },
    });
    const { devices } = (await response.json()) as { devices: { device_id: string; display_name?: string }[] };
    return devices.filter((d) => d.display_name === 'Matrix Trust Guard on Chrome').map((d) => d.device_id);
  }

  beforeAll(async () => {
    chromium = await launchChromium();
  });

  afterAll(async () => {
    for (const peer of peers) peer.stop();
    await (chromium as ChromiumSession | undefined)?.close();
  });

  it('logs the device out on the server and leaves no store of the account behind', async () => {
    alice = await synapse.registerUser({ displayName: 'Alice' });
    const phone = await Peer.login(server, alice, { deviceName: "Alice's phone" });
    const dave = await Peer.login(server, await synapse.registerUser({ displayName: 'Dave' }), { deviceName: "Dave's laptop" });
    peers.push(phone, dave);
    await dave.bootstrapCrossSigning();
    const roomId = await phone.shareRoomWith(dave);
    const rogue = await dave.addUnsignedDevice({ deviceName: 'Rogue' });
    peers.push(rogue);

    const options = await chromium.openExtensionPage('options.html');
    await signInThroughOptions(options, { homeserver: server.baseUrl, userId: alice.userId, password: alice.password });
    const account = (await status(options)).account;
    if (account.state !== 'signed-in') throw new Error(`not signed in: ${account.state}`);
    expect(await extensionDevicesOnServer()).toEqual([account.deviceId]);

    // A warning in the ledger: Dave's device he never signed.
    await waitFor(
      'the ledger to hold the rogue device',
      async () => {
        const answer = await options.evaluate<{ result: { json: string } }>(() =>
          chrome.runtime.sendMessage({ kind: 'ledger.export', params: {} }),
        );
        return answer.result.json.includes(rogue.deviceId) ? true : undefined;
      },
      SLOW,
    );
    // A damaged record, as a disk fault could leave one: the next read of the ledger sets it aside.
    await options.evaluate(
      async ({ database, ledger, room }) => {
        const open = indexedDB.open(database);
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error ?? new Error('open failed'));
        });
        const transaction = db.transaction(ledger, 'readwrite');
        transaction
          .objectStore(ledger)
          .put({ roomId: room, userId: '@mallory:localhost', deviceId: 'DAMAGED', ed25519Key: 'not a key', firstSeenAt: 'yesterday' });
        await new Promise((resolve, reject) => {
          transaction.oncomplete = resolve;
          transaction.onerror = () => reject(transaction.error ?? new Error('write failed'));
        });
        db.close();
      },
      { database: EXTENSION_DATABASE, ledger: STORES.ledger, room: roomId },
    );
    await options.evaluate(() => chrome.runtime.sendMessage({ kind: 'ledger.export', params: {} }));
    await waitFor(
      'the damaged record to be set aside',
      async () => ((await status(options)).ledgerSetAside === 1 ? true : undefined),
      SLOW,
    );

    // The positive control: the account's data is where this test will look for it.
    const before = await inventory(options);
    const own = before[EXTENSION_DATABASE];
    expect(Object.keys(before)).toEqual(expect.arrayContaining([SYNC_DATABASE_NAME, ...ACCOUNT_CRYPTO_DATABASES]));
    expect(Object.values(before[SYNC_DATABASE_NAME] ?? {}).some((store) => store.count > 0)).toBe(true);
    for (const name of ACCOUNT_CRYPTO_DATABASES)
      expect(
        Object.values(before[name] ?? {}).some((store) => store.count > 0),
        name,
      ).toBe(true);
    expect(own?.[STORES.ledger]?.keys?.some((key) => key.includes(rogue.deviceId))).toBe(true);
    expect(own?.[STORES.ledgerSetAside]?.count).toBe(1);
    expect(own?.[STORES.sealedSecrets]?.keys).toEqual(expect.arrayContaining(['"account-credentials"', '"account-crypto-store-key"']));
    expect(own?.[STORES.records]?.keys).toEqual(expect.arrayContaining(['"account-crypto-store"']));

    // Sign out, as a person would.
    await options.getByRole('button', { name: 'Sign out…' }).click();
    await options.getByRole('button', { name: 'Sign out', exact: true }).click();
    await options.getByLabel('Homeserver').waitFor({ timeout: SLOW });

    expect(await extensionDevicesOnServer()).toEqual([]);
    const after = await inventory(options);
    // Only our own database and the engine check's stores are left.
    expect(
      Object.keys(after).filter((name) => name !== EXTENSION_DATABASE && !name.startsWith(`${ENGINE_CHECK_DATABASE_PREFIX}::`)),
    ).toEqual([]);
    const left = after[EXTENSION_DATABASE] ?? {};
    expect(Object.keys(left).sort()).toEqual(Object.values(STORES).sort());
    expect(left[STORES.ledger]).toEqual({ count: 0, keys: [] });
    expect(left[STORES.ledgerSetAside]).toEqual({ count: 0, keys: [] });
    // The non-extractable key that seals secrets: no secret itself.
    expect(left[STORES.vaultKey]).toEqual({ count: 1, keys: ['"aes-gcm-256"'] });
    expect(left[STORES.sealedSecrets]?.keys?.filter((key) => key !== '"engine-check-store-key"')).toEqual([]);
    expect(left[STORES.records]?.keys?.filter((key) => !['"crypto-engine-check"', '"settings"', '"sites"'].includes(key))).toEqual([]);
    // And the UI no longer counts set-aside records it no longer has.
    expect((await status(options)).ledgerSetAside ?? 0).toBe(0);
  });
});
