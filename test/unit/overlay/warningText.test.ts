import { describe, expect, it } from 'vitest';
import { badgeText, bannerText } from '../../../src/overlay/warningText';
import type { MemberBadge } from '../../../src/trust/pageWarnings';
import { formatTime } from '../../../src/text/timeText';

const AT = Date.UTC(2026, 10, 23, 20, 22);

function badge(overrides: Partial<MemberBadge>): MemberBadge {
  return { userId: '@bob:x', displayName: 'Bob', severity: 'warn', identity: 'ok', newDevices: [], ...overrides };
}

describe('badge words', () => {
  it('says "checking Bob\'s devices", with no count, for a member being checked', () => {
    const text = badgeText(badge({ severity: 'checking', checking: { reason: 'changed', since: AT } }));
    expect(text).toEqual({
      label: `Matrix Trust Guard: Checking the devices of Bob (since ${formatTime(AT)})…`,
      details: `Matrix Trust Guard: Checking the devices of Bob (since ${formatTime(AT)})…`,
      count: '',
    });
  });

  it('says why checking failed', () => {
    expect(badgeText(badge({ severity: 'checking', checking: { reason: 'omitted', since: AT } })).label).toContain(
      'the homeserver leaves them out of its answers',
    );
  });

  it('adds to a warning that the member is still being checked', () => {
    const text = badgeText(
      badge({
        newDevices: [{ deviceId: 'NEW', displayName: 'New laptop', class: 'unsigned' }],
        checking: { reason: 'query-failed', since: AT },
      }),
    );
    expect(text.count).toBe('1');
    expect(text.details.split('\n').at(-1)).toBe(
      `Could not check the devices of Bob since ${formatTime(AT)}: downloading their keys keeps failing.`,
    );
  });

  it('names the room it speaks of on its second line, cleaned and kept short', () => {
    const text = badgeText(badge({ roomName: 'Plans', newDevices: [{ deviceId: 'NEW', displayName: 'New laptop', class: 'unsigned' }] }));
    expect(text.details.split('\n')).toEqual([
      'Matrix Trust Guard: 1 unverified device',
      'In Plans',
      'New laptop (NEW): Not signed by its owner',
    ]);
    const forged = badgeText(
      badge({ roomName: `Plans\u202Enoitces\nSide${'x'.repeat(80)}`, severity: 'checking', checking: { reason: 'changed', since: AT } }),
    );
    const roomLine = forged.details.split('\n')[1] ?? '';
    expect(roomLine).toMatch(/^In Plansnoitces Sidex+…$/u);
    expect(Array.from(roomLine).length).toBeLessThanOrEqual('In '.length + 40);
  });

  it('names a key the server offered under a known id', () => {
    const text = badgeText(badge({ severity: 'critical', newDevices: [{ deviceId: 'PHONE', class: 'conflicting-key' }] }));
    expect(text.details).toContain('The server offered another key for this session');
  });
});

it('the banner says who could not be checked along with the warnings', () => {
  const text = bannerText({
    roomId: '!plans',
    newWarnings: { warn: 1, critical: 0 },
    members: [{ userId: '@dave:x', displayName: 'Dave' }],
    unchecked: { count: 1, first: [{ userId: '@bob:x', displayName: 'Bob' }], reason: 'omitted', since: AT },
  });
  expect(text.message).toBe(
    `Matrix Trust Guard: 1 new warning in this room: Dave. Could not check the devices of Bob since ${formatTime(AT)}: the homeserver leaves them out of its answers.`,
  );
});

it('the banner names the room it speaks of, and says "this room" only for a room without a name', () => {
  const summary = { roomId: '!plans', newWarnings: { warn: 2, critical: 0 }, members: [{ userId: '@bob:x', displayName: 'Bob' }] };
  expect(bannerText({ ...summary, roomName: 'Plans' }).message).toBe('Matrix Trust Guard: 2 new warnings in Plans: Bob.');
  expect(bannerText({ ...summary, newWarnings: { warn: 1, critical: 0 }, roomName: 'Plans' }).message).toBe(
    'Matrix Trust Guard: 1 new warning in Plans: Bob.',
  );
  expect(bannerText(summary).message).toBe('Matrix Trust Guard: 2 new warnings in this room: Bob.');
});
