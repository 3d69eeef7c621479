import { observationsFor, type ReportInputs } from '../../../src/trust/roomTrustReport';
import type { DeviceFacts, DeviceListCheck, LedgerEntry, Policy, RoomFacts, UserFacts } from '../../../src/trust/types';
import type { RoomObservation, ShownDevice } from '../../../src/trust/warnedDeviceLedger';

/** Builders for the facts the crypto layer hands to src/trust, with the product spec's cast. */

export const ROOM = '!plans:example.org';
export const OWN_DEVICE = 'GUARDEXT';

/** A realistic ed25519 key (43 characters of unpadded base64), different for every seed. */
export function keyOf(seed: string): string {
  return Buffer.from(seed.padEnd(32, '.').slice(0, 32)).toString('base64').replace(/=+$/, '');
}

type DeviceTrust = 'verified' | 'owner-signed' | 'unsigned' | 'locally-verified';

export function device(deviceId: string, trust: DeviceTrust, overrides: Partial<DeviceFacts> = {}): DeviceFacts {
  return {
    deviceId,
    ed25519Key: keyOf(deviceId),
    signedByOwner: trust === 'verified' || trust === 'owner-signed',
    crossSigningVerified: trust === 'verified',
    locallyVerified: trust === 'locally-verified',
    ...overrides,
  };
}

export function user(userId: string, devices: DeviceFacts[], overrides: Partial<UserFacts> = {}): UserFacts {
  return {
    userId,
    isOwnUser: false,
    hasIdentity: true,
    verified: false,
    wasVerified: false,
    needsApproval: false,
    devices,
    ...overrides,
  };
}

/** Us: this extension's device and a phone, both signed by our identity. */
export const alice = user('@alice:example.org', [device(OWN_DEVICE, 'verified'), device('ALICEPHONE', 'verified')], {
  isOwnUser: true,
  verified: true,
});
/** Verified by us; one device of his we verified, then a new one he never signed. */
export const bob = user('@bob:example.org', [device('BOBPHONE', 'verified'), device('BOBNEW', 'unsigned')], { verified: true });
/** Not verified by us; every device signed by her identity. */
export const carol = user('@carol:example.org', [device('CAROLLAPTOP', 'owner-signed'), device('CAROLPHONE', 'owner-signed')]);
/** Not verified by us; uploaded a device without signing it. */
export const dave = user('@dave:example.org', [device('DAVEBOT', 'unsigned')]);
/** Reset her identity since we first saw her; nobody approved the new one yet. */
export const erin = user('@erin:example.org', [device('ERINPHONE', 'owner-signed')], { needsApproval: true });
/** We had verified him; he reset his identity since. */
export const frank = user('@frank:example.org', [device('FRANKPHONE', 'owner-signed')], { wasVerified: true });
/** Verified by us, with every device verified: the quiet check mark. */
export const grace = user('@grace:example.org', [device('GRACEPHONE', 'verified'), device('GRACELAPTOP', 'locally-verified')], {
  verified: true,
});

export function usersMap(...users: UserFacts[]): Map<string, UserFacts> {
  return new Map(users.map((facts) => [facts.userId, facts]));
}

export function room(userIds: string[], overrides: Partial<RoomFacts> = {}): RoomFacts {
  return {
    roomId: ROOM,
    name: 'Plans',
    encrypted: true,
    members: userIds.map((userId) => ({ userId, membership: 'join' as const })),
    ...overrides,
  };
}

/** What a report is built from, with the defaults of these tests (no one being checked). */
export function inputs(
  facts: RoomFacts,
  users: ReadonlyMap<string, UserFacts>,
  ledger: readonly LedgerEntry[],
  policy: Policy,
  now: number,
  checks: ReadonlyMap<string, DeviceListCheck> = new Map(),
): ReportInputs {
  return { room: facts, users, checks, ledger, ownDeviceId: OWN_DEVICE, policy, now };
}

/** One look at the room, as the background takes before every report. */
export function look(
  facts: RoomFacts,
  users: ReadonlyMap<string, UserFacts>,
  onlyUserIds?: ReadonlySet<string>,
  checks: ReadonlyMap<string, DeviceListCheck> = new Map(),
): RoomObservation {
  return observationsFor({ room: facts, users, checks, ownDeviceId: OWN_DEVICE }, onlyUserIds);
}

/**
 * The devices of ROOM's entries a popup would show for `filter` (a member, one of their
 * devices, or everyone), as an acknowledgement names them: with their keys.
 */
export function shown(entries: readonly LedgerEntry[], filter: { userId?: string; deviceId?: string } = {}): ShownDevice[] {
  return entries
    .filter(
      (entry) =>
        entry.roomId === ROOM &&
        (filter.userId === undefined || entry.userId === filter.userId) &&
        (filter.deviceId === undefined || entry.deviceId === filter.deviceId),
    )
    .map(({ userId, deviceId, ed25519Key }) => ({ userId, deviceId, ed25519Key }));
}
