import { describe, expect, it } from 'vitest';
import type { DeviceReport, MemberReport, RoomTrustReport } from '../../../src/trust/types';
import { memberActions, newDevicesInRoom, shortKey } from '../../../src/ui/roomView';

function device(deviceId: string, overrides: Partial<DeviceReport> = {}): DeviceReport {
  return { deviceId, ed25519Key: `key-of-${deviceId}`, class: 'unsigned', severity: 'warn', isNew: true, firstSeenAt: 1, ...overrides };
}

function member(overrides: Partial<MemberReport> = {}): MemberReport {
  return { userId: '@bob:x.org', membership: 'join', identity: 'ok', severity: 'warn', devices: [device('LAPTOP')], ...overrides };
}

describe('what the popup offers for a member', () => {
  it('covers exactly the new devices drawn, with their keys', () => {
    const actions = memberActions(member({ devices: [device('LAPTOP'), device('OLD', { isNew: false }), device('PHONE')] }), false);
    expect(actions.newDevices).toEqual([
      { userId: '@bob:x.org', deviceId: 'LAPTOP', ed25519Key: 'key-of-LAPTOP' },
      { userId: '@bob:x.org', deviceId: 'PHONE', ed25519Key: 'key-of-PHONE' },
    ]);
    expect(actions.acknowledgeAll).toBe(true);
  });

  it('has no "acknowledge all" for a single new device (its own line has the button)', () => {
    expect(memberActions(member(), false).acknowledgeAll).toBe(false);
  });

  it('offers verifying someone not verified, but not a verified member with an unsigned device or a conflicting key', () => {
    expect(memberActions(member(), false).verify).toBe(true);
    expect(memberActions(member({ devices: [device('NEW', { class: 'unsigned-of-verified', severity: 'critical' })] }), false).verify).toBe(
      false,
    );
    expect(memberActions(member({ devices: [device('SAME', { class: 'conflicting-key', severity: 'critical' })] }), false).verify).toBe(
      false,
    );
    expect(memberActions(member({ identity: 'identity-changed', masterKey: 'MK' }), false).verify).toBe(false);
  });

  it('offers nothing of the kind for the user themself', () => {
    const actions = memberActions(member({ devices: [device('A'), device('B')] }), true);
    expect(actions).toMatchObject({ acknowledgeAll: false, verify: false });
  });

  it('accepts a changed identity, or withdraws a verification, only for the master key that was shown', () => {
    expect(memberActions(member({ identity: 'identity-changed', masterKey: 'MK1' }), false).acceptIdentity).toEqual({ masterKey: 'MK1' });
    expect(memberActions(member({ identity: 'identity-changed' }), false).acceptIdentity).toBeUndefined();
    expect(memberActions(member({ identity: 'verification-violation', masterKey: 'MK2' }), false)).toMatchObject({
      withdrawVerification: { masterKey: 'MK2' },
    });
    expect(memberActions(member({ identity: 'verification-violation', masterKey: 'MK2' }), false).acceptIdentity).toBeUndefined();
  });
});

describe('the room\'s "acknowledge all"', () => {
  it('covers every new device drawn in the room, and no other', () => {
    const none = { warn: 0, critical: 0 };
    const report: RoomTrustReport = {
      roomId: '!plans',
      encrypted: true,
      policy: 'default',
      generatedAt: 1,
      memberCount: 3,
      verifiedUserIds: [],
      checking: [],
      warnings: none,
      newWarnings: none,
      members: [member(), member({ userId: '@carol:x.org', devices: [device('TABLET'), device('SEEN', { isNew: false })] })],
    };
    expect(newDevicesInRoom(report).map(({ userId, deviceId }) => `${userId}/${deviceId}`)).toEqual([
      '@bob:x.org/LAPTOP',
      '@carol:x.org/TABLET',
    ]);
  });
});

it('shortens a key to its first eight characters', () => {
  expect(shortKey('abcdefghijklmnop')).toBe('abcdefgh…');
});
