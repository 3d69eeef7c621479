import type { DeviceReport, IdentityState, RoomTrustReport, WarningCounts } from './types';

/** What the page shows about one member: only what the user has not acknowledged yet. */
export interface MemberBadge {
  userId: string;
  displayName?: string;
  severity: 'warn' | 'critical';
  identity: IdentityState;
  /** The member's devices with a new (unacknowledged, or worse since) warning, worst first. */
  newDevices: DeviceReport[];
}

/** The banner above the composer: who has new warnings, and how many of each severity. */
export interface BannerSummary {
  roomId: string;
  newWarnings: WarningCounts;
  /** The members with new warnings, worst first (as the report orders them). */
  members: { userId: string; displayName?: string }[];
}

/**
 * The badges a page shows for a room, by user id. A member gets one while any warning about
 * them is new: an identity problem (never acknowledged, only resolved by pinning or
 * withdrawing) or a device the user has not acknowledged. Once acknowledged in the popup the
 * badge goes, and it comes back when another device appears or one gets worse, so the page
 * stays quiet about what the user already knows and loud about what changed.
 */
export function memberBadges(report: RoomTrustReport): Map<string, MemberBadge> {
  const badges = new Map<string, MemberBadge>();
  if (!report.encrypted) return badges;
  for (const member of report.members) {
    const newDevices = member.devices.filter((device) => device.isNew && device.severity !== 'none');
    const identityProblem = member.identity !== 'ok';
    if (!identityProblem && newDevices.length === 0) continue;
    const critical = identityProblem || newDevices.some((device) => device.severity === 'critical');
    badges.set(member.userId, {
      userId: member.userId,
      displayName: member.displayName,
      severity: critical ? 'critical' : 'warn',
      identity: member.identity,
      newDevices,
    });
  }
  return badges;
}

/** The banner's content, or undefined when the room has no new warning (and so no banner). */
export function bannerSummary(report: RoomTrustReport): BannerSummary | undefined {
  const { warn, critical } = report.newWarnings;
  if (!report.encrypted || warn + critical === 0) return undefined;
  const members = [...memberBadges(report).values()].map(({ userId, displayName }) => ({ userId, displayName }));
  return { roomId: report.roomId, newWarnings: { warn, critical }, members };
}
