import { urlHasCommonBase } from 'matrix-js-sdk';
import { describe, expect, it } from 'vitest';
import { isTrustedMetadata, oauthOffer } from '../../../src/matrix/authMetadata';
import { isSafeWebUrl } from '../../../src/validation/webUrl';
import { authorizationCodeFrom, clientMetadata } from '../../../src/matrix/oauthSignIn';
import { loginOptionsFrom } from '../../../src/background/loginOptions';

const metadata = {
  issuer: 'https://auth.example.org/',
  authorization_endpoint: 'https://auth.example.org/authorize',
  token_endpoint: 'https://auth.example.org/oauth2/token',
  revocation_endpoint: 'https://auth.example.org/oauth2/revoke',
  registration_endpoint: 'https://auth.example.org/oauth2/registration',
  device_authorization_endpoint: 'https://auth.example.org/oauth2/device',
  response_types_supported: ['code'],
  response_modes_supported: ['query', 'fragment'],
  grant_types_supported: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
  code_challenge_methods_supported: ['S256'],
};

describe('what the provider metadata offers', () => {
  it('a device authorization when the provider has the endpoint and the grant', () => {
    expect(isTrustedMetadata(metadata)).toBe(true);
    expect(oauthOffer(metadata)).toEqual({ deviceGrant: true });
  });

  it('the code grant in a browser window when it has not', () => {
    const { device_authorization_endpoint: _none, ...noDevice } = metadata;
    expect(oauthOffer(noDevice)).toEqual({ deviceGrant: false });
    expect(oauthOffer({ ...metadata, grant_types_supported: ['authorization_code', 'refresh_token'] })).toEqual({ deviceGrant: false });
  });

  it('nothing when the homeserver does not delegate its auth', () => {
    expect(oauthOffer(undefined)).toBeUndefined();
  });

  it.each([
    ['a token endpoint over plain http elsewhere', { token_endpoint: 'http://auth.example.org/token' }],
    ['a device endpoint that is no web address', { device_authorization_endpoint: 'javascript:alert(1)' }],
    ['credentials in an endpoint', { token_endpoint: 'https://user:pw@auth.example.org/token' }],
    ['no PKCE with S256', { code_challenge_methods_supported: ['plain'] }],
  ])('refuses metadata with %s', (_what, change) => {
    expect(isTrustedMetadata({ ...metadata, ...change })).toBe(false);
  });

  it('takes http only on this machine (a test server)', () => {
    expect(isSafeWebUrl('http://127.0.0.1:8080/token')).toBe(true);
    expect(isSafeWebUrl('http://localhost/token')).toBe(true);
    expect(isSafeWebUrl('http://192.168.1.2/token')).toBe(false);
  });
});

describe('the sign-in form for a homeserver', () => {
  const BASE = 'https://matrix.example.org';

  it('offers the OAuth provider, and leaves out the SSO of its compatibility layer', () => {
    expect(loginOptionsFrom(BASE, { password: false, sso: true }, { deviceGrant: true })).toEqual({
      baseUrl: BASE,
      password: false,
      sso: false,
      oauth: { deviceGrant: true },
    });
  });

  it('keeps the password form next to OAuth when the server still takes passwords', () => {
    expect(loginOptionsFrom(BASE, { password: true, sso: true }, { deviceGrant: false })).toMatchObject({ password: true, oauth: {} });
  });

  it('is what it was for a server without OAuth', () => {
    expect(loginOptionsFrom(BASE, { password: true, sso: true }, undefined)).toEqual({ baseUrl: BASE, password: true, sso: true });
  });
});

describe('registering the extension', () => {
  it.each(['https://abcdefghijklmnop.chromiumapp.org/oauth', 'https://0123abcd.extensions.allizom.org/oauth'])(
    'names the redirect URI %s under a client_uri of its own origin, so the provider keeps it',
    (redirectUri) => {
      const request = clientMetadata(redirectUri, true);
      expect(request.redirect_uris).toEqual([redirectUri]);
      expect(urlHasCommonBase(new URL(request.client_uri), redirectUri)).toBe(true);
      expect(request.client_name).toBe('Matrix Trust Guard');
      expect(request.grant_types).toContain('urn:ietf:params:oauth:grant-type:device_code');
    },
  );
});

describe('the code from the provider', () => {
  const REDIRECT = 'https://abc.chromiumapp.org/oauth';

  it('is read from the fragment or the query of our redirect URI with our state', () => {
    expect(authorizationCodeFrom(`${REDIRECT}#state=s1&code=c1`, REDIRECT, 's1')).toBe('c1');
    expect(authorizationCodeFrom(`${REDIRECT}?state=s1&code=c1`, REDIRECT, 's1')).toBe('c1');
  });

  it.each([
    ['a window closed', undefined, 'Single sign-on was cancelled.'],
    ['another state', `${REDIRECT}#state=other&code=c1`, ''],
    ['another page', 'https://evil.example/oauth#state=s1&code=c1', ''],
    ['a refusal', `${REDIRECT}#state=s1&error=access_denied`, 'The sign-in was refused on the sign-in page.'],
  ])('is refused after %s', (_what, finalUrl, message) => {
    expect(() => authorizationCodeFrom(finalUrl, REDIRECT, 's1')).toThrow(message);
  });
});
