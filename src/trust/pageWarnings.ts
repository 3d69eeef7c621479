import { type CheckingSummary, summarizeChecking } from './checkingSummary';
import { isWarning } from './classifyDevice';
import type { DeviceClass, DeviceListCheck, IdentityState, RoomTrustReport, WarningCounts } from './types';

/** One device as a badge names it: no keys, no times (a page learns only what it shows). */
export interface BadgeDevice {
  deviceId: string;
  displayName?: string;
  class: DeviceClass;
}

/** What the page shows about one member: only what the user has not acknowledged yet. */
export interface MemberBadge {
  userId: string;
  displayName?: string;
  /** `checking`: nothing new is known about them, but their devices could not be confirmed yet. */
  severity: 'warn' | 'critical' | 'checking';
  identity: IdentityState;
  /** The member's devices with a new (unacknowledged, or worse since) warning, worst first. */
  newDevices: BadgeDevice[];
  /** Set while their device list is not known to be current: why, and since when. */
  checking?: DeviceListCheck;
  /** The room the badge speaks of (its hover text names it), when the room has a name. */
  roomName?: string;
}

/** The banner above the composer: who has new warnings, and how many of each severity. */
export interface BannerSummary {
  roomId: string;
  /** The banner names the room it speaks of, when the room has a name. */
  roomName?: string;
  newWarnings: WarningCounts;
  /** The members with new warnings, worst first (as the report orders them). */
  members: { userId: string; displayName?: string }[];
  /** Whom the room cannot vouch for right now, if anyone. */
  unchecked?: CheckingSummary;
}

/**
 * Everything a page is sent about the room it shows: the badges and the banner, nothing more.
 * Content scripts get this instead of the report, so a page on a watched site learns only what
 * it would show (no keys, no acknowledged history, no counts of what is not shown).
 */
export interface PageRoomView {
  roomId: string;
  roomName?: string;
  badges: MemberBadge[];
  banner?: BannerSummary;
}

/**
 * The badges a page shows for a room, by user id. A member gets one while any warning about
 * them is new: an identity problem (never acknowledged, only resolved by pinning or
 * withdrawing) or a device the user has not acknowledged. Once acknowledged in the popup the
 * badge goes, and it comes back when another device appears or one gets worse, so the page
 * stays quiet about what the user already knows and loud about what changed. A member whose
 * devices cannot be confirmed current gets a neutral "checking" badge instead of nothing.
 */
export function memberBadges(report: RoomTrustReport): Map<string, MemberBadge> {
  const badges = new Map<string, MemberBadge>();
  if (!report.encrypted) return badges;
  const checks = new Map(report.checking.map(({ userId, displayName, ...check }) => [userId, { userId, displayName, check }]));
  const room = report.name === undefined ? {} : { roomName: report.name };
  for (const member of report.members) {
    // Only warnings: a neutral mention (a bridged device by default) is for the popup, never the page.
    const newDevices = member.devices.filter((device) => device.isNew && isWarning(device.severity));
    const identityProblem = member.identity !== 'ok';
    if (!identityProblem && newDevices.length === 0) continue;
    const critical = identityProblem || newDevices.some((device) => device.severity === 'critical');
    const check = checks.get(member.userId)?.check;
    badges.set(member.userId, {
      userId: member.userId,
      displayName: member.displayName,
      severity: critical ? 'critical' : 'warn',
      identity: member.identity,
      newDevices: newDevices.map(({ deviceId, displayName, class: cls }) => ({ deviceId, displayName, class: cls })),
      ...(check && { checking: check }),
      ...room,
    });
  }
  for (const { userId, displayName, check } of checks.values()) {
    if (!badges.has(userId))
      badges.set(userId, { userId, displayName, severity: 'checking', identity: 'ok', newDevices: [], checking: check, ...room });
  }
  return badges;
}

/** The banner's content, or undefined when the room has no new warning (and so no banner). */
export function bannerSummary(report: RoomTrustReport): BannerSummary | undefined {
  const { warn, critical } = report.newWarnings;
  if (!report.encrypted || warn + critical === 0) return undefined;
  const members = [...memberBadges(report).values()]
    .filter((badge) => badge.severity !== 'checking')
    .map(({ userId, displayName }) => ({ userId, displayName }));
  const unchecked = summarizeChecking(report.checking);
  return {
    roomId: report.roomId,
    ...(report.name === undefined ? {} : { roomName: report.name }),
    newWarnings: { warn, critical },
    members,
    ...(unchecked && { unchecked }),
  };
}

/** What a content script is sent for its tab's room. */
export function pageRoomView(report: RoomTrustReport): PageRoomView {
  const banner = bannerSummary(report);
  return {
    roomId: report.roomId,
    ...(report.name === undefined ? {} : { roomName: report.name }),
    badges: [...memberBadges(report).values()],
    ...(banner && { banner }),
  };
}
