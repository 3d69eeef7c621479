/**
 * The trust model's vocabulary (see docs/architecture.md, "Trust model"). Everything in src/trust speaks
 * these small types; only src/matrix knows matrix-js-sdk and turns its answers into them.
 */

/** How far we trust one device, from our own device's point of view, worst last. */
export type DeviceClass =
  /** Cross-signed by an owner we verified, or verified locally. */
  | 'verified'
  /** Signed by its owner, but we have not verified the owner. */
  | 'owner-signed'
  /**
   * Not signed by its owner, who is a bridge's bot or puppet in this room (see `roomBridges.ts`)
   * without any cross-signing identity: bridges make such devices by construction. Messages to it
   * leave Matrix's end-to-end encryption at the bridge. Ranked just below `owner-signed`, so a
   * device that stops looking bridged (`unsigned`) is worse and warns again.
   */
  | 'bridged'
  /** Not signed by its owner's self-signing key (an "insecure device", MSC4153). */
  | 'unsigned'
  /** Not signed by its owner, whom we verified (or who is us): someone else holds the account. */
  | 'unsigned-of-verified'
  /**
   * Not a device of its own: a key the server offered under the id of a device we already know
   * with another key. The crypto keeps the key it first saw; the server trying another is
   * what an attacker on the server would do.
   */
  | 'conflicting-key';

/** The state of a user's cross-signing identity, from our point of view. */
export type IdentityState =
  | 'ok'
  /** The identity was reset since we first saw it and nobody approved the new one (pin or verify). */
  | 'identity-changed'
  /** We had verified this user; the identity we see now is not the one we verified. */
  | 'verification-violation';

/**
 * `neutral`: shown in the popup's room view, never counted as a warning (the toolbar, banner,
 * badges and overview ignore it), never new, never acknowledged.
 */
export type Severity = 'none' | 'neutral' | 'warn' | 'critical';

/**
 * default: warn on unsigned devices and worse, bridged devices neutral; strict: also warn on
 * devices of unverified users, bridged ones included.
 */
export type Policy = 'default' | 'strict';

/** What the crypto layer says about one device: facts, no judgement. */
export interface DeviceFacts {
  deviceId: string;
  /** The device's ed25519 key: a device id that comes back with another key is another device. */
  ed25519Key: string;
  displayName?: string;
  /** Signed by its owner's self-signing key. */
  signedByOwner: boolean;
  /** Signed by its owner, whose identity we verified. */
  crossSigningVerified: boolean;
  /** Marked verified on this device by hand. */
  locallyVerified: boolean;
  /**
   * Set on a key the server offered for a device id the crypto already holds under this other
   * key (see the `conflicting-key` class); `ed25519Key` is then the offered key.
   */
  conflictsWithKey?: string;
}

/** What the crypto layer says about one user and all their devices. */
export interface UserFacts {
  userId: string;
  /** The account this extension is signed in to. */
  isOwnUser: boolean;
  /** Has published cross-signing keys. */
  hasIdentity: boolean;
  /** We verified this identity (cross-signing). */
  verified: boolean;
  /** We verified an earlier identity of this user. */
  wasVerified: boolean;
  /** The identity changed since first seen and was not approved yet. */
  needsApproval: boolean;
  /**
   * The public master key of the identity we see now, if any: what a pin or withdrawal is about,
   * and what the identity memory (identityMemory.ts) remembers.
   */
  masterKey?: string;
  /**
   * Our own user only: the ids of our devices whose signature on `masterKey` checks out against
   * their device key (the device that makes an identity signs it).
   */
  masterKeySigners?: string[];
  devices: DeviceFacts[];
}

/**
 * Why a user's identity is not trusted as it was, when remembered facts say (identityCause.ts).
 * Both parts can be present at once, and both are then true.
 */
export interface IdentityCause {
  /** Our own identity was replaced after we had verified them: our new one has not vouched for them. */
  ownReset?: OwnReset;
  /** Their master key is not the one we saw before. */
  theirChange?: {
    /** When the extension first saw their new key. */
    at: number;
    /** We had verified the key it replaced. */
    hadVerified: boolean;
    /** We had accepted (pinned) the key it replaced. */
    hadPinned: boolean;
  };
}

/** Our own identity was replaced: when this extension first saw the new one, and which of our devices made it, if known. */
export interface OwnReset {
  at: number;
  byDevice?: { deviceId: string; displayName?: string };
}

/**
 * Why the extension cannot vouch for a user's device list right now (docs/architecture.md, "Unknown is
 * never clear"): whoever it holds may be out of date, so "no new device" cannot be said.
 */
export type CheckingReason =
  /** Never fetched yet (the user just joined, or the extension just signed in). */
  | 'not-fetched'
  /** The server announced a change, and no key query asked since has answered. */
  | 'changed'
  /** Key queries about them failed (no connection, a server error). */
  | 'query-failed'
  /** The server answered key queries without them. */
  | 'omitted'
  /** The server said their homeserver could not be reached. */
  | 'server-failed';

