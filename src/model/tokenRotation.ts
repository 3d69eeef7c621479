import type { AccountCredentials, OAuthGrant } from './accountCredentials';

/** What a provider's token endpoint answered (already validated). */
export interface TokenAnswer {
  accessToken: string;
  /** Absent: the provider keeps the refresh token that was used. */
  refreshToken?: string;
  /** When the new access token expires (ms since epoch), if the provider said. */
  expiresAt?: number;
}

/** Refresh this long before the access token expires, so no request goes out with a dying token. */
export const REFRESH_MARGIN_MS = 60_000;

/**
 * The credentials to seal once the provider answered a refresh made with `used`, before the new
 * tokens go out: `used` is kept as the previous refresh token until the new ones have worked.
 */
export function rotated(credentials: AccountCredentials, answer: TokenAnswer, used: string): AccountCredentials {
  const grant = grantOf(credentials);
  const refreshToken = answer.refreshToken ?? used;
  const next: OAuthGrant = { issuer: grant.issuer, clientId: grant.clientId, refreshToken };
  if (answer.expiresAt !== undefined) next.accessTokenExpiresAt = Math.round(answer.expiresAt);
  if (refreshToken !== used) next.previousRefreshToken = used;
  return { ...credentials, accessToken: answer.accessToken, oauth: next };
}

/** The current tokens worked against the homeserver: the previous refresh token is spent. */
export function confirmed(credentials: AccountCredentials): AccountCredentials {
  if (credentials.oauth?.previousRefreshToken === undefined) return credentials;
  const { previousRefreshToken: _spent, ...grant } = credentials.oauth;
  return { ...credentials, oauth: grant };
}

/** Which refresh tokens to try, in order: the current one, then the kept previous one. */
export function refreshCandidates(grant: OAuthGrant): string[] {
  return grant.previousRefreshToken === undefined ? [grant.refreshToken] : [grant.refreshToken, grant.previousRefreshToken];
}

/** Whether the access token is expired or about to be (unknown expiry: it is used until refused). */
export function needsRefresh(grant: OAuthGrant, now: number): boolean {
  return grant.accessTokenExpiresAt !== undefined && grant.accessTokenExpiresAt - now < REFRESH_MARGIN_MS;
}

function grantOf(credentials: AccountCredentials): OAuthGrant {
  if (!credentials.oauth) throw new Error('not an OAuth session');
  return credentials.oauth;
}
