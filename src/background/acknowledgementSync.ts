import { createLogger, errorSummary } from '../log';
import type { AcknowledgementSyncStatus } from '../messaging/protocol';
import {
  fromBase64,
  newSyncKey,
  openAcknowledgements,
  sealAcknowledgements,
  sealedUnderAnotherKey,
  type SealContext,
  toBase64,
} from '../storage/acknowledgementSeal';
import {
  type AcknowledgedElsewhere,
  boundedForWrite,
  emptySynced,
  holdsAll,
  indexAcknowledgements,
  mergeSynced,
  type SyncedAcknowledgement,
  type SyncedAcknowledgements,
  type SyncedPin,
} from '../trust/syncedAcknowledgements';
import type { RoomTrustReport } from '../trust/types';
import { ACKNOWLEDGEMENTS_EVENT_TYPE, type AcknowledgementChannel, type OpenSecret } from './ports/acknowledgementChannel';

const log = createLogger('ack-sync');

/** The sync key's name in this browser's SecretVault. */
const SEALED_KEY_NAME = 'acknowledgement-sync-key';
/** Decisions come in bursts (a room's warnings acknowledged, then another's): one write per burst. */
const WRITE_DELAY_MS = 300;

export interface AcknowledgementSyncDeps {
  userId: string;
  channel: AcknowledgementChannel;
  /** Where the sync key is kept sealed in this browser. */
  vault: {
    seal(name: string, plaintext: Uint8Array<ArrayBuffer>): Promise<void>;
    unseal(name: string): Promise<Uint8Array<ArrayBuffer> | undefined>;
    remove(name: string): Promise<void>;
  };
  /** Every acknowledgement in this browser's ledger. */
  localAcknowledgements: () => Promise<SyncedAcknowledgement[]>;
  /** The pins made in this browser (kept as a background record). */
  localPins: { load(): Promise<SyncedPin[]>; save(pins: SyncedPin[]): Promise<void> };
  /** The synced acknowledgements changed: reports are computed again (the engine applies them). */
  recompute: () => Promise<void>;
  onStatus: (status: AcknowledgementSyncStatus) => void;
  now: () => number;
}

/**
 * The user's acknowledgements and pins, shared with their other browsers through one account
 * data event, sealed with a key from the account's secret storage (README, "Acknowledgements
 * across browsers"). Without that key in this browser, nothing is read or written.
 *
 * Trust in what comes back: only a document that decrypts and validates is used, and it is
 * only ever added to what this browser holds (a union). A damaged one is refused and left as
 * it is until this browser has a decision of its own to write. The server can delete or replay
 * an older copy: that only takes acknowledgements away, and every browser that holds them
 * writes the union back when it sees a copy without them.
 */
export class AcknowledgementSync {
  private key: Uint8Array<ArrayBuffer> | undefined;
  private synced: SyncedAcknowledgements = emptySynced();
  private index: AcknowledgedElsewhere = new Map();
  private writeTimer: ReturnType<typeof setTimeout> | undefined;
  private stopListening: (() => void) | undefined;
  private stopped = false;
  /** Reads and writes one at a time, so a merge never works on a copy another write replaced. */
  private queue: Promise<void> = Promise.resolve();
  private readonly context: SealContext;
  /** Pins from elsewhere already tried here (once each: a refused one is not tried in a loop). */
  private readonly pinsTried = new Set<string>();
  private status: AcknowledgementSyncStatus | undefined;

  constructor(private readonly deps: AcknowledgementSyncDeps) {
    this.context = { eventType: ACKNOWLEDGEMENTS_EVENT_TYPE, userId: deps.userId };
  }

  /** Acknowledgements made in the user's other browsers, by ledger key, for the engine. */
  get acknowledgedElsewhere(): AcknowledgedElsewhere {
    return this.index;
  }

