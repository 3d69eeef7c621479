// The Rust store checks the IndexedDB classes it is handed, so the globals must be installed too.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  checkCryptoEngine,
  describeEngineFailure,
  ENGINE_CHECK_DATABASE_PREFIX,
  type EngineCheckDeps,
} from '../../../src/matrix/cryptoEngineCheck';
import { openExtensionDatabase } from '../../../src/storage/extensionDatabase';
import { deleteDatabase } from '../../../src/storage/indexedDb';
import { RecordStore } from '../../../src/storage/recordStore';
import type { StoreIdentityRecord } from '../../../src/matrix/storeIdentity';

// Real Rust crypto (the Node build of the same WebAssembly module) on an in-memory IndexedDB.
describe('the crypto engine check', () => {
  let clock: number;

  beforeEach(() => {
    globalThis.indexedDB = new IDBFactory();
    clock = 1_700_000_000_000;
  });

  async function deps(storageKey = new Uint8Array(32).fill(7)): Promise<EngineCheckDeps> {
    return {
      cryptoModuleLoaded: Promise.resolve(),
      storageKey,
      records: new RecordStore<Record<string, StoreIdentityRecord>>(await openExtensionDatabase(indexedDB)),
      now: () => clock,
      elapsedMs: () => 612.4,
    };
  }

  it('opens a new store and reports it ready with its identity key', async () => {
    const result = await checkCryptoEngine(await deps());
    expect(result).toMatchObject({ state: 'ready', storeCreatedAt: clock, storeOpenCount: 1, startupMs: 612 });
    if (result.state !== 'ready') throw new Error('not ready');
    expect(result.identityKey).toMatch(/^[A-Za-z0-9+/]{43}$/);
    expect(result.engineVersion).toMatch(/^Rust SDK .+, Vodozemac .+/);
  });

  it('finds the same store, and counts the opening, on the next start', async () => {
    const first = await checkCryptoEngine(await deps());
    clock += 60_000;
    const second = await checkCryptoEngine(await deps());
    expect(second).toMatchObject({ state: 'ready', storeOpenCount: 2, storeCreatedAt: 1_700_000_000_000 });
    expect(second.state === 'ready' && first.state === 'ready' && second.identityKey === first.identityKey).toBe(true);
  });

  it('reports a store that vanished between starts, then accepts the new one as the baseline', async () => {
    await checkCryptoEngine(await deps());
    for (const suffix of ['matrix-sdk-crypto', 'matrix-sdk-crypto-meta']) {
      await deleteDatabase(indexedDB, `${ENGINE_CHECK_DATABASE_PREFIX}::${suffix}`);
    }
    const afterLoss = await checkCryptoEngine(await deps());
    expect(afterLoss).toMatchObject({ state: 'failed' });
    expect(afterLoss.state === 'failed' && afterLoss.reason).toMatch(/lost the encryption store/);
    expect(await checkCryptoEngine(await deps())).toMatchObject({ state: 'ready', storeOpenCount: 2 });
  });

  it('cannot open the store with another storage key', async () => {
    await checkCryptoEngine(await deps(new Uint8Array(32).fill(7)));
    await expect(checkCryptoEngine(await deps(new Uint8Array(32).fill(8)))).rejects.toThrow();
  });

  it('waits for the WebAssembly module and fails with its error', async () => {
    const broken = { ...(await deps()), cryptoModuleLoaded: Promise.reject(new Error('CompileError: wasm refused')) };
    await expect(checkCryptoEngine(broken)).rejects.toThrow('CompileError: wasm refused');
  });
});

describe('describeEngineFailure', () => {
  it('gives the error message without a stack, bounded in length', () => {
    const error = new Error('x'.repeat(1000));
    const reason = describeEngineFailure(error);
    expect(reason.startsWith('The encryption engine could not start: xxx')).toBe(true);
    expect(reason.length).toBeLessThan(400);
    expect(reason).not.toContain('    at ');
  });

  it('handles values that are not errors', () => {
    expect(describeEngineFailure('boom')).toBe('The encryption engine could not start: boom');
  });
});
