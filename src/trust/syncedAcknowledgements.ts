import {
  type Check,
  deviceId as isDeviceId,
  exactly,
  isBoundedString,
  isNonNegativeInteger,
  isPlainObject,
  roomId as isRoomId,
  userId as isUserId,
} from '../validation/shape';
import { isDeviceClass, isWorse } from './classifyDevice';
import type { DeviceClass, LedgerEntry, LedgerKey, Policy } from './types';
import { isNewWarning, type LedgerChange, ledgerKeyOf } from './warnedDeviceLedger';

/**
 * The user's acknowledgements and pins as they follow the account from browser to browser
 * (README, "Acknowledgements across browsers"): only decisions, never the history. The document
 * arrives from the user's account data, decrypted by `acknowledgementSeal.ts`; the seal proves
 * it was written with our key, and this module still checks it field by field, bounded.
 */

export const SYNCED_VERSION = 1;
/** Bounds keep a document small enough for account data (~200 bytes an acknowledgement). */
export const MAX_SYNCED_ACKNOWLEDGEMENTS = 5_000;
export const MAX_SYNCED_PINS = 1_000;
const MAX_KEY_LENGTH = 64;

/** The user acknowledged this exact device (id and key) in this room, at this class. */
export interface SyncedAcknowledgement extends LedgerKey {
  acknowledgedClass: DeviceClass;
  acknowledgedAt: number;
}

/** The user accepted this identity (master key) of a contact. */
export interface SyncedPin {
  userId: string;
  masterKey: string;
  pinnedAt: number;
}

export interface SyncedAcknowledgements {
  version: typeof SYNCED_VERSION;
  acknowledgements: SyncedAcknowledgement[];
  pins: SyncedPin[];
}

export function emptySynced(): SyncedAcknowledgements {
  return { version: SYNCED_VERSION, acknowledgements: [], pins: [] };
}

const isKey: Check = (value) => isBoundedString(value, MAX_KEY_LENGTH) && /^[A-Za-z0-9+/]+={0,2}$/.test(value);
const isAcknowledgement = exactly({
  roomId: isRoomId,
  userId: isUserId,
  deviceId: isDeviceId,
  ed25519Key: isKey,
  acknowledgedClass: isDeviceClass,
  acknowledgedAt: isNonNegativeInteger,
});
const isPin = exactly({ userId: isUserId, masterKey: isKey, pinnedAt: isNonNegativeInteger });

/** The document, or undefined when anything in it is not what we write (never partly trusted). */
export function parseSynced(value: unknown): SyncedAcknowledgements | undefined {
  if (!isPlainObject(value) || value.version !== SYNCED_VERSION) return undefined;
  const { acknowledgements, pins } = value;
  if (!Array.isArray(acknowledgements) || acknowledgements.length > MAX_SYNCED_ACKNOWLEDGEMENTS) return undefined;
  if (!Array.isArray(pins) || pins.length > MAX_SYNCED_PINS) return undefined;
  if (Object.keys(value).length !== 3 || !acknowledgements.every(isAcknowledgement) || !pins.every(isPin)) return undefined;
  return mergeSynced(emptySynced(), {
    version: SYNCED_VERSION,
    acknowledgements: (acknowledgements as SyncedAcknowledgement[]).map(pickAcknowledgement),
    pins: (pins as SyncedPin[]).map(({ userId, masterKey, pinnedAt }) => ({ userId, masterKey, pinnedAt })),
  });
}

/**
 * Union: a merge never loses an acknowledgement or a pin. For the same device (room, user, id
 * and key) the acknowledgement of the worse class wins, because an acknowledgement covers every
 * class up to the one acknowledged: the worse one is what the user has agreed to, wherever. Same
 * class: the later one, so merging is order-independent. Pins are per user and master key.
 */
export function mergeSynced(a: SyncedAcknowledgements, b: SyncedAcknowledgements): SyncedAcknowledgements {
  const acknowledgements = new Map<string, SyncedAcknowledgement>();
  for (const ack of [...a.acknowledgements, ...b.acknowledgements]) {
    const key = ledgerKeyOf(ack);
    const kept = acknowledgements.get(key);
    if (!kept || coversMore(ack, kept)) acknowledgements.set(key, ack);
  }
  const pins = new Map<string, SyncedPin>();
  for (const pin of [...a.pins, ...b.pins]) {
    const key = `${pin.userId.length}:${pin.userId}${pin.masterKey}`;
    const kept = pins.get(key);
    if (!kept || pin.pinnedAt > kept.pinnedAt) pins.set(key, pin);
  }
  return { version: SYNCED_VERSION, acknowledgements: [...acknowledgements.values()], pins: [...pins.values()] };
}

