import { OAuth2, OAuth2HTTPError, type ValidatedAuthMetadata } from 'matrix-js-sdk';
import type { AccountCredentials } from '../model/accountCredentials';
import { needsRefresh, refreshCandidates, rotated } from '../model/tokenRotation';
import { createSdkLogger } from './sdkLogger';

const logger = createSdkLogger('oauth');

/**
 * At start, before the device uses them: tokens that expired while the worker slept are
 * refreshed with the stored refresh token, then with the kept previous one if the provider
 * refuses it (a rotation cut short). The result is sealed (`save`) before it is returned.
 * A provider that cannot be reached, or that refuses both, leaves the credentials as stored:
 * the device starts with them, and the SDK's own refresh says offline (tries again) or
 * signed out by the server.
 */
export async function refreshAtStart(
  credentials: AccountCredentials,
  metadata: () => Promise<ValidatedAuthMetadata>,
  save: (credentials: AccountCredentials) => Promise<void>,
  now: () => number,
): Promise<AccountCredentials> {
  const grant = credentials.oauth;
  if (!grant || !needsRefresh(grant, now())) return credentials;
  let oauth: OAuth2;
  try {
    oauth = new OAuth2(await metadata(), { clientId: grant.clientId, deviceId: credentials.deviceId }, logger);
  } catch {
    return credentials;
  }
  for (const refreshToken of refreshCandidates(grant)) {
    const askedAt = now();
    try {
      const answer = await oauth.performRefreshTokenGrant(refreshToken);
      const next = rotated(
        credentials,
        {
          accessToken: answer.access_token,
          refreshToken: answer.refresh_token,
          expiresAt: answer.expires_in === undefined ? undefined : askedAt + answer.expires_in * 1000,
        },
        refreshToken,
      );
      await save(next);
      return next;
    } catch (error) {
      if (!isRefused(error)) return credentials;
    }
  }
  return credentials;
}

/** The provider said no for good (invalid_grant and the like), as opposed to "not now". */
export function isRefused(error: unknown): boolean {
  return error instanceof OAuth2HTTPError && error.httpStatus !== undefined && error.httpStatus >= 400 && error.httpStatus < 500;
}
