/**
 * A device authorization grant (RFC 8628) under way: the user approves this extension on the
 * provider's page while the background polls. Sealed in the vault, so a restarted worker polls on.
 */
export interface PendingDeviceGrant {
  homeserverUrl: string;
  /** The provider that issued the device code: polling goes to it and no other. */
  issuer: string;
  clientId: string;
  /** The device id we chose and asked for in the scope. */
  deviceId: string;
  /** Secret: whoever holds it gets the tokens once the user approves. */
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  /** ms since epoch. */
  expiresAt: number;
  intervalSeconds: number;
}

/** What the sign-in form shows of a device authorization (never the device code). */
export type DeviceGrantView =
  { state: 'waiting'; userCode: string; verificationUri: string; expiresAt: number } | { state: 'ended'; reason: string };

/** The page the user opens: the one with the code filled in when the provider gives it. */
export function deviceGrantView(grant: PendingDeviceGrant): DeviceGrantView {
  return {
    state: 'waiting',
    userCode: grant.userCode,
    verificationUri: grant.verificationUriComplete ?? grant.verificationUri,
    expiresAt: grant.expiresAt,
  };
}

/** Seconds the provider's wait may still take, from `now`; 0 when the code has expired. */
export function secondsLeft(grant: PendingDeviceGrant, now: number): number {
  return Math.max(0, Math.floor((grant.expiresAt - now) / 1000));
}