  async start(): Promise<void> {
    this.deps.channel.onSecretStorageOpen((secret) => this.adoptKey(secret));
    this.stopListening = this.deps.channel.onChange(() => void this.inQueue(() => this.pull()));
    this.key = await this.deps.vault.unseal(SEALED_KEY_NAME).catch(() => undefined);
    if (this.key === undefined) {
      this.publish({ state: 'off' });
      return;
    }
    await this.inQueue(() => this.pull());
  }

  /** Whether the user accepted exactly this identity of theirs in another browser (or here). */
  pinned(userId: string, masterKey: string): boolean {
    return this.synced.pins.some((pin) => pin.userId === userId && pin.masterKey === masterKey);
  }

  /**
   * The identities in this report the user accepted elsewhere and that still need accepting
   * here: only the very master key the user accepted, never another identity of the same person.
   */
  pinsToApply(report: RoomTrustReport): { userId: string; masterKey: string }[] {
    return report.members.flatMap(({ userId, identity, masterKey }) => {
      if (identity !== 'identity-changed' || masterKey === undefined || !this.pinned(userId, masterKey)) return [];
      const tried = `${userId}\n${masterKey}`;
      if (this.pinsTried.has(tried)) return [];
      this.pinsTried.add(tried);
      return [{ userId, masterKey }];
    });
  }

  /** The user acknowledged warnings here: shared soon after. */
  noteAcknowledged(): void {
    this.scheduleWrite();
  }

  /** The user accepted this identity here: remembered, and shared soon after. */
  async notePinned(userId: string, masterKey: string): Promise<void> {
    if (this.pinned(userId, masterKey)) return;
    const pins = await this.deps.localPins.load();
    await this.deps.localPins.save([...pins, { userId, masterKey, pinnedAt: this.deps.now() }]);
    this.scheduleWrite();
  }

