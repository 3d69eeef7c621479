import { describe, expect, it } from 'vitest';
import { classifyDevice, deviceSeverity, isDeviceClass, isWorse, worstSeverity } from '../../../src/trust/classifyDevice';
import { bannerSummary, memberBadges } from '../../../src/trust/pageWarnings';
import { buildRoomTrustReport } from '../../../src/trust/roomTrustReport';
import { tabView } from '../../../src/trust/tabTrust';
import { overviewOf } from '../../../src/trust/trustOverview';
import type { BridgeRole, BridgeStateEvent, LedgerEntry, Policy, RoomFacts, RoomTrustReport, UserFacts } from '../../../src/trust/types';
import { acknowledge, isNewWarning, markWarned, observeRoom } from '../../../src/trust/warnedDeviceLedger';
import { alice, dave, device, inputs, look, room, ROOM, shown, user, usersMap } from './facts';

/**
 * Bridged rooms: the unsigned devices of a bridge's bot and puppets are `bridged`, neutral by
 * default (shown in the popup, counted nowhere) and warnings under the strict policy. Nothing
 * else gets quieter.
 */

const T0 = Date.UTC(2026, 0, 5, 9, 0);
const BOT = '@telegrambot:bridge.example';
const PUPPET = '@telegram_42:bridge.example';

const bridgeEvent: BridgeStateEvent = {
  type: 'm.bridge',
  stateKey: 'net.maunium.telegram://telegram/1',
  sender: BOT,
  content: { bridgebot: BOT, protocol: { id: 'telegram', displayname: 'Telegram' } },
};

/** Bridges do not cross-sign their bot or puppets: no identity, unsigned devices. */
const bot = user(BOT, [device('BOTDEVICE', 'unsigned')], { hasIdentity: false });
const puppet = user(PUPPET, [device('PUPPETDEVICE', 'unsigned')], { hasIdentity: false });

function bridgedRoom(userIds: string[], overrides: Partial<RoomFacts> = {}): RoomFacts {
  return room(userIds, { bridgeEvents: [bridgeEvent], ...overrides });
}

function reportOf(facts: RoomFacts, users: UserFacts[], policy: Policy = 'default', ledger: LedgerEntry[] = []): RoomTrustReport {
  const byId = usersMap(...users);
  const observed = observeRoom(ledger, look(facts, byId), T0).entries;
  return buildRoomTrustReport(inputs(facts, byId, observed, policy, T0 + 1));
}

function ledgerOf(facts: RoomFacts, users: UserFacts[]): LedgerEntry[] {
  return observeRoom([], look(facts, usersMap(...users)), T0).entries;
}

