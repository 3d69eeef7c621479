import { afterEach, describe, expect, it, vi } from 'vitest';
import { type LedgerPersistence, TrustEngine, UnknownRoomError } from '../../../src/background/trustEngine';
import type { FactsChange, TrustFactSource } from '../../../src/background/ports/trustFacts';
import type { DeviceListCheck, LedgerEntry, Policy, RoomFacts, RoomTrustReport, UserFacts } from '../../../src/trust/types';
import type { HistoryEvent } from '../../../src/trust/trustHistory';
import { ledgerKeyOf } from '../../../src/trust/warnedDeviceLedger';
import type { IdentityMemory } from '../../../src/trust/identityMemory';
import type { AcknowledgedElsewhere } from '../../../src/trust/syncedAcknowledgements';
import { alice, bob, carol, dave, device, keyOf, OWN_DEVICE, room, ROOM, user } from '../trust/facts';

/** Facts as the SDK would give them, counting how often each user is asked about. */
class FakeFacts implements TrustFactSource {
  readonly ownUserId = alice.userId;
  readonly ownDeviceId = OWN_DEVICE;
  readonly asked = new Map<string, number>();
  readonly rooms = new Map<string, RoomFacts>();
  /** Users whose device lists are not current, as the device-list watch would say. */
  readonly checks = new Map<string, DeviceListCheck>();
  private readonly listeners = new Set<(change: FactsChange) => void>();

  constructor(readonly users: Map<string, UserFacts | undefined>) {}

  /** While set, answers wait for it: a slow crypto, for races. */
  gate: Promise<void> | undefined;

  async usersFacts(userIds: readonly string[]): Promise<Map<string, UserFacts>> {
    const facts = new Map<string, UserFacts>();
    for (const userId of userIds) {
      this.asked.set(userId, (this.asked.get(userId) ?? 0) + 1);
      const known = this.users.get(userId);
      if (known) facts.set(userId, known);
    }
    await this.gate;
    return facts;
  }

  deviceListCheck(userId: string): DeviceListCheck | undefined {
    return this.checks.get(userId);
  }

  roomFacts(roomId: string): RoomFacts | undefined {
    return this.rooms.get(roomId);
  }

  roomIds(): string[] {
    return [...this.rooms.keys()];
  }

