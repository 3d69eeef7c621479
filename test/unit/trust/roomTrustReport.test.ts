import { describe, expect, it } from 'vitest';
import { buildRoomTrustReport, refreshRoomTrustReport } from '../../../src/trust/roomTrustReport';
import type { DeviceListCheck, LedgerEntry, Policy, RoomFacts, RoomTrustReport, UserFacts } from '../../../src/trust/types';
import { acknowledge, observeRoom } from '../../../src/trust/warnedDeviceLedger';
import {
  alice,
  bob,
  carol,
  dave,
  device,
  erin,
  frank,
  grace,
  inputs,
  keyOf,
  look,
  OWN_DEVICE,
  room,
  ROOM,
  shown,
  user,
  usersMap,
} from './facts';

const T0 = Date.UTC(2026, 0, 5, 9, 0);
const T1 = T0 + 60_000;

/** Observes the room at T0, as the background does before every report, and reports at T1. */
function report(facts: RoomFacts, users: Map<string, UserFacts>, policy: Policy = 'default', ledger: LedgerEntry[] = []): RoomTrustReport {
  const observed = observeRoom(ledger, look(facts, users), T0).entries;
  return buildRoomTrustReport(inputs(facts, users, observed, policy, T1));
}

function reportOf(...users: UserFacts[]): RoomTrustReport {
  return report(room(users.map((u) => u.userId)), usersMap(...users));
}

function member(summary: RoomTrustReport, userId: string) {
  return summary.members.find((m) => m.userId === userId);
}

