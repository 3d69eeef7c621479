import { decodeRecoveryKey } from 'matrix-js-sdk/lib/crypto-api/recovery-key.js';
import { deriveRecoveryKeyFromPassphrase } from 'matrix-js-sdk/lib/crypto-api/key-passphrase.js';
import type { GeneratedSecretStorageKey } from 'matrix-js-sdk/lib/crypto-api/index.js';
import { createLogger, errorSummary } from '../log';
import type { MatrixSession } from '../matrix/matrixSession';
import { authWithPassword, PasswordRequired, WrongPassword } from '../matrix/passwordAuth';
import type { RecoveryFlowView } from '../messaging/protocol';
import { UserFacingError } from '../errors';

const log = createLogger('recovery');

/** A new recovery key waits this long, in memory only, for the user to confirm it. */
export const KEY_LIFETIME_MS = 10 * 60_000;
/** How long an entered recovery key stays usable while one unlock runs. */
const UNLOCK_KEY_TTL_MS = 60_000;

interface PendingKey {
  generated: GeneratedSecretStorageKey;
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
    private readonly session: MatrixSession,
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
    const status = await this.session.crypto.getCrossSigningStatus();
    const hasIdentity = await this.session.crypto.userHasCrossSigningKeys(this.session.userId, true);
    const holdsKeys = Object.values(status.privateKeysCachedLocally).every(Boolean);
    if (hasIdentity && !holdsKeys) {
      throw new UserFacingError('Verify this extension first (with your recovery key or another device); then it can set up a new recovery key.');
    }
    const generated = await this.session.crypto.createRecoveryKeyFromPassphrase(options.passphrase);
    if (generated.encodedPrivateKey === undefined) throw new Error('the crypto library made no displayable key');
    this.forgetPending();
    this.pending = {
      generated,
      passphrase: options.passphrase,
      reset: options.reset,
      timer: setTimeout(() => this.expire(), KEY_LIFETIME_MS),
    };
    this.show({ step: 'confirm-key', passphrase: options.passphrase !== undefined, expiresAt: this.now() + KEY_LIFETIME_MS, reset: options.reset });
    return generated.encodedPrivateKey;
  }

  /** The key of the flow in progress, for a popup that was closed and opened again. */
  shownKey(): string {
    const key = this.pending?.generated.encodedPrivateKey;
    if (key === undefined) throw new UserFacingError('No recovery key is waiting to be confirmed.');
    return key;
  }

  /**
   * The user typed the key (or the passphrase) back: only now is anything uploaded. If the
   * homeserver wants the account password, the flow says so and waits for it.
   */
  async confirm(typed: string, password?: string): Promise<RecoveryFlowView> {
    this.refuseWhileBusy();
    const pending = this.pending;
    if (!pending) throw new UserFacingError('This recovery key is no longer waiting; start again.');
    if (!matches(typed, pending)) {
      throw new UserFacingError(pending.passphrase === undefined ? 'That is not the recovery key shown above.' : 'That is not the passphrase you chose.');
    }
    // The crypto library gets a copy: the deadline (or a cancel) zeroes the waiting key, and
    // must not zero the one a setup confirmed in time is uploading with.
    const inUse: GeneratedSecretStorageKey = { ...pending.generated, privateKey: pending.generated.privateKey.slice() };
    try {
      await this.setUp(inUse, password);
    } finally {
      inUse.privateKey.fill(0);
      // matrix-js-sdk hands a new default key to the session's cache (cacheSecretStorageKey)
      // to store the secrets under it; the flow ends here, and so does that copy.
      this.session.secretStorageKeys.drop();
    }
    return this.view;
  }

  private async setUp(key: GeneratedSecretStorageKey, password: string | undefined): Promise<void> {
    await this.working('set-up', async () => {
      const { crypto, userId } = this.session;
      // An identity this device already holds needs no upload. Bootstrapping it anyway would
      // export its keys to the account's current secret storage, whose key may be the one a
      // setup cut short made and lost (the worker stopped between uploads): that fails, and
      // the setup could never be finished. bootstrapSecretStorage below stores the held keys
      // under the new key instead.
      if (!(await holdsOwnIdentity(this.session))) {
        await crypto.bootstrapCrossSigning({ authUploadDeviceSigningKeys: authWithPassword(userId, password) });
      }
      await crypto.bootstrapSecretStorage({
        createSecretStorageKey: () => Promise.resolve(key),
        setupNewSecretStorage: true,
        setupNewKeyBackup: true,
      });
      this.forgetPending();
      this.show({ step: 'done', what: 'set-up' });
    });
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
    const { client, crypto } = this.session;
    const keyId = await client.secretStorage.getDefaultKeyId();
    const stored = keyId === null ? null : await client.secretStorage.getKey(keyId);
    if (keyId === null || stored === null) throw new UserFacingError('Recovery is not set up for this account yet.');
    const [, keyInfo] = stored;
    const key = await keyFromInput(input.trim(), keyInfo.passphrase);
    if (!key || !(await client.secretStorage.checkKey(key, keyInfo))) throw new UserFacingError('That key does not match.');
    this.session.secretStorageKeys.hold(key, keyId, UNLOCK_KEY_TTL_MS);
    try {
      await this.working('unlock', async () => {
        await crypto.bootstrapCrossSigning({});
        if (await crypto.getKeyBackupInfo()) {
          await crypto.loadSessionBackupPrivateKeyFromSecretStorage();
          await crypto.checkKeyBackupAndEnable();
        }
        this.show({ step: 'done', what: 'unlocked' });
      });
    } finally {
      this.session.secretStorageKeys.drop();
    }
  }

  /**
   * Replaces the account's cryptographic identity. Everyone who verified the account will see
   * it change; the old recovery key can no longer verify devices.
   */
  async resetIdentity(password?: string): Promise<RecoveryFlowView> {
    this.refuseWhileBusy();
    await this.working('identity-reset', async () => {
      const { client, crypto, userId } = this.session;
      // A reset is for a lost recovery key, and no flow keeps one in memory afterwards; but
      // matrix-js-sdk stores a new identity in the account's secret storage, under its key,
      // and fails without it. So secret storage is unset for the reset (a new recovery key is
      // set up after it), and set back if the reset did not happen (password asked, refused).
      const recoveryKeyId = await client.secretStorage.getDefaultKeyId();
      if (recoveryKeyId !== null) await client.secretStorage.setDefaultKeyId(null);
      try {
        await crypto.bootstrapCrossSigning({ setupNewCrossSigning: true, authUploadDeviceSigningKeys: authWithPassword(userId, password) });
      } catch (error) {
        if (recoveryKeyId !== null) await client.secretStorage.setDefaultKeyId(recoveryKeyId);
        throw error;
      }
      this.show({ step: 'done', what: 'identity-reset' });
    });
    return this.view;
  }

  stop(): void {
    this.forgetPending();
  }

  private async working(operation: 'set-up' | 'unlock' | 'identity-reset', work: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.show({ step: 'working' });
    try {
      await work();
    } catch (error) {
      if (error instanceof PasswordRequired || error instanceof WrongPassword) {
        // Ask (again) for the password; a new key waiting for confirmation stays waiting.
        this.show({ step: 'needs-password', for: operation === 'identity-reset' ? 'identity-reset' : 'set-up' });
        if (error instanceof WrongPassword) throw error;
        return;
      }
      // What went wrong, for whoever reads the worker's console: the error's name and message only.
      log.warn('recovery step failed', { operation, error: errorSummary(error) });
      const reason = error instanceof UserFacingError ? error.message : 'The homeserver did not accept the change. Try again.';
      this.show({ step: 'failed', reason });
      throw new UserFacingError(reason);
    } finally {
      this.busy = false;
    }
  }

  private refuseWhileBusy(): void {
    if (this.busy) throw new UserFacingError('Another recovery step is still running.');
  }

  private expire(): void {
    this.forgetPending();
    if (!this.busy) this.show({ step: 'failed', reason: 'The new recovery key was not confirmed within 10 minutes; nothing was set up. Start again.' });
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

/** The account has an identity on the server and this device holds all three of its private keys. */
async function holdsOwnIdentity(session: MatrixSession): Promise<boolean> {
  const { crypto, userId } = session;
  if (!(await crypto.userHasCrossSigningKeys(userId, true))) return false;
  const status = await crypto.getCrossSigningStatus();
  return status.publicKeysOnDevice && Object.values(status.privateKeysCachedLocally).every(Boolean);
}

/** What the user typed back, compared without the spaces the key is shown with. */
function matches(typed: string, pending: PendingKey): boolean {
  if (pending.passphrase !== undefined && typed === pending.passphrase) return true;
  const key = pending.generated.encodedPrivateKey;
  return key !== undefined && typed.replace(/\s+/g, '') === key.replace(/\s+/g, '');
}

async function keyFromInput(input: string, passphrase: { salt: string; iterations: number } | undefined): Promise<Uint8Array<ArrayBuffer> | undefined> {
  try {
    return decodeRecoveryKey(input);
  } catch {
    // Not a recovery key: perhaps the passphrase it was made from.
  }
  if (passphrase === undefined || input.length === 0) return undefined;
  return deriveRecoveryKeyFromPassphrase(input, passphrase.salt, passphrase.iterations);
}
