import { describe, expect, it } from 'vitest';
import type { ShieldState } from '../../../src/model/pageShield';
import {
  type DisagreementRecord,
  disagreementsIn,
  disagrees,
  LAST_SEEN_STEP_MS,
  MAX_DISAGREEMENTS,
  recordDisagreements,
} from '../../../src/trust/pageDisagreement';
import type { MemberBadge } from '../../../src/trust/pageWarnings';

function badge(userId: string, severity: MemberBadge['severity']): MemberBadge {
  return { userId, severity, identity: 'ok', newDevices: severity === 'checking' ? [] : [{ deviceId: 'NEW', class: 'unsigned' }] };
}

const BOB = '@bob:example.org';
const CAROL = '@carol:example.org';
const DAVE = '@dave:example.org';

describe('disagrees: the page shows as trusted someone we warn about', () => {
  const cases: [string, MemberBadge | undefined, ShieldState, boolean][] = [
    ['verified shield, critical warning', badge(BOB, 'critical'), 'verified', true],
    ['verified shield, warning', badge(BOB, 'warn'), 'verified', true],
    ['verified shield, only checking (no verdict of ours)', badge(BOB, 'checking'), 'verified', false],
    ['verified shield, nothing against them', undefined, 'verified', false],
    ['warning shield, critical warning (they agree)', badge(BOB, 'critical'), 'warning', false],
    ['no shield state ("normal"), warning: showing nothing is not wrong', badge(BOB, 'warn'), 'none', false],
    ['shield removed or not understood, critical warning', badge(BOB, 'critical'), 'unknown', false],
  ];
  it.each(cases)('%s', (_name, ours, shield, expected) => {
    expect(disagrees(ours, shield)).toBe(expected);
  });
});

describe('disagreementsIn: whom, and where', () => {
  const badges = new Map([
    [BOB, badge(BOB, 'critical')],
    [CAROL, badge(CAROL, 'warn')],
    [DAVE, badge(DAVE, 'checking')],
  ]);

  it('collects every place that shows a warned member as verified, once each, in a stable order', () => {
    const found = disagreementsIn(badges, [
      { userId: BOB, place: 'user-info', state: 'verified' },
      { userId: BOB, place: 'member-list', state: 'verified' },
      { userId: BOB, place: 'member-list', state: 'verified' },
      { userId: BOB, place: 'timeline', state: 'warning' },
      { userId: CAROL, place: 'member-list', state: 'none' },
      { userId: '@alice:example.org', place: 'member-list', state: 'verified' },
    ]);
    expect([...found]).toEqual([[BOB, ['member-list', 'user-info']]]);
  });

  it('reads a verified room (the composer) as vouching for every member we warn about, not those we are still checking', () => {
    const found = disagreementsIn(badges, [{ place: 'composer', state: 'verified' }]);
    expect([...found.keys()].sort()).toEqual([BOB, CAROL]);
    expect(found.get(CAROL)).toEqual(['composer']);
  });

  it('finds nothing when the page shows no shields at all', () => {
    expect(
      disagreementsIn(badges, [
        { userId: BOB, place: 'member-list', state: 'unknown' },
        { place: 'composer', state: 'unknown' },
      ]).size,
    ).toBe(0);
  });
});

describe('recordDisagreements: what the popup remembers', () => {
  const T0 = Date.UTC(2026, 11, 3, 15, 0);
  const seen = (userId: string, ...places: ('member-list' | 'user-info' | 'composer')[]) => ({
    roomId: '!plans:example.org',
    client: 'Element Web',
    users: [{ userId, places }],
  });

  it('records the first sighting with its places, and says there is something to write', () => {
    const { records, changed } = recordDisagreements([], seen(BOB, 'member-list'), T0);
    expect(changed).toBe(true);
    expect(records).toEqual([
      { roomId: '!plans:example.org', userId: BOB, client: 'Element Web', places: ['member-list'], firstSeen: T0, lastSeen: T0 },
    ]);
  });

  it('moves "last seen" at most once a step, but a new place at once, keeping the first sighting', () => {
    const first = recordDisagreements([], seen(BOB, 'member-list'), T0).records;
    expect(recordDisagreements(first, seen(BOB, 'member-list'), T0 + LAST_SEEN_STEP_MS - 1).changed).toBe(false);
    const later = recordDisagreements(first, seen(BOB, 'member-list'), T0 + LAST_SEEN_STEP_MS);
    expect(later).toMatchObject({ changed: true, records: [{ firstSeen: T0, lastSeen: T0 + LAST_SEEN_STEP_MS }] });
    const elsewhere = recordDisagreements(first, seen(BOB, 'user-info'), T0 + 5);
    expect(elsewhere).toMatchObject({
      changed: true,
      records: [{ places: ['member-list', 'user-info'], firstSeen: T0, lastSeen: T0 + 5 }],
    });
  });

  it('keeps one record per room, member and client, and never changes the records it was given', () => {
    const first = recordDisagreements([], seen(BOB, 'member-list'), T0).records;
    const frozen = structuredClone(first);
    const other = recordDisagreements(first, { ...seen(BOB, 'member-list'), client: 'Cinny' }, T0 + 1).records;
    expect(other.map((r) => r.client).sort()).toEqual(['Cinny', 'Element Web']);
    expect(first).toEqual(frozen);
  });

  it('keeps at most MAX_DISAGREEMENTS, dropping the longest unseen', () => {
    const many: DisagreementRecord[] = Array.from({ length: MAX_DISAGREEMENTS }, (_, i) => ({
      roomId: '!plans:example.org',
      userId: `@user${i}:example.org`,
      client: 'Element Web',
      places: ['member-list'],
      firstSeen: T0 + i,
      lastSeen: T0 + i,
    }));
    const { records } = recordDisagreements(many, seen(BOB, 'member-list'), T0 + MAX_DISAGREEMENTS);
    expect(records).toHaveLength(MAX_DISAGREEMENTS);
    expect(records[0]?.userId).toBe(BOB);
    expect(records.some((r) => r.userId === '@user0:example.org')).toBe(false);
  });
});
