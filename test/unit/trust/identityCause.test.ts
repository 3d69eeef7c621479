import { describe, expect, it } from 'vitest';
import { identityCause } from '../../../src/trust/identityCause';
import { emptyIdentityMemory, type IdentityMemory, observeIdentities } from '../../../src/trust/identityMemory';
import type { IdentityCause, UserFacts } from '../../../src/trust/types';
import { buildRoomTrustReport } from '../../../src/trust/roomTrustReport';
import { overviewOf } from '../../../src/trust/trustOverview';
import { device, inputs, OWN_DEVICE, room, user, usersMap } from './facts';

/**
 * "You reset" versus "they reset": the cause of an identity problem comes from what was seen
 * before (keys, whether verified or pinned), never from the problem alone, which looks the same.
 */

const ME = '@alice:example.org';
const BOB = '@bob:example.org';

/** Our own user with master key `key`, signed (validly) by `signers`. */
function me(key: string, opts: { verified?: boolean; wasVerified?: boolean; signers?: string[] } = {}): UserFacts {
  return user(ME, [device(OWN_DEVICE, 'verified'), device('ALICEPHONE', 'verified', { displayName: "Alice's phone" })], {
    isOwnUser: true,
    masterKey: key,
    verified: opts.verified ?? true,
    wasVerified: opts.wasVerified ?? true,
    ...(opts.signers && { masterKeySigners: opts.signers }),
  });
}

type BobState = 'verified' | 'pinned' | 'violation' | 'changed' | 'violation+changed';

/** Bob with master key `key`, as the crypto states him. */
function bob(key: string, state: BobState): UserFacts {
  return user(BOB, [device('BOBPHONE', 'owner-signed')], {
    masterKey: key,
    verified: state === 'verified',
    wasVerified: state === 'verified' || state.startsWith('violation'),
    needsApproval: state === 'changed' || state === 'violation+changed',
  });
}

/** The memory after each step, seen at times 1, 2, 3…; steps are the batches the engine learns. */
function remember(steps: UserFacts[][]): IdentityMemory {
  return steps.reduce((memory, users, index) => observeIdentities(memory, users, index + 1).memory, emptyIdentityMemory());
}

interface Case {
  name: string;
  steps: UserFacts[][];
  /** Bob's facts now (the last step's, unless given). */
  now?: UserFacts;
  cause: IdentityCause | undefined;
}

const PHONE = { deviceId: 'ALICEPHONE', displayName: "Alice's phone" };

