import { createLogger, errorSummary } from '../log';
import { PasswordRequired } from '../matrix/passwordAuth';
import type { AccountPageSignOut, RecoveryFlowView, SecurityReport, SecurityStatus, VerificationView } from '../messaging/protocol';
import { UserFacingError } from '../errors';
import type { AccountDevice } from './ports/accountDevice';
import type { Verification } from './ports/verification';
import { RecoveryFlow } from './recoveryFlow';
import { t } from '../text/i18n';

const log = createLogger('security');

export interface SecurityListeners {
  onStatus(report: SecurityReport): void;
  onRecovery(view: RecoveryFlowView): void;
  onVerification(view: VerificationView): void;
}

/** Where the last status read is kept, so a restarted worker still has something true to show. */
export interface SecurityMemory {
  load(): Promise<{ status: SecurityStatus; checkedAt: number } | undefined>;
  save(last: { status: SecurityStatus; checkedAt: number }): Promise<void>;
}

/** A read slower than this is answered with the last known status, marked as being checked. */
export const SLOW_STATUS_MS = 3_000;

/**
 * The account's encryption setup for one signed-in session: its status, kept fresh from the
 * crypto events that can change it, the recovery and verification flows, and signing out the
 * account's other sessions.
 */
export class SecurityService {
  readonly recovery: RecoveryFlow;
  readonly verification: Verification;
  private keysRemaining: number | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private readonly stopListening: () => void;
  private last: { status: SecurityStatus; checkedAt: number } | undefined;
  private readonly remembered: Promise<void>;
  /** The read under way, if any, and the one queued after it (shared by whoever asks meanwhile). */
  private reading: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private failed = false;
  /** Sessions the user was sent to the account page to sign out: device id -> the page's link. */
  private readonly sentToAccountPage = new Map<string, string>();

  constructor(
    private readonly device: Pick<AccountDevice, 'deviceId' | 'security' | 'sessions' | 'recovery' | 'followVerifications'>,
    private readonly listeners: SecurityListeners,
    private readonly now: () => number,
    private readonly memory: SecurityMemory,
  ) {
    this.remembered = memory.load().then(
      (last) => {
        this.last ??= last;
      },
      () => undefined,
    );
    this.recovery = new RecoveryFlow(device.recovery, now, (view) => {
      listeners.onRecovery(view);
      this.refresh();
    });
    this.verification = device.followVerifications((view) => {
      listeners.onVerification(view);
      if (view.phase === 'done') this.refresh();
    });
    this.stopListening = device.security.watch({
      changed: () => this.refresh(),
      keysRemaining: (count) => {
        this.keysRemaining = count;
        this.refresh();
      },
    });
  }

  /**
   * The encryption setup, read afresh when that is quick. A homeserver that is slow or failing
   * never leaves the caller waiting: after SLOW_STATUS_MS (or at once on a failure) the answer
   * is the last known status, saying it is still being checked or could not be; the fresh one
   * follows through the listener when it comes.
   */
  async status(): Promise<SecurityReport> {
    await this.remembered;
    const read = this.read();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const slow = new Promise<'slow'>((resolve) => (timer = setTimeout(() => resolve('slow'), SLOW_STATUS_MS)));
    const outcome = await Promise.race([read.then(() => 'done' as const), slow]);
    clearTimeout(timer);
    return this.report(outcome === 'slow');
  }

  /**
   * Signs out another session of the account (as Element's "Sign out old devices"). The server
   * may ask for the account password first: then this says so, and the caller asks for it. A
   * server that delegates auth answers with its account page instead, where the user does it;
   * the session is remembered until the server's list no longer has it.
   */
  async signOutSession(deviceId: string, password?: string): Promise<{ needsPassword: boolean; accountPage?: string }> {
    if (deviceId === this.device.deviceId) throw new UserFacingError(t('errSignOutThisSession'));
    try {
      const { accountPage } = await this.device.sessions.signOut(deviceId, password);
      if (accountPage === undefined) return { needsPassword: false };
      this.sentToAccountPage.set(deviceId, accountPage);
      return { needsPassword: false, accountPage };
    } catch (error) {
      if (error instanceof PasswordRequired) return { needsPassword: true };
      throw error;
    }
  }

  /**
   * The sessions sent to the account page, each said gone or still there from the server's list
   * as read now. A gone one is told once and then forgotten.
   */
  async accountPageSignOuts(): Promise<AccountPageSignOut[]> {
    if (this.sentToAccountPage.size === 0) return [];
    const listed = new Set(await this.device.sessions.listed());
    return [...this.sentToAccountPage].map(([deviceId, accountPage]) => {
      const gone = !listed.has(deviceId);
      if (gone) this.sentToAccountPage.delete(deviceId);
      return { deviceId, accountPage, gone };
    });
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
      void this.read();
    }, 100);
  }

  /**
   * A read that starts now, or as soon as the one under way ends: that one may have started
   * before whatever the caller just changed, so it is never joined. Callers that ask meanwhile
   * share the queued one. Every outcome is published; never rejects.
   */
  private read(): Promise<void> {
    if (this.reading === undefined) return (this.reading = this.readOnce().finally(() => (this.reading = undefined)));
    this.queued ??= this.reading.then(() => {
      this.queued = undefined;
      return this.read();
    });
    return this.queued;
  }

  private readOnce(): Promise<void> {
    return this.device.security
      .read(this.keysRemaining)
      .then(
        (status) => {
          this.last = { status, checkedAt: this.now() };
          this.failed = false;
          this.memory.save(this.last).catch((error: unknown) => log.warn('status not kept', { error: errorSummary(error) }));
        },
        (error: unknown) => {
          this.failed = true;
          // A session stopped meanwhile fails its pending work; that is not news.
          if (!this.stopped) log.warn('status failed', { error: errorSummary(error) });
        },
      )
      .finally(() => {
        if (!this.stopped) this.listeners.onStatus(this.report(false));
      });
  }

  private report(slow: boolean): SecurityReport {
    const problem = slow ? 'checking' : this.failed ? 'failed' : undefined;
    return { ...(this.last && { status: this.last.status, checkedAt: this.last.checkedAt }), ...(problem && { problem }) };
  }
}
