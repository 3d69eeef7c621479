import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { openExtensionDatabase } from '../../../src/storage/extensionDatabase';
import { LedgerStore } from '../../../src/storage/ledgerStore';
import type { LedgerEntry } from '../../../src/trust/types';
import { killingDatabase } from '../../support/killingDatabase';

/**
 * Issue 6: "a write interrupted by a kill leaves the previous or the new state, never a mix".
 * A stopped service worker never commits the transaction it had open; IndexedDB then drops the
 * whole transaction, which is what `abort()` does. Here the abort comes after each possible
 * number of requests of a batch (an acknowledgement that changes several entries at once),
 * and a reader racing the write must see the old ledger or the new one, nothing in between.
 */

const ROOM = '!plans:example.org';
const T0 = Date.UTC(2026, 0, 5, 9, 0);

function entry(deviceId: string, rest: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    roomId: ROOM,
    userId: '@dave:example.org',
    deviceId,
    ed25519Key: `${deviceId}key`,
    firstSeenAt: T0,
    firstClass: 'unsigned',
    lastClass: 'unsigned',
    ...rest,
  };
}

const sorted = (entries: LedgerEntry[]) => entries.toSorted((a, b) => a.deviceId.localeCompare(b.deviceId));
const previous = ['A', 'B', 'C', 'D'].map((id) => entry(id));
/** Every entry acknowledged, and one new device: the next state of the ledger. */
const next = [...previous.map((e) => ({ ...e, acknowledgedAt: T0 + 1, acknowledgedClass: e.lastClass })), entry('E')];

describe('a ledger write interrupted by a kill', () => {
  let factory: IDBFactory;
  beforeEach(() => {
    factory = new IDBFactory();
  });

  it.each(Array.from({ length: next.length }, (_, killAfter) => ({ killAfter })))(
    'killed after $killAfter of 5 writes, leaves the previous ledger whole',
    async ({ killAfter }) => {
      const db = await openExtensionDatabase(factory);
      await new LedgerStore(db).write(previous);
      const interrupted = new LedgerStore(killingDatabase(db, () => killAfter));
      await expect(interrupted.write(next)).rejects.toThrow('aborted');
      db.close();
      // As the next worker finds it: opened again from scratch.
      expect(sorted(await new LedgerStore(await openExtensionDatabase(factory)).allEntries())).toEqual(previous);
    },
  );

  it('not killed, leaves the new ledger whole', async () => {
    const db = await openExtensionDatabase(factory);
    await new LedgerStore(db).write(previous);
    await new LedgerStore(killingDatabase(db, () => -1)).write(next);
    db.close();
    expect(sorted(await new LedgerStore(await openExtensionDatabase(factory)).allEntries())).toEqual(next);
  });

  it('is never seen half done by a reader racing it', async () => {
    const db = await openExtensionDatabase(factory);
    const store = new LedgerStore(db);
    await store.write(previous);
    const seen: LedgerEntry[][] = [];
    const write = store.write(next);
    // Readers started before, during and after the write's requests.
    const reads = Array.from({ length: 6 }, async (_, i) => {
      for (let tick = 0; tick < i; tick += 1) await Promise.resolve();
      seen.push(sorted(await store.allEntries()));
    });
    await Promise.all([write, ...reads]);
    for (const state of seen) expect([previous, next]).toContainEqual(state);
  });
});