const cases: Case[] = [
  {
    name: 'nothing changed: no cause',
    steps: [[me('A1'), bob('B1', 'verified')]],
    cause: undefined,
  },
  {
    name: 'we reset from another device (one signer): you reset, from that device, when first seen',
    steps: [
      [me('A1'), bob('B1', 'verified')],
      [me('A2', { verified: false, signers: ['ALICEPHONE'] }), bob('B1', 'violation')],
    ],
    cause: { ownReset: { at: 2, byDevice: PHONE } },
  },
  {
    name: 'we reset here (this device signed): you reset, from this device',
    steps: [
      [me('A1'), bob('B1', 'verified')],
      [me('A2', { signers: [OWN_DEVICE] }), bob('B1', 'violation')],
    ],
    cause: { ownReset: { at: 2, byDevice: { deviceId: OWN_DEVICE } } },
  },
  {
    name: 'we reset, no valid device signature: the device is not named',
    steps: [
      [me('A1'), bob('B1', 'verified')],
      [me('A2', { signers: [] }), bob('B1', 'violation')],
    ],
    cause: { ownReset: { at: 2 } },
  },
  {
    name: 'we reset, two devices signed the new key: which made it is unknown, none is named',
    steps: [
      [me('A1'), bob('B1', 'verified')],
      [me('A2', { signers: [OWN_DEVICE, 'ALICEPHONE'] }), bob('B1', 'violation')],
    ],
    cause: { ownReset: { at: 2 } },
  },
  {
    name: 'our new key is seen in a later batch than Bob: still our reset',
    steps: [[me('A1'), bob('B1', 'verified')], [bob('B1', 'violation')], [me('A2', { signers: ['ALICEPHONE'] })]],
    now: bob('B1', 'violation'),
    cause: { ownReset: { at: 3, byDevice: PHONE } },
  },
  {
    name: 'Bob reset after we verified him: their change, when first seen, old one verified; never "you reset"',
    steps: [
      [me('A1'), bob('B1', 'verified')],
      [me('A1'), bob('B2', 'violation+changed')],
    ],
    cause: { theirChange: { at: 2, hadVerified: true, hadPinned: true } },
  },
  {
    name: 'Bob reset, we had only pinned him: their change, old one pinned not verified',
    steps: [
      [me('A1'), bob('B1', 'pinned')],
      [me('A1'), bob('B2', 'changed')],
    ],
    cause: { theirChange: { at: 2, hadVerified: false, hadPinned: true } },
  },
  {
    name: 'Bob reset twice, the middle key never accepted: old one neither verified nor pinned',
    steps: [
      [me('A1'), bob('B1', 'pinned')],
      [me('A1'), bob('B2', 'changed')],
      [me('A1'), bob('B3', 'changed')],
    ],
    cause: { theirChange: { at: 3, hadVerified: false, hadPinned: false } },
  },
  {
    name: 'both at once: we reset and Bob reset; both said',
    steps: [
      [me('A1'), bob('B1', 'verified')],
      [me('A2', { signers: ['ALICEPHONE'] }), bob('B2', 'violation+changed')],
    ],
    cause: { ownReset: { at: 2, byDevice: PHONE }, theirChange: { at: 2, hadVerified: true, hadPinned: true } },
  },
  {
    name: 'both, seen one after the other (we first, Bob later)',
    steps: [
      [me('A1'), bob('B1', 'verified')],
      [me('A2', { signers: ['ALICEPHONE'] }), bob('B1', 'violation')],
      [me('A2'), bob('B2', 'violation+changed')],
    ],
    cause: { ownReset: { at: 2, byDevice: PHONE }, theirChange: { at: 3, hadVerified: true, hadPinned: true } },
  },
  {
    name: 'we reset, re-verified Bob, then Bob reset: only their change',
    steps: [
      [me('A1'), bob('B1', 'verified')],
      [me('A2', { signers: ['ALICEPHONE'] }), bob('B1', 'violation')],
      [me('A2'), bob('B1', 'verified')],
      [me('A2'), bob('B2', 'violation+changed')],
    ],
    cause: { theirChange: { at: 4, hadVerified: true, hadPinned: true } },
  },
  {
    name: 'Bob changed long ago and we verified the new key; then we reset: only our reset',
    steps: [
      [me('A1'), bob('B1', 'pinned')],
      [me('A1'), bob('B2', 'changed')],
      [me('A1'), bob('B2', 'verified')],
      [me('A2', { signers: ['ALICEPHONE'] }), bob('B2', 'violation')],
    ],
    cause: { ownReset: { at: 4, byDevice: PHONE } },
  },
  {
    name: 'we reset, but had never verified Bob (pinned only): he is not ours to re-verify, no cause',
    steps: [
      [me('A1'), bob('B1', 'pinned')],
      [me('A2', { signers: ['ALICEPHONE'] }), bob('B1', 'pinned')],
    ],
    cause: undefined,
  },
  {
    name: 'first sight already in violation (memory started late): unknown, no cause',
    steps: [[me('A2'), bob('B1', 'violation')]],
    cause: undefined,
  },
  {
    name: 'memory of another key than the one seen now says nothing of it',
    steps: [[me('A1'), bob('B1', 'verified')]],
    now: bob('B9', 'violation+changed'),
    cause: undefined,
  },
  {
    name: 'Bob verified before we first saw our own key: not tied to any key of ours, no "you reset"',
    steps: [[bob('B1', 'verified')], [me('A2', { signers: ['ALICEPHONE'] }), bob('B1', 'violation')]],
    cause: undefined,
  },
];

describe('why an identity is not trusted as it was', () => {
  it.each(cases)('$name', ({ steps, now, cause }) => {
    const memory = remember(steps);
    const current = now ?? steps.at(-1)?.find((facts) => facts.userId === BOB) ?? bob('B1', 'verified');
    expect(identityCause(current, memory)).toEqual(cause);
  });

  it('our own user, after our identity was replaced elsewhere: our reset, with its device', () => {
    const memory = remember([[me('A1')], [me('A2', { verified: false, signers: ['ALICEPHONE'] })]]);
    expect(identityCause(me('A2', { verified: false }), memory)).toEqual({ ownReset: { at: 2, byDevice: PHONE } });
  });

  it('without any memory there is no cause', () => {
    expect(identityCause(bob('B1', 'violation'), undefined)).toBeUndefined();
  });
});

