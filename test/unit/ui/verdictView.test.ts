import { describe, expect, it } from 'vitest';
import type { AccountStatus, CryptoEngineStatus, RoomSummary, TrustOverview } from '../../../src/messaging/protocol';
import { describeVerdict, isSetupComplete, type VerdictInput } from '../../../src/ui/verdictView';
import { formatTime } from '../../../src/text/timeText';
import { READY_SECURITY as READY } from '../support/securityStatus';

const NOW = Date.UTC(2026, 10, 23, 20, 22);
const SYNCED = NOW - 20_000;
const none = { warn: 0, critical: 0 };

const ENGINE: CryptoEngineStatus = {
  state: 'ready',
  engineVersion: 'Rust SDK',
  identityKey: 'key',
  storeCreatedAt: NOW - 86_400_000,
  storeOpenCount: 3,
  startupMs: 200,
};

function signedIn(overrides: Partial<Extract<AccountStatus, { state: 'signed-in' }>> = {}): AccountStatus {
  return {
    state: 'signed-in',
    userId: '@alice:example.org',
    deviceId: 'EXT',
    homeserverUrl: 'https://example.org',
    sync: { state: 'syncing', lastSyncAt: SYNCED },
    ownDevices: [],
    ...overrides,
  };
}

function room(overrides: Partial<RoomSummary> = {}): RoomSummary {
  return { roomId: '!r', encrypted: true, memberCount: 2, warnings: none, newWarnings: none, checking: 0, bridged: false, ...overrides };
}

function overview(rooms: RoomSummary[], extra: Partial<TrustOverview> = {}): TrustOverview {
  return { rooms, newWarnings: none, ...extra };
}

/** Everything known and fine, in 14 rooms: the one state that may say "All clear". */
function clear(overrides: Partial<VerdictInput> = {}): VerdictInput {
  const rooms = Array.from({ length: 14 }, (_, i) => room({ roomId: `!r${i}` }));
  return {
    account: signedIn(),
    cryptoEngine: ENGINE,
    overview: overview(rooms),
    security: { status: READY, checkedAt: SYNCED },
    now: NOW,
    ...overrides,
  };
}

