import type { UserFacts } from './types';

/**
 * What the extension remembers of cross-signing identities between observations (public keys and
 * times only, no secret), so that "our identity was replaced" and "theirs was" can be told apart:
 * Rust crypto only says a contact was verified once and is not now, which is what both look like.
 */
export interface IdentityMemory {
  own?: OwnIdentityRecord;
  /** By user id. */
  contacts: Record<string, ContactIdentityRecord>;
}

/** The account's own master key as last seen, and what replaced what. */
export interface OwnIdentityRecord {
  masterKey: string;
  /** When this extension first saw this key. */
  seenAt: number;
  /** Set when this key replaced one this extension had seen before. */
  replaced?: OwnReplacement;
}

export interface OwnReplacement {
  previousKey: string;
  /** When this extension first saw the new key: the reset happened at or shortly before this. */
  at: number;
  /** The one device of the account whose valid signature the new key carried when first seen, if exactly one did. */
  byDevice?: { deviceId: string; displayName?: string };
}

/** A contact's master key as last seen, and whether we had verified or accepted it. */
export interface ContactIdentityRecord {
  masterKey: string;
  seenAt: number;
  /** Our own master key when we last saw this key verified; absent if we never saw it verified. */
  verifiedUnderOwnKey?: string;
  /** We saw this key accepted without question (pinned, at first sight or by the user). */
  pinned: boolean;
  /** Set when this key replaced one we had seen before. */
  replaced?: ContactReplacement;
}

export interface ContactReplacement {
  previousKey: string;
  /** When this extension first saw the new key. */
  at: number;
  previousVerifiedUnderOwnKey?: string;
  previousPinned: boolean;
}

/**
 * "Verified under our own key, which we have not read yet": a contact can be seen verified
 * before our own identity's facts come in (right after sign-in). Verified means signed by the
 * own key in force, so the first own key seen afterwards is put in its place.
 */
const OWN_KEY_NOT_YET_SEEN = '';

export function emptyIdentityMemory(): IdentityMemory {
  return { contacts: {} };
}

/**
 * The memory after seeing `users` at `now`, and whether anything changed (so a caller writes
 * only then). Our own identity is taken first, so contacts seen verified in the same batch are
 * tied to our current key.
 */
export function observeIdentities(
  memory: IdentityMemory,
  users: readonly UserFacts[],
  now: number,
): { memory: IdentityMemory; changed: boolean } {
  let changed = false;
  let own = memory.own;
  const ownFacts = users.find((user) => user.isOwnUser);
  let contacts = memory.contacts;
  if (ownFacts?.masterKey !== undefined && ownFacts.masterKey !== own?.masterKey) {
    if (own === undefined) contacts = withOwnKeyFilledIn(contacts, ownFacts.masterKey);
    own = nextOwnRecord(own, ownFacts, now);
    changed = true;
  }
  for (const user of users) {
    if (user.isOwnUser || user.masterKey === undefined) continue;
    const before = Object.hasOwn(contacts, user.userId) ? contacts[user.userId] : undefined;
    const after = nextContactRecord(before, user, user.masterKey, own?.masterKey, now);
    if (after === before) continue;
    if (contacts === memory.contacts) contacts = { ...contacts };
    contacts[user.userId] = after;
    changed = true;
  }
  return changed ? { memory: { ...(own === undefined ? {} : { own }), contacts }, changed } : { memory, changed };
}

function nextOwnRecord(before: OwnIdentityRecord | undefined, facts: UserFacts, now: number): OwnIdentityRecord {
  const masterKey = facts.masterKey ?? '';
  if (before === undefined) return { masterKey, seenAt: now };
  // Named only when exactly one of our devices signed the new key: with several, which made it is unknown.
  const signers = facts.masterKeySigners ?? [];
  const [only] = signers.length === 1 ? signers : [];
  const device = only === undefined ? undefined : facts.devices.find((candidate) => candidate.deviceId === only);
  const byDevice =
    only === undefined ? undefined : { deviceId: only, ...(device?.displayName === undefined ? {} : { displayName: device.displayName }) };
  return { masterKey, seenAt: now, replaced: { previousKey: before.masterKey, at: now, ...(byDevice && { byDevice }) } };
}

/** The contacts seen verified before our own key was known, tied to the first own key seen. */
function withOwnKeyFilledIn(contacts: Record<string, ContactIdentityRecord>, ownKey: string): Record<string, ContactIdentityRecord> {
  const filled = { ...contacts };
  for (const [userId, record] of Object.entries(contacts)) {
    const { verifiedUnderOwnKey, replaced } = record;
    if (verifiedUnderOwnKey !== OWN_KEY_NOT_YET_SEEN && replaced?.previousVerifiedUnderOwnKey !== OWN_KEY_NOT_YET_SEEN) continue;
    filled[userId] = {
      ...record,
      ...(verifiedUnderOwnKey === OWN_KEY_NOT_YET_SEEN && { verifiedUnderOwnKey: ownKey }),
      ...(replaced?.previousVerifiedUnderOwnKey === OWN_KEY_NOT_YET_SEEN && {
        replaced: { ...replaced, previousVerifiedUnderOwnKey: ownKey },
      }),
    };
  }
  return filled;
}

/** The same object when nothing changed. */
function nextContactRecord(
  before: ContactIdentityRecord | undefined,
  user: UserFacts,
  masterKey: string,
  ownKey: string | undefined,
  now: number,
): ContactIdentityRecord {
  const verifiedUnderOwnKey = user.verified ? (ownKey ?? OWN_KEY_NOT_YET_SEEN) : undefined;
  const pinned = !user.needsApproval;
  if (before === undefined || before.masterKey !== masterKey) {
    const replaced: ContactReplacement | undefined = before && {
      previousKey: before.masterKey,
      at: now,
      ...(before.verifiedUnderOwnKey === undefined ? {} : { previousVerifiedUnderOwnKey: before.verifiedUnderOwnKey }),
      previousPinned: before.pinned,
    };
    return {
      masterKey,
      seenAt: now,
      ...(verifiedUnderOwnKey === undefined ? {} : { verifiedUnderOwnKey }),
      pinned,
      ...(replaced && { replaced }),
    };
  }
  // The same key: "verified under" moves to our current key when seen verified again; a pin, once seen, stays.
  const nextVerified = verifiedUnderOwnKey ?? before.verifiedUnderOwnKey;
  const nextPinned = before.pinned || pinned;
  if (nextVerified === before.verifiedUnderOwnKey && nextPinned === before.pinned) return before;
  return { ...before, ...(nextVerified === undefined ? {} : { verifiedUnderOwnKey: nextVerified }), pinned: nextPinned };
}
