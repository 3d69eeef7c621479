import { describe, expect, it } from 'vitest';
import { bannerSummary, memberBadges } from '../../../src/trust/pageWarnings';
import { buildRoomTrustReport } from '../../../src/trust/roomTrustReport';
import type { LedgerEntry, RoomFacts, RoomTrustReport, UserFacts } from '../../../src/trust/types';
import { acknowledge, observeRoom } from '../../../src/trust/warnedDeviceLedger';
import { alice, bob, carol, dave, device, erin, frank, grace, inputs, look, room, ROOM, shown, user, usersMap } from './facts';

const T0 = Date.UTC(2026, 0, 5, 9, 0);

/** The report the background would build, after acknowledging what `acknowledged` names. */
function reportOf(
  users: UserFacts[],
  options: { acknowledged?: { userId: string; deviceId?: string }[]; facts?: Partial<RoomFacts> } = {},
): RoomTrustReport {
  const facts = room(
    users.map((u) => u.userId),
    options.facts,
  );
  const byId = usersMap(...users);
  let ledger: LedgerEntry[] = observeRoom([], look(facts, byId), T0).entries;
  for (const scope of options.acknowledged ?? []) ledger = acknowledge(ledger, ROOM, shown(ledger, scope), 'default', T0 + 1).entries;
  return buildRoomTrustReport(inputs(facts, byId, ledger, 'default', T0 + 2));
}

describe('memberBadges', () => {
  it('badges nobody in a room where everyone is trusted or merely unverified', () => {
    expect(memberBadges(reportOf([alice, carol, grace])).size).toBe(0);
  });

  it('badges a member with a new unsigned device, naming only that device', () => {
    const badge = memberBadges(reportOf([alice, dave])).get(dave.userId);
    expect(badge).toMatchObject({ userId: dave.userId, severity: 'warn', identity: 'ok' });
    expect(badge?.newDevices.map((d) => d.deviceId)).toEqual(['DAVEBOT']);
  });

  it('makes the unsigned device of a member we verified critical', () => {
    expect(memberBadges(reportOf([alice, bob])).get(bob.userId)).toMatchObject({ severity: 'critical' });
  });

  it('makes any identity change critical, with or without device warnings', () => {
    const badges = memberBadges(reportOf([alice, erin, frank]));
    expect(badges.get(erin.userId)).toMatchObject({ severity: 'critical', identity: 'identity-changed', newDevices: [] });
    expect(badges.get(frank.userId)).toMatchObject({ severity: 'critical', identity: 'verification-violation' });
  });

  it('drops the badge once the device is acknowledged, and badges again when another appears', () => {
    expect(memberBadges(reportOf([alice, dave], { acknowledged: [{ userId: dave.userId }] })).has(dave.userId)).toBe(false);
    const daveAgain = user(dave.userId, [device('DAVEBOT', 'unsigned'), device('DAVENEW', 'unsigned')]);
    const facts = room([alice.userId, dave.userId]);
    let ledger = observeRoom([], look(facts, usersMap(alice, dave)), T0).entries;
    ledger = acknowledge(ledger, ROOM, shown(ledger, { userId: dave.userId }), 'default', T0 + 1).entries;
    ledger = observeRoom(ledger, look(facts, usersMap(alice, daveAgain)), T0 + 2).entries;
    const report = buildRoomTrustReport(inputs(facts, usersMap(alice, daveAgain), ledger, 'default', T0 + 3));
    expect(
      memberBadges(report)
        .get(dave.userId)
        ?.newDevices.map((d) => d.deviceId),
    ).toEqual(['DAVENEW']);
  });

  it('keeps an identity change badged even after its devices are acknowledged (only pinning settles it)', () => {
    expect(memberBadges(reportOf([alice, erin], { acknowledged: [{ userId: erin.userId }] })).get(erin.userId)).toMatchObject({
      identity: 'identity-changed',
    });
  });

  it('badges nobody in an unencrypted room, where nothing is encrypted to anyone', () => {
    expect(memberBadges(reportOf([alice, bob, dave], { facts: { encrypted: false } })).size).toBe(0);
  });
});

describe('bannerSummary', () => {
  it('has nothing to say when there is no new warning', () => {
    expect(bannerSummary(reportOf([alice, carol]))).toBeUndefined();
    expect(bannerSummary(reportOf([alice, dave], { acknowledged: [{ userId: dave.userId }] }))).toBeUndefined();
  });

  it('counts the new warnings by severity and lists the members worst first', () => {
    expect(bannerSummary(reportOf([alice, dave, bob, carol]))).toEqual({
      roomId: ROOM,
      roomName: 'Plans',
      newWarnings: { warn: 1, critical: 1 },
      members: [{ userId: bob.userId }, { userId: dave.userId }],
    });
  });
});
