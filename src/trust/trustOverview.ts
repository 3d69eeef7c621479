import { classifyDevice } from './classifyDevice';
import { hasBridgedPeople } from './roomBridges';
import type { DeviceClass, OwnReset, RoomTrustReport, UserFacts, WarningCounts } from './types';

/** One of the account's other devices, and how far we trust it. */
export interface OwnDeviceSummary {
  deviceId: string;
  displayName?: string;
  class: DeviceClass;
}

/** One joined room at a glance. */
export interface RoomSummary {
  roomId: string;
  name?: string;
  encrypted: boolean;
  memberCount: number;
  warnings: WarningCounts;
  newWarnings: WarningCounts;
  /** Members whose devices could not be confirmed current: the room is not clear while any are. */
  checking: number;
  /** It has bridged people (see roomBridges.ts): not clear either, though nothing there is new. */
  bridged: boolean;
}

/** Every joined room's warnings, for the popup and the toolbar badge. */
export interface TrustOverview {
  rooms: RoomSummary[];
  newWarnings: WarningCounts;
  /** Our own identity was replaced: the contacts, across rooms, who were verified before and need verifying again. */
  ownReset?: OwnResetSummary;
}

export interface OwnResetSummary extends OwnReset {
  contacts: { userId: string; displayName?: string }[];
}

/** The sessions of the account other than this extension's, as the popup lists them. */
export function ownSessionsOf(own: UserFacts, thisDeviceId: string): OwnDeviceSummary[] {
  // A key the server offered under a known session's id is not a session: rooms warn about it.
  return own.devices
    .filter((device) => device.deviceId !== thisDeviceId && device.conflictsWithKey === undefined)
    .map((device) => ({ deviceId: device.deviceId, displayName: device.displayName, class: classifyDevice(device, own) }));
}

/** Every joined room's report, at a glance, and the new warnings across them. */
export function overviewOf(reports: readonly RoomTrustReport[]): TrustOverview {
  const rooms: RoomSummary[] = reports.map((report) => ({
    roomId: report.roomId,
    name: report.name,
    encrypted: report.encrypted,
    memberCount: report.memberCount,
    warnings: report.warnings,
    newWarnings: report.newWarnings,
    checking: report.checking.length,
    bridged: hasBridgedPeople(report),
  }));
  const ownReset = ownResetAcross(reports);
  return {
    rooms,
    newWarnings: {
      warn: rooms.reduce((sum, room) => sum + room.newWarnings.warn, 0),
      critical: rooms.reduce((sum, room) => sum + room.newWarnings.critical, 0),
    },
    ...(ownReset && { ownReset }),
  };
}

/** Every contact our own reset left needing verification, once each, by user id. */
function ownResetAcross(reports: readonly RoomTrustReport[]): OwnResetSummary | undefined {
  let reset: OwnReset | undefined;
  const contacts = new Map<string, { userId: string; displayName?: string }>();
  for (const report of reports) {
    if (report.ownReset === undefined) continue;
    const { userIds: _userIds, ...when } = report.ownReset;
    reset ??= when;
    for (const member of report.members) {
      if (member.cause?.ownReset === undefined || member.isOwnUser === true || contacts.has(member.userId)) continue;
      contacts.set(member.userId, {
        userId: member.userId,
        ...(member.displayName === undefined ? {} : { displayName: member.displayName }),
      });
    }
  }
  if (reset === undefined) return undefined;
  return { ...reset, contacts: [...contacts.values()].sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0)) };
}

/** Signed out: no rooms, nothing new. */
export function emptyOverview(): TrustOverview {
  return { rooms: [], newWarnings: { warn: 0, critical: 0 } };
}
