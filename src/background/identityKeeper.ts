import { createLogger, errorSummary } from '../log';
import { emptyIdentityMemory, type IdentityMemory, observeIdentities } from '../trust/identityMemory';
import { type HistoryEvent, historyOfIdentityChange } from '../trust/trustHistory';
import type { UserFacts } from '../trust/types';

const log = createLogger('trust');

/** Where the identity memory lives (a background record in the extension); public keys and times only. */
export interface IdentityMemoryPersistence {
  load(): Promise<IdentityMemory | undefined>;
  save(memory: IdentityMemory): Promise<void>;
}

/**
 * The trust engine's identity memory (src/trust/identityMemory.ts): loaded once, before the
 * first facts are looked at, and written back when it changes. A failed read starts from
 * nothing and a failed write keeps the memory in use; both are logged.
 */
export class IdentityKeeper {
  private memory: IdentityMemory = emptyIdentityMemory();
  /** Resolves once what was kept has been read (or could not be). */
  readonly loaded: Promise<void>;
  private saved: Promise<void> = Promise.resolve();
  private saveWaiting = false;

  /** Without `store`, identities are remembered only while the engine runs. */
  constructor(
    private readonly store: IdentityMemoryPersistence | undefined,
    private readonly now: () => number,
    /** Told of identity changes (ours reset, a contact's changed), for the trust history. */
    private readonly onHistory: (events: HistoryEvent[]) => Promise<void> | undefined = () => undefined,
  ) {
    this.loaded = (store?.load() ?? Promise.resolve(undefined)).then(
      (loaded) => {
        if (loaded) this.memory = loaded;
      },
      (error: unknown) => log.warn('identity memory not read', { error: errorSummary(error) }),
    );
  }

  get current(): IdentityMemory {
    return this.memory;
  }

  /**
   * Notes the identities just learnt, and writes the memory back if that changed it. True when
   * our own identity was replaced: every member's cause may depend on that.
   */
  remember(users: readonly UserFacts[]): boolean {
    const { memory, changed } = observeIdentities(this.memory, users, this.now());
    if (!changed) return false;
    const ownReplaced = memory.own?.replaced !== this.memory.own?.replaced;
    this.tellHistory(historyOfIdentityChange(this.memory, memory));
    this.memory = memory;
    const store = this.store;
    // One write running and one waiting at most: the waiting one writes whatever is newest when
    // it starts (a big room's first facts come in many batches; the record grows with contacts).
    if (store !== undefined && !this.saveWaiting) this.save(store);
    return ownReplaced;
  }

  private tellHistory(events: HistoryEvent[]): void {
    if (events.length === 0) return;
    void Promise.resolve(this.onHistory(events)).catch((error: unknown) =>
      log.warn('identity change not written to the history', { error: errorSummary(error) }),
    );
  }

  private save(store: IdentityMemoryPersistence): void {
    this.saveWaiting = true;
    this.saved = this.saved
      .then(() => {
        this.saveWaiting = false;
        return store.save(this.memory);
      })
      .catch((error: unknown) => log.warn('identity memory not kept', { error: errorSummary(error) }));
  }
}
