import { describe, expect, it } from 'vitest';
import { tabView } from '../../../src/trust/tabTrust';
import type { RoomTrustReport } from '../../../src/trust/types';

const ROOM = '!plans:example.org';

function report(overrides: Partial<RoomTrustReport> = {}): RoomTrustReport {
  return {
    roomId: ROOM,
    encrypted: true,
    policy: 'default',
    generatedAt: 1,
    memberCount: 3,
    members: [],
    verifiedUserIds: [],
    checking: [],
    warnings: { warn: 0, critical: 0 },
    newWarnings: { warn: 0, critical: 0 },
    ...overrides,
  };
}

const ready = { signedIn: true, understood: true, roomId: ROOM };

describe('tabView', () => {
  it.each([
    ['signed out', { ...ready, signedIn: false, report: report() }, 'signed-out'],
    ['a page no adapter understood', { ...ready, understood: false, report: report() }, 'not-understood'],
    [
      'a page no adapter understood, signed out (signing in would not help)',
      { ...ready, signedIn: false, understood: false },
      'not-understood',
    ],
    ['no room open', { signedIn: true, understood: true }, 'no-room'],
    ['a room the account is not in', { ...ready, roomUnavailable: true }, 'not-joined'],
    ['no report yet', ready, 'checking'],
    ["another room's report", { ...ready, report: report({ roomId: '!other:example.org' }) }, 'checking'],
    [
      'an unencrypted room, whatever its members',
      { ...ready, report: report({ encrypted: false, newWarnings: { warn: 2, critical: 1 } }) },
      'unencrypted',
    ],
  ])('is unknown for %s', (_label, facts, reason) => {
    expect(tabView(facts)).toEqual({ trust: 'unknown', newWarnings: 0, reason });
  });

  it('is ok in a room with no new warnings, even with acknowledged ones', () => {
    expect(tabView({ ...ready, report: report({ warnings: { warn: 3, critical: 1 } }) })).toEqual({
      trust: 'ok',
      newWarnings: 0,
      reason: 'clear',
    });
  });

  it('is not ok in a room whose bridged people get messages outside end-to-end encryption, nothing new there or not', () => {
    const puppet = {
      userId: '@telegram_1:example.org',
      membership: 'join' as const,
      identity: 'ok' as const,
      bridgeRole: 'bridge-puppet' as const,
      severity: 'neutral' as const,
      devices: [
        { deviceId: 'PUPPET', ed25519Key: 'k', class: 'bridged' as const, severity: 'neutral' as const, isNew: false, firstSeenAt: 1 },
      ],
    };
    expect(tabView({ ...ready, report: report({ members: [puppet] }) })).toEqual({ trust: 'unknown', newWarnings: 0, reason: 'bridged' });
    // Under the strict policy they are warnings, and counted as such.
    const strict = {
      ...puppet,
      severity: 'warn' as const,
      devices: puppet.devices.map((device) => ({ ...device, severity: 'warn' as const, isNew: true })),
    };
    expect(tabView({ ...ready, report: report({ members: [strict], newWarnings: { warn: 1, critical: 0 } }) })).toMatchObject({
      trust: 'warn',
      reason: 'warnings',
    });
  });

  it('warns with the count of new warnings', () => {
    expect(tabView({ ...ready, report: report({ newWarnings: { warn: 2, critical: 0 } }) })).toEqual({
      trust: 'warn',
      newWarnings: 2,
      reason: 'warnings',
    });
  });

  it('is critical as soon as one new warning is, counting all new ones', () => {
    expect(tabView({ ...ready, report: report({ newWarnings: { warn: 2, critical: 1 } }) })).toEqual({
      trust: 'critical',
      newWarnings: 3,
      reason: 'warnings',
    });
  });

  describe('while members are being checked', () => {
    const checking = [
      { userId: '@bob:example.org', displayName: 'Bob', reason: 'changed' as const, since: 5_000 },
      { userId: '@dave:example.org', reason: 'omitted' as const, since: 2_000 },
    ];

    it('is never ok: unknown, saying who, why and since when', () => {
      expect(tabView({ ...ready, report: report({ checking }) })).toEqual({
        trust: 'unknown',
        newWarnings: 0,
        reason: 'unchecked',
        unchecked: {
          count: 2,
          first: [{ userId: '@bob:example.org', displayName: 'Bob' }, { userId: '@dave:example.org' }],
          reason: 'omitted',
          since: 2_000,
        },
      });
    });

    it('keeps the known warnings, and says who is still being checked', () => {
      const view = tabView({ ...ready, report: report({ checking, newWarnings: { warn: 1, critical: 0 } }) });
      expect(view).toMatchObject({ trust: 'warn', newWarnings: 1, reason: 'warnings', unchecked: { count: 2 } });
    });
  });

  describe('while the sync is offline (stale)', () => {
    const stale = { lastSyncAt: 1_000 };

    it('keeps new warnings, saying they are stale', () => {
      expect(tabView({ ...ready, stale, report: report({ newWarnings: { warn: 1, critical: 1 } }) })).toEqual({
        trust: 'critical',
        newWarnings: 2,
        reason: 'warnings',
        stale,
      });
      expect(tabView({ ...ready, stale, report: report({ newWarnings: { warn: 2, critical: 0 } }) })).toEqual({
        trust: 'warn',
        newWarnings: 2,
        reason: 'warnings',
        stale,
      });
    });

    it('does not say ok: "no new warnings" is only as of the last sync', () => {
      expect(tabView({ ...ready, stale, report: report() })).toEqual({ trust: 'unknown', newWarnings: 0, reason: 'clear', stale });
    });

    it('adds nothing to views that show no report', () => {
      expect(tabView({ ...ready, stale })).toEqual({ trust: 'unknown', newWarnings: 0, reason: 'checking' });
      expect(tabView({ signedIn: true, understood: true, stale })).toEqual({ trust: 'unknown', newWarnings: 0, reason: 'no-room' });
    });
  });
});
