// Just over 300 lines: the engine's caches, its recompute queue and its ledger writes are one unit.
import type { FactsChange, TrustFactSource } from './ports/trustFacts';
import { buildRoomTrustReport, observationsFor, refreshRoomTrustReport } from '../trust/roomTrustReport';
import type { DeviceListCheck, LedgerEntry, Policy, RoomTrustReport, UserFacts } from '../trust/types';
import {
  acknowledge,
  isNewWarning,
  type LedgerChange,
  ledgerKeyOf,
  markWarned,
  observeRoom,
  type ShownDevice,
} from '../trust/warnedDeviceLedger';
import { type AcknowledgedElsewhere, applyToLedger } from '../trust/syncedAcknowledgements';
import { t } from '../text/i18n';
import { type HistoryEvent, type HistoryNames, historyOfLedgerChange, type WarnedWhere } from '../trust/trustHistory';
import { IdentityKeeper, type IdentityMemoryPersistence } from './identityKeeper';

/** Which members a recompute looks at: the ones named, or everyone. */
type Scope = ReadonlySet<string> | 'all';

/** Where the ledger lives (IndexedDB in the extension, anything in tests). */
export interface LedgerPersistence {
  entriesForRoom(roomId: string): Promise<LedgerEntry[]>;
  /** Writes the entries and the history events they stand for atomically: all of them or none. */
  write(changed: LedgerEntry[], events: HistoryEvent[]): Promise<void>;
}

/** Where history events that come from no ledger change go (identity changes). */
export interface HistoryAppender {
  append(events: readonly HistoryEvent[]): Promise<void>;
}

/** Where warnings were shown (markWarned): carried to the history's warned event. */
export interface WarnedPlace {
  where: WarnedWhere;
  /** The web client that showed them ("Element"), for a banner or badges. */
  client?: string;
}

export type { IdentityMemoryPersistence } from './identityKeeper';

export interface TrustEngineOptions {
  facts: TrustFactSource;
  ledger: LedgerPersistence;
  /** Without it, identities are remembered only while the engine runs. */
  identities?: IdentityMemoryPersistence;
  /** Without it, identity changes are not written to the trust history. */
  history?: HistoryAppender;
  policy: () => Policy;
  now: () => number;
  /**
   * What the user acknowledged in their other browsers (acknowledgementSync.ts), applied on every
   * computation, inside the room's queue: a device first seen after the acknowledgement arrived
   * is covered the moment it appears, and no ledger write interleaves.
   */
  acknowledgedElsewhere?: () => AcknowledgedElsewhere;
}

/**
 * Answers "what should the user be warned about in room R?" and keeps the answer fresh.
 * Per-device trust checks cost a fraction of a millisecond each in Rust crypto, so users'
 * facts are cached and only the users (or rooms) that an event says changed are looked at
 * again; every new report goes to the listeners.
 */
export class TrustEngine {
  private readonly users = new Map<string, UserFacts>();
  private readonly ledgers = new Map<string, LedgerEntry[]>();
  private readonly reports = new Map<string, RoomTrustReport>();
  /** One computation at a time per room, so ledger writes never interleave. */
  private readonly roomQueues = new Map<string, Promise<unknown>>();
  private readonly waitingRecomputes = new Map<string, Promise<RoomTrustReport>>();
  /** What each waiting recompute must look at: some members, or everyone. */
  private readonly waitingScopes = new Map<string, Scope>();
  /** Users whose facts are being fetched right now, and the fetch to wait for. */
  private readonly askingUsers = new Map<string, Promise<void>>();
  /** A counter of invalidations, and when each user (or everyone) was last invalidated. */
  private invalidations = 0;
  private everyoneInvalidatedAt = -1;
  private readonly invalidatedAt = new Map<string, number>();
  private readonly listeners = new Set<(report: RoomTrustReport) => void>();
  private readonly stopListening: () => void;
  /** Changes collected for the next pass: users to read again, users whose check changed, rooms. */
  private dirty: { users: Set<string>; checks: Set<string>; rooms: Set<string>; everyone: boolean } | undefined;
  /** Room work waits for a ledger replacement (an import) to finish. */
  private ledgerReplaced: Promise<unknown> = Promise.resolve();
  /** What is remembered of identities, to tell "you reset" from "they reset" (identityKeeper.ts). */
  private readonly identities: IdentityKeeper;