  /** Writes what is pending now (tests, and before a stop); resolves when the queue is idle. */
  flush(): Promise<void> {
    if (this.writeTimer !== undefined) {
      clearTimeout(this.writeTimer);
      this.writeTimer = undefined;
      return this.inQueue(() => this.push());
    }
    return this.inQueue(() => Promise.resolve());
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.writeTimer);
    this.stopListening?.();
    this.key?.fill(0);
    this.key = undefined;
  }

  /** Sign-out: this browser forgets the key. The account data stays: it belongs to the account. */
  async forget(): Promise<void> {
    this.stop();
    await this.deps.vault.remove(SEALED_KEY_NAME);
  }

  /**
   * A recovery flow opened secret storage: the account's sync key, made and stored there the
   * first time, is kept here; then this browser shares what it holds. A stored key that does
   * not read back is an error, never replaced by a new one (the server could cause that).
   */
  private async adoptKey(secret: OpenSecret): Promise<void> {
    const stored = await secret.get();
    let key: Uint8Array<ArrayBuffer>;
    if (stored === undefined) {
      key = newSyncKey();
      await secret.store(toBase64(key));
    } else {
      key = fromBase64(stored);
      if (key.length !== 32) throw new Error('the stored sync key is not 32 bytes');
    }
    await this.deps.vault.seal(SEALED_KEY_NAME, key);
    this.key = key;
    // Just read from secret storage, this key is the account's current one: a copy under
    // another key is outdated (recovery was set up anew), and nobody unlocking from now on could
    // read it. Its acknowledgements live on in the ledgers that made them, which merge them back.
    await this.inQueue(() => this.push({ currentKey: true }));
  }

  /** Reads the account's copy; writes the union back when it lacks something this browser holds. */
  private async pull(): Promise<void> {
    const key = this.key;
    if (key === undefined) return;
    const read = await this.readValid(key);
    if (read === 'failed') return;
    const local = await this.localDecisions();
    if (read === 'rejected' || read === 'other-key') {
      await this.absorb(local);
      return;
    }
    const all = await this.absorb(mergeSynced(read ?? emptySynced(), local));
    // Compared as it would be written: what the bounds leave out is never written back again.
    if (read === undefined || !holdsAll(read, boundedForWrite(all))) await this.write(key, all);
    else this.publishSynced();
  }

  /**
   * Merge before write: the account's copy (when it opens), this browser's decisions and all it
   * learnt before. A damaged copy is replaced here, and only here: a decision of the user's.
   */
  private async push({ currentKey = false } = {}): Promise<void> {
    const key = this.key;
    if (key === undefined) return;
    const read = await this.readValid(key);
    // Under another key, the copy is most likely a newer one (recovery set up anew elsewhere):
    // this browser's old key must not write over it; unlocking again brings the new key.
    if (read === 'failed' || (read === 'other-key' && !currentKey)) return;
    const remote = typeof read === 'string' || read === undefined ? emptySynced() : read;
    const all = await this.absorb(mergeSynced(remote, await this.localDecisions()));
    await this.write(key, all);
  }

  /** The account's copy: undefined when there is none; 'rejected', 'other-key' and 'failed' are published. */
  private async readValid(key: Uint8Array<ArrayBuffer>): Promise<SyncedAcknowledgements | undefined | 'rejected' | 'other-key' | 'failed'> {
    // The first read says so; later ones (every echo of a write) keep the last outcome on screen.
    if (this.status === undefined || this.status.state === 'off') this.publish({ state: 'syncing' });
    let content: unknown;
    try {
      content = await this.deps.channel.read();
    } catch (error) {
      log.warn('synced acknowledgements not read', { error: errorSummary(error) });
      this.publish({ state: 'error', at: this.deps.now() });
      return 'failed';
    }
    if (content === null || content === undefined) return undefined;
    const opened = await openAcknowledgements(content, key, this.context);
    if (opened !== undefined) return opened;
    if (await sealedUnderAnotherKey(content, key)) {
      log.warn('synced acknowledgements sealed under another sync key');
      this.publish({ state: 'other-key', at: this.deps.now() });
      return 'other-key';
    }
    log.warn('synced acknowledgements refused: they do not decrypt or validate');
    this.publish({ state: 'rejected', at: this.deps.now() });
    return 'rejected';
  }

  private async write(key: Uint8Array<ArrayBuffer>, all: SyncedAcknowledgements): Promise<void> {
    try {
      await this.deps.channel.write({ ...(await sealAcknowledgements(boundedForWrite(all), key, this.context)) });
      this.publishSynced();
    } catch (error) {
      log.warn('synced acknowledgements not written', { error: errorSummary(error) });
      this.publish({ state: 'error', at: this.deps.now() });
    }
  }

  private async localDecisions(): Promise<SyncedAcknowledgements> {
    const [acknowledgements, pins] = await Promise.all([this.deps.localAcknowledgements(), this.deps.localPins.load()]);
    return { version: 1, acknowledgements, pins };
  }

  /** Adds to what this browser holds (never takes away); reports are computed again when that changed anything. */
  private async absorb(more: SyncedAcknowledgements): Promise<SyncedAcknowledgements> {
    const before = this.synced;
    this.synced = mergeSynced(before, more);
    if (!holdsAll(before, this.synced)) {
      this.index = indexAcknowledgements(this.synced);
      await this.deps.recompute();
    }
    return this.synced;
  }

  private scheduleWrite(): void {
    if (this.key === undefined || this.stopped) return;
    clearTimeout(this.writeTimer);
    this.writeTimer = setTimeout(() => {
      this.writeTimer = undefined;
      void this.inQueue(() => this.push());
    }, WRITE_DELAY_MS);
  }

  private inQueue(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(async () => {
      if (!this.stopped) await work();
    });
    this.queue = next.catch((error: unknown) => log.warn('acknowledgement sync failed', { error: errorSummary(error) }));
    return this.queue;
  }

  private publishSynced(): void {
    this.publish({ state: 'synced', at: this.deps.now(), acknowledgements: this.synced.acknowledgements.length });
  }

  private publish(status: AcknowledgementSyncStatus): void {
    if (this.stopped) return;
    this.status = status;
    this.deps.onStatus(status);
  }
}
