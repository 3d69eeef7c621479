import {
  type Check,
  fieldsProblem,
  type FieldChecks,
  deviceId as isDeviceId,
  isBoundedString,
  isNonNegativeInteger,
  isPlainObject,
  oneOf,
  roomId as isRoomId,
  userId as isUserId,
} from '../validation/shape';
import { isDeviceClass, isWorse } from './classifyDevice';
import type { IdentityMemory } from './identityMemory';
import type { DeviceClass, LedgerEntry, LedgerKey } from './types';
import { type LedgerChange, ledgerKeyOf } from './warnedDeviceLedger';

/**
 * The trust history (issue 14): an append-only log of what happened to the trust of the
 * user's rooms, next to the ledger (which holds only each device's current state). Pure:
 * the events are derived here, stored by src/storage/historyStore.ts.
 */

export const HISTORY_KINDS = [
  'device-appeared',
  'warned',
  'acknowledged',
  'got-worse',
  'departed',
  'identity-changed',
  'identity-pinned',
  'verification-withdrawn',
  'page-disagreed',
  'own-identity-reset',
] as const;
export type HistoryKind = (typeof HISTORY_KINDS)[number];

/** Where a warning was put in front of the user. */
export const WARNED_WHERE = ['banner', 'badge', 'popup', 'notification', 'review'] as const;
export type WarnedWhere = (typeof WARNED_WHERE)[number];

export interface HistoryEvent {
  /** Derived from the content (historyEventId): the same event from two exports is one event. */
  id: string;
  at: number;
  kind: HistoryKind;
  roomId?: string;
  userId?: string;
  deviceId?: string;
  ed25519Key?: string;
  /** The device's class for device events (the new one for got-worse); the acknowledged class for acknowledged. */
  class?: DeviceClass;
  previousClass?: DeviceClass;
  where?: WarnedWhere;
  /** The web client that showed it ("Element") or whose page disagreed. */
  client?: string;
  masterKey?: string;
  previousMasterKey?: string;
  /** Names as the network gave them when the event happened: shown through displayText, never trusted. */
  roomName?: string;
  userName?: string;
  deviceName?: string;
}

/**
 * Names from the network are cut to this many UTF-16 units before they are stored: twice what
 * any sentence shows (DISPLAY_TEXT_MAX_CHARS), so the bound costs nothing readable.
 */
export const MAX_NAME_LENGTH = 128;
/** A client's name ("Element Web"); ours come from src/clients, a page may say more. */
const MAX_CLIENT_LENGTH = 64;
/** An ed25519 or master key is 43 characters of unpadded base64; this leaves room, not much more. */
const MAX_KEY_LENGTH = 64;

const isKey: Check = (value) => isBoundedString(value, MAX_KEY_LENGTH) && /^[A-Za-z0-9+/]+={0,2}$/.test(value);
const boundedText =
  (max: number): Check =>
  (value) =>
    isBoundedString(value, max);

/** One check per field, in the order fields are written; a `Record` so no field is forgotten. */
const FIELDS: FieldChecks<HistoryEvent> = {
  id: { check: (value) => isBoundedString(value, 32) },
  at: { check: isNonNegativeInteger },
  kind: { check: oneOf(...HISTORY_KINDS) },
  roomId: { check: isRoomId, optional: true },
  userId: { check: isUserId, optional: true },
  deviceId: { check: isDeviceId, optional: true },
  ed25519Key: { check: isKey, optional: true },
  class: { check: isDeviceClass, optional: true },
  previousClass: { check: isDeviceClass, optional: true },
  where: { check: oneOf(...WARNED_WHERE), optional: true },
  client: { check: boundedText(MAX_CLIENT_LENGTH), optional: true },
  masterKey: { check: isKey, optional: true },
  previousMasterKey: { check: isKey, optional: true },
  roomName: { check: boundedText(MAX_NAME_LENGTH), optional: true },
  userName: { check: boundedText(MAX_NAME_LENGTH), optional: true },
  deviceName: { check: boundedText(MAX_NAME_LENGTH), optional: true },
};
const FIELD_NAMES = Object.keys(FIELDS) as (keyof HistoryEvent)[];
/** Names are labels, not what happened: an event's id does not depend on them. */
const LABELS: ReadonlySet<keyof HistoryEvent> = new Set(['id', 'roomName', 'userName', 'deviceName']);

export type HistoryEventContent = Omit<HistoryEvent, 'id'>;

/**
 * A stable id from what happened (kind, time, subject, details), so an event imported twice, or
 * from two exports of the same browser, is stored once. The time leads (base 36), then a
 * 53-bit hash of the rest: not cryptographic, so a crafted file could collide with an event it
 * knows to the millisecond; merging keeps the event already stored, so that loses nothing here.
 */
export function historyEventId(content: HistoryEventContent): string {
  const parts = FIELD_NAMES.filter((name) => !LABELS.has(name)).map((name) => {
    const value = (content as Partial<HistoryEvent>)[name];
    return value === undefined ? '' : `${String(value).length}:${String(value)}`;
  });
  return `${content.at.toString(36)}-${hash53(parts.join('|')).toString(36)}`;
}

