import { describe, expect, it } from 'vitest';
import { type AlertKinds, DEFAULT_ALERT_KINDS, newAlerts, rememberAlerted } from '../../../src/trust/alertPolicy';
import type { DeviceReport, MemberReport, RoomTrustReport } from '../../../src/trust/types';

const ROOM = '!plans:example.org';
const ALL_ON: AlertKinds = {
  'own-unsigned-session': true,
  'verified-identity-changed': true,
  'critical-any-room': true,
  'watched-room': true,
};
const nothingAlerted = () => false;

function dev(deviceId: string, overrides: Partial<DeviceReport> = {}): DeviceReport {
  return { deviceId, ed25519Key: `key-${deviceId}`, class: 'unsigned', severity: 'warn', isNew: true, firstSeenAt: 0, ...overrides };
}

function mem(userId: string, overrides: Partial<MemberReport> = {}): MemberReport {
  return { userId, membership: 'join', identity: 'ok', severity: 'warn', devices: [], ...overrides };
}

function roomReport(members: MemberReport[]): RoomTrustReport {
  return {
    roomId: ROOM,
    name: 'Plans',
    encrypted: true,
    policy: 'default',
    generatedAt: 0,
    memberCount: members.length,
    members,
    verifiedUserIds: [],
    checking: [],
    warnings: { warn: 0, critical: 0 },
    newWarnings: { warn: 0, critical: 0 },
  };
}

const ownUnsigned = mem('@me:example.org', {
  isOwnUser: true,
  severity: 'critical',
  devices: [dev('STRANGER', { class: 'unsigned-of-verified', severity: 'critical', displayName: 'Laptop' })],
});
const violated = mem('@bob:example.org', {
  displayName: 'Bob',
  identity: 'verification-violation',
  severity: 'critical',
  masterKey: 'MK2',
});
const peerUnsigned = mem('@carol:example.org', { devices: [dev('CAROLNEW')] });
const peerCritical = mem('@dave:example.org', {
  severity: 'critical',
  devices: [dev('DAVENEW', { class: 'unsigned-of-verified', severity: 'critical' })],
});

describe('alert policy', () => {
  it('by default alerts an own session our identity never signed and a verified contact whose identity changed, nothing else', () => {
    const alerts = newAlerts(
      roomReport([ownUnsigned, violated, peerUnsigned, peerCritical]),
      { kinds: DEFAULT_ALERT_KINDS, watched: true },
      nothingAlerted,
    );
    expect(alerts.map((alert) => [alert.kind, alert.userId])).toEqual([
      ['own-unsigned-session', '@me:example.org'],
      ['verified-identity-changed', '@bob:example.org'],
    ]);
    expect(alerts[0]).toMatchObject({ roomId: ROOM, roomName: 'Plans', device: { deviceId: 'STRANGER', displayName: 'Laptop' } });
    expect(alerts[1]).toMatchObject({ displayName: 'Bob' });
    expect(alerts[1]?.device).toBeUndefined();
  });

  it('tells a fact as the most specific kind that is on', () => {
    const kinds = { ...ALL_ON, 'own-unsigned-session': false };
    const alerts = newAlerts(roomReport([ownUnsigned]), { kinds, watched: true }, nothingAlerted);
    expect(alerts.map((alert) => alert.kind)).toEqual(['critical-any-room']);
  });

  it('alerts any new critical warning only when that kind is on', () => {
    const off = newAlerts(roomReport([peerCritical]), { kinds: DEFAULT_ALERT_KINDS, watched: false }, nothingAlerted);
    const on = newAlerts(
      roomReport([peerCritical]),
      { kinds: { ...DEFAULT_ALERT_KINDS, 'critical-any-room': true }, watched: false },
      nothingAlerted,
    );
    expect(off).toEqual([]);
    expect(on.map((alert) => [alert.kind, alert.device?.deviceId])).toEqual([['critical-any-room', 'DAVENEW']]);
  });

  it('alerts a plain warning only in a room the user watches, with the watched kind on', () => {
    const kinds = { ...DEFAULT_ALERT_KINDS, 'watched-room': true };
    expect(newAlerts(roomReport([peerUnsigned]), { kinds, watched: false }, nothingAlerted)).toEqual([]);
    expect(newAlerts(roomReport([peerUnsigned]), { kinds: DEFAULT_ALERT_KINDS, watched: true }, nothingAlerted)).toEqual([]);
    expect(newAlerts(roomReport([peerUnsigned]), { kinds, watched: true }, nothingAlerted).map((alert) => alert.kind)).toEqual([
      'watched-room',
    ]);
  });

  it('never alerts what is acknowledged or neutral', () => {
    const settled = mem('@carol:example.org', {
      devices: [dev('OLD', { isNew: false }), dev('BRIDGE', { class: 'bridged', severity: 'neutral' })],
    });
    expect(newAlerts(roomReport([settled]), { kinds: ALL_ON, watched: true }, nothingAlerted)).toEqual([]);
  });

  it('a fact alerted once is not alerted again, in this room or another', () => {
    const first = newAlerts(roomReport([ownUnsigned, violated]), { kinds: ALL_ON, watched: true }, nothingAlerted);
    const remembered = new Set(first.map((alert) => alert.key));
    const again = newAlerts(
      { ...roomReport([ownUnsigned, violated]), roomId: '!other:example.org' },
      { kinds: ALL_ON, watched: true },
      (key) => remembered.has(key),
    );
    expect(again).toEqual([]);
  });

  it('a device that gets worse, or comes back with a new key, is news again; so is a second identity change', () => {
    const before = newAlerts(roomReport([peerUnsigned, violated]), { kinds: ALL_ON, watched: true }, nothingAlerted);
    const remembered = new Set(before.map((alert) => alert.key));
    const worse = mem('@carol:example.org', { devices: [dev('CAROLNEW', { class: 'unsigned-of-verified', severity: 'critical' })] });
    const rekeyed = mem('@carol:example.org', { devices: [dev('CAROLNEW', { ed25519Key: 'another' })] });
    const resetAgain = { ...violated, masterKey: 'MK3' };
    const seen = (key: string) => remembered.has(key);
    expect(newAlerts(roomReport([worse]), { kinds: ALL_ON, watched: true }, seen)).toHaveLength(1);
    expect(newAlerts(roomReport([rekeyed]), { kinds: ALL_ON, watched: true }, seen)).toHaveLength(1);
    expect(newAlerts(roomReport([resetAgain]), { kinds: ALL_ON, watched: true }, seen)).toHaveLength(1);
  });

  it('remembers alerted keys once each and forgets the oldest beyond the bound', () => {
    expect(rememberAlerted(['a', 'b'], ['b', 'c'])).toEqual(['a', 'b', 'c']);
    expect(rememberAlerted(['a', 'b', 'c'], ['d', 'e'], 3)).toEqual(['c', 'd', 'e']);
  });
});