/** A user's device list is not known to be current: why, and since when (if known). */
export interface DeviceListCheck {
  reason: CheckingReason;
  since?: number;
}

/** A member whose devices are being checked or could not be, as a report lists them. */
export interface CheckingMember extends DeviceListCheck {
  userId: string;
  displayName?: string;
}

export type Membership = 'join' | 'invite';

export interface RoomMemberFacts {
  userId: string;
  displayName?: string;
  membership: Membership;
}

/**
 * A bridge state event in a room (MSC2346 `m.bridge`, or the older `uk.half-shot.bridge`) as
 * the room state holds it: unchecked network data, validated by `roomBridges.ts`.
 */
export interface BridgeStateEvent {
  type: string;
  stateKey: string;
  sender: string;
  content: unknown;
}

export interface RoomFacts {
  roomId: string;
  name?: string;
  encrypted: boolean;
  /**
   * Everyone whose devices receive the room's keys: joined members, and invited ones when the
   * history visibility lets invitees read (the adapter decides).
   */
  members: RoomMemberFacts[];
  /** The room's bridge state events; absent is the same as none. */
  bridgeEvents?: readonly BridgeStateEvent[];
}

/** A bridge in a room (from a valid bridge state event whose bot is a joined member), as the popup labels it. */
export interface RoomBridge {
  /** The bridge's bot (`bridgebot`). */
  botUserId: string;
  protocol: { id: string; displayName?: string };
  network?: { id: string; displayName?: string };
}

/** What the room's bridge state says a member is: the bridge's bot, or one of its puppets (a heuristic). */
export type BridgeRole = 'bridge-bot' | 'bridge-puppet';

/** Where one device stands in one room, according to the warned-device ledger. */
export interface LedgerKey {
  roomId: string;
  userId: string;
  deviceId: string;
  ed25519Key: string;
}

export interface LedgerEntry extends LedgerKey {
  firstSeenAt: number;
  /** The class when first seen. */
  firstClass: DeviceClass;
  /** The class at the last observation. */
  lastClass: DeviceClass;
  /** When a warning about this device was first shown to the user. */
  warnedAt?: number;
  /** When the user acknowledged it (in extension UI only), and the class it had then. */
  acknowledgedAt?: number;
  acknowledgedClass?: DeviceClass;
  /** When the device (or its user) was last seen leaving the room; kept as history. */
  departedAt?: number;
}

export interface DeviceReport {
  deviceId: string;
  ed25519Key: string;
  displayName?: string;
  class: DeviceClass;
  severity: Severity;
  /** A warning the user has not acknowledged yet (or that got worse since). */
  isNew: boolean;
  firstSeenAt: number;
  acknowledgedAt?: number;
  /** For a `conflicting-key` device: the key the crypto keeps for this device id. */
  conflictsWithKey?: string;
}

export interface MemberReport {
  userId: string;
  /** Set on the account's own user (its other devices are reported like anyone's). */
  isOwnUser?: true;
  displayName?: string;
  membership: Membership;
  identity: IdentityState;
  /** The public master key of the identity the `identity` state is about, if they have one. */
  masterKey?: string;
  /** Set when the room's bridge state says they are a bridge's bot or puppet. */
  bridgeRole?: BridgeRole;
  /** Why the identity is not trusted as it was, when remembered facts tell; absent when `identity` is ok or the cause is unknown. */
  cause?: IdentityCause;
  /** The worst of the identity state and the devices. */
  severity: Severity;
  /** Devices that warrant a warning (or a neutral mention) under the policy; trusted ones are left out. */
  devices: DeviceReport[];
}

export interface WarningCounts {
  warn: number;
  critical: number;
}

export interface RoomTrustReport {
  roomId: string;
  name?: string;
  encrypted: boolean;
  policy: Policy;
  generatedAt: number;
  memberCount: number;
  /** Members with any warning or neutral mention, worst first. */
  members: MemberReport[];
  /** The room's bridges, when it has any: the popup labels the room and their bots. */
  bridges?: RoomBridge[];
  /** Members whose identity we verified and whose devices are all verified (for a quiet check mark). */
  verifiedUserIds: string[];
  /**
   * Members whose current devices the extension does not know (never fetched, a change not
   * fetched yet, key queries failing or answered without them), by user id. Their known
   * warnings still count, but "no new warnings" cannot be said about them: a room with anyone
   * here is never shown as clear.
   */
  checking: CheckingMember[];
  /** Warnings (devices and identities) by severity, all of them and the new ones. */
  warnings: WarningCounts;
  newWarnings: WarningCounts;
  /**
   * Our own identity was replaced and these members, verified before, need verifying again
   * (their `cause.ownReset`); absent when no member is affected.
   */
  ownReset?: OwnReset & { userIds: string[] };
}