describe('remembering identities', () => {
  it('ties a contact seen verified before our own key to the first own key seen after (verified means under the key in force)', () => {
    const memory = remember([[bob('B1', 'verified')], [me('A1')]]);
    expect(memory.contacts[BOB]?.verifiedUnderOwnKey).toBe('A1');
    // And so a reset after that is ours, said as ours.
    const afterReset = observeIdentities(
      memory,
      [me('A2', { verified: false, signers: ['ALICEPHONE'] }), bob('B1', 'violation')],
      3,
    ).memory;
    expect(identityCause(bob('B1', 'violation'), afterReset)).toEqual({ ownReset: { at: 3, byDevice: PHONE } });
  });

  it('changes nothing (the same object) when nothing new is seen, so nothing is written', () => {
    const memory = remember([[me('A1'), bob('B1', 'verified')]]);
    const again = observeIdentities(memory, [me('A1'), bob('B1', 'verified')], 9);
    expect(again.changed).toBe(false);
    expect(again.memory).toBe(memory);
  });

  it('keeps no secret and nothing but keys, times and device names', () => {
    const memory = remember([
      [me('A1'), bob('B1', 'verified')],
      [me('A2', { signers: ['ALICEPHONE'] }), bob('B1', 'violation')],
    ]);
    expect(memory).toEqual({
      own: { masterKey: 'A2', seenAt: 2, replaced: { previousKey: 'A1', at: 2, byDevice: PHONE } },
      contacts: { [BOB]: { masterKey: 'B1', seenAt: 1, verifiedUnderOwnKey: 'A1', pinned: true } },
    });
  });

  it('a user without an identity is not remembered', () => {
    const memory = remember([[me('A1'), user('@nokeys:example.org', [])]]);
    expect(Object.keys(memory.contacts)).toEqual([]);
  });
});

describe('reports say it', () => {
  const carolKey = (state: BobState) => ({ ...bob('C1', state), userId: '@carol:example.org' });

  it('a room lists who our reset left needing verification, keeps them critical, and the overview gathers them once', () => {
    const before = [me('A1'), bob('B1', 'verified'), carolKey('verified')];
    const after = [me('A2', { signers: ['ALICEPHONE'] }), bob('B2', 'violation+changed'), carolKey('violation')];
    const memory = remember([before, after]);
    const facts = room(after.map((facts) => facts.userId));
    const report = buildRoomTrustReport({ ...inputs(facts, usersMap(...after), [], 'default', 5), identities: memory });
    expect(report.ownReset).toEqual({ at: 2, byDevice: PHONE, userIds: [BOB, '@carol:example.org'] });
    const bobReport = report.members.find((member) => member.userId === BOB);
    expect(bobReport).toMatchObject({ identity: 'verification-violation', severity: 'critical' });
    expect(bobReport?.cause).toEqual({ ownReset: { at: 2, byDevice: PHONE }, theirChange: { at: 2, hadVerified: true, hadPinned: true } });
    expect(report.members.find((member) => member.userId === '@carol:example.org')?.cause).toEqual({
      ownReset: { at: 2, byDevice: PHONE },
    });
    expect(report.warnings.critical).toBeGreaterThanOrEqual(2);

    const second = { ...report, roomId: '!other:example.org' };
    expect(overviewOf([report, second]).ownReset).toEqual({
      at: 2,
      byDevice: PHONE,
      contacts: [{ userId: BOB }, { userId: '@carol:example.org' }],
    });
  });

  it('without a memory, a report has no cause and no own reset (old reports stay as they were)', () => {
    const after = [me('A2'), bob('B1', 'violation')];
    const report = buildRoomTrustReport(inputs(room([ME, BOB]), usersMap(...after), [], 'default', 5));
    expect(report.ownReset).toBeUndefined();
    expect(report.members.find((member) => member.userId === BOB)?.cause).toBeUndefined();
  });
});