/** The event with its id, its names bounded, and only the fields it has, in a fixed order. */
export function historyEvent(content: HistoryEventContent): HistoryEvent {
  const bounded: HistoryEventContent = {
    ...content,
    ...(content.roomName !== undefined && { roomName: content.roomName.slice(0, MAX_NAME_LENGTH) }),
    ...(content.userName !== undefined && { userName: content.userName.slice(0, MAX_NAME_LENGTH) }),
    ...(content.deviceName !== undefined && { deviceName: content.deviceName.slice(0, MAX_NAME_LENGTH) }),
    ...(content.client !== undefined && { client: content.client.slice(0, MAX_CLIENT_LENGTH) }),
  };
  return pickFields({ ...bounded, id: historyEventId(bounded) });
}

/**
 * Whether `value` is a history event in every field, with the id its content gives. Used on
 * every read from storage and on every imported event; fields present but undefined count as
 * absent (they survive structured cloning as written).
 */
export function isHistoryEvent(value: unknown): value is HistoryEvent {
  return historyEventProblem(value) === undefined;
}

/** Why `value` is not a valid history event (in English, for logs and tests), or undefined. */
export function historyEventProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return 'is not an object';
  const present = Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined));
  const problem = fieldsProblem(present, FIELDS);
  if (problem !== undefined) return problem;
  if (present.id !== historyEventId(present as unknown as HistoryEventContent)) return 'has an id that does not match it';
  return undefined;
}

/** The event's fields in the order of FIELDS, without absent ones and without anything else. */
export function pickFields(event: HistoryEvent): HistoryEvent {
  return Object.fromEntries(
    FIELD_NAMES.filter((name) => event[name] !== undefined).map((name) => [name, event[name]]),
  ) as unknown as HistoryEvent;
}

/** Names the network gives a device's story; each is optional. */
export interface HistoryNames {
  roomName?: string;
  userName?: (userId: string) => string | undefined;
  deviceName?: (userId: string, deviceId: string) => string | undefined;
}

export interface LedgerHistoryContext {
  now: number;
  /** Where warnings stamped by this change were shown (markWarned), and in which client. */
  where?: WarnedWhere;
  client?: string;
  names?: HistoryNames;
}

/**
 * The events a ledger transition stands for, found by comparing each changed entry with its
 * previous version in `before`: a device appeared (or came back), was warned about,
 * acknowledged, got worse, departed. A room's very first look adds every device it has at
 * once: those are the room as found, not devices that appeared, and would flood the history
 * (a room of thousands on the first sign-in), so they make no event.
 */
export function historyOfLedgerChange(before: readonly LedgerEntry[], change: LedgerChange, context: LedgerHistoryContext): HistoryEvent[] {
  if (change.changed.length === 0) return [];
  const previous = new Map(before.map((entry) => [ledgerKeyOf(entry), entry]));
  const roomsKnown = new Set(before.map((entry) => entry.roomId));
  const events: HistoryEvent[] = [];
  for (const entry of change.changed) {
    const was = previous.get(ledgerKeyOf(entry));
    const about = (kind: HistoryKind, at: number, details: Partial<HistoryEventContent> = {}) =>
      events.push(historyEvent({ ...subject(entry, context.names), kind, at, ...details }));
    if (was === undefined) {
      if (roomsKnown.has(entry.roomId)) about('device-appeared', entry.firstSeenAt, { class: entry.lastClass });
      continue;
    }
    if (was.departedAt !== undefined && entry.departedAt === undefined) about('device-appeared', context.now, { class: entry.lastClass });
    if (isWorse(entry.lastClass, was.lastClass)) about('got-worse', context.now, { class: entry.lastClass, previousClass: was.lastClass });
    if (was.warnedAt === undefined && entry.warnedAt !== undefined)
      about('warned', entry.warnedAt, { class: entry.lastClass, where: context.where, client: context.client });
    if (entry.acknowledgedAt !== undefined && entry.acknowledgedAt !== was.acknowledgedAt)
      about('acknowledged', entry.acknowledgedAt, { class: entry.acknowledgedClass });
    if (was.departedAt === undefined && entry.departedAt !== undefined) about('departed', entry.departedAt, { class: entry.lastClass });
  }
  return events;
}

function subject(key: LedgerKey, names: HistoryNames | undefined): HistoryEventContent {
  const { roomId, userId, deviceId, ed25519Key } = key;
  return {
    at: 0,
    kind: 'device-appeared',
    roomId,
    userId,
    deviceId,
    ed25519Key,
    roomName: names?.roomName,
    userName: names?.userName?.(userId),
    deviceName: names?.deviceName?.(userId, deviceId),
  };
}

/**
 * The events an identity memory update stands for (identityMemory.ts): our own identity
 * replaced, or a contact's. A key seen for the first time is not a change.
 */
