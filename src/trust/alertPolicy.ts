import type { DeviceReport, MemberReport, RoomTrustReport } from './types';

/**
 * What the browser notifications are about (issue 14), most specific first: a fact that fits
 * several kinds is told as the first one the user has on.
 */
export const ALERT_KINDS = ['own-unsigned-session', 'verified-identity-changed', 'critical-any-room', 'watched-room'] as const;

export type AlertKind = (typeof ALERT_KINDS)[number];

/** Which kinds notify; each can be turned off. */
export type AlertKinds = Record<AlertKind, boolean>;

/** The two that mean someone else may hold an account are on until the user says otherwise. */
export const DEFAULT_ALERT_KINDS: AlertKinds = {
  'own-unsigned-session': true,
  'verified-identity-changed': true,
  'critical-any-room': false,
  'watched-room': false,
};

/** The most rooms one user may watch: the record stays small whatever a page sends. */
export const MAX_WATCHED_ROOMS = 500;

/** The most alerted facts remembered; the oldest are forgotten first. */
export const MAX_ALERTED_KEYS = 5_000;

/** One fact worth a notification, with what its text names (never content, never a secret). */
export interface Alert {
  /** The fact itself: the same key is alerted once, ever (see `alertKey`). */
  key: string;
  kind: AlertKind;
  roomId: string;
  roomName?: string;
  userId: string;
  displayName?: string;
  /** The device it is about; absent for an identity change. */
  device?: { deviceId: string; displayName?: string };
}

export interface AlertChoice {
  kinds: AlertKinds;
  /** The user marked this room as watched. */
  watched: boolean;
}

/**
 * The alert-worthy facts in a room's report that were not alerted before. A device is one fact
 * per key and class (one that gets worse is news again); an identity one per master key and
 * state. Rooms do not count: the same device in two rooms is alerted once.
 */
export function newAlerts(report: RoomTrustReport, choice: AlertChoice, alerted: (key: string) => boolean): Alert[] {
  const alerts: Alert[] = [];
  for (const member of report.members) {
    const base = {
      roomId: report.roomId,
      ...(report.name !== undefined && { roomName: report.name }),
      userId: member.userId,
      ...(member.displayName !== undefined && { displayName: member.displayName }),
    };
    if (member.identity !== 'ok' && member.severity !== 'neutral') {
      const kind = firstKind(choice, identityKinds(member));
      const key = alertKey(['identity', member.userId, member.masterKey ?? '', member.identity]);
      if (kind !== undefined && !alerted(key)) alerts.push({ ...base, key, kind });
    }
    for (const device of member.devices) {
      if (!device.isNew || (device.severity !== 'warn' && device.severity !== 'critical')) continue;
      const kind = firstKind(choice, deviceKinds(member, device));
      const key = alertKey(['device', member.userId, device.deviceId, device.ed25519Key, device.class]);
      if (kind === undefined || alerted(key)) continue;
      const name = device.displayName;
      alerts.push({ ...base, key, kind, device: { deviceId: device.deviceId, ...(name !== undefined && { displayName: name }) } });
    }
  }
  return alerts;
}

/** Adds newly alerted keys to those remembered, dropping the oldest beyond `max`. */
export function rememberAlerted(remembered: readonly string[], keys: readonly string[], max = MAX_ALERTED_KEYS): string[] {
  const fresh = keys.filter((key) => !remembered.includes(key));
  const all = [...remembered, ...fresh];
  return all.length > max ? all.slice(all.length - max) : all;
}

/** Parts joined without ambiguity (user ids hold ':' and device ids almost anything). */
function alertKey(parts: readonly string[]): string {
  return JSON.stringify(parts);
}

/** The kinds an identity warning fits (a verification violation is the pointed one). */
function identityKinds(member: MemberReport): AlertKind[] {
  const kinds: AlertKind[] = [];
  if (member.identity === 'verification-violation' && member.isOwnUser !== true) kinds.push('verified-identity-changed');
  if (member.severity === 'critical') kinds.push('critical-any-room');
  return [...kinds, 'watched-room'];
}

/** The kinds a new device warning fits. An own device our identity never signed is `unsigned-of-verified`. */
function deviceKinds(member: MemberReport, device: DeviceReport): AlertKind[] {
  const kinds: AlertKind[] = [];
  if (member.isOwnUser === true && device.class === 'unsigned-of-verified') kinds.push('own-unsigned-session');
  if (device.severity === 'critical') kinds.push('critical-any-room');
  return [...kinds, 'watched-room'];
}

function firstKind(choice: AlertChoice, fits: readonly AlertKind[]): AlertKind | undefined {
  return fits.find((kind) => choice.kinds[kind] && (kind !== 'watched-room' || choice.watched));
}
