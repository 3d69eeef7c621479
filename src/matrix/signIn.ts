import { createClient, type LoginResponse } from 'matrix-js-sdk';
import type { AccountCredentials } from '../model/accountCredentials';
import { discoverHomeserver } from './homeserverDiscovery';
import { createSdkLogger } from './sdkLogger';
import { SignInError, toSignInError } from './signInErrors';
import { t } from '../text/i18n';

export interface PasswordSignIn {
  homeserver: string;
  /** "alice" or "@alice:example.org". */
  user: string;
  password: string;
}

export interface LoginOptions {
  /** Discovered API base URL of the homeserver. */
  baseUrl: string;
  deviceName: string;
  fetchFn?: typeof fetch;
}

/** Which ways in the homeserver offers (GET /login). */
export async function loginFlows(baseUrl: string, fetchFn?: typeof fetch): Promise<{ password: boolean; sso: boolean }> {
  try {
    const { flows } = await createClient({ baseUrl, fetchFn, logger: createSdkLogger('sign-in') }).loginFlows();
    const types = new Set(flows.map((flow) => flow.type));
    return { password: types.has('m.login.password'), sso: types.has('m.login.sso') };
  } catch (error) {
    throw toSignInError(error, new URL(baseUrl).host);
  }
}

/** Discovers the homeserver and logs a new device in with a password. */
export async function signInWithPassword(request: PasswordSignIn, deviceName: string, fetchFn?: typeof fetch): Promise<AccountCredentials> {
  if (request.user.trim().length === 0 || request.password.length === 0) {
    throw new SignInError('invalid-input', t('errSignInNeedsUserAndPassword'));
  }
  const baseUrl = await discoverHomeserver(request.homeserver, fetchFn);
  return login(
    { baseUrl, deviceName, fetchFn },
    { type: 'm.login.password', identifier: { type: 'm.id.user', user: request.user.trim() }, password: request.password },
  );
}

/** Completes single sign-on: the homeserver handed us a short-lived login token. */
export function signInWithLoginToken(options: LoginOptions, token: string): Promise<AccountCredentials> {
  return login(options, { type: 'm.login.token', token });
}

/** Where to send the browser for single sign-on; the homeserver returns to `redirectUrl` with a login token. */
export function ssoStartUrl(baseUrl: string, redirectUrl: string): string {
  return `${baseUrl}/_matrix/client/v3/login/sso/redirect?redirectUrl=${encodeURIComponent(redirectUrl)}`;
}

/** The login token from the URL the SSO flow ended on, which must be our redirect URL. */
export function loginTokenFrom(finalUrl: string | undefined, redirectUrl: string): string {
  if (finalUrl === undefined) throw new SignInError('sso-cancelled', t('errSsoCancelled'));
  let url: URL;
  try {
    url = new URL(finalUrl);
  } catch {
    throw new SignInError('sso-cancelled', t('errSsoUnexpectedPage'));
  }
  const expected = new URL(redirectUrl);
  const token = url.searchParams.get('loginToken');
  if (url.origin !== expected.origin || url.pathname !== expected.pathname || !token) {
    throw new SignInError('sso-cancelled', t('errSsoNoToken'));
  }
  return token;
}

type LoginBody =
  | { type: 'm.login.password'; identifier: { type: 'm.id.user'; user: string }; password: string }
  | { type: 'm.login.token'; token: string };

async function login(options: LoginOptions, body: LoginBody): Promise<AccountCredentials> {
  const client = createClient({ baseUrl: options.baseUrl, fetchFn: options.fetchFn, logger: createSdkLogger('sign-in') });
  let response: LoginResponse;
  try {
    response = await client.loginRequest({ ...body, initial_device_display_name: options.deviceName });
  } catch (error) {
    throw toSignInError(error, new URL(options.baseUrl).host);
  }
  return {
    homeserverUrl: options.baseUrl,
    userId: response.user_id,
    deviceId: response.device_id,
    accessToken: response.access_token,
  };
}
