import type { QueryOutcome } from '../trust/deviceListFreshness';
import { isPlainObject, userId as isUserId } from '../validation/shape';

/**
 * The parts of the Matrix key-distribution exchange the device-list watch reads: which users
 * a `/keys/query` asks about, how its answer turned out for each of them, and which users a
 * `/sync` says changed their devices. Pure and defensive: everything here came from the network
 * (or from our own crypto, which built it from the network).
 */

/** The users a `/keys/query` request body asks about; undefined when it is not one. */
export function usersAsked(body: unknown): string[] | undefined {
  const parsed = typeof body === 'string' ? parseJson(body) : undefined;
  if (!isPlainObject(parsed) || !isPlainObject(parsed.device_keys)) return undefined;
  const users = Object.keys(parsed.device_keys).filter((user) => isUserId(user));
  return users.length > 0 ? users : undefined;
}

/**
 * How the answer to a query about `users` turned out for each of them. An answer leaves a user
 * out when it has no `device_keys` entry for them, and fails them when it names their homeserver
 * in `failures` (a complete-looking entry does not outweigh that). A body that is not an answer
 * fails everyone.
 */
export function outcomesOf(users: readonly string[], body: string): Map<string, QueryOutcome> {
  const answer = parseJson(body);
  const outcomes = new Map<string, QueryOutcome>();
  const deviceKeys = isPlainObject(answer) ? answer.device_keys : undefined;
  if (!isPlainObject(answer) || !isPlainObject(deviceKeys)) {
    for (const user of users) outcomes.set(user, { kind: 'failed' });
    return outcomes;
  }
  const failures = isPlainObject(answer.failures) ? answer.failures : {};
  for (const user of users) {
    const devices = deviceKeys[user];
    if (Object.hasOwn(failures, serverOf(user))) outcomes.set(user, { kind: 'server-failed' });
    else if (!isPlainObject(devices)) outcomes.set(user, { kind: 'omitted' });
    else outcomes.set(user, { kind: 'complete', offeredKeys: ed25519KeysOf(devices) });
  }
  return outcomes;
}

/** The users a `/sync` response body says changed their devices (or now share a room with us). */
export function usersChanged(body: string): string[] {
  // Most syncs carry no device list changes: skip parsing those (an initial sync is megabytes).
  if (!body.includes('"device_lists"')) return [];
  const sync = parseJson(body);
  const lists = isPlainObject(sync) ? sync.device_lists : undefined;
  const changed = isPlainObject(lists) ? lists.changed : undefined;
  return Array.isArray(changed) ? changed.filter((user): user is string => isUserId(user)) : [];
}

/** The ed25519 key of each device in one user's `device_keys` entry, as offered. */
function ed25519KeysOf(devices: Record<string, unknown>): Record<string, string> {
  // No prototype: a device id is any string, "__proto__" included.
  const keys = Object.create(null) as Record<string, string>;
  for (const [deviceId, device] of Object.entries(devices)) {
    const deviceKeys = isPlainObject(device) ? device.keys : undefined;
    const key = isPlainObject(deviceKeys) ? deviceKeys[`ed25519:${deviceId}`] : undefined;
    if (typeof key === 'string' && key.length > 0 && key.length <= 256) keys[deviceId] = key;
  }
  return keys;
}

/** A user id's homeserver: everything after the first colon (it may carry a port). */
export function serverOf(user: string): string {
  return user.slice(user.indexOf(':') + 1);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
