import type { RoomRef } from '../clients/clientAdapter';
import { UserFacingError } from '../errors';
import type { HistoryStore } from '../storage/historyStore';
import type { LedgerStore } from '../storage/ledgerStore';
import type { RecordStore } from '../storage/recordStore';
import { exportLedger, type LedgerRefusal, mergeLedgers, parseLedgerDocument } from '../trust/ledgerDocument';
import { overviewOf, type TrustOverview } from '../trust/trustOverview';
import type { Policy, RoomTrustReport } from '../trust/types';
import type { ShownDevice } from '../trust/warnedDeviceLedger';
import type { AccountRuntime } from './accountRuntime';
import type { BackgroundRecords } from './backgroundRecords';
import type { StatusStore } from './statusStore';
import { UnknownRoomError, type WarnedPlace } from './trustEngine';
import { historyEvent } from '../trust/trustHistory';
import { DisagreementLog } from './disagreementLog';
import type { ShieldPlace } from '../model/pageShield';
import { type DisagreementRecord } from '../trust/pageDisagreement';
import { memberBadges } from '../trust/pageWarnings';
import { t } from '../text/i18n';

export interface AccountRoomsDeps {
  /** The signed-in account, if any (it changes with every sign-in and sign-out). */
  runtime: () => AccountRuntime | undefined;
  ledger: LedgerStore;
  /** The trust history: pins, withdrawals and disagreements are appended to it. */
  history: HistoryStore;
  records: RecordStore<BackgroundRecords>;
  status: StatusStore;
  now: () => number;
  /** Something every room's overview depends on changed. */
  onChanged: () => void;
  /** The user acknowledged or accepted something: shared with their other browsers. */
  onDecision?: (decision: { kind: 'acknowledged' } | { kind: 'pinned'; userId: string; masterKey: string }) => void;
}

/**
 * The trust questions and decisions the pages bring, for the signed-in account: room reports,
 * warnings shown and acknowledged, identities accepted, the policy, the ledger file.
 */
export class AccountRooms {
  private readonly disagreementLog: DisagreementLog;

  constructor(private readonly deps: AccountRoomsDeps) {
    this.disagreementLog = new DisagreementLog(deps.records, deps.now, (events) => deps.history.append(events));
  }

  async overview(): Promise<TrustOverview> {
    return overviewOf(await this.requireRuntime().engine.allReports());
  }

  /** A joined room's report. */
  async report(roomId: string): Promise<RoomTrustReport> {
    try {
      return await this.requireRuntime().engine.report(roomId);
    } catch (error) {
      if (error instanceof UnknownRoomError) throw new UserFacingError(error.message);
      throw error;
    }
  }

  /**
   * The room's new warnings were put in front of the user (an extension page showed the room,
   * or a visible tab placed its banner or badges): stamp them as shown. With `userIds`, only
   * the warnings about those members were; `place` says where, for the trust history.
   */
  async markWarned(roomId: string, userIds?: ReadonlySet<string>, place?: WarnedPlace): Promise<void> {
    await this.deps.runtime()?.engine.markWarned(roomId, userIds, place);
  }

  /**
   * A browser notification named these members of the room: their warnings were put in front
   * of the user there, as the history's "warned by a notification". (Whether the system showed
   * it is the system's business; the ledger's warnedAt only dates the first telling.)
   */
  noteNotified(roomId: string, userIds: readonly string[]): Promise<void> {
    return this.markWarned(roomId, new Set(userIds), { where: 'notification' });
  }

  /**
   * A page showed these members as trusted (its own shields) while it showed our warnings about
   * them. Only members we do warn about in the room now are recorded: the page's word decides
   * nothing, and it cannot fill the record with people we have nothing against.
   */
  async noteDisagreements(roomId: string, client: string, users: readonly { userId: string; places: ShieldPlace[] }[]): Promise<number> {
    const badges = memberBadges(await this.report(roomId));
    const warned = users.filter(({ userId }) => {
      const severity = badges.get(userId)?.severity;
      return severity === 'warn' || severity === 'critical';
    });
    if (warned.length > 0) await this.disagreementLog.note({ roomId, client, users: warned });
    return warned.length;
  }

  /** What pages showed as trusted in this room while we warned, for the popup's room view. */
  disagreements(roomId: string): Promise<DisagreementRecord[]> {
    return this.disagreementLog.inRoom(roomId);
  }

