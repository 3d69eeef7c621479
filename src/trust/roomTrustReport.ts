import { classifyDevice, deviceSeverity, identitySeverity, identityState, isWarning, severityRank, worstSeverity } from './classifyDevice';
import { type RoomBridging, roomBridging } from './roomBridges';
import { identityCause } from './identityCause';
import type { IdentityMemory } from './identityMemory';
import type {
  BridgeRole,
  CheckingMember,
  DeviceFacts,
  IdentityCause,
  OwnReset,
  DeviceListCheck,
  DeviceReport,
  LedgerEntry,
  MemberReport,
  Policy,
  RoomFacts,
  RoomMemberFacts,
  RoomTrustReport,
  Severity,
  UserFacts,
  WarningCounts,
} from './types';
import { isNewWarning, ledgerKeyOf, type ObservedDevice, type RoomObservation } from './warnedDeviceLedger';

/** Everything a room's report is made from. */
export interface ReportInputs {
  room: RoomFacts;
  /** Facts of the members looked at; a member without facts is being fetched. */
  users: ReadonlyMap<string, UserFacts>;
  /** Members whose device lists are not known to be current, and why. */
  checks: ReadonlyMap<string, DeviceListCheck>;
  /** The room's ledger entries after `observeRoom` saw the same facts. */
  ledger: readonly LedgerEntry[];
  ownDeviceId: string;
  policy: Policy;
  now: number;
  /** What is remembered of identities, to say why one changed; without it no cause is given. */
  identities?: IdentityMemory;
}

/**
 * What the room looks like now, to feed `observeRoom`. Members whose facts are missing or whose
 * device lists are not current are pending: devices missing from an old list have not left.
 * With `onlyUserIds`, only those members are looked at (see RoomObservation).
 */
export function observationsFor(
  inputs: Pick<ReportInputs, 'room' | 'users' | 'checks' | 'ownDeviceId'>,
  onlyUserIds?: ReadonlySet<string>,
): RoomObservation {
  const { room, users, checks, ownDeviceId } = inputs;
  // The ledger keeps bridged devices with their class: a device that stops looking bridged gets worse.
  const bridging = roomBridging(room);
  const devices: ObservedDevice[] = [];
  const pendingUserIds = new Set<string>();
  for (const { userId } of room.members) {
    if (onlyUserIds !== undefined && !onlyUserIds.has(userId)) continue;
    const owner = users.get(userId);
    if (!owner || checks.has(userId)) pendingUserIds.add(userId);
    if (!owner) continue;
    for (const device of othersDevices(owner, ownDeviceId)) {
      const cls = classifyDevice(device, owner, bridging.roleOf(userId));
      devices.push({ userId, deviceId: device.deviceId, ed25519Key: device.ed25519Key, class: cls });
    }
  }
  return { roomId: room.roomId, devices, pendingUserIds, ...(onlyUserIds === undefined ? {} : { onlyUserIds }) };
}

/**
 * Who in the room can read it that the user should know about, and whom the extension cannot
 * vouch for yet. In an unencrypted room nothing is encrypted to anyone: members are still
 * listed, but no warnings are counted (the UI says so instead).
 */
export function buildRoomTrustReport(inputs: ReportInputs): RoomTrustReport {
  const bridging = roomBridging(inputs.room);
  return assemble(inputs, bridging, summarizeMembers(inputs, bridging, inputs.room.members));
}

/**
 * The report after only `changedUserIds` changed (their devices, identity or check), from the
 * previous report of the same room and membership: everyone else's part is reused as it was, so
 * one new device in a room of thousands costs that member, not the room.
 */