export function historyOfIdentityChange(before: IdentityMemory, after: IdentityMemory): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const own = after.own;
  if (own?.replaced && own.masterKey !== before.own?.masterKey)
    events.push(
      historyEvent({
        kind: 'own-identity-reset',
        at: own.replaced.at,
        masterKey: own.masterKey,
        previousMasterKey: own.replaced.previousKey,
      }),
    );
  for (const [userId, record] of Object.entries(after.contacts)) {
    if (record.replaced === undefined || before.contacts[userId]?.masterKey === record.masterKey) continue;
    if (!isUserId(userId)) continue;
    events.push(
      historyEvent({
        kind: 'identity-changed',
        at: record.replaced.at,
        userId,
        masterKey: record.masterKey,
        previousMasterKey: record.replaced.previousKey,
      }),
    );
  }
  return events.filter(isHistoryEvent);
}

/** How long events are kept: a number of days, or `null` for as long as the size bound allows. */
export type RetentionDays = number | null;
export const DEFAULT_RETENTION_DAYS = 365;
export const MAX_RETENTION_DAYS = 3650;
/**
 * The size bound: at most this many events are kept, the oldest dropped first. Every field is
 * bounded, so an event takes at most about 2 KB at rest (every string at its bound, names in
 * two-byte characters), and the history at most HISTORY_BYTES_BOUND whatever the network sends;
 * realistic events take a few hundred bytes (bench/history.bench.ts measures both).
 */
export const MAX_HISTORY_EVENTS = 20_000;
/** Under the 64 MiB a message can carry, so even the largest history exports and imports. */
export const HISTORY_BYTES_BOUND = 48 * 1024 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;

export function isRetentionDays(value: unknown): value is RetentionDays {
  return value === null || (isNonNegativeInteger(value) && value >= 1 && value <= MAX_RETENTION_DAYS);
}

/**
 * The events to keep: duplicates (same id) merged into one, those older than the retention
 * period dropped, then, over the size bound, the oldest dropped first. Newest first.
 */
export function compactHistory(
  events: readonly HistoryEvent[],
  options: { now: number; retentionDays: RetentionDays; maxEvents?: number },
): HistoryEvent[] {
  const { now, retentionDays, maxEvents = MAX_HISTORY_EVENTS } = options;
  const cutoff = retentionDays === null ? -Infinity : now - retentionDays * DAY_MS;
  const unique = new Map<string, HistoryEvent>();
  for (const event of events) if (event.at >= cutoff && !unique.has(event.id)) unique.set(event.id, event);
  return newestFirst([...unique.values()]).slice(0, maxEvents);
}

/** Newest first; at the same time by id, so the order is the same everywhere. */
export function newestFirst(events: HistoryEvent[]): HistoryEvent[] {
  return events.sort((a, b) => b.at - a.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Union by id: an event already here is kept as it is; nothing is ever lost. Newest first. */
export function mergeHistories(current: readonly HistoryEvent[], imported: readonly HistoryEvent[]): HistoryEvent[] {
  const merged = new Map(current.map((event) => [event.id, event]));
  for (const event of imported) if (!merged.has(event.id)) merged.set(event.id, event);
  return newestFirst([...merged.values()]);
}

/**
 * `events` with the names they lack filled in from other events of `all` about the same room,
 * person or device (the newest name known): a device that departed is no longer in the facts
 * that named it, and a filtered page may not hold the events that did. Names stay labels only.
 */
export function withKnownNames(events: readonly HistoryEvent[], all: readonly HistoryEvent[]): HistoryEvent[] {
  const rooms = new Map<string, string>();
  const users = new Map<string, string>();
  const devices = new Map<string, string>();
  const deviceOf = (event: HistoryEvent) => (event.deviceId === undefined ? undefined : `${event.userId ?? ''} ${event.deviceId}`);
  for (const event of newestFirst([...all])) {
    if (event.roomId !== undefined && event.roomName !== undefined && !rooms.has(event.roomId)) rooms.set(event.roomId, event.roomName);
    if (event.userId !== undefined && event.userName !== undefined && !users.has(event.userId)) users.set(event.userId, event.userName);
    const device = deviceOf(event);
    if (device !== undefined && event.deviceName !== undefined && !devices.has(device)) devices.set(device, event.deviceName);
  }
  return events.map((event) => {
    const device = deviceOf(event);
    const roomName = event.roomName ?? (event.roomId === undefined ? undefined : rooms.get(event.roomId));
    const userName = event.userName ?? (event.userId === undefined ? undefined : users.get(event.userId));
    const deviceName = event.deviceName ?? (device === undefined ? undefined : devices.get(device));
    return pickFields({ ...event, roomName, userName, deviceName });
  });
}

/** What the History view can filter by. */
export interface HistoryFilter {
  roomId?: string;
  userId?: string;
  kind?: HistoryKind;
}

export function matchesFilter(event: HistoryEvent, filter: HistoryFilter): boolean {
  return (
    (filter.roomId === undefined || event.roomId === filter.roomId) &&
    (filter.userId === undefined || event.userId === filter.userId) &&
    (filter.kind === undefined || event.kind === filter.kind)
  );
}

/** cyrb53 (public domain): a fast 53-bit string hash with good spread. */
function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
