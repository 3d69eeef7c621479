import { ClientEvent, type MatrixEvent } from 'matrix-js-sdk';
import { CryptoEvent } from 'matrix-js-sdk/lib/crypto-api/index.js';
import { createLogger, errorSummary } from '../log';
import type { MatrixSession } from '../matrix/matrixSession';
import { PasswordRequired, withPasswordAuth } from '../matrix/passwordAuth';
import { readSecurityStatus } from '../matrix/securityStatus';
import type { RecoveryFlowView, SecurityStatus, VerificationView } from '../messaging/protocol';
import { UserFacingError } from '../messaging/requestRouter';
import { RecoveryFlow } from './recoveryFlow';
import { VerificationFlow } from './verificationFlow';

const log = createLogger('security');

export interface SecurityListeners {
  onStatus(status: SecurityStatus): void;
  onRecovery(view: RecoveryFlowView): void;
  onVerification(view: VerificationView): void;
}

/**
 * The account's encryption setup for one signed-in session: its status, kept fresh from the
 * crypto events that can change it, the recovery and verification flows, and signing out the
 * account's other sessions.
 */
export class SecurityService {
  readonly recovery: RecoveryFlow;
  readonly verification: VerificationFlow;
  private keysRemaining: number | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private readonly stopListening: () => void;

  constructor(
    private readonly session: MatrixSession,
    private readonly listeners: SecurityListeners,
    now: () => number,
  ) {
    this.recovery = new RecoveryFlow(session, now, (view) => {
      listeners.onRecovery(view);
      this.refresh();
    });
    this.verification = new VerificationFlow(session, (view) => {
      listeners.onVerification(view);
      if (view.phase === 'done') this.refresh();
    });
    this.stopListening = this.followCryptoEvents();
  }

  status(): Promise<SecurityStatus> {
    return readSecurityStatus(this.session, this.keysRemaining);
  }

  /**
   * Signs out another session of the account (as Element's "Sign out old devices"). The server
   * may ask for the account password first: then this says so, and the caller asks for it.
   */
  async signOutSession(deviceId: string, password?: string): Promise<{ needsPassword: boolean }> {
    if (deviceId === this.session.deviceId) throw new UserFacingError('To sign this extension out, use "Sign out" in its settings.');
    try {
      await withPasswordAuth(this.session.userId, password, (auth) => this.session.client.deleteDevice(deviceId, auth));
      return { needsPassword: false };
    } catch (error) {
      if (error instanceof PasswordRequired) return { needsPassword: true };
      throw error;
    }
  }

  stop(): void {
    this.stopped = true;
    this.stopListening();
    this.recovery.stop();
    this.verification.stop();
    if (this.refreshTimer !== undefined) clearTimeout(this.refreshTimer);
  }

  /** Status changes come in bursts (a bootstrap emits several events): recompute once per burst. */
  private refresh(): void {
    if (this.refreshTimer !== undefined) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.status().then(
        (status) => {
          if (!this.stopped) this.listeners.onStatus(status);
        },
        (error: unknown) => {
          // A session stopped meanwhile fails its pending work; that is not news.
          if (!this.stopped) log.warn('status failed', { error: errorSummary(error) });
        },
      );
    }, 100);
  }

  private followCryptoEvents(): () => void {
    const { client, userId } = this.session;
    const refresh = () => this.refresh();
    const onRemaining = (remaining: number) => {
      this.keysRemaining = remaining;
      this.refresh();
    };
    const onOwnChange = (userIds: string[] | string) => {
      if ((Array.isArray(userIds) ? userIds : [userIds]).includes(userId)) this.refresh();
    };
    const onAccountData = (event: MatrixEvent) => {
      if (/^m\.(secret_storage|cross_signing|megolm_backup)/.test(event.getType())) this.refresh();
    };
    // One list for on and off, so no listener outlives the session. The SDK types each event's
    // listener separately; the table holds them loosely, which on/off accept as they are.
    const listeners: [Parameters<typeof client.on>[0], (...args: never[]) => void][] = [
      [CryptoEvent.KeysChanged, refresh],
      [CryptoEvent.KeyBackupStatus, refresh],
      [CryptoEvent.KeyBackupDecryptionKeyCached, refresh],
      [CryptoEvent.KeyBackupSessionsRemaining, onRemaining],
      [CryptoEvent.UserTrustStatusChanged, onOwnChange],
      [CryptoEvent.DevicesUpdated, onOwnChange],
      [ClientEvent.AccountData, onAccountData],
    ];
    for (const [event, listener] of listeners) client.on(event, listener);
    return () => {
      for (const [event, listener] of listeners) client.off(event, listener);
    };
  }
}