export function refreshRoomTrustReport(
  previous: RoomTrustReport,
  changedUserIds: ReadonlySet<string>,
  inputs: ReportInputs,
): RoomTrustReport {
  const unchanged = (userId: string) => !changedUserIds.has(userId);
  const changedMembers = inputs.room.members.filter((member) => changedUserIds.has(member.userId));
  const changedLedger = inputs.ledger.filter((entry) => changedUserIds.has(entry.userId));
  // Bridge state changes come as a room change, which recomputes everyone: the rest's roles stand.
  const bridging = roomBridging(inputs.room);
  const fresh = summarizeMembers({ ...inputs, ledger: changedLedger }, bridging, changedMembers);
  return assemble(inputs, bridging, {
    members: [...previous.members.filter((member) => unchanged(member.userId)), ...fresh.members],
    verifiedUserIds: [...previous.verifiedUserIds.filter(unchanged), ...fresh.verifiedUserIds],
    checking: [...previous.checking.filter((member) => unchanged(member.userId)), ...fresh.checking],
  });
}

interface MemberSummaries {
  members: MemberReport[];
  verifiedUserIds: string[];
  checking: CheckingMember[];
}

function summarizeMembers(inputs: ReportInputs, bridging: RoomBridging, roomMembers: readonly RoomMemberFacts[]): MemberSummaries {
  const { room, users, checks, ledger, ownDeviceId, policy, now } = inputs;
  const entries = new Map(ledger.map((entry) => [ledgerKeyOf(entry), entry]));
  const summaries: MemberSummaries = { members: [], verifiedUserIds: [], checking: [] };
  for (const member of roomMembers) {
    const owner = users.get(member.userId);
    const check = checks.get(member.userId) ?? (owner ? undefined : { reason: 'not-fetched' as const });
    // Known warnings about a member stay true while their list is checked; only "nothing new" does not.
    if (check)
      summaries.checking.push({
        userId: member.userId,
        ...(member.displayName === undefined ? {} : { displayName: member.displayName }),
        ...check,
      });
    if (!owner) continue;
    const bridgeRole = bridging.roleOf(member.userId);
    const devices = othersDevices(owner, ownDeviceId).flatMap((device) => {
      const { deviceId, ed25519Key } = device;
      const entry = entries.get(ledgerKeyOf({ roomId: room.roomId, userId: member.userId, deviceId, ed25519Key }));
      return deviceReport(device, classifyDevice(device, owner, bridgeRole), entry, policy, now) ?? [];
    });
    const report = memberReport(member, owner, devices, bridgeRole, identityCause(owner, inputs.identities));
    if (report.severity !== 'none') summaries.members.push(report);
    if (!check && isQuietlyVerified(owner, ownDeviceId)) summaries.verifiedUserIds.push(member.userId);
  }
  return summaries;
}

function assemble(
  inputs: Pick<ReportInputs, 'room' | 'policy' | 'now'>,
  bridging: RoomBridging,
  summaries: MemberSummaries,
): RoomTrustReport {
  const { room, policy, now } = inputs;
  const ordered = summaries.members.toSorted((a, b) => compareConcern(memberConcern(a), memberConcern(b)));
  const warnings = room.encrypted ? ordered.flatMap(warningsOf) : [];
  const ownReset = ownResetIn(ordered);
  return {
    roomId: room.roomId,
    name: room.name,
    encrypted: room.encrypted,
    policy,
    generatedAt: now,
    memberCount: room.members.length,
    members: ordered,
    ...(bridging.bridges.length > 0 && { bridges: bridging.bridges }),
    // In a fixed order, so a refreshed report equals one built from scratch.
    verifiedUserIds: summaries.verifiedUserIds.toSorted(byCodeUnit),
    checking: summaries.checking.toSorted((a, b) => byCodeUnit(a.userId, b.userId)),
    warnings: countBySeverity(warnings),
    newWarnings: countBySeverity(warnings.filter((warning) => warning.isNew)),
    ...(ownReset && { ownReset }),
  };
}

/** Our own reset, with the other members it left needing verification again (all share the one newest reset). */
function ownResetIn(members: readonly MemberReport[]): (OwnReset & { userIds: string[] }) | undefined {
  let reset: OwnReset | undefined;
  const userIds: string[] = [];
  for (const member of members) {
    const own = member.cause?.ownReset;
    if (own === undefined || member.isOwnUser === true) continue;
    reset ??= own;
    userIds.push(member.userId);
  }
  return reset && { ...reset, userIds: userIds.toSorted(byCodeUnit) };
}

