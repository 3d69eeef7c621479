import type { LoginOptionsResult } from '../messaging/protocol';

/**
 * What the sign-in form offers for a homeserver. A server that delegates auth to an OAuth 2.0
 * provider gets that button; its /login may still list single sign-on, but that is the
 * provider's compatibility layer (sessions without refresh tokens), so it is left out. A password
 * form appears only when the server takes passwords.
 */
export function loginOptionsFrom(
  baseUrl: string,
  flows: { password: boolean; sso: boolean },
  oauth: { deviceGrant: boolean } | undefined,
): LoginOptionsResult {
  return oauth ? { baseUrl, password: flows.password, sso: false, oauth } : { baseUrl, ...flows };
}