describe('classifyDevice in a bridged room', () => {
  const unverified = user('@x:bridge.example', [], { hasIdentity: false });
  const cases: [string, ReturnType<typeof device>, UserFacts, BridgeRole | undefined, string][] = [
    ['an unsigned device of a puppet without identity', device('D', 'unsigned'), unverified, 'bridge-puppet', 'bridged'],
    ['an unsigned device of the bot without identity', device('D', 'unsigned'), unverified, 'bridge-bot', 'bridged'],
    ['the same device of someone who is not bridged', device('D', 'unsigned'), unverified, undefined, 'unsigned'],
    [
      'an unsigned device of a puppet with an identity (a stolen password)',
      device('D', 'unsigned'),
      user('@p:b', []),
      'bridge-puppet',
      'unsigned',
    ],
    [
      'an unsigned device of a puppet we verified',
      device('D', 'unsigned'),
      user('@p:b', [], { verified: true }),
      'bridge-puppet',
      'unsigned-of-verified',
    ],
    [
      'an unsigned device of a puppet we once verified, identity gone since',
      device('D', 'unsigned'),
      user('@p:b', [], { hasIdentity: false, wasVerified: true }),
      'bridge-puppet',
      'unsigned-of-verified',
    ],
    [
      'our own unsigned device, whatever the bridge state says',
      device('D', 'unsigned'),
      user('@p:b', [], { hasIdentity: false, isOwnUser: true }),
      'bridge-puppet',
      'unsigned-of-verified',
    ],
    [
      'a device id of a puppet offered with another key',
      device('D', 'unsigned', { conflictsWithKey: 'kept' }),
      unverified,
      'bridge-puppet',
      'conflicting-key',
    ],
    ['an owner-signed device of the bot', device('D', 'owner-signed'), user('@b:b', []), 'bridge-bot', 'owner-signed'],
    ['a verified device of a puppet', device('D', 'locally-verified'), unverified, 'bridge-puppet', 'verified'],
  ];
  it.each(cases)('%s', (_name, facts, owner, role, expected) => {
    expect(classifyDevice(facts, owner, role)).toBe(expected);
  });

  it('is neutral by default and a warning under the strict policy', () => {
    expect(deviceSeverity('bridged', 'default')).toBe('neutral');
    expect(deviceSeverity('bridged', 'strict')).toBe('warn');
  });

  it('ranks bridged between owner-signed and unsigned: a device that stops looking bridged got worse', () => {
    expect(isWorse('bridged', 'owner-signed')).toBe(true);
    expect(isWorse('unsigned', 'bridged')).toBe(true);
    expect(isWorse('bridged', 'unsigned')).toBe(false);
    expect(isDeviceClass('bridged')).toBe(true);
  });

  it('ranks neutral above none and below a warning', () => {
    expect(worstSeverity(['none', 'neutral'])).toBe('neutral');
    expect(worstSeverity(['neutral', 'warn'])).toBe('warn');
  });
});

describe('a room report with a bridge, by default', () => {
  const facts = bridgedRoom([alice.userId, BOT, PUPPET, dave.userId]);
  const report = reportOf(facts, [alice, bot, puppet, dave]);

  it('lists the puppet and the bot (by user id) with their bridged devices, neutral and never new', () => {
    const bridged = report.members.filter((member) => member.bridgeRole !== undefined);
    expect(bridged.map((member) => [member.userId, member.bridgeRole, member.severity])).toEqual([
      [PUPPET, 'bridge-puppet', 'neutral'],
      [BOT, 'bridge-bot', 'neutral'],
    ]);
    for (const member of bridged)
      expect(member.devices.map((d) => [d.class, d.severity, d.isNew])).toEqual([['bridged', 'neutral', false]]);
  });

  it('counts only the real warning (Dave’s unsigned device), and lists it first', () => {
    expect(report.warnings).toEqual({ warn: 1, critical: 0 });
    expect(report.newWarnings).toEqual({ warn: 1, critical: 0 });
    expect(report.members[0]?.userId).toBe(dave.userId);
  });

  it('names the bridge for the room label', () => {
    expect(report.bridges).toEqual([{ botUserId: BOT, protocol: { id: 'telegram', displayName: 'Telegram' } }]);
  });

  it('puts no badge on the bot or the puppet and leaves them out of the banner', () => {
    expect([...memberBadges(report).keys()]).toEqual([dave.userId]);
    expect(bannerSummary(report)?.members.map((m) => m.userId)).toEqual([dave.userId]);
  });

  it('gives a room whose only concerns are bridged devices no banner and no warning counts, but never an ok toolbar or an all-clear room', () => {
    const quiet = reportOf(bridgedRoom([alice.userId, BOT, PUPPET]), [alice, bot, puppet]);
    expect(quiet.members).toHaveLength(2);
    expect(bannerSummary(quiet)).toBeUndefined();
    expect(tabView({ signedIn: true, understood: true, roomId: ROOM, report: quiet })).toMatchObject({
      trust: 'unknown',
      newWarnings: 0,
      reason: 'bridged',
    });
    expect(overviewOf([quiet]).newWarnings).toEqual({ warn: 0, critical: 0 });
    expect(overviewOf([quiet]).rooms[0]).toMatchObject({ warnings: { warn: 0, critical: 0 }, bridged: true });
  });

  it('keeps the bridged devices in the ledger with their class, never stamped warned nor acknowledged', () => {
    const ledger = ledgerOf(facts, [alice, bot, puppet, dave]);
    const puppetEntry = ledger.find((entry) => entry.userId === PUPPET);
    expect(puppetEntry).toMatchObject({ firstClass: 'bridged', lastClass: 'bridged' });
    expect(isNewWarning(puppetEntry as LedgerEntry, 'default')).toBe(false);
    const warned = markWarned(ledger, (entry) => isNewWarning(entry, 'default'), T0 + 5).entries;
    expect(warned.find((entry) => entry.userId === PUPPET)?.warnedAt).toBeUndefined();
    const acked = acknowledge(ledger, ROOM, shown(ledger, { userId: PUPPET }), 'default', T0 + 5).entries;
    expect(acked.find((entry) => entry.userId === PUPPET)?.acknowledgedAt).toBeUndefined();
  });
});

