import type { DeviceListStore } from '../matrix/deviceListWatch';
import type { DeviceListRecord } from '../trust/deviceListFreshness';
import { isNonNegativeInteger, isPlainObject, oneOf, userId } from '../validation/shape';
import { STORES } from './extensionDatabase';
import { requestResult, transactionDone } from './indexedDb';

const isReason = oneOf('not-fetched', 'changed', 'query-failed', 'omitted', 'server-failed');

/**
 * The device-list watch's records at rest, one per user. A record that does not read back as
 * one is left out: that user then counts as never fetched, which shows them as being checked
 * (never as clear) until the next answer about them.
 */
export class IndexedDbDeviceListStore implements DeviceListStore {
  constructor(private readonly db: IDBDatabase) {}

  async load(): Promise<DeviceListRecord[]> {
    const store = this.db.transaction(STORES.deviceLists, 'readonly').objectStore(STORES.deviceLists);
    const records = (await requestResult(store.getAll())) as unknown[];
    return records.filter(isDeviceListRecord);
  }

  async write(records: DeviceListRecord[]): Promise<void> {
    const transaction = this.db.transaction(STORES.deviceLists, 'readwrite');
    const done = transactionDone(transaction);
    const store = transaction.objectStore(STORES.deviceLists);
    for (const record of records) store.put(record);
    await done;
  }

  /** Sign-out, or a new sign-in: another device starts with nothing fetched. */
  async clear(): Promise<void> {
    const transaction = this.db.transaction(STORES.deviceLists, 'readwrite');
    const done = transactionDone(transaction);
    transaction.objectStore(STORES.deviceLists).clear();
    await done;
  }
}

function isDeviceListRecord(value: unknown): value is DeviceListRecord {
  if (!isPlainObject(value) || !userId(value.userId) || !isNonNegativeInteger(value.failures)) return false;
  const optionalTimes = [value.fetchedAt, value.outdatedSince, value.retryAt].every(
    (time) => time === undefined || isNonNegativeInteger(time),
  );
  const reasonOk = value.reason === undefined || isReason(value.reason);
  const keysOk =
    value.offeredKeys === undefined ||
    (isPlainObject(value.offeredKeys) && Object.values(value.offeredKeys).every((key) => typeof key === 'string'));
  return optionalTimes && reasonOk && keysOk;
}
