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
   * server asks for the account password and none was given, `WrongPassword` when refused. A
   * server that delegates auth (OAuth 2.0) signs sessions out only on its account page: then
   * nothing is sent, and the answer is the page's link for this session.
   */
  signOut(deviceId: string, password: string | undefined): Promise<{ accountPage?: string }>;
  /** The ids of the account's sessions, as the server lists them now. */
  listed(): Promise<string[]>;
}