describe('buildRoomTrustReport', () => {
  it('describes the room it was asked about, under the policy and at the time given', () => {
    expect(reportOf(alice, carol)).toMatchObject({
      roomId: ROOM,
      name: 'Plans',
      encrypted: true,
      policy: 'default',
      generatedAt: T1,
      memberCount: 2,
      members: [],
      checking: [],
      warnings: { warn: 0, critical: 0 },
      newWarnings: { warn: 0, critical: 0 },
    });
  });

  it('reports the device Bob (verified by us) did not cross-sign as critical and new, and leaves his verified phone out', () => {
    expect(member(reportOf(alice, bob), bob.userId)).toEqual({
      userId: bob.userId,
      membership: 'join',
      identity: 'ok',
      severity: 'critical',
      devices: [
        {
          deviceId: 'BOBNEW',
          ed25519Key: keyOf('BOBNEW'),
          class: 'unsigned-of-verified',
          severity: 'critical',
          isNew: true,
          firstSeenAt: T0,
        },
      ],
    });
  });

  it('says nothing about Carol, unverified but signing every device, by default', () => {
    const summary = reportOf(alice, carol);
    expect(summary.members).toEqual([]);
    expect(summary.warnings).toEqual({ warn: 0, critical: 0 });
  });

  it("warns about each of Carol's owner-signed devices under the strict policy", () => {
    const summary = report(room([carol.userId]), usersMap(carol), 'strict');
    expect(member(summary, carol.userId)?.devices.map((d) => [d.deviceId, d.class, d.severity])).toEqual([
      ['CAROLLAPTOP', 'owner-signed', 'warn'],
      ['CAROLPHONE', 'owner-signed', 'warn'],
    ]);
    expect(summary.warnings).toEqual({ warn: 2, critical: 0 });
  });

  it("warns about Dave's unsigned device", () => {
    expect(member(reportOf(dave), dave.userId)).toMatchObject({
      severity: 'warn',
      devices: [{ deviceId: 'DAVEBOT', class: 'unsigned', severity: 'warn' }],
    });
  });

  it("reports Erin's changed identity as critical and new, and nothing once it is approved", () => {
    const changed = reportOf(erin);
    expect(member(changed, erin.userId)).toMatchObject({ identity: 'identity-changed', severity: 'critical', devices: [] });
    expect(changed.newWarnings).toEqual({ warn: 0, critical: 1 });
    expect(reportOf({ ...erin, needsApproval: false }).members).toEqual([]);
  });

  it('reports Frank, verified once and reset since, as a critical verification violation', () => {
    const summary = reportOf(frank);
    expect(member(summary, frank.userId)).toMatchObject({ identity: 'verification-violation', severity: 'critical' });
    expect(summary.warnings).toEqual({ warn: 0, critical: 1 });
  });

  it('reports our own other device that our identity did not sign as critical, even before we verified our own identity', () => {
    const us = user(alice.userId, [device(OWN_DEVICE, 'owner-signed'), device('INTRUDER', 'unsigned')], { isOwnUser: true });
    expect(member(reportOf(us), alice.userId)).toMatchObject({
      severity: 'critical',
      devices: [{ deviceId: 'INTRUDER', class: 'unsigned-of-verified', isNew: true }],
    });
  });

  it('never reports the device this extension runs as, even unsigned', () => {
    const us = user(alice.userId, [device(OWN_DEVICE, 'unsigned')], { isOwnUser: true });
    const summary = reportOf(us);
    expect(summary.members).toEqual([]);
    expect(summary.warnings).toEqual({ warn: 0, critical: 0 });
  });

  it('still reports a device of someone else that has the same id as ours', () => {
    expect(member(reportOf(user(dave.userId, [device(OWN_DEVICE, 'unsigned')])), dave.userId)?.devices).toHaveLength(1);
  });

  it('orders members worst first, then new before acknowledged, then by user id', () => {
    const zed = user('@zed:example.org', [device('ZEDBOT', 'unsigned')]);
    const amy = user('@amy:example.org', [device('AMYBOT', 'unsigned')], { verified: true });
    const users = usersMap(alice, bob, carol, dave, erin, frank, zed, amy);
    const facts = room([...users.keys()]);
    const ledger = observeRoom([], look(facts, users), T0).entries;
    const acked = acknowledge(ledger, ROOM, shown(ledger, { userId: amy.userId }), 'default', T0).entries;
    const summary = buildRoomTrustReport(inputs(facts, users, acked, 'default', T1));
    expect(summary.members.map((m) => [m.userId, m.severity])).toEqual([
      [bob.userId, 'critical'],
      [erin.userId, 'critical'],
      [frank.userId, 'critical'],
      [amy.userId, 'critical'],
      [dave.userId, 'warn'],
      [zed.userId, 'warn'],
    ]);
  });

  it("orders a member's devices worst first, then new before acknowledged, then by device id", () => {
    const mixed = user('@mixed:example.org', [
      device('B-UNSIGNED', 'unsigned'),
      device('C-UNSIGNED', 'unsigned'),
      device('A-UNSIGNED', 'unsigned'),
    ]);
    const users = usersMap(mixed);
    const facts = room([mixed.userId]);
    const ledger = observeRoom([], look(facts, users), T0).entries;
    const acked = acknowledge(ledger, ROOM, shown(ledger, { userId: mixed.userId, deviceId: 'A-UNSIGNED' }), 'strict', T0).entries;
    const summary = buildRoomTrustReport(inputs(facts, users, acked, 'strict', T1));
    expect(member(summary, mixed.userId)?.devices.map((d) => d.deviceId)).toEqual(['B-UNSIGNED', 'C-UNSIGNED', 'A-UNSIGNED']);

    const worse = user(mixed.userId, [...mixed.devices, device('0-SIGNED', 'owner-signed')], { wasVerified: true, verified: true });
    const worst = report(room([mixed.userId]), usersMap(worse), 'strict');
    expect(member(worst, mixed.userId)?.devices.map((d) => d.deviceId)).toEqual(['A-UNSIGNED', 'B-UNSIGNED', 'C-UNSIGNED', '0-SIGNED']);
  });

  it('counts device and identity warnings by severity, and the new ones apart', () => {
    const users = usersMap(alice, bob, dave, erin, frank);
    const facts = room([...users.keys()]);
    const ledger = observeRoom([], look(facts, users), T0).entries;
    const acked = acknowledge(ledger, ROOM, shown(ledger, { userId: dave.userId }), 'default', T0).entries;
    const summary = buildRoomTrustReport(inputs(facts, users, acked, 'default', T1));
    // Bob's new device, Erin's identity, Frank's identity; Dave's device, acknowledged.
    expect(summary.warnings).toEqual({ warn: 1, critical: 3 });
    expect(summary.newWarnings).toEqual({ warn: 0, critical: 3 });
  });

  it('takes isNew, firstSeenAt and acknowledgedAt of each device from the ledger', () => {
    const users = usersMap(dave);
    const facts = room([dave.userId]);
    const seen = observeRoom([], look(facts, users), T0).entries;
    const acked = acknowledge(seen, ROOM, shown(seen), 'default', T1);
    const summary = buildRoomTrustReport(inputs(facts, users, acked.entries, 'default', T1 + 1));
    expect(member(summary, dave.userId)?.devices[0]).toMatchObject({ isNew: false, firstSeenAt: T0, acknowledgedAt: T1 });
    expect(member(summary, dave.userId)?.severity).toBe('warn');
  });

  it('treats a device the ledger has not seen yet as new, first seen now', () => {
    const summary = buildRoomTrustReport(inputs(room([dave.userId]), usersMap(dave), [], 'default', T1));
    expect(member(summary, dave.userId)?.devices[0]).toMatchObject({ isNew: true, firstSeenAt: T1 });
  });

  it('gives a quiet check mark to members we verified whose devices are all verified, never to us', () => {
    const summary = reportOf(alice, bob, carol, grace, frank, { ...grace, userId: '@grace2:example.org', needsApproval: true });
    expect(summary.verifiedUserIds).toEqual([grace.userId]);
  });

  it('lists the members of an unencrypted room but counts no warnings there', () => {
    const summary = report(room([bob.userId, dave.userId], { encrypted: false }), usersMap(bob, dave));
    expect(summary.encrypted).toBe(false);
    expect(summary.members.map((m) => m.userId)).toEqual([bob.userId, dave.userId]);
    expect(summary.warnings).toEqual({ warn: 0, critical: 0 });
    expect(summary.newWarnings).toEqual({ warn: 0, critical: 0 });
  });

  it('counts members whose facts are still being fetched, lists them as being checked, and reports none of their devices', () => {
    const summary = report(room([alice.userId, bob.userId, dave.userId]), usersMap(alice, dave));
    expect(summary.memberCount).toBe(3);
    expect(summary.checking).toEqual([{ userId: bob.userId, reason: 'not-fetched' }]);
    expect(member(summary, bob.userId)).toBeUndefined();
    expect(summary.warnings).toEqual({ warn: 1, critical: 0 });
  });

  it('keeps the known warnings of a member whose list is being checked, and lists them as being checked with why and since when', () => {
    const facts = room([alice.userId, dave.userId]);
    const checks = new Map([[dave.userId, { reason: 'query-failed' as const, since: T0 }]]);
    const users = usersMap(alice, dave);
    const summary = buildRoomTrustReport(
      inputs(facts, users, observeRoom([], look(facts, users, undefined, checks), T0).entries, 'default', T1, checks),
    );
    expect(summary.checking).toEqual([{ userId: dave.userId, reason: 'query-failed', since: T0 }]);
    expect(member(summary, dave.userId)?.devices.map((d) => d.deviceId)).toEqual(['DAVEBOT']);
  });

  it('gives no quiet check mark to a verified member whose list is being checked', () => {
    const facts = room([grace.userId]);
    const checks = new Map([[grace.userId, { reason: 'changed' as const, since: T0 }]]);
    expect(buildRoomTrustReport(inputs(facts, usersMap(grace), [], 'default', T1, checks)).verifiedUserIds).toEqual([]);
  });

  it('carries the display name of a member being checked, so every UI can name them', () => {
    const facts = room([dave.userId]);
    facts.members[0] = { userId: dave.userId, displayName: 'Dave', membership: 'join' };
    expect(buildRoomTrustReport(inputs(facts, new Map(), [], 'default', T1)).checking).toEqual([
      { userId: dave.userId, displayName: 'Dave', reason: 'not-fetched' },
    ]);
  });

  it('reports a key the server offered under a known device id as a critical device of its own, naming the key kept', () => {
    const offered = device('BOBPHONE', 'unsigned', { ed25519Key: keyOf('server-made'), conflictsWithKey: keyOf('BOBPHONE') });
    const lied = user(bob.userId, [...bob.devices, offered], { verified: true });
    const summary = report(room([bob.userId]), usersMap(lied));
    expect(member(summary, bob.userId)?.devices.find((d) => d.ed25519Key === keyOf('server-made'))).toEqual({
      deviceId: 'BOBPHONE',
      ed25519Key: keyOf('server-made'),
      class: 'conflicting-key',
      severity: 'critical',
      isNew: true,
      firstSeenAt: T0,
      conflictsWithKey: keyOf('BOBPHONE'),
    });
  });

  it('carries the master key of a member with an identity problem (what a pin names), and of nobody else', () => {
    const summary = reportOf(
      user(erin.userId, erin.devices, { needsApproval: true, masterKey: 'erin-master' }),
      user(dave.userId, dave.devices, { masterKey: 'dave-master' }),
    );
    expect(member(summary, erin.userId)?.masterKey).toBe('erin-master');
    expect(member(summary, dave.userId)?.masterKey).toBeUndefined();
  });

  it('carries the display names of members and devices', () => {
    const named = user(dave.userId, [device('DAVEBOT', 'unsigned', { displayName: 'Dave’s bot' })]);
    const facts = room([dave.userId]);
    facts.members[0] = { userId: dave.userId, displayName: 'Dave', membership: 'invite' };
    const summary = report(facts, usersMap(named));
    expect(member(summary, dave.userId)).toMatchObject({
      displayName: 'Dave',
      membership: 'invite',
      devices: [{ displayName: 'Dave’s bot' }],
    });
  });
});