  onChange(listener: (change: FactsChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(change: FactsChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

class MemoryLedger implements LedgerPersistence {
  readonly entries = new Map<string, LedgerEntry>();
  /** The history events each write carried, in order. */
  readonly history: HistoryEvent[] = [];
  writes = 0;
  failNextWrite = false;

  entriesForRoom(roomId: string): Promise<LedgerEntry[]> {
    return Promise.resolve([...this.entries.values()].filter((entry) => entry.roomId === roomId));
  }

  write(changed: LedgerEntry[], events: HistoryEvent[] = []): Promise<void> {
    if (this.failNextWrite) {
      this.failNextWrite = false;
      return Promise.reject(new Error('disk full'));
    }
    this.writes += 1;
    this.history.push(...events);
    for (const entry of changed) this.entries.set(ledgerKeyOf(entry), entry);
    return Promise.resolve();
  }
}

const SECOND_ROOM = '!second:example.org';

function setup(users: UserFacts[] = [alice, bob, carol, dave], policy: Policy = 'default') {
  const facts = new FakeFacts(new Map(users.map((u) => [u.userId, u])));
  facts.rooms.set(ROOM, room(users.map((u) => u.userId)));
  const ledger = new MemoryLedger();
  let clock = 1_000;
  const engine = new TrustEngine({ facts, ledger, policy: () => policy, now: () => clock });
  const pushed: RoomTrustReport[] = [];
  engine.onReport((report) => pushed.push(report));
  engines.push(engine);
  return { facts, ledger, engine, pushed, tick: (ms: number) => (clock += ms) };
}

const engines: TrustEngine[] = [];
afterEach(() => {
  for (const engine of engines.splice(0)) engine.stop();
});

const devicesOf = (report: RoomTrustReport, userId: string) => report.members.find((m) => m.userId === userId)?.devices ?? [];

describe('the trust engine', () => {
  it('asks about each member once, then serves the same report from its cache', async () => {
    const { engine, facts, pushed } = setup();
    const first = await engine.report(ROOM);
    expect(Object.fromEntries(facts.asked)).toEqual({ [alice.userId]: 1, [bob.userId]: 1, [carol.userId]: 1, [dave.userId]: 1 });
    expect(await engine.report(ROOM)).toBe(first);
    expect(facts.asked.get(bob.userId)).toBe(1);
    expect(pushed).toEqual([first]);
  });

  it('recomputes only the user a change names, and pushes a new report for every room they are in', async () => {
    const { engine, facts, pushed } = setup();
    facts.rooms.set(SECOND_ROOM, room([alice.userId, dave.userId], { roomId: SECOND_ROOM }));
    await engine.report(ROOM);
    await engine.report(SECOND_ROOM);
    facts.users.set(dave.userId, user(dave.userId, [...dave.devices, device('DAVENEW', 'unsigned')]));
    facts.emit({ kind: 'users', userIds: [dave.userId] });
    await vi.waitFor(() => expect(pushed.filter((r) => devicesOf(r, dave.userId).length === 2)).toHaveLength(2));
    expect(facts.asked.get(dave.userId)).toBe(2);
    expect(facts.asked.get(bob.userId)).toBe(1);
    expect(new Set(pushed.slice(-2).map((r) => r.roomId))).toEqual(new Set([ROOM, SECOND_ROOM]));
  });

  it('refreshes only the member a change names, with the same report a new engine computes from scratch', async () => {
    const { engine, facts, ledger, pushed } = setup();
    await engine.report(ROOM);
    facts.users.set(carol.userId, user(carol.userId, [...carol.devices, device('CAROLNEW', 'unsigned')]));
    facts.emit({ kind: 'users', userIds: [carol.userId] });
    await vi.waitFor(() => expect(pushed).toHaveLength(2));
    const fresh = new TrustEngine({ facts, ledger, policy: () => 'default', now: () => 1_000 });
    engines.push(fresh);
    expect(pushed[1]).toEqual(await fresh.report(ROOM));
    expect(devicesOf(pushed[1] as RoomTrustReport, carol.userId).map((d) => d.deviceId)).toEqual(['CAROLNEW']);
  });

  it("does not lose a change that lands while the room's first report is being computed", async () => {
    const { engine, facts, pushed } = setup();
    let open: () => void = () => undefined;
    facts.gate = new Promise((resolve) => (open = resolve));
    const first = engine.report(ROOM);
    await vi.waitFor(() => expect(facts.asked.get(dave.userId)).toBe(1));
    // Dave's new device arrives after the crypto was asked about him, before the answer.
    facts.users.set(dave.userId, user(dave.userId, [...dave.devices, device('DAVELATE', 'unsigned')]));
    facts.emit({ kind: 'users', userIds: [dave.userId] });
    // Let the engine handle the change (it batches on the next turn) before the answer lands.
    await new Promise((resolve) => setTimeout(resolve, 0));
    facts.gate = undefined;
    open();
    await first;
    await vi.waitFor(() => expect(devicesOf(pushed.at(-1) as RoomTrustReport, dave.userId).map((d) => d.deviceId)).toContain('DAVELATE'));
  });

  it('handles a burst of changes together: one recompute per room', async () => {
    const { engine, facts, pushed } = setup();
    await engine.report(ROOM);
    for (const userId of [bob.userId, carol.userId, dave.userId, bob.userId]) facts.emit({ kind: 'users', userIds: [userId] });
    await vi.waitFor(() => expect(pushed).toHaveLength(2));
    // Bob was named twice in the burst; asked about him once more, not twice.
    expect(facts.asked.get(bob.userId)).toBe(2);
    expect(facts.asked.get(alice.userId)).toBe(1);
  });

  it('recomputes a room whose members changed', async () => {
    const { engine, facts, pushed } = setup([alice, bob, carol, dave]);
    await engine.report(ROOM);
    facts.rooms.set(ROOM, room([alice.userId, carol.userId]));
    facts.emit({ kind: 'rooms', roomIds: [ROOM] });
    await vi.waitFor(() => expect(pushed.at(-1)?.memberCount).toBe(2));
    expect(pushed.at(-1)?.members.map((m) => m.userId)).toEqual([]);
  });

  it('forgets every user when our own keys change', async () => {
    const { engine, facts, pushed } = setup();
    await engine.report(ROOM);
    facts.emit({ kind: 'everyone' });
    await vi.waitFor(() => expect(pushed).toHaveLength(2));
    expect([...facts.asked.values()]).toEqual([2, 2, 2, 2]);
  });

  it('records new devices in the ledger, and an acknowledgement quiets them', async () => {
    const { engine, ledger, pushed } = setup();
    const first = await engine.report(ROOM);
    expect(first.newWarnings).toEqual({ warn: 1, critical: 1 });
    expect(ledger.entries.size).toBe(6);
    const quiet = await engine.acknowledge(ROOM, [{ userId: dave.userId, deviceId: 'DAVEBOT', ed25519Key: keyOf('DAVEBOT') }]);
    expect(devicesOf(quiet, dave.userId)[0]?.isNew).toBe(false);
    expect(quiet.newWarnings).toEqual({ warn: 0, critical: 1 });
    expect(pushed.at(-1)).toBe(quiet);
  });

  it('stamps warnings as shown once, and never again', async () => {
    const { engine, ledger, tick } = setup();
    await engine.report(ROOM);
    await engine.markWarned(ROOM);
    const shownAt = [...ledger.entries.values()].find((e) => e.deviceId === 'DAVEBOT')?.warnedAt;
    expect(shownAt).toBe(1_000);
    tick(5_000);
    await engine.markWarned(ROOM);
    expect([...ledger.entries.values()].find((e) => e.deviceId === 'DAVEBOT')?.warnedAt).toBe(1_000);
    expect([...ledger.entries.values()].find((e) => e.deviceId === 'CAROLLAPTOP')?.warnedAt).toBeUndefined();
  });

  it("writes a device's history with the ledger changes it comes from: appeared, warned (where, which client), acknowledged", async () => {
    const { engine, facts, ledger, tick } = setup();
    facts.rooms.set(
      ROOM,
      room(
        [alice, bob, carol, dave].map((u) => u.userId),
        { name: 'Plans' },
      ),
    );
    await engine.report(ROOM);
    expect(ledger.history).toEqual([]);
    facts.users.set(dave.userId, user(dave.userId, [...dave.devices, device('DAVENEW', 'unsigned', { displayName: 'new laptop' })]));
    facts.emit({ kind: 'users', userIds: [dave.userId] });
    await vi.waitFor(() => expect(ledger.history).toHaveLength(1));
    tick(1_000);
    await engine.markWarned(ROOM, undefined, { where: 'banner', client: 'Element Web' });
    tick(1_000);
    await engine.acknowledge(ROOM, [{ userId: dave.userId, deviceId: 'DAVENEW', ed25519Key: keyOf('DAVENEW') }]);
    const davenew = ledger.history.filter((event) => event.deviceId === 'DAVENEW');
    expect(davenew.map(({ kind, at }) => [kind, at])).toEqual([
      ['device-appeared', 1_000],
      ['warned', 2_000],
      ['acknowledged', 3_000],
    ]);
    expect(davenew[0]).toMatchObject({
      roomId: ROOM,
      roomName: 'Plans',
      userId: dave.userId,
      deviceName: 'new laptop',
      ed25519Key: keyOf('DAVENEW'),
    });
    expect(davenew[1]).toMatchObject({ where: 'banner', client: 'Element Web' });
  });

  it('keeps its ledger as it was when a write fails, and the next attempt succeeds', async () => {
    const { engine, ledger } = setup();
    ledger.failNextWrite = true;
    await expect(engine.report(ROOM)).rejects.toThrow('disk full');
    expect(ledger.entries.size).toBe(0);
    const report = await engine.report(ROOM);
    expect(report.newWarnings).toEqual({ warn: 1, critical: 1 });
    expect(ledger.entries.size).toBe(6);
  });

  it('refuses a room the account is not in', async () => {
    const { engine } = setup();
    await expect(engine.report('!elsewhere:example.org')).rejects.toBeInstanceOf(UnknownRoomError);
  });

  it('keeps the ledger entries of members whose keys are still being fetched', async () => {
    const { engine, facts, ledger } = setup();
    await engine.report(ROOM);
    facts.users.set(dave.userId, undefined);
    facts.emit({ kind: 'users', userIds: [dave.userId] });
    await vi.waitFor(async () => expect((await engine.report(ROOM)).checking.map((member) => member.userId)).toEqual([dave.userId]));
    expect([...ledger.entries.values()].find((e) => e.deviceId === 'DAVEBOT')?.departedAt).toBeUndefined();
  });

  it('reports a member whose device list went out of date as being checked at once, without asking for their facts again', async () => {
    const { engine, facts, pushed } = setup();
    await engine.report(ROOM);
    const askedBefore = facts.asked.get(dave.userId);
    facts.checks.set(dave.userId, { reason: 'changed', since: 1_000 });
    facts.emit({ kind: 'checks', userIds: [dave.userId] });
    await vi.waitFor(() => expect(pushed.at(-1)?.checking).toEqual([{ userId: dave.userId, reason: 'changed', since: 1_000 }]));
    expect(facts.asked.get(dave.userId)).toBe(askedBefore);
    // Dave's known warning still stands while he is being checked.
    expect(devicesOf(pushed.at(-1) as RoomTrustReport, dave.userId).map((d) => d.deviceId)).toEqual(['DAVEBOT']);
  });

  it('keeps the ledger entries of members being checked, though their old list lacks a device', async () => {
    const { engine, facts, ledger, pushed } = setup();
    await engine.report(ROOM);
    facts.checks.set(dave.userId, { reason: 'query-failed', since: 1_000 });
    facts.users.set(dave.userId, user(dave.userId, []));
    facts.emit({ kind: 'users', userIds: [dave.userId] });
    await vi.waitFor(() => expect(pushed.at(-1)?.checking.map((member) => member.userId)).toEqual([dave.userId]));
    expect([...ledger.entries.values()].find((e) => e.deviceId === 'DAVEBOT')?.departedAt).toBeUndefined();
  });

  it('replaces the ledger between computations, and reports from the replacement', async () => {
    const { engine, ledger } = setup();
    await engine.report(ROOM);
    const acknowledgedElsewhere = [...ledger.entries.values()].map((entry) =>
      entry.deviceId === 'DAVEBOT' ? { ...entry, acknowledgedAt: 500, acknowledgedClass: entry.lastClass } : entry,
    );
    await engine.replaceLedger(async () => {
      ledger.entries.clear();
      await ledger.write(acknowledgedElsewhere);
    });
    const after = await engine.report(ROOM);
    expect(devicesOf(after, dave.userId)[0]?.isNew).toBe(false);
  });
});

describe('the identity memory', () => {
  const me = (key: string) => ({ ...alice, masterKey: key, masterKeySigners: ['ALICEPHONE'] });
  const verifiedBob = { ...bob, masterKey: 'B1', devices: [device('BOBPHONE', 'verified')] };
  const bobAfterOurReset = { ...verifiedBob, verified: false, wasVerified: true, devices: [device('BOBPHONE', 'owner-signed')] };

  function withMemory(loaded: IdentityMemory | undefined) {
    const saved: IdentityMemory[] = [];
    const history: HistoryEvent[] = [];
    const facts = new FakeFacts(
      new Map<string, UserFacts>([
        [alice.userId, me('A1')],
        [bob.userId, verifiedBob],
      ]),
    );
    facts.rooms.set(ROOM, room([alice.userId, bob.userId]));
    let clock = 1_000;
    const engine = new TrustEngine({
      facts,
      ledger: new MemoryLedger(),
      identities: {
        // A slow read, as from IndexedDB at a worker's start.
        load: () => new Promise((resolve) => setTimeout(() => resolve(loaded), 20)),
        save: (memory) => {
          saved.push(memory);
          return Promise.resolve();
        },
      },
      history: {
        append: (events) => {
          history.push(...events);
          return Promise.resolve();
        },
      },
      policy: () => 'default',
      now: () => clock,
    });
    engines.push(engine);
    return { engine, facts, saved, history, tick: (ms: number) => (clock += ms) };
  }

  it("writes our own reset and a contact's changed identity to the trust history, not identities seen for the first time", async () => {
    const { engine, facts, history, tick } = withMemory(undefined);
    await engine.report(ROOM);
    tick(5_000);
    facts.users.set(alice.userId, me('A2'));
    facts.users.set(bob.userId, { ...bobAfterOurReset, masterKey: 'B2' });
    facts.emit({ kind: 'everyone' });
    await vi.waitFor(() => expect(history).toHaveLength(2));
    expect(history).toEqual([
      expect.objectContaining({ kind: 'own-identity-reset', at: 6_000, masterKey: 'A2', previousMasterKey: 'A1' }),
      expect.objectContaining({ kind: 'identity-changed', at: 6_000, userId: bob.userId, masterKey: 'B2', previousMasterKey: 'B1' }),
    ]);
  });

  it('remembers what it sees, writes only when something changed, and says "you reset" once our key is replaced', async () => {
    const { engine, facts, saved, tick } = withMemory(undefined);
    await engine.report(ROOM);
    await vi.waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]?.contacts[bob.userId]).toMatchObject({ masterKey: 'B1', verifiedUnderOwnKey: 'A1' });

    facts.emit({ kind: 'users', userIds: [bob.userId] });
    await vi.waitFor(() => expect(facts.asked.get(bob.userId)).toBe(2));
    expect(saved).toHaveLength(1);

    tick(5_000);
    facts.users.set(alice.userId, me('A2'));
    facts.users.set(bob.userId, bobAfterOurReset);
    facts.emit({ kind: 'everyone' });
    const report = await vi.waitFor(async () => {
      const current = await engine.report(ROOM);
      if (current.ownReset === undefined) throw new Error('not yet');
      return current;
    });
    expect(report.ownReset).toEqual({ at: 6_000, byDevice: { deviceId: 'ALICEPHONE' }, userIds: [bob.userId] });
    expect(report.members.find((m) => m.userId === bob.userId)).toMatchObject({ severity: 'critical', cause: { ownReset: { at: 6_000 } } });
  });

  it('while a write runs, waits with at most one more, which writes the newest memory', async () => {
    const saved: IdentityMemory[] = [];
    let release: () => void = () => undefined;
    const facts = new FakeFacts(
      new Map<string, UserFacts>([
        [alice.userId, me('A1')],
        [bob.userId, verifiedBob],
      ]),
    );
    facts.rooms.set(ROOM, room([alice.userId, bob.userId]));
    const engine = new TrustEngine({
      facts,
      ledger: new MemoryLedger(),
      identities: {
        load: () => Promise.resolve(undefined),
        save: (memory) => {
          saved.push(memory);
          return new Promise<void>((resolve) => (release = resolve));
        },
      },
      policy: () => 'default',
      now: () => 1_000,
    });
    engines.push(engine);
    await engine.report(ROOM);
    await vi.waitFor(() => expect(saved).toHaveLength(1));
    // Bob's key changes three times while the first write is still running.
    for (const [index, key] of ['B2', 'B3', 'B4'].entries()) {
      facts.users.set(bob.userId, { ...verifiedBob, masterKey: key });
      facts.emit({ kind: 'users', userIds: [bob.userId] });
      await vi.waitFor(() => expect(facts.asked.get(bob.userId)).toBe(index + 2));
    }
    release();
    await vi.waitFor(() => expect(saved).toHaveLength(2));
    expect(saved[1]?.contacts[bob.userId]?.masterKey).toBe('B4');
    // Nothing more was waiting: once this write ends (its promise chain settled), no third one starts.
    release();
    for (let turn = 0; turn < 20; turn++) await Promise.resolve();
    expect(saved).toHaveLength(2);
  });

  it('ties a contact seen verified to our own key even when our own keys came after our first facts', async () => {
    const { engine, facts } = withMemory(undefined);
    // Right after sign-in the crypto may not know our own identity yet.
    facts.users.set(alice.userId, { ...alice, masterKey: undefined });
    facts.users.set(bob.userId, { ...verifiedBob, verified: false, devices: [device('BOBPHONE', 'owner-signed')] });
    await engine.report(ROOM);
    // Bob is seen verified before our own key is: only Bob's facts are said to have changed.
    facts.users.set(alice.userId, me('A1'));
    facts.users.set(bob.userId, verifiedBob);
    facts.emit({ kind: 'users', userIds: [bob.userId] });
    await vi.waitFor(async () => expect((await engine.report(ROOM)).verifiedUserIds).toContain(bob.userId));
    // Our own facts are read again later (our keys changed), with the key Bob was verified under.
    facts.emit({ kind: 'users', userIds: [alice.userId] });
    await vi.waitFor(() => expect(facts.asked.get(alice.userId)).toBe(2));
    // Then our identity is reset elsewhere.
    facts.users.set(alice.userId, me('A2'));
    facts.users.set(bob.userId, bobAfterOurReset);
    facts.emit({ kind: 'everyone' });
    await vi.waitFor(async () => expect((await engine.report(ROOM)).ownReset?.userIds).toEqual([bob.userId]));
  });

  it("says 'you reset' for a contact whose new facts came before our own new key did", async () => {
    const { engine, facts } = withMemory(undefined);
    await engine.report(ROOM);
    // The crypto tells about Bob first (no longer verified), then about our own new identity.
    facts.users.set(bob.userId, bobAfterOurReset);
    facts.emit({ kind: 'users', userIds: [bob.userId] });
    await vi.waitFor(async () => expect((await engine.report(ROOM)).verifiedUserIds).not.toContain(bob.userId));
    facts.users.set(alice.userId, me('A2'));
    facts.emit({ kind: 'users', userIds: [alice.userId] });
    await vi.waitFor(async () =>
      expect((await engine.report(ROOM)).members.find((m) => m.userId === bob.userId)?.cause).toMatchObject({ ownReset: {} }),
    );
  });

  it('reads what was remembered before the first report (a restarted worker still knows the old keys)', async () => {
    const remembered: IdentityMemory = {
      own: { masterKey: 'A0', seenAt: 1, replaced: { previousKey: 'Aold', at: 500 } },
      contacts: { [bob.userId]: { masterKey: 'B1', seenAt: 1, verifiedUnderOwnKey: 'Aold', pinned: true } },
    };
    const { engine, facts } = withMemory(remembered);
    facts.users.set(alice.userId, me('A0'));
    facts.users.set(bob.userId, bobAfterOurReset);
    const report = await engine.report(ROOM);
    expect(report.members.find((m) => m.userId === bob.userId)?.cause).toEqual({ ownReset: { at: 500 } });
  });
});

describe('acknowledgements from the user’s other browsers', () => {
  function withElsewhere() {
    const facts = new FakeFacts(new Map([alice, dave].map((u) => [u.userId, u])));
    facts.rooms.set(ROOM, room([alice.userId, dave.userId]));
    const ledger = new MemoryLedger();
    let elsewhere: AcknowledgedElsewhere = new Map();
    const engine = new TrustEngine({ facts, ledger, policy: () => 'default', now: () => 1_000, acknowledgedElsewhere: () => elsewhere });
    engines.push(engine);
    const acknowledge = (deviceId: string, ed25519Key = keyOf(deviceId)) => {
      const ack = { roomId: ROOM, userId: dave.userId, deviceId, ed25519Key, acknowledgedClass: 'unsigned' as const, acknowledgedAt: 500 };
      elsewhere = new Map([...elsewhere, [ledgerKeyOf(ack), ack]]);
    };
    return { facts, ledger, engine, acknowledge };
  }

  it('quiets, at the next computation, a device acknowledged elsewhere, and records it in the ledger', async () => {
    const { engine, ledger, acknowledge } = withElsewhere();
    expect(devicesOf(await engine.report(ROOM), dave.userId)).toEqual([expect.objectContaining({ deviceId: 'DAVEBOT', isNew: true })]);
    acknowledge('DAVEBOT');
    await engine.recomputeAll();
    const report = await engine.report(ROOM);
    expect(devicesOf(report, dave.userId)).toEqual([expect.objectContaining({ deviceId: 'DAVEBOT', isNew: false, acknowledgedAt: 500 })]);
    expect([...ledger.entries.values()].find((e) => e.deviceId === 'DAVEBOT')).toMatchObject({ acknowledgedClass: 'unsigned' });
  });

  it('covers a device acknowledged elsewhere before it first appears here', async () => {
    const { engine, facts, acknowledge } = withElsewhere();
    acknowledge('DAVEPHONE');
    await engine.report(ROOM);
    facts.users.set(dave.userId, user(dave.userId, [...dave.devices, device('DAVEPHONE', 'unsigned')]));
    facts.emit({ kind: 'users', userIds: [dave.userId] });
    await vi.waitFor(async () =>
      expect(devicesOf(await engine.report(ROOM), dave.userId).find((d) => d.deviceId === 'DAVEPHONE')).toMatchObject({ isNew: false }),
    );
  });

  it('never covers the same device id with another key', async () => {
    const { engine, acknowledge } = withElsewhere();
    acknowledge('DAVEBOT', keyOf('DAVEBOT-BEFORE'));
    expect(devicesOf(await engine.report(ROOM), dave.userId)).toEqual([expect.objectContaining({ deviceId: 'DAVEBOT', isNew: true })]);
  });
});