describe('a room report with a bridge, under the strict policy', () => {
  const facts = bridgedRoom([alice.userId, BOT, PUPPET]);

  it('warns about the bridged devices, new until acknowledged, with their bridged class', () => {
    const report = reportOf(facts, [alice, bot, puppet], 'strict');
    expect(report.newWarnings).toEqual({ warn: 2, critical: 0 });
    expect(report.members.flatMap((m) => m.devices.map((d) => [d.class, d.severity, d.isNew]))).toEqual([
      ['bridged', 'warn', true],
      ['bridged', 'warn', true],
    ]);
    expect(
      memberBadges(report)
        .get(PUPPET)
        ?.newDevices.map((d) => d.class),
    ).toEqual(['bridged']);
  });

  it('warns again about an acknowledged bridged device once it no longer looks bridged (the bot left)', () => {
    const ledger = ledgerOf(facts, [alice, bot, puppet]);
    const acked = acknowledge(ledger, ROOM, shown(ledger, { userId: PUPPET }), 'strict', T0 + 1).entries;
    expect(reportOf(facts, [alice, bot, puppet], 'strict', acked).newWarnings).toEqual({ warn: 1, critical: 0 });
    const botGone = bridgedRoom([alice.userId, PUPPET]);
    const after = reportOf(botGone, [alice, puppet], 'default', acked);
    expect(after.members.map((m) => [m.userId, m.bridgeRole, m.devices.map((d) => [d.class, d.isNew])])).toEqual([
      [PUPPET, undefined, [['unsigned', true]]],
    ]);
  });
});

describe('what a bridge never quiets', () => {
  it('an identity change or verification violation of a puppet stays critical', () => {
    const changed = user(PUPPET, [device('PUPPETDEVICE', 'unsigned')], { needsApproval: true });
    const violated = user('@telegram_43:bridge.example', [device('P2', 'owner-signed')], { wasVerified: true });
    const report = reportOf(bridgedRoom([alice.userId, BOT, PUPPET, violated.userId]), [alice, bot, changed, violated]);
    expect(report.members.filter((m) => m.bridgeRole === 'bridge-puppet').map((m) => [m.identity, m.severity])).toEqual([
      ['identity-changed', 'critical'],
      ['verification-violation', 'critical'],
    ]);
  });

  it('a non-puppet with an unsigned device in a bridged room still warns', () => {
    const report = reportOf(bridgedRoom([alice.userId, BOT, dave.userId]), [alice, bot, dave]);
    expect(report.members.find((m) => m.userId === dave.userId)?.devices.map((d) => [d.class, d.severity])).toEqual([['unsigned', 'warn']]);
  });

  it('a bridge event whose bot is not in the room labels nothing and quiets nobody', () => {
    const report = reportOf(bridgedRoom([alice.userId, PUPPET]), [alice, puppet]);
    expect(report.bridges).toBeUndefined();
    expect(report.newWarnings).toEqual({ warn: 1, critical: 0 });
  });

  it('a bridge event sent from another server than its bot’s quiets nobody', () => {
    const forged = { ...bridgeEvent, sender: '@mallory:evil.example' };
    const report = reportOf(room([alice.userId, BOT, PUPPET], { bridgeEvents: [forged] }), [alice, bot, puppet]);
    expect(report.bridges).toBeUndefined();
    expect(report.newWarnings).toEqual({ warn: 2, critical: 0 });
  });
});
