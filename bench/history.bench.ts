/**
 * The trust history's size at rest (issue 14): 10,000 realistic events written through the real
 * HistoryStore into the extension's database (src/storage/extensionDatabase.ts) over
 * fake-indexeddb, in the batches the background writes them (a device's story: appeared,
 * warned, acknowledged, departed; identity changes, pins, page disagreements), across 40 rooms,
 * 400 people and their devices, over the last 300 days. One name in ten is hostile and as long
 * as the history keeps (MAX_NAME_LENGTH, with bidi and zero-width characters), the rest
 * ordinary.
 *
 * - history_bytes_10k_events: the bytes the history occupies at rest, measured as what
 *   IndexedDB stores for each record: the record read back from the store, serialised with
 *   V8's structured-clone serialiser (node:v8 `serialize`, the ValueSerializer Chromium's
 *   IndexedDB writes values with, before LevelDB's compression), plus its key (the event id,
 *   as UTF-8), summed over every record. Index entries (by time: 8 bytes and the key per
 *   record) are left out.
 * - history_json_export_bytes_10k_events: the JSON export of the same history, UTF-8.
 * - history_csv_export_bytes_10k_events: the CSV export, UTF-8.
 * - history_bytes_worst_event: one event with every field at its bound, every name in
 *   characters that take two bytes: times MAX_HISTORY_EVENTS, the most the history can hold
 *   whatever the network sends (logged, and checked against HISTORY_BYTES_BOUND).
 */
import 'fake-indexeddb/auto';
import { serialize } from 'node:v8';
import { IDBFactory } from 'fake-indexeddb';
import { openExtensionDatabase } from '../src/storage/extensionDatabase.ts';
import { HistoryStore } from '../src/storage/historyStore.ts';
import { exportHistoryCsv, exportHistoryJson } from '../src/trust/historyDocument.ts';
import {
  HISTORY_BYTES_BOUND,
  type HistoryEvent,
  historyEvent,
  type HistoryEventContent,
  MAX_HISTORY_EVENTS,
  MAX_NAME_LENGTH,
} from '../src/trust/trustHistory.ts';
import { seededRandom } from '../test/support/seededRandom.ts';
import type { BenchResult } from './results.ts';

const EVENTS = 10_000;
const ROOMS = 40;
const PEOPLE = 400;
const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 11, 1);

export default async function historyBench(): Promise<BenchResult> {
  const store = new HistoryStore(await openExtensionDatabase(new IDBFactory()), { now: () => NOW });
  const batches = realisticBatches(seededRandom(14));
  for (const batch of batches) await store.append(batch);
  await store.settled();
  const stored = await store.all();
  if (stored.length !== EVENTS) throw new Error(`the history holds ${stored.length} events, not ${EVENTS}`);
  const atRest = stored.reduce((sum, event) => sum + bytesAtRest(event), 0);
  console.log(`  ${EVENTS} events, ${(atRest / EVENTS).toFixed(0)} bytes each at rest on average`);
  const worst = bytesAtRest(worstEvent());
  const bound = worst * MAX_HISTORY_EVENTS;
  console.log(`  worst event ${worst} bytes: at most ${(bound / 2 ** 20).toFixed(1)} MiB for ${MAX_HISTORY_EVENTS} events`);
  if (bound > HISTORY_BYTES_BOUND) throw new Error(`the history could take ${bound} bytes, over its bound of ${HISTORY_BYTES_BOUND}`);
  return {
    history_bytes_worst_event: worst,
    history_bytes_10k_events: atRest,
    history_json_export_bytes_10k_events: Buffer.byteLength(exportHistoryJson(stored, NOW)),
    history_csv_export_bytes_10k_events: Buffer.byteLength(exportHistoryCsv(stored)),
  };
}

/** What IndexedDB stores for one record: its structured clone and its key. */
function bytesAtRest(event: HistoryEvent): number {
  return serialize(event).byteLength + Buffer.byteLength(event.id);
}

/** An event with every field at its bound, names in two-byte characters (still valid). */
function worstEvent(): HistoryEvent {
  const long = (length: number) => 'ﷺ'.repeat(length);
  const key = 'A'.repeat(64);
  return historyEvent({
    kind: 'verification-withdrawn',
    at: NOW,
    roomId: `!${'r'.repeat(254)}`,
    userId: `@${'u'.repeat(240)}:example.org`,
    deviceId: 'D'.repeat(255),
    ed25519Key: key,
    class: 'unsigned-of-verified',
    previousClass: 'unsigned-of-verified',
    where: 'notification',
    client: long(64),
    masterKey: key,
    previousMasterKey: key,
    roomName: long(MAX_NAME_LENGTH),
    userName: long(MAX_NAME_LENGTH),
    deviceName: long(MAX_NAME_LENGTH),
  });
}

/** Batches of events as the background writes them, EVENTS in all. */
function realisticBatches(random: () => number): HistoryEvent[][] {
  const pick = (n: number) => Math.floor(random() * n);
  const key = () =>
    Buffer.from(Array.from({ length: 32 }, () => pick(256)))
      .toString('base64')
      .replace(/=+$/, '');
  const hostile = (seed: string) => `\u202E${seed}\u200B`.padEnd(MAX_NAME_LENGTH, 'ﷺ').slice(0, MAX_NAME_LENGTH);
  const name = (ordinary: string) => (random() < 0.1 ? hostile(ordinary) : ordinary);
  const batches: HistoryEvent[][] = [];
  let count = 0;
  let serial = 0;
  const add = (batch: HistoryEventContent[]) => {
    const events = batch.slice(0, EVENTS - count).map(historyEvent);
    count += events.length;
    batches.push(events);
  };
  while (count < EVENTS) {
    serial += 1;
    const person = pick(PEOPLE);
    const roomIndex = pick(ROOMS);
    const at = NOW - pick(300 * DAY);
    const subject = {
      roomId: `!${'r'.repeat(18)}${roomIndex}:matrix.example.org`,
      roomName: name(`Room ${roomIndex}`),
      userId: `@person${person}:example.org`,
      userName: name(`Person ${person}`),
    };
    const roll = random();
    if (roll < 0.85) {
      const device = {
        deviceId: `DEV${serial.toString(36).toUpperCase().padStart(7, '0')}`,
        ed25519Key: key(),
        deviceName: name('Laptop'),
      };
      const story = { ...subject, ...device };
      add([{ ...story, kind: 'device-appeared', at, class: 'unsigned' }]);
      add([
        { ...story, kind: 'warned', at: at + 60_000, class: 'unsigned', where: random() < 0.5 ? 'banner' : 'badge', client: 'Element Web' },
      ]);
      if (random() < 0.8) add([{ ...story, kind: 'acknowledged', at: at + 600_000, class: 'unsigned' }]);
      if (random() < 0.5) add([{ ...story, kind: 'departed', at: at + 30 * DAY, class: 'unsigned' }]);
    } else if (roll < 0.93) {
      add([{ kind: 'identity-changed', at, userId: subject.userId, masterKey: key(), previousMasterKey: key() }]);
    } else if (roll < 0.97) {
      add([{ kind: 'identity-pinned', at, userId: subject.userId, masterKey: key() }]);
    } else {
      add([{ kind: 'page-disagreed', at, roomId: subject.roomId, userId: subject.userId, client: 'Element Web' }]);
    }
  }
  return batches;
}