/** Every device of `user` except the one this extension runs as. */
function othersDevices(user: UserFacts, ownDeviceId: string): DeviceFacts[] {
  return user.isOwnUser ? user.devices.filter((device) => device.deviceId !== ownDeviceId) : user.devices;
}

/**
 * Undefined for a device that warrants no warning or mention. A warning the ledger has not seen
 * yet is new; a neutral mention never is.
 */
function deviceReport(
  device: DeviceFacts,
  cls: DeviceReport['class'],
  entry: LedgerEntry | undefined,
  policy: Policy,
  now: number,
): DeviceReport | undefined {
  const severity = deviceSeverity(cls, policy);
  if (severity === 'none') return undefined;
  return {
    deviceId: device.deviceId,
    ed25519Key: device.ed25519Key,
    displayName: device.displayName,
    class: cls,
    severity,
    isNew: isWarning(severity) && (entry ? isNewWarning(entry, policy) : true),
    firstSeenAt: entry?.firstSeenAt ?? now,
    acknowledgedAt: entry?.acknowledgedAt,
    ...(device.conflictsWithKey === undefined ? {} : { conflictsWithKey: device.conflictsWithKey }),
  };
}

function memberReport(
  member: RoomMemberFacts,
  owner: UserFacts,
  devices: DeviceReport[],
  bridgeRole: BridgeRole | undefined,
  cause: IdentityCause | undefined,
): MemberReport {
  const identity = identityState(owner);
  return {
    userId: member.userId,
    ...(owner.isOwnUser && { isOwnUser: true as const }),
    displayName: member.displayName,
    membership: member.membership,
    identity,
    ...(identity !== 'ok' && owner.masterKey !== undefined ? { masterKey: owner.masterKey } : {}),
    ...(bridgeRole && { bridgeRole }),
    ...(cause && { cause }),
    severity: worstSeverity([identitySeverity(identity), ...devices.map((device) => device.severity)]),
    devices: devices.toSorted((a, b) => compareConcern(deviceConcern(a), deviceConcern(b))),
  };
}

/** Someone else whose identity we verified, with nothing wrong, and every device verified. */
function isQuietlyVerified(user: UserFacts, ownDeviceId: string): boolean {
  return (
    !user.isOwnUser &&
    user.verified &&
    identityState(user) === 'ok' &&
    othersDevices(user, ownDeviceId).every((device) => classifyDevice(device, user) === 'verified')
  );
}

interface Warning {
  severity: Severity;
  isNew: boolean;
}

/** An identity problem is never acknowledged in the ledger (it is resolved by pinning), so it is always new. */
function warningsOf(member: MemberReport): Warning[] {
  const identity = identitySeverity(member.identity);
  return [...(identity === 'none' ? [] : [{ severity: identity, isNew: true }]), ...member.devices];
}

/** Only warnings count: a neutral mention (a bridged device by default) is shown, never counted. */
function countBySeverity(warnings: readonly Warning[]): WarningCounts {
  return {
    warn: warnings.filter((warning) => warning.severity === 'warn').length,
    critical: warnings.filter((warning) => warning.severity === 'critical').length,
  };
}

interface Concern extends Warning {
  id: string;
}

/** Worst severity first, then new before acknowledged, then by id. */
function compareConcern(a: Concern, b: Concern): number {
  return severityRank(b.severity) - severityRank(a.severity) || Number(b.isNew) - Number(a.isNew) || byCodeUnit(a.id, b.id);
}

function memberConcern(member: MemberReport): Concern {
  return { severity: member.severity, isNew: warningsOf(member).some((warning) => warning.isNew), id: member.userId };
}

function deviceConcern(device: DeviceReport): Concern {
  return { severity: device.severity, isNew: device.isNew, id: device.deviceId };
}

/** Ids compared by code unit, not by locale: cheaper for thousands of members, and the same everywhere. */
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
