import type { DeviceFacts, RoomFacts, UserFacts } from '../../../src/trust/types';

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
