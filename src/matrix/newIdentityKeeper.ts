import type { CryptoApi } from 'matrix-js-sdk/lib/crypto-api/index.js';
import { createLogger, errorSummary } from '../log';

const log = createLogger('identity-reset');

/**
 * How long after a reset an answer to a key query sent before it may still arrive: longer than
 * the SDK lets a request to the homeserver run.
 */
export const NEW_IDENTITY_GUARD_MS = 120_000;

/** What the SDK's exportSecretsBundle answers (matrix-js-sdk does not ship the type's file). */
interface SecretsBundle {
  cross_signing: { master_key: string; self_signing_key: string; user_signing_key: string };
  backup?: { algorithm: string; key: string; backup_version: string };
}

export interface NewIdentityKeeperDeps {
  crypto: Pick<CryptoApi, 'getCrossSigningStatus' | 'getCrossSigningKeyId'> & {
    exportSecretsBundle?(): Promise<SecretsBundle>;
    importSecretsBundle?(secrets: SecretsBundle): Promise<void>;
  };
  /** The account's master key as the server has it now (a direct query, not the crypto store's copy). */
  serverMasterKey: () => Promise<string | undefined>;
  /** Calls `listener` whenever the crypto store's copy of the account's own identity changes; returns the unsubscribe. */
  onOwnIdentityChange: (listener: () => void) => () => void;
  setTimer?: (run: () => void, ms: number) => unknown;
}

/**
 * Keeps the private keys of an identity this device has just made until no older answer can
 * take them away.
 *
 * matrix-sdk-crypto drops the account's private cross-signing keys when a key query's answer
 * names another master key than theirs. An answer to a query sent before the reset's upload
 * names the old identity; processed after the reset made its keys, it took them: the new
 * identity was on the server, and neither this device nor secret storage (a reset leaves it
 * unset) held its private keys. Seen under load in accountPage.test.ts. So the keys are
 * exported as they are made (before their upload) and, while the guard lasts, imported again
 * whenever they are gone and the server still has that very identity; never when the server
 * has another (the user may have reset again elsewhere). Held in this process's memory only.
 */
export class NewIdentityKeeper {
  private kept: { bundle: SecretsBundle; masterKey: string } | undefined;
  private stopListening: (() => void) | undefined;
  private checking: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: NewIdentityKeeperDeps,
    private readonly onDiscard: () => void = () => undefined,
  ) {}

  /**
   * The new keys exist and are about to be uploaded: keep a copy. 'gone' when an older answer
   * took them already (the identity must not be uploaded then: nobody would hold its keys).
   */
  async capture(): Promise<'kept' | 'gone' | 'not-kept'> {
    const { crypto } = this.deps;
    this.kept = undefined;
    if (!(await this.keysHeld())) return 'gone';
    try {
      const masterKey = await crypto.getCrossSigningKeyId();
      const bundle = await crypto.exportSecretsBundle?.();
      if (masterKey === null || bundle === undefined) return 'not-kept';
      this.kept = { bundle, masterKey };
      return 'kept';
    } catch (error) {
      log.warn('the new identity could not be kept', { error: errorSummary(error) });
      return 'not-kept';
    }
  }

  /** The upload succeeded: restore the keys if an older answer takes them, until the guard ends. */
  guard(): void {
    if (!this.kept) {
      this.discard();
      return;
    }
    this.stopListening = this.deps.onOwnIdentityChange(() => void this.check());
    (this.deps.setTimer ?? setTimeout)(() => this.discard(), NEW_IDENTITY_GUARD_MS);
    void this.check();
  }

  /** The reset did not happen, or the guard is over: forget the keys. */
  discard(): void {
    this.stopListening?.();
    this.stopListening = undefined;
    this.kept = undefined;
    this.onDiscard();
  }

  /** One check at a time, in the order the changes came. */
  check(): Promise<void> {
    this.checking = this.checking.then(() => this.restoreIfTaken());
    return this.checking;
  }

  /** Whether this device holds all three private keys of the account's identity now. */
  private async keysHeld(): Promise<boolean> {
    const { privateKeysCachedLocally } = await this.deps.crypto.getCrossSigningStatus();
    return Object.values(privateKeysCachedLocally).every(Boolean);
  }

  private async restoreIfTaken(): Promise<void> {
    const kept = this.kept;
    if (!kept) return;
    const { crypto, serverMasterKey } = this.deps;
    try {
      if (await this.keysHeld()) return;
      if ((await serverMasterKey()) !== kept.masterKey) return;
      await crypto.importSecretsBundle?.(kept.bundle);
      log.info('restored the new identity an older key query had taken away');
    } catch (error) {
      log.warn('could not check the new identity', { error: errorSummary(error) });
    }
  }
}

/** The keepers of one session: stopping it (sign-out) forgets every kept key at once, not at the end of its guard. */
export class NewIdentityKeepers {
  private readonly live = new Set<NewIdentityKeeper>();

  add(deps: NewIdentityKeeperDeps): NewIdentityKeeper {
    const keeper: NewIdentityKeeper = new NewIdentityKeeper(deps, () => this.live.delete(keeper));
    this.live.add(keeper);
    return keeper;
  }

  get size(): number {
    return this.live.size;
  }

  discardAll(): void {
    for (const keeper of [...this.live]) keeper.discard();
  }
}