describe('observationsFor', () => {
  it('lists every device of every member with facts, with its class', () => {
    const observation = look(room([bob.userId, dave.userId]), usersMap(bob, dave));
    expect(observation.roomId).toBe(ROOM);
    expect(observation.devices).toEqual([
      { userId: bob.userId, deviceId: 'BOBPHONE', ed25519Key: keyOf('BOBPHONE'), class: 'verified' },
      { userId: bob.userId, deviceId: 'BOBNEW', ed25519Key: keyOf('BOBNEW'), class: 'unsigned-of-verified' },
      { userId: dave.userId, deviceId: 'DAVEBOT', ed25519Key: keyOf('DAVEBOT'), class: 'unsigned' },
    ]);
    expect([...observation.pendingUserIds]).toEqual([]);
  });

  it('skips the device this extension runs as', () => {
    const observation = look(room([alice.userId]), usersMap(alice));
    expect(observation.devices.map((d) => d.deviceId)).toEqual(['ALICEPHONE']);
  });

  it('ignores facts about users who are not members of the room', () => {
    expect(look(room([dave.userId]), usersMap(bob, dave)).devices.map((d) => d.userId)).toEqual([dave.userId]);
  });

  it('marks members whose list is being checked as pending: a device missing from an old list has not left', () => {
    const facts = room([bob.userId, dave.userId]);
    const ledger = observeRoom([], look(facts, usersMap(bob, dave)), T0).entries;
    const stale = look(
      facts,
      usersMap(bob, user(dave.userId, [])),
      undefined,
      new Map([[dave.userId, { reason: 'query-failed' as const, since: T0 }]]),
    );
    expect([...stale.pendingUserIds]).toEqual([dave.userId]);
    expect(observeRoom(ledger, stale, T1).changed).toEqual([]);
  });

  it('marks members without facts as pending, so their devices do not depart while their keys load', () => {
    const facts = room([bob.userId, dave.userId]);
    const ledger = observeRoom([], look(facts, usersMap(bob, dave)), T0).entries;
    const loading = look(facts, usersMap(dave));
    expect([...loading.pendingUserIds]).toEqual([bob.userId]);
    expect(observeRoom(ledger, loading, T1).changed).toEqual([]);
  });

  it('lets the devices of a member who left depart', () => {
    const ledger = observeRoom([], look(room([bob.userId, dave.userId]), usersMap(bob, dave)), T0).entries;
    const afterLeaving = observeRoom(ledger, look(room([dave.userId]), usersMap(dave)), T1);
    expect(afterLeaving.changed.map((e) => [e.deviceId, e.departedAt])).toEqual([
      ['BOBPHONE', T1],
      ['BOBNEW', T1],
    ]);
  });
});

