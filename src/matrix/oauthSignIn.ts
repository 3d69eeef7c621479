import {
  createClient,
  generateScope,
  OAuth2,
  type DeviceAccessTokenResponse,
  type OAuthRegistrationRequest,
  type ValidatedAuthMetadata,
} from 'matrix-js-sdk';
import type { AccountCredentials } from '../model/accountCredentials';
import { secondsLeft, type PendingDeviceGrant } from '../model/deviceGrant';
import { isSafeWebUrl } from '../validation/webUrl';
import { offersDeviceGrant } from './authMetadata';
import { createSdkLogger } from './sdkLogger';
import { SignInError, toSignInError } from './signInErrors';
import { t } from '../text/i18n';

const logger = createSdkLogger('oauth');

/** Client ids by issuer and redirect URI: one registration per provider, kept (a client id is not a secret). */
export interface ClientIdCache {
  get(issuer: string, redirectUri: string): Promise<string | undefined>;
  put(issuer: string, redirectUri: string, clientId: string): Promise<void>;
}

/**
 * How this extension registers (MSC2966). The provider only accepts redirect URIs under the
 * client_uri's host, so client_uri is the redirect URI's own origin: Chrome's
 * `https://<id>.chromiumapp.org/`, Firefox's `https://<hash>.extensions.allizom.org/`.
 */
export function clientMetadata(redirectUri: string, deviceGrant: boolean): OAuthRegistrationRequest {
  return {
    // What the provider's consent page calls us.
    client_name: t('extName'),
    client_uri: `${new URL(redirectUri).origin}/`,
    application_type: 'web',
    redirect_uris: [redirectUri],
    grant_types: deviceGrant
      ? ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code']
      : ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  };
}

/** This extension's client id at the provider: cached, else registered now. */
export async function clientIdFor(metadata: ValidatedAuthMetadata, redirectUri: string, cache: ClientIdCache): Promise<string> {
  const cached = await cache.get(metadata.issuer, redirectUri);
  if (cached !== undefined) return cached;
  let clientId: string;
  try {
    clientId = await OAuth2.registerClient(metadata, clientMetadata(redirectUri, offersDeviceGrant(metadata)), logger);
  } catch (error) {
    throw oauthSignInError(error, metadata.issuer, t('errOAuthRegistrationRefused'));
  }
  await cache.put(metadata.issuer, redirectUri, clientId);
  return clientId;
}

/** A device id of our own choosing, asked for in the scope (10 capital letters, like the SDK's). */
export function newDeviceId(): string {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return Array.from(crypto.getRandomValues(new Uint8Array(10)), (byte) => letters[byte % letters.length]).join('');
}

/** Starts a device authorization grant (RFC 8628): the user approves on the provider's page. */
export async function startDeviceGrant(
  homeserverUrl: string,
  metadata: ValidatedAuthMetadata,
  clientId: string,
  now: number,
): Promise<PendingDeviceGrant> {
  const deviceId = newDeviceId();
  const oauth = new OAuth2(metadata, { clientId, deviceId }, logger);
  let answer: Awaited<ReturnType<OAuth2['startDeviceAuthorizationGrant']>>;
  try {
    answer = await oauth.startDeviceAuthorizationGrant(generateScope(deviceId));
  } catch (error) {
    throw oauthSignInError(error, metadata.issuer, t('errOAuthDeviceGrantRefused'));
  }
  // The user is sent to this page: it must be a web page, and the provider's own, not any link.
  const pages = [answer.verification_uri, ...(answer.verification_uri_complete ? [answer.verification_uri_complete] : [])];
  if (!pages.every(isSafeWebUrl) || answer.user_code.length > 64 || answer.expires_in <= 0) {
    throw new SignInError('server-error', t('errOAuthBadAnswer', hostOf(metadata.issuer)));
  }
  return {
    homeserverUrl,
    issuer: metadata.issuer,
    clientId,
    deviceId,
    deviceCode: answer.device_code,
    userCode: answer.user_code,
    verificationUri: answer.verification_uri,
    ...(answer.verification_uri_complete && { verificationUriComplete: answer.verification_uri_complete }),
    expiresAt: now + Math.min(answer.expires_in, 3600) * 1000,
    intervalSeconds: Math.min(Math.max(answer.interval ?? 5, 1), 60),
  };
}

export type DeviceGrantRound =
  { kind: 'approved'; tokens: DeviceAccessTokenResponse } | { kind: 'pending' } | { kind: 'denied' } | { kind: 'expired' };

/**
 * One round of matrix-js-sdk's wait: one poll, then its pause (longer after a slow_down). The
 * wait itself cannot be stopped, so the background runs it round by round and decides between
 * rounds whether to go on (cancelled, worker stopped, code expired). Throws when the provider
 * cannot be reached; the caller tries again while the code is valid.
 */
