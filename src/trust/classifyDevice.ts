import type { BridgeRole, DeviceClass, DeviceFacts, IdentityState, Policy, Severity, UserFacts } from './types';

/**
 * The rules of docs/architecture.md, "Trust model": how far we trust a device or an identity, and how
 * loudly that is shown under a policy.
 */

/** Rank of each class, best first; a `Record` so the compiler insists on every class. */
const CLASS_RANK: Record<DeviceClass, number> = {
  verified: 0,
  'owner-signed': 1,
  bridged: 2,
  unsigned: 3,
  'unsigned-of-verified': 4,
  'conflicting-key': 5,
};

const SEVERITY_RANK: Record<Severity, number> = { none: 0, neutral: 1, warn: 2, critical: 3 };

/**
 * `bridgeRole`: what the room's bridge state says the owner is there (`roomBridges.ts`). It only
 * ever turns `unsigned` into `bridged`, and only for an owner without any cross-signing identity:
 * bridges do not cross-sign their puppets, while an unsigned device next to an identity is what a
 * stolen password looks like. Everything worse (a verified owner, a changed key) stays as it is.
 */
export function classifyDevice(device: DeviceFacts, owner: UserFacts, bridgeRole?: BridgeRole): DeviceClass {
  const cls = ownerClass(device, owner);
  return cls === 'unsigned' && bridgeRole !== undefined && !owner.hasIdentity ? 'bridged' : cls;
}

function ownerClass(device: DeviceFacts, owner: UserFacts): DeviceClass {
  // Whatever else is said about it, a second key for a known device id is the server's doing.
  if (device.conflictsWithKey !== undefined) return 'conflicting-key';
  if (device.crossSigningVerified || device.locallyVerified) return 'verified';
  if (device.signedByOwner) return 'owner-signed';
  // A device its owner never signed, although we trust (or trusted) that owner: the owner
  // would have signed it, so someone else holds the account. Our own account counts even
  // before we verified our own identity: an own device we did not sign means a stolen password.
  return owner.verified || owner.wasVerified || owner.isOwnUser ? 'unsigned-of-verified' : 'unsigned';
}

export function identityState(user: UserFacts): IdentityState {
  if (user.wasVerified && !user.verified) return 'verification-violation';
  return user.needsApproval ? 'identity-changed' : 'ok';
}

export function deviceSeverity(cls: DeviceClass, policy: Policy): Severity {
  switch (cls) {
    case 'verified':
      return 'none';
    case 'owner-signed':
      return policy === 'strict' ? 'warn' : 'none';
    case 'bridged':
      return policy === 'strict' ? 'warn' : 'neutral';
    case 'unsigned':
      return 'warn';
    case 'unsigned-of-verified':
    case 'conflicting-key':
      return 'critical';
  }
}

/** Both identity problems mean the keys we encrypt to may belong to someone else. */
export function identitySeverity(state: IdentityState): Severity {
  return state === 'ok' ? 'none' : 'critical';
}

/** True when `a` is trusted less than `b`. */
export function isWorse(a: DeviceClass, b: DeviceClass): boolean {
  return CLASS_RANK[a] > CLASS_RANK[b];
}

/** A severity the user is warned about (counted, badged, new until acknowledged); `neutral` is only shown. */
export function isWarning(severity: Severity): boolean {
  return severity === 'warn' || severity === 'critical';
}

export function severityRank(severity: Severity): number {
  return SEVERITY_RANK[severity];
}

/** The worst of `severities`; `none` for an empty list. */
export function worstSeverity(severities: Iterable<Severity>): Severity {
  let worst: Severity = 'none';
  for (const severity of severities) {
    if (SEVERITY_RANK[severity] > SEVERITY_RANK[worst]) worst = severity;
  }
  return worst;
}

/** For data read from outside (an imported file): is `value` one of our device classes? */
export function isDeviceClass(value: unknown): value is DeviceClass {
  return typeof value === 'string' && Object.hasOwn(CLASS_RANK, value);
}