describe('refreshRoomTrustReport', () => {
  /** A small deterministic generator, so a failing case can be replayed. */
  function random(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      return state / 2 ** 31;
    };
  }

  /** One member's facts changed the way events change them. */
  function mutate(facts: UserFacts, roll: number, step: number): UserFacts | undefined {
    if (roll < 0.2) return { ...facts, devices: [...facts.devices, device(`NEW${step}`, 'unsigned')] };
    if (roll < 0.35) return { ...facts, devices: facts.devices.slice(1) };
    if (roll < 0.5) return { ...facts, needsApproval: !facts.needsApproval };
    if (roll < 0.6) return { ...facts, verified: !facts.verified, wasVerified: facts.verified };
    if (roll < 0.7)
      return {
        ...facts,
        devices: facts.devices.map((d, i) => (i === 0 ? { ...d, signedByOwner: !d.signedByOwner, crossSigningVerified: false } : d)),
      };
    if (roll < 0.8) return undefined; // keys being fetched again
    if (roll < 0.85)
      return {
        ...facts,
        devices: [
          ...facts.devices,
          device(facts.devices[0]?.deviceId ?? `X${step}`, 'unsigned', { ed25519Key: keyOf(`offered${step}`), conflictsWithKey: 'kept' }),
        ],
      };
    return { ...facts, devices: facts.devices.map((d, i) => (i === 0 ? { ...d, ed25519Key: keyOf(`rekey${step}`) } : d)) };
  }

  it('equals a report built from scratch after any change to a few members, over many steps', () => {
    const cast = [alice, bob, carol, dave, erin, frank, grace];
    const theRoom = room(cast.map((facts) => facts.userId));
    for (const policy of ['default', 'strict'] as Policy[]) {
      const next = random(policy === 'default' ? 7 : 11);
      let users = new Map(cast.map((facts) => [facts.userId, facts] as const));
      let checks = new Map<string, DeviceListCheck>();
      let ledger = observeRoom([], look(theRoom, usersMap(...users.values())), T0).entries;
      let report = buildRoomTrustReport(inputs(theRoom, usersMap(...users.values()), ledger, policy, T0));
      for (let step = 1; step <= 200; step++) {
        const changed = new Set(cast.filter(() => next() < 0.25).map((facts) => facts.userId));
        const mutated = new Map(users);
        for (const userId of changed) {
          const current = users.get(userId) ?? cast.find((facts) => facts.userId === userId);
          const result = current && mutate(current, next(), step);
          if (result) mutated.set(userId, result);
          else mutated.delete(userId);
        }
        users = mutated;
        const known = users;
        const now = T0 + step * 1_000;
        // Some of the changed members' device lists go out of date, or come back current.
        const nextChecks = new Map(checks);
        for (const userId of changed) {
          if (next() < 0.3) nextChecks.set(userId, { reason: next() < 0.5 ? 'changed' : 'omitted', since: now });
          else nextChecks.delete(userId);
        }
        checks = nextChecks;
        ledger = observeRoom(ledger, look(theRoom, known, changed, checks), now).entries;
        // An acknowledgement touches everyone it covers: refreshing needs them all as changed.
        const acknowledged = next() < 0.1;
        if (acknowledged) ledger = acknowledge(ledger, ROOM, shown(ledger), policy, now).entries;
        const touched = acknowledged ? new Set(cast.map((facts) => facts.userId)) : changed;
        const full = buildRoomTrustReport(inputs(theRoom, known, ledger, policy, now, checks));
        const refreshed = refreshRoomTrustReport(report, touched, inputs(theRoom, known, ledger, policy, now, checks));
        expect(refreshed, `policy ${policy}, step ${step}`).toEqual(full);
        report = refreshed;
      }
    }
  });
});

describe('observeRoom, told which members changed', () => {
  it('leaves everyone else exactly as they were, even members it did not look at', () => {
    const facts = usersMap(bob, carol, dave);
    const theRoom = room([bob.userId, carol.userId, dave.userId]);
    const before = observeRoom([], look(theRoom, facts), T0).entries;
    const daveOnly = new Set([dave.userId]);
    const after = observeRoom(before, look(theRoom, usersMap(bob, user(dave.userId, [])), daveOnly), T1);
    expect(after.changed.map((entry) => entry.userId)).toEqual([dave.userId]);
    expect(after.changed[0]?.departedAt).toBe(T1);
    for (const entry of after.entries.filter((e) => e.userId !== dave.userId)) {
      expect(entry).toBe(before.find((e) => e.deviceId === entry.deviceId));
    }
  });
});
