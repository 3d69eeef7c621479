import { UserFacingError } from '../errors';
import { createLogger, errorSummary } from '../log';
import { ApprovalRequired, PasswordRequired, WrongPassword } from '../matrix/passwordAuth';
import type { RecoveryFlowView } from '../messaging/protocol';
import type { NewRecoveryKey, RecoveryCrypto } from './ports/recovery';
import { t } from '../text/i18n';

const log = createLogger('recovery');

/** A new recovery key waits this long, in memory only, for the user to confirm it. */
export const KEY_LIFETIME_MS = 10 * 60_000;

interface PendingKey {
  generated: NewRecoveryKey;
  passphrase?: string;
  reset: boolean;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Setting up recovery (a new recovery key, secret storage, cross-signing, key backup),
 * unlocking this device with an existing key, and resetting the identity, as a flow that lives
 * in the background: the popup may close at any moment (a password manager, a download dialog),
 * and nothing is uploaded until the user has typed the new key back.
 */
export class RecoveryFlow {
  private view: RecoveryFlowView = { step: 'idle' };
  private pending: PendingKey | undefined;
  private busy = false;

  constructor(
    private readonly crypto: RecoveryCrypto,
    private readonly now: () => number,
    private readonly onChange: (view: RecoveryFlowView) => void,
  ) {}

  get current(): RecoveryFlowView {
    return this.view;
  }

  /**
   * Makes a new recovery key (from the passphrase when one is given) and returns it encoded for
   * display. It stays in memory for KEY_LIFETIME_MS at most; nothing reaches the server yet.
   */
  async start(options: { passphrase?: string; reset: boolean }): Promise<string> {
    this.refuseWhileBusy();
    const identity = await this.crypto.identity();
    if (identity.onServer && !identity.heldHere) {
      throw new UserFacingError(t('errRecoveryVerifyFirst'));
    }
    const generated = await this.crypto.createKey(options.passphrase);
    this.forgetPending();
    this.pending = {
      generated,
      passphrase: options.passphrase,
      reset: options.reset,
      timer: setTimeout(() => this.expire(), KEY_LIFETIME_MS),
    };
    this.show({
      step: 'confirm-key',
      passphrase: options.passphrase !== undefined,
      expiresAt: this.now() + KEY_LIFETIME_MS,
      reset: options.reset,
    });
    return generated.encodedPrivateKey;
  }

  /** The key of the flow in progress, for a popup that was closed and opened again. */
  shownKey(): string {
    const key = this.pending?.generated.encodedPrivateKey;
    if (key === undefined) throw new UserFacingError(t('errRecoveryNoKeyWaiting'));
    return key;
  }

  /**
   * The user typed the key (or the passphrase) back: only now is anything uploaded. If the
   * homeserver wants the account password, the flow says so and waits for it.
   */
  async confirm(typed: string, password?: string): Promise<RecoveryFlowView> {
    this.refuseWhileBusy();
    const pending = this.pending;
    if (!pending) throw new UserFacingError(t('errRecoveryKeyExpired'));
    if (!matches(typed, pending)) {
      throw new UserFacingError(pending.passphrase === undefined ? t('errRecoveryKeyMismatch') : t('errRecoveryPassphraseMismatch'));
    }
    // The crypto library gets a copy: the deadline (or a cancel) zeroes the waiting key, and
    // must not zero the one a setup confirmed in time is uploading with.
    const inUse: NewRecoveryKey = { ...pending.generated, privateKey: pending.generated.privateKey.slice() };
    try {
      await this.working('set-up', async () => {
        await this.crypto.setUp(inUse, password);
        this.forgetPending();
        this.show({ step: 'done', what: 'set-up' });
      });
    } finally {
      inUse.privateKey.fill(0);
    }
    return this.view;
  }

  cancel(): void {
    this.forgetPending();
    if (!this.busy) this.show({ step: 'idle' });
  }

  /**
   * Verifies this extension with the existing recovery key or passphrase: it fetches the
   * identity's private keys from secret storage and signs this device. A wrong key changes
   * nothing and says so.
   */
  async unlock(input: string): Promise<void> {
    this.refuseWhileBusy();
    const key = await this.crypto.findKey(input.trim());
    if (key === 'not-set-up') throw new UserFacingError(t('errRecoveryNotSetUp'));
    if (key === 'no-match') throw new UserFacingError(t('errRecoveryKeyNoMatch'));
    await this.working('unlock', async () => {
      await this.crypto.unlockWith(key);
      this.show({ step: 'done', what: 'unlocked' });
    });
  }

  /**
   * Replaces the account's cryptographic identity. Everyone who verified the account will see
   * it change; the old recovery key can no longer verify devices.
   */
  async resetIdentity(password?: string): Promise<RecoveryFlowView> {
    this.refuseWhileBusy();
    await this.working('identity-reset', async () => {
      await this.crypto.resetIdentity(password);
      this.show({ step: 'done', what: 'identity-reset' });
    });
    return this.view;
  }

  stop(): void {
    this.forgetPending();
  }

  private async working(operation: 'set-up' | 'unlock' | 'identity-reset', work: () => Promise<void>): Promise<void> {
    this.busy = true;
    const awaitingApproval = this.view.step === 'needs-approval';
    this.show({ step: 'working' });
    try {
      await work();
    } catch (error) {
      if (error instanceof ApprovalRequired && operation === 'identity-reset') {
        // Approved on the account page, the same reset goes through: the flow waits for the user.
        this.show({ step: 'needs-approval', url: error.url, askedAt: this.now(), again: awaitingApproval });
        return;
      }
      if (error instanceof PasswordRequired || error instanceof WrongPassword) {
        // Ask (again) for the password; a new key waiting for confirmation stays waiting.
        this.show({ step: 'needs-password', for: operation === 'identity-reset' ? 'identity-reset' : 'set-up' });
        if (error instanceof WrongPassword) throw error;
        return;
      }
      // What went wrong, for whoever reads the worker's console: the error's name and message only.
      log.warn('recovery step failed', { operation, error: errorSummary(error) });
      const reason = error instanceof UserFacingError ? error.message : t('errRecoveryRefused');
      this.show({ step: 'failed', reason });
      throw new UserFacingError(reason);
    } finally {
      this.busy = false;
    }
  }

  private refuseWhileBusy(): void {
    if (this.busy) throw new UserFacingError(t('errRecoveryBusy'));
  }

  private expire(): void {
    this.forgetPending();
    if (!this.busy) this.show({ step: 'failed', reason: t('errRecoveryExpired') });
  }

  /** Zeroes the key in memory and forgets it. */
  private forgetPending(): void {
    if (!this.pending) return;
    clearTimeout(this.pending.timer);
    this.pending.generated.privateKey.fill(0);
    this.pending = undefined;
  }

  private show(view: RecoveryFlowView): void {
    this.view = view;
    this.onChange(view);
  }
}

/** What the user typed back, compared without the spaces the key is shown with. */
function matches(typed: string, pending: PendingKey): boolean {
  if (pending.passphrase !== undefined && typed === pending.passphrase) return true;
  return typed.replace(/\s+/g, '') === pending.generated.encodedPrivateKey.replace(/\s+/g, '');
}
