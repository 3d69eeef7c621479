import type { CryptoEngineStatus } from '../model/deviceStatus';

/**
 * What a Rust crypto store looked like when first opened. Opening it again must show the same
 * device identity key; a different key means the browser lost the store and a new one was
 * made, which for an account device means its keys are gone.
 */
export interface StoreIdentityRecord {
  identityKey: string;
  createdAt: number;
  openCount: number;
}

/** Where store identities are kept: any record store with a slot of this type under `name`. */
export interface StoreIdentityRecords<K extends string> {
  get(name: K): Promise<StoreIdentityRecord | undefined>;
  put(name: K, value: StoreIdentityRecord): Promise<void>;
}

export interface OpenedStore {
  identityKey: string;
  engineVersion: string;
  /** Milliseconds from the background starting to the store being open. */
  startupMs: number;
}

/**
 * Records this opening of a store under `recordName` and says how the engine stands. A store
 * whose identity changed is reported as failed with `lostReason`, and becomes the new baseline
 * so a later start can tell whether the new store lasts.
 */
export async function recordStoreOpening<K extends string>(
  records: StoreIdentityRecords<K>,
  recordName: K,
  opened: OpenedStore,
  now: number,
  lostReason: string,
): Promise<CryptoEngineStatus> {
  const previous = await records.get(recordName);
  if (previous !== undefined && previous.identityKey !== opened.identityKey) {
    await records.put(recordName, { identityKey: opened.identityKey, createdAt: now, openCount: 1 });
    return { state: 'failed', reason: lostReason };
  }
  const record: StoreIdentityRecord = previous
    ? { ...previous, openCount: previous.openCount + 1 }
    : { identityKey: opened.identityKey, createdAt: now, openCount: 1 };
  await records.put(recordName, record);
  return {
    state: 'ready',
    engineVersion: opened.engineVersion,
    identityKey: opened.identityKey,
    storeCreatedAt: record.createdAt,
    storeOpenCount: record.openCount,
    startupMs: Math.round(opened.startupMs),
  };
}