  constructor(private readonly options: TrustEngineOptions) {
    this.stopListening = options.facts.onChange((change) => this.noteChange(change));
    this.identities = new IdentityKeeper(options.identities, options.now, (events) => options.history?.append(events));
  }

  /** The report for a joined room, from cache when nothing changed since. */
  report(roomId: string): Promise<RoomTrustReport> {
    const cached = this.reports.get(roomId);
    return cached ? Promise.resolve(cached) : this.recompute(roomId);
  }

  /** Reports for every joined room, computed as needed. */
  async allReports(): Promise<RoomTrustReport[]> {
    const reports: RoomTrustReport[] = [];
    for (const roomId of this.options.facts.roomIds()) {
      const report = await this.report(roomId).catch(() => undefined);
      if (report) reports.push(report);
    }
    return reports;
  }

  /** Our own user's facts (every device of the account), for the account status. */
  async ownUserFacts(): Promise<UserFacts | undefined> {
    const { ownUserId } = this.options.facts;
    await this.learnUsers([ownUserId]);
    return this.users.get(ownUserId);
  }

  onReport(listener: (report: RoomTrustReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The user acknowledged, in extension UI, the warnings about exactly these devices (with the
   * keys they were shown): they stay quiet until they get worse.
   */
  async acknowledge(roomId: string, shown: readonly ShownDevice[]): Promise<RoomTrustReport> {
    // Written and recomputed in one step: a recompute already waiting would not see it.
    return this.inRoomQueue(roomId, async () => {
      const entries = await this.ledgerFor(roomId);
      await this.persist(roomId, acknowledge(entries, roomId, shown, this.options.policy(), this.options.now()));
      return this.compute(roomId);
    });
  }

  /**
   * Replaces the whole ledger (an import) with no room computation in between: everything
   * in flight finishes first, everything after starts from the new ledger.
   */
  async replaceLedger(replace: () => Promise<void>): Promise<void> {
    const inFlight = Promise.all([...this.roomQueues.values()]);
    const replacing = inFlight.then(async () => {
      await replace();
      this.ledgers.clear();
    });
    this.ledgerReplaced = replacing.catch(() => undefined);
    await replacing;
    await this.recomputeAll();
  }

  /**
   * The room's new warnings were put in front of the user (in an extension page, or in a
   * visible tab as the banner or badges): stamp when they were first shown, as the ledger's
   * `warnedAt`. With `userIds`, only the warnings about those members were shown; `place` says
   * where, for the trust history.
   */
  async markWarned(roomId: string, userIds?: ReadonlySet<string>, place?: WarnedPlace): Promise<void> {
    await this.inRoomQueue(roomId, async () => {
      const entries = await this.ledgerFor(roomId);
      const policy = this.options.policy();
      const shown = (entry: LedgerEntry) => isNewWarning(entry, policy) && (userIds === undefined || userIds.has(entry.userId));
      await this.persist(roomId, markWarned(entries, shown, this.options.now()), place);
    });
  }

  /** These users' facts are stale (after an action on them); their rooms are recomputed. */
  refreshUsers(userIds: string[]): void {
    this.noteChange({ kind: 'users', userIds });
  }

  /** Everything cached is stale (e.g. the policy changed). */
  async recomputeAll(): Promise<void> {
    const rooms = [...this.reports.keys()];
    await Promise.all(rooms.map((roomId) => this.recompute(roomId).catch(() => undefined)));
  }

  stop(): void {
    this.stopListening();
    this.listeners.clear();
  }

  /**
   * At most one computation per room runs and one more waits: a change that arrives while one
   * waits is covered by it, so a burst of key updates in a big room costs two passes, not one
   * pass per update.
   */
  private recompute(roomId: string, scope: Scope = 'all'): Promise<RoomTrustReport> {
    const waitingScope = this.waitingScopes.get(roomId);
    this.waitingScopes.set(roomId, waitingScope === 'all' || scope === 'all' ? 'all' : new Set([...(waitingScope ?? []), ...scope]));
    const waiting = this.waitingRecomputes.get(roomId);
    if (waiting) return waiting;
    const next = this.inRoomQueue(roomId, () => {
      const taken = this.waitingScopes.get(roomId) ?? 'all';
      this.waitingScopes.delete(roomId);
      this.waitingRecomputes.delete(roomId);
      return this.compute(roomId, taken);
    });
    this.waitingRecomputes.set(roomId, next);
    return next;
  }

  /**
   * The room's report, from scratch (`all`) or, when only some members changed and a report of
   * the same room exists, by refreshing just their part: one new device in a room of thousands
   * costs that member, not the room.
   */
  private async compute(roomId: string, scope: Scope = 'all'): Promise<RoomTrustReport> {
    const room = this.options.facts.roomFacts(roomId);
    if (!room) {
      this.reports.delete(roomId);
      throw new UnknownRoomError(roomId);
    }
    const previous = this.reports.get(roomId);
    const only = scope !== 'all' && previous !== undefined ? scope : undefined;
    const looked = only === undefined ? room.members.map((member) => member.userId) : [...only];
    await this.learnUsers(looked);
    const users = new Map<string, UserFacts>();
    for (const userId of looked) {
      const facts = this.users.get(userId);
      if (facts) users.set(userId, facts);
    }
    const checks = new Map<string, DeviceListCheck>();
    for (const userId of looked) {
      const check = this.options.facts.deviceListCheck(userId);
      if (check) checks.set(userId, check);
    }
    const { ownDeviceId } = this.options.facts;
    const now = this.options.now();
    const policy = this.options.policy();
    const entries = await this.ledgerFor(roomId);
    const observed = this.withAcknowledgedElsewhere(
      observeRoom(entries, observationsFor({ room, users, checks, ownDeviceId }, only), now),
      policy,
    );
    await this.persist(roomId, observed);
    const inputs = { room, users, checks, ledger: observed.entries, ownDeviceId, policy, now, identities: this.identities.current };
    const report =
      only === undefined || previous === undefined ? buildRoomTrustReport(inputs) : refreshRoomTrustReport(previous, only, inputs);
    this.reports.set(roomId, report);
    for (const listener of this.listeners) listener(report);
    return report;
  }

  /**
   * Asks the crypto, in one batch, about the users among these it has no facts for yet, and
   * waits for those another room is already asking about rather than asking twice.
   */
  private async learnUsers(userIds: readonly string[]): Promise<void> {
    const unknown = userIds.filter((userId) => !this.users.has(userId));
    const toAsk = unknown.filter((userId) => !this.askingUsers.has(userId));
    if (toAsk.length > 0) {
      const startedAt = this.invalidations;
      const asking = Promise.all([this.options.facts.usersFacts(toAsk), this.identities.loaded]).then(([facts]) => {
        // Facts asked for before a user was invalidated may be stale: keep only the others.
        const kept: UserFacts[] = [];
        for (const [userId, userFacts] of facts) {
          if ((this.invalidatedAt.get(userId) ?? -1) <= startedAt && this.everyoneInvalidatedAt <= startedAt) {
            this.users.set(userId, userFacts);
            kept.push(userFacts);
          }
        }
        // Our own identity replaced: whom we had verified is now explained by it, in every room.
        if (this.identities.remember(kept)) this.noteChange({ kind: 'rooms', roomIds: [...this.reports.keys()] });
      });
      const settled = asking.finally(() => {
        for (const userId of toAsk) this.askingUsers.delete(userId);
      });
      for (const userId of toAsk) this.askingUsers.set(userId, settled);
    }
    await Promise.all(new Set(unknown.map((userId) => this.askingUsers.get(userId)).filter((p) => p !== undefined)));
  }

  private async ledgerFor(roomId: string): Promise<LedgerEntry[]> {
    const cached = this.ledgers.get(roomId);
    if (cached) return cached;
    const loaded = await this.options.ledger.entriesForRoom(roomId);
    this.ledgers.set(roomId, loaded);
    return loaded;
  }

  /** Acknowledgements from the user's other browsers on top of an observation; a later put of the same entry wins. */
  private withAcknowledgedElsewhere(observed: LedgerChange, policy: Policy): LedgerChange {
    const elsewhere = this.options.acknowledgedElsewhere?.();
    if (elsewhere === undefined || elsewhere.size === 0) return observed;
    const applied = applyToLedger(observed.entries, elsewhere, policy);
    // One version per entry, the applied one last: the history compares each with the one before.
    const changed = new Map([...observed.changed, ...applied.changed].map((entry) => [ledgerKeyOf(entry), entry]));
    return { entries: applied.entries, changed: [...changed.values()] };
  }

  /**
   * Writes the changes, with the history events they stand for, first, then updates the cache:
   * a failed write leaves both as they were.
   */
  private async persist(roomId: string, change: LedgerChange, place?: WarnedPlace): Promise<void> {
    if (change.changed.length > 0) {
      const before = this.ledgers.get(roomId) ?? [];
      const context = { now: this.options.now(), ...place, names: this.namesIn(roomId) };
      await this.options.ledger.write(change.changed, historyOfLedgerChange(before, change, context));
    }
    this.ledgers.set(roomId, change.entries);
  }

  /** The names the network gives now, for the history's events (labels only, checked when shown). */
  private namesIn(roomId: string): HistoryNames {
    const room = this.options.facts.roomFacts(roomId);
    return {
      roomName: room?.name,
      userName: (userId) => room?.members.find((member) => member.userId === userId)?.displayName,
      deviceName: (userId, deviceId) => this.users.get(userId)?.devices.find((device) => device.deviceId === deviceId)?.displayName,
    };
  }

  private inRoomQueue<T>(roomId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.roomQueues.get(roomId) ?? Promise.resolve();
    const afterImport = async () => {
      await this.ledgerReplaced;
      return work();
    };
    const next = previous.then(afterImport, afterImport);
    this.roomQueues.set(
      roomId,
      next.catch(() => undefined),
    );
    return next;
  }

  /**
   * Events come in bursts (one sync can update hundreds of users), so changes are collected and
   * handled together on the next turn of the event loop.
   */
  private noteChange(change: FactsChange): void {
    if (!this.dirty) {
      this.dirty = { users: new Set(), checks: new Set(), rooms: new Set(), everyone: false };
      setTimeout(() => void this.applyChanges(), 0);
    }
    const dirty = this.dirty;
    if (change.kind === 'everyone') dirty.everyone = true;
    else if (change.kind === 'users') for (const userId of change.userIds) dirty.users.add(userId);
    else if (change.kind === 'checks') for (const userId of change.userIds) dirty.checks.add(userId);
    else for (const roomId of change.roomIds) dirty.rooms.add(roomId);
  }

  private async applyChanges(): Promise<void> {
    const dirty = this.dirty;
    this.dirty = undefined;
    if (!dirty) return;
    this.invalidations += 1;
    if (dirty.everyone) {
      this.users.clear();
      this.everyoneInvalidatedAt = this.invalidations;
    }
    for (const userId of dirty.users) {
      this.users.delete(userId);
      this.invalidatedAt.set(userId, this.invalidations);
    }
    const work: Promise<unknown>[] = [];
    for (const roomId of dirty.rooms) work.push(this.recompute(roomId, 'all'));
    // Rooms with a report, and rooms whose first report is being computed right now: a change
    // that lands while it runs must not be lost.
    for (const roomId of new Set([...this.reports.keys(), ...this.roomQueues.keys()])) {
      if (dirty.rooms.has(roomId)) continue;
      if (dirty.everyone) {
        work.push(this.recompute(roomId, 'all'));
        continue;
      }
      // A changed check alone needs no new facts: the report is redone for those members, at once.
      const members = this.membersAmong(roomId, new Set([...dirty.users, ...dirty.checks]));
      if (members.size > 0) work.push(this.recompute(roomId, members));
    }
    await Promise.all(work.map((job) => job.catch(() => undefined)));
  }

  /** Which of `userIds` are members of the room. */
  private membersAmong(roomId: string, userIds: ReadonlySet<string>): Set<string> {
    if (userIds.size === 0) return new Set();
    const room = this.options.facts.roomFacts(roomId);
    return new Set(room?.members.filter((member) => userIds.has(member.userId)).map((member) => member.userId) ?? []);
  }
}

export class UnknownRoomError extends Error {
  override name = 'UnknownRoomError';
  constructor(readonly roomId: string) {
    super(t('errNotJoinedRoom'));
  }
}