export async function pollDeviceGrant(metadata: ValidatedAuthMetadata, grant: PendingDeviceGrant, now: number): Promise<DeviceGrantRound> {
  if (secondsLeft(grant, now) === 0) return { kind: 'expired' };
  const oauth = new OAuth2(metadata, { clientId: grant.clientId, deviceId: grant.deviceId }, logger);
  const answer = await oauth.waitForDeviceAuthorizationGrant({
    device_code: grant.deviceCode,
    user_code: grant.userCode,
    verification_uri: grant.verificationUri,
    // One round: the SDK stops once this has passed, after its pause.
    expires_in: 1,
    interval: grant.intervalSeconds,
  });
  if ('access_token' in answer) return { kind: 'approved', tokens: answer };
  switch (answer.error) {
    case 'access_denied':
      return { kind: 'denied' };
    case 'expired_token':
      return { kind: 'expired' };
    default:
      // "expired" is the SDK's own word for its time being up: the round ended, the code is still valid.
      return { kind: 'pending' };
  }
}

/**
 * The authorization code grant with PKCE in a browser window (`identity.launchWebAuthFlow`).
 * The code verifier and state live in this call only.
 */
export async function authorizeInBrowser(
  metadata: ValidatedAuthMetadata,
  clientId: string,
  redirectUri: string,
  launch: (url: string) => Promise<string | undefined>,
): Promise<{ deviceId: string; tokens: TokenResponse }> {
  const deviceId = newDeviceId();
  const oauth = new OAuth2(metadata, { clientId, deviceId }, logger);
  const state = newDeviceId() + newDeviceId();
  const code = authorizationCodeFrom(await launch(await oauth.generateAuthorizationCodeGrantUrl(state, redirectUri)), redirectUri, state);
  try {
    return { deviceId, tokens: await oauth.completeAuthorizationCodeGrant(code, redirectUri) };
  } catch (error) {
    throw oauthSignInError(error, metadata.issuer, t('errOAuthRefused', hostOf(metadata.issuer)));
  }
}

/** The code from the URL the provider sent the browser to: our redirect URI, with our state. */
export function authorizationCodeFrom(finalUrl: string | undefined, redirectUri: string, state: string): string {
  if (finalUrl === undefined) throw new SignInError('sso-cancelled', t('errSsoCancelled'));
  let url: URL;
  try {
    url = new URL(finalUrl);
  } catch {
    throw new SignInError('sso-cancelled', t('errSsoUnexpectedPage'));
  }
  const expected = new URL(redirectUri);
  if (url.origin !== expected.origin || url.pathname !== expected.pathname)
    throw new SignInError('sso-cancelled', t('errSsoUnexpectedPage'));
  // The response comes in the fragment (our default) or the query.
  const params = new URLSearchParams(url.hash.length > 1 ? url.hash.slice(1) : url.search);
  if (params.get('state') !== state) throw new SignInError('sso-cancelled', t('errSsoUnexpectedPage'));
  const code = params.get('code');
  if (!code) throw new SignInError('sso-cancelled', params.get('error') === 'access_denied' ? t('errOAuthDenied') : t('errSsoNoToken'));
  return code;
}

export interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  expires_in?: number;
}

/** Who the new tokens belong to, asked of the homeserver: they must be for the device we asked for. */
export async function credentialsFrom(
  homeserverUrl: string,
  issuer: string,
  clientId: string,
  deviceId: string,
  tokens: TokenResponse,
  now: number,
  fetchFn?: typeof fetch,
): Promise<AccountCredentials> {
  if (!tokens.refresh_token) throw new SignInError('server-error', t('errOAuthNoRefreshToken', hostOf(issuer)));
  const client = createClient({ baseUrl: homeserverUrl, accessToken: tokens.access_token, fetchFn, logger: createSdkLogger('sign-in') });
  let whoami: { user_id: string; device_id?: string };
  try {
    whoami = await client.whoami();
  } catch (error) {
    throw toSignInError(error, hostOf(homeserverUrl));
  }
  if (typeof whoami.user_id !== 'string' || whoami.device_id !== deviceId) {
    throw new SignInError('server-error', t('errOAuthBadAnswer', hostOf(homeserverUrl)));
  }
  return {
    homeserverUrl,
    userId: whoami.user_id,
    deviceId,
    accessToken: tokens.access_token,
    oauth: {
      issuer,
      clientId,
      refreshToken: tokens.refresh_token,
      ...(tokens.expires_in !== undefined && { accessTokenExpiresAt: now + tokens.expires_in * 1000 }),
    },
  };
}

/** Gives tokens back to the provider (RFC 7009): the refresh token first, as it outlives the other. */
export async function revokeTokens(metadata: ValidatedAuthMetadata, clientId: string, tokens: TokenResponse): Promise<void> {
  const oauth = new OAuth2(metadata, { clientId }, logger);
  if (tokens.refresh_token) await oauth.revokeToken(tokens.refresh_token, 'refresh_token');
  await oauth.revokeToken(tokens.access_token, 'access_token');
}

function oauthSignInError(error: unknown, issuer: string, refused: string): SignInError {
  if (error instanceof TypeError) return new SignInError('unreachable', t('errOAuthUnreachable', hostOf(issuer)));
  return new SignInError('server-error', refused);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url.slice(0, 80);
  }
}
