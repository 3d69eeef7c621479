import { describe, expect, it } from 'vitest';
import type { RoomSummary } from '../../../src/messaging/protocol';
import type { RoomTrustReport } from '../../../src/trust/types';
import { describeChecking } from '../../../src/text/checkingText';
import { describeQuietRooms, describeRoomChecking, describeRoomNews, freshnessOf } from '../../../src/ui/roomNewsView';
import { formatTime } from '../../../src/text/timeText';

const AT = Date.UTC(2026, 10, 23, 20, 22);
const current = { current: true, asOf: AT };
const offline = { current: false, asOf: AT };

function report(overrides: Partial<RoomTrustReport> = {}): RoomTrustReport {
  const none = { warn: 0, critical: 0 };
  return {
    roomId: '!plans',
    encrypted: true,
    policy: 'default',
    generatedAt: AT,
    memberCount: 3,
    members: [],
    verifiedUserIds: [],
    checking: [],
    warnings: none,
    newWarnings: none,
    ...overrides,
  };
}

function room(overrides: Partial<RoomSummary> = {}): RoomSummary {
  const none = { warn: 0, critical: 0 };
  return { roomId: '!r', encrypted: true, memberCount: 2, warnings: none, newWarnings: none, checking: 0, bridged: false, ...overrides };
}

describe('freshnessOf', () => {
  it('is current only while syncing, and knows the last good sync otherwise', () => {
    expect(freshnessOf({ state: 'syncing', lastSyncAt: AT })).toEqual({ current: true, asOf: AT });
    expect(freshnessOf({ state: 'offline', since: AT + 1, lastSyncAt: AT })).toEqual({ current: false, asOf: AT });
    expect(freshnessOf({ state: 'catching-up' })).toEqual({ current: false });
    expect(freshnessOf({ state: 'starting' })).toEqual({ current: false });
  });
});

describe("a room's news", () => {
  it('says clear in the ok tone only when current and with everyone checked', () => {
    expect(describeRoomNews(report(), current)).toEqual({ text: 'No new warnings in this room.', tone: 'ok' });
  });

  it('never says all clear in a room whose bridged people get messages outside end-to-end encryption', () => {
    const bridged = report({
      members: [
        {
          userId: '@telegram_1:example.org',
          membership: 'join',
          identity: 'ok',
          bridgeRole: 'bridge-puppet',
          severity: 'neutral',
          devices: [{ deviceId: 'PUPPET', ed25519Key: 'k', class: 'bridged', severity: 'neutral', isNew: false, firstSeenAt: AT }],
        },
      ],
    });
    expect(describeRoomNews(bridged, current)).toEqual({
      text: 'No new warnings in this room; messages to its bridged people leave end-to-end encryption at the bridge.',
      tone: 'neutral',
    });
  });

  it('says "as of" the last good sync, neutrally, while offline', () => {
    expect(describeRoomNews(report(), offline)).toEqual({ text: `No new warnings as of ${formatTime(AT)}.`, tone: 'neutral' });
    expect(describeRoomNews(report(), { current: false }).tone).toBe('neutral');
  });

  it('says "so far", neutrally, while members are being checked', () => {
    const news = describeRoomNews(report({ checking: [{ userId: '@bob:x', reason: 'omitted', since: AT }] }), current);
    expect(news.tone).toBe('neutral');
    expect(news.text).toContain('still being checked');
  });

  it('keeps warnings as warnings, current or not', () => {
    expect(describeRoomNews(report({ newWarnings: { warn: 1, critical: 1 } }), offline).tone).toBe('bad');
    expect(describeRoomNews(report({ newWarnings: { warn: 2, critical: 0 } }), current).tone).toBe('warn');
  });

  it('names who is being checked, why and since when', () => {
    const text = describeRoomChecking(report({ checking: [{ userId: '@bob:x', displayName: 'Bob', reason: 'omitted', since: AT }] }));
    expect(text).toBe(`Could not check the devices of Bob since ${formatTime(AT)}: the homeserver leaves them out of its answers.`);
    expect(describeRoomChecking(report())).toBeUndefined();
  });
});

describe('the rooms section with no warnings', () => {
  it('says all clear in the ok tone only when current and every room fully checked', () => {
    expect(describeQuietRooms([room(), room()], current)).toEqual({ text: 'No warnings in your 2 rooms.', tone: 'ok' });
    // A bridged room is not all clear, though nothing there is new.
    expect(describeQuietRooms([room(), room({ bridged: true })], current)).toEqual({
      text: 'No warnings in your rooms; 1 of them is bridged, and messages there leave end-to-end encryption at the bridge.',
      tone: 'neutral',
    });
  });

  it('says "as of" the last good sync, neutrally, while offline', () => {
    expect(describeQuietRooms([room(), room()], offline)).toEqual({
      text: `No warnings in your 2 rooms as of ${formatTime(AT)}.`,
      tone: 'neutral',
    });
    expect(describeQuietRooms([room()], { current: false })).toEqual({
      text: 'No warnings in your room as of the last start.',
      tone: 'neutral',
    });
  });

  it('says how many rooms still have members being checked, neutrally', () => {
    expect(describeQuietRooms([room({ checking: 2 }), room()], current)).toEqual({
      text: 'No warnings so far; 1 room still has members being checked.',
      tone: 'neutral',
    });
  });
});

describe('describeChecking', () => {
  it('says a fetch under way without alarm, and a failure with its cause', () => {
    expect(describeChecking({ count: 1, first: [{ userId: '@bob:x', displayName: 'Bob' }], reason: 'changed', since: AT })).toBe(
      `Checking the devices of Bob (since ${formatTime(AT)})…`,
    );
    expect(describeChecking({ count: 1, first: [{ userId: '@bob:x' }], reason: 'not-fetched' })).toBe('Checking the devices of @bob:x…');
    expect(describeChecking({ count: 1, first: [{ userId: '@bob:x', displayName: 'Bob' }], reason: 'query-failed' })).toBe(
      'Could not check the devices of Bob: downloading their keys keeps failing.',
    );
    expect(describeChecking({ count: 1, first: [{ userId: '@bob:x', displayName: 'Bob' }], reason: 'server-failed', since: AT })).toContain(
      'their homeserver cannot be reached',
    );
  });

  it('names the first few and counts the rest', () => {
    const text = describeChecking({
      count: 5,
      first: [
        { userId: '@a:x', displayName: 'A' },
        { userId: '@b:x', displayName: 'B' },
        { userId: '@c:x', displayName: 'C' },
      ],
      reason: 'changed',
    });
    expect(text).toBe('Checking the devices of A, B, C, and 2 more…');
  });

  it('shows hostile names as plain, short text', () => {
    const text = describeChecking({ count: 1, first: [{ userId: '@e:x', displayName: 'Eve\u202Egnp.exe' }], reason: 'omitted' });
    expect(text).not.toContain('\u202E');
  });
});