  /** Forgets every recorded disagreement (the account signed out). */
  forgetDisagreements(): Promise<void> {
    return this.disagreementLog.clear();
  }

  /** The room a page shows, as a joined room id; undefined when the account is not in it. */
  joinedRoomFor(room: RoomRef): Promise<string | undefined> {
    return this.requireRuntime().device.rooms.joinedRoom(room);
  }

  /** Acknowledges exactly the devices (and keys) the user was shown in the room. */
  async acknowledge(roomId: string, devices: readonly ShownDevice[]): Promise<RoomTrustReport> {
    const report = await this.requireRuntime().engine.acknowledge(roomId, devices);
    this.deps.onDecision?.({ kind: 'acknowledged' });
    return report;
  }

  /**
   * Accepts a user's new identity ("I know they reset it"), as Element's Dismiss does: the one
   * whose master key the user was shown, never one that replaced it since.
   */
  async pinIdentity(userId: string, masterKey: string): Promise<void> {
    const runtime = this.requireRuntime();
    await requireShownIdentity(runtime, userId, masterKey);
    await runtime.device.identities.pin(userId);
    runtime.engine.refreshUsers([userId]);
    await this.deps.history.append([historyEvent({ kind: 'identity-pinned', at: this.deps.now(), userId, masterKey })]);
    this.deps.onDecision?.({ kind: 'pinned', userId, masterKey });
  }

  /** Stops requiring the identity we once verified, for the new identity the user was shown. */
  async withdrawVerification(userId: string, masterKey: string): Promise<void> {
    const runtime = this.requireRuntime();
    await requireShownIdentity(runtime, userId, masterKey);
    await runtime.device.identities.withdrawVerification(userId);
    runtime.engine.refreshUsers([userId]);
    await this.deps.history.append([historyEvent({ kind: 'verification-withdrawn', at: this.deps.now(), userId, masterKey })]);
  }

  async setPolicy(policy: Policy): Promise<void> {
    await this.deps.records.put('settings', { policy });
    this.deps.status.setPolicy(policy);
    await this.deps.runtime()?.engine.recomputeAll();
    this.deps.onChanged();
  }

  /** Imports a ledger file, merged into the current ledger; never loses an entry. */
  async importLedger(json: string): Promise<number> {
    const parsed = parseLedgerDocument(json);
    if (!parsed.ok) throw new UserFacingError(t('errLedgerImport', describeRefusal(parsed.refusal)));
    let count = 0;
    const replace = async () => {
      const merged = mergeLedgers(await this.deps.ledger.allEntries(), parsed.entries);
      await this.deps.ledger.replaceAll(merged);
      count = merged.length;
    };
    const runtime = this.deps.runtime();
    await (runtime ? runtime.engine.replaceLedger(replace) : replace());
    return count;
  }

  async exportLedger(): Promise<string> {
    return exportLedger(await this.deps.ledger.allEntries(), this.deps.now());
  }

  private requireRuntime(): AccountRuntime {
    const runtime = this.deps.runtime();
    if (!runtime) throw new UserFacingError(t('errNotSignedIn'));
    return runtime;
  }
}

/** Refuses when the identity changed again after the page showed it (the user saw another). */
async function requireShownIdentity(runtime: AccountRuntime, userId: string, masterKey: string): Promise<void> {
  const current = await runtime.device.identities.currentMasterKey(userId);
  if (current !== masterKey) {
    runtime.engine.refreshUsers([userId]);
    throw new UserFacingError(t('errIdentityChangedAgain'));
  }
}

/** Why a history file was refused, in the user's words. */
function describeRefusal(refusal: LedgerRefusal): string {
  switch (refusal.code) {
    case 'not-json':
      return t('ledgerRefusedNotJson');
    case 'not-an-export':
      return t('ledgerRefusedNotAnExport');
    case 'no-version':
    case 'bad-document':
      return t('ledgerRefusedDamaged');
    case 'newer-version':
      return t('ledgerRefusedNewer');
    case 'too-many-entries':
      return t('ledgerRefusedTooMany', String(refusal.max));
    case 'bad-entry':
      return t('ledgerRefusedBadEntry', String(refusal.entry));
    case 'repeated-entry':
      return t('ledgerRefusedRepeatedEntry', String(refusal.entry));
  }
}
