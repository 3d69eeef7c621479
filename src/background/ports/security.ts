import type { SecurityStatus } from '../../model/deviceStatus';

/** The account's encryption setup as this device reads it; implemented in `src/matrix/sdkSecurity.ts`. */
export interface SecurityStatusSource {
  /** Reads the setup afresh; `keysRemaining` is the key backup's last count of keys still to upload. */
  read(keysRemaining: number | null): Promise<SecurityStatus>;
  /**
   * Follows what can change the setup: `changed` may be called several times for one change (a
   * bootstrap emits a burst), `keysRemaining` with each count the key backup reports. Returns
   * the function that stops following.
   */
  watch(listener: { changed(): void; keysRemaining(count: number): void }): () => void;
}

/** The account's other sessions (devices). */
export interface AccountSessions {
  /**
   * Signs out another session. Throws `PasswordRequired` (src/matrix/passwordAuth.ts) when the
   * server asks for the account password and none was given, `WrongPassword` when refused.
   */
  signOut(deviceId: string, password: string | undefined): Promise<void>;
}
