import type { VerificationView } from '../../messaging/protocol';

/**
 * One interactive (emoji) verification at a time, started here or by another device, driven
 * from the popup; implemented in `src/matrix/sdkVerification.ts`. Every change of its view is
 * also published to the listener it was made with.
 */
export interface Verification {
  readonly current: VerificationView;
  /** Verifies this extension with another of the account's devices, or another user (one device, or in a DM). */
  start(target: { userId?: string; deviceId?: string }): Promise<VerificationView>;
  accept(): Promise<VerificationView>;
  /** The user compared the emoji and they match. */
  confirm(): Promise<VerificationView>;
  /** The emoji differ: stop, and tell the other side why. */
  mismatch(): VerificationView;
  cancel(): Promise<VerificationView>;
  /** Forgets a finished verification, so the popup goes back to its status. */
  dismiss(): VerificationView;
  stop(): void;
}