/** Whether `doc` already holds every decision of `all` as `all` has it: nothing to write back. */
export function holdsAll(doc: SyncedAcknowledgements, all: SyncedAcknowledgements): boolean {
  const merged = mergeSynced(doc, all);
  if (merged.acknowledgements.length !== doc.acknowledgements.length || merged.pins.length !== doc.pins.length) return false;
  const acks = indexAcknowledgements(doc);
  const pinned = new Set(doc.pins.map((pin) => `${pin.userId}\n${pin.masterKey}\n${pin.pinnedAt}`));
  return (
    merged.acknowledgements.every((ack) => {
      const held = acks.get(ledgerKeyOf(ack));
      return held?.acknowledgedAt === ack.acknowledgedAt && held.acknowledgedClass === ack.acknowledgedClass;
    }) && merged.pins.every((pin) => pinned.has(`${pin.userId}\n${pin.masterKey}\n${pin.pinnedAt}`))
  );
}

/**
 * Within the bounds for writing: beyond them the oldest decisions are left out (they are still
 * in every ledger that made them). Reading refuses an oversized document, so it must never be
 * written. Ties are broken by key, so every browser trims the same union the same way and none
 * keeps writing back what another left out.
 */
export function boundedForWrite(synced: SyncedAcknowledgements): SyncedAcknowledgements {
  const newest = <T>(items: T[], at: (item: T) => number, key: (item: T) => string, max: number) =>
    items.length <= max ? items : [...items].sort((x, y) => at(y) - at(x) || (key(x) < key(y) ? -1 : 1)).slice(0, max);
  return {
    version: SYNCED_VERSION,
    acknowledgements: newest(synced.acknowledgements, (ack) => ack.acknowledgedAt, ledgerKeyOf, MAX_SYNCED_ACKNOWLEDGEMENTS),
    pins: newest(
      synced.pins,
      (pin) => pin.pinnedAt,
      (pin) => `${pin.userId}\n${pin.masterKey}`,
      MAX_SYNCED_PINS,
    ),
  };
}

/** The acknowledgements a local ledger holds, to be shared. */
export function acknowledgementsOf(entries: readonly LedgerEntry[]): SyncedAcknowledgement[] {
  return entries.flatMap((entry) =>
    entry.acknowledgedAt === undefined || entry.acknowledgedClass === undefined
      ? []
      : [pickAcknowledgement({ ...entry, acknowledgedAt: entry.acknowledgedAt, acknowledgedClass: entry.acknowledgedClass })],
  );
}

/** Synced acknowledgements by ledger key, for `applyToLedger`. */
export type AcknowledgedElsewhere = ReadonlyMap<string, SyncedAcknowledgement>;

export function indexAcknowledgements(synced: SyncedAcknowledgements): AcknowledgedElsewhere {
  return new Map(synced.acknowledgements.map((ack) => [ledgerKeyOf(ack), ack]));
}

/**
 * Quiets local warnings the user acknowledged in another browser. Only an entry with exactly
 * the same room, user, device id and ed25519 key is covered: a device whose key changed is
 * another device and warns. Only a class not worse than the one acknowledged is covered (a
 * device that got worse since warns again, as it would here), and a local acknowledgement is
 * never lowered: the synced one applies only when it covers more than the local one.
 */
export function applyToLedger(entries: readonly LedgerEntry[], elsewhere: AcknowledgedElsewhere, policy: Policy): LedgerChange {
  const changed: LedgerEntry[] = [];
  const next = entries.map((entry) => {
    const ack = elsewhere.size === 0 ? undefined : elsewhere.get(ledgerKeyOf(entry));
    if (!ack || !isNewWarning(entry, policy) || isWorse(entry.lastClass, ack.acknowledgedClass)) return entry;
    const updated = { ...entry, acknowledgedAt: ack.acknowledgedAt, acknowledgedClass: ack.acknowledgedClass };
    changed.push(updated);
    return updated;
  });
  return { entries: next, changed };
}

function coversMore(candidate: SyncedAcknowledgement, kept: SyncedAcknowledgement): boolean {
  if (candidate.acknowledgedClass !== kept.acknowledgedClass) return isWorse(candidate.acknowledgedClass, kept.acknowledgedClass);
  return candidate.acknowledgedAt > kept.acknowledgedAt;
}

/** Field by field, so nothing else an object carries is shared. */
function pickAcknowledgement(ack: SyncedAcknowledgement): SyncedAcknowledgement {
  const { roomId, userId, deviceId, ed25519Key, acknowledgedClass, acknowledgedAt } = ack;
  return { roomId, userId, deviceId, ed25519Key, acknowledgedClass, acknowledgedAt };
}