describe('describeVerdict', () => {
  it('says all clear, with the room count and how fresh, only when everything is known and fine', () => {
    const verdict = describeVerdict(clear());
    expect(verdict).toEqual({ tone: 'ok', headline: 'All clear in 14 rooms', detail: 'Synced just now.' });
    expect(describeVerdict(clear({ overview: overview([]) }))).toMatchObject({ tone: 'ok', headline: 'All clear' });
    expect(describeVerdict(clear({ overview: overview([room()]) })).headline).toBe('All clear in 1 room');
  });

  it('never says all clear while anything is unknown', () => {
    const unknowns: [string, Partial<VerdictInput>][] = [
      ['overview not read yet', { overview: undefined }],
      ['setup not read yet', { security: undefined }],
      ['setup being read, none yet', { security: { problem: 'checking' } }],
      ['engine starting', { cryptoEngine: { state: 'starting' } }],
      ['own devices not known yet', { account: signedIn({ ownDevices: undefined }) }],
      ['catching up', { account: signedIn({ sync: { state: 'catching-up', lastSyncAt: SYNCED } }) }],
      ['starting to sync', { account: signedIn({ sync: { state: 'starting' } }) }],
      ['offline', { account: signedIn({ sync: { state: 'offline', since: NOW - 5000, lastSyncAt: SYNCED } }) }],
      ['a room being checked', { overview: overview([room(), room({ roomId: '!b', checking: 2 })]) }],
      ['a bridged room', { overview: overview([room(), room({ roomId: '!b', bridged: true })]) }],
      ['setup unreadable', { security: { problem: 'failed' } }],
      ['setup read once, the last reading failed', { security: { status: READY, checkedAt: SYNCED, problem: 'failed' } }],
    ];
    for (const [why, overrides] of unknowns) {
      const verdict = describeVerdict(clear(overrides));
      expect(verdict.tone, why).not.toBe('ok');
      expect(verdict.headline, why).not.toMatch(/All clear/);
    }
  });

  it('says what it does not check, and why', () => {
    expect(describeVerdict(clear({ account: { state: 'signed-out' } }))).toEqual({
      tone: 'neutral',
      headline: 'Not checking: signed out',
      detail: 'Matrix Trust Guard needs its own session on your account before it can check your rooms.',
    });
    expect(describeVerdict(clear({ account: { state: 'signed-out', endedByServerAt: NOW } })).headline).toBe(
      'Not checking: signed out by the server',
    );
    const offline = describeVerdict(clear({ account: signedIn({ sync: { state: 'offline', since: NOW - 5000, lastSyncAt: SYNCED } }) }));
    expect(offline.headline).toBe(`Not checking: offline since ${formatTime(NOW - 5000)}`);
    expect(offline.detail).toBe(`No problems as of ${formatTime(SYNCED)}.`);
    expect(describeVerdict(clear({ cryptoEngine: { state: 'failed', reason: 'no WebAssembly' } }))).toMatchObject({
      tone: 'bad',
      headline: 'Not checking: the encryption engine failed',
      detail: 'no WebAssembly',
    });
    expect(describeVerdict(clear({ account: signedIn({ sync: { state: 'signed-out-by-server', at: NOW } }) })).tone).toBe('bad');
  });

  it('counts the problems, worst first, and offers the most urgent action: an own unsigned session before rooms', () => {
    const verdict = describeVerdict(
      clear({
        account: signedIn({ ownDevices: [{ deviceId: 'PHONE', displayName: "Alice's phone", class: 'unsigned-of-verified' }] }),
        overview: overview([room({ roomId: '!plans', name: 'Plans', newWarnings: { warn: 1, critical: 1 } }), room()]),
      }),
    );
    expect(verdict.tone).toBe('bad');
    expect(verdict.headline).toBe('2 problems need you');
    expect(verdict.detail).toBe("“Alice's phone” (PHONE) is a session of your account that your identity never signed.");
    expect(verdict.action).toEqual({ target: 'sessions', label: 'Review your sessions' });
  });

  it('puts a critical room before a room with warnings, and the tab’s room first among equals', () => {
    const rooms = [
      room({ roomId: '!warn', name: 'Warm', newWarnings: { warn: 3, critical: 0 } }),
      room({ roomId: '!a', name: 'Alpha', newWarnings: { warn: 0, critical: 1 } }),
      room({ roomId: '!tab', name: 'Tab room', newWarnings: { warn: 0, critical: 1 } }),
    ];
    expect(describeVerdict(clear({ overview: overview(rooms) })).action).toEqual({ target: 'room', roomId: '!a', label: 'Review Alpha' });
    const overTab = describeVerdict(clear({ overview: overview(rooms), tabRoomId: '!tab' }));
    expect(overTab.headline).toBe('3 problems need you');
    expect(overTab.action).toEqual({ target: 'tab', label: 'Review Tab room' });
    // Only warnings: the warning tone.
    expect(describeVerdict(clear({ overview: overview([rooms[0] as RoomSummary]) })).tone).toBe('warn');
  });

  it('keeps known problems while offline, said as of the last sync', () => {
    const verdict = describeVerdict(
      clear({
        account: signedIn({ sync: { state: 'offline', since: NOW - 5000, lastSyncAt: SYNCED } }),
        overview: overview([room({ name: 'Plans', newWarnings: { warn: 1, critical: 0 } })]),
      }),
    );
    expect(verdict.headline).toBe('1 problem needs you');
    expect(verdict.detail).toBe(`New warnings in Plans. As of ${formatTime(SYNCED)}.`);
  });

  it('names an incomplete encryption setup as one problem, with its first step', () => {
    const unverified = { ...READY, thisDeviceVerified: false };
    expect(describeVerdict(clear({ security: { status: unverified } }))).toMatchObject({
      tone: 'warn',
      headline: '1 problem needs you',
      action: { target: 'security', label: 'Verify this extension' },
    });
    const noIdentity = { ...READY, identityOnServer: false, thisDeviceVerified: false };
    expect(describeVerdict(clear({ security: { status: noIdentity } })).action?.label).toBe('Set up encryption');
    const noBackup = { ...READY, keyBackup: { serverVersion: null, activeVersion: null, trusted: false, keysRemaining: null } };
    expect(describeVerdict(clear({ security: { status: noBackup } })).action?.label).toBe('Set up encryption');
  });

  it('asks to verify contacts again after our own reset', () => {
    const reset = { at: NOW - 1000, userIds: ['@bob:example.org'], contacts: [{ userId: '@bob:example.org' }] };
    const verdict = describeVerdict(clear({ overview: overview([room()], { ownReset: reset }) }));
    expect(verdict.tone).toBe('bad');
    expect(verdict.action?.target).toBe('own-reset');
  });
});

describe('isSetupComplete', () => {
  it('holds only with every part in place', () => {
    expect(isSetupComplete(READY)).toBe(true);
    expect(isSetupComplete({ ...READY, secretStorage: { ...READY.secretStorage, ready: false } })).toBe(false);
    expect(isSetupComplete({ ...READY, keyBackup: { ...READY.keyBackup, trusted: false } })).toBe(false);
    expect(isSetupComplete({ ...READY, crossSigning: { ...READY.crossSigning, ready: false } })).toBe(false);
  });
});
