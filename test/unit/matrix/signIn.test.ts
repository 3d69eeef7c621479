import { ConnectionError, MatrixError } from 'matrix-js-sdk';
import { describe, expect, it } from 'vitest';
import { loginTokenFrom, signInWithPassword, ssoStartUrl } from '../../../src/matrix/signIn';
import { SignInError, type SignInErrorCode, toSignInError } from '../../../src/matrix/signInErrors';
import { refusal, refusalOf } from './refusals';

const REDIRECT = 'https://abcdefghijklmnop.chromiumapp.org/sso';
const BASE_URL = 'https://matrix.example.org';

describe('loginTokenFrom', () => {
  it('takes the login token from our redirect URL', () => {
    expect(loginTokenFrom(`${REDIRECT}?loginToken=syl_abc123`, REDIRECT)).toBe('syl_abc123');
  });

  it('decodes the token and ignores other query parameters', () => {
    expect(loginTokenFrom(`${REDIRECT}?state=x&loginToken=a%2Bb%3D&more=1`, REDIRECT)).toBe('a+b=');
  });

  it.each([
    ['cancelled (no final URL)', undefined],
    ['on another origin', 'https://evil.example/sso?loginToken=syl_abc123'],
    ['on another host of the same scheme', 'https://other.chromiumapp.org/sso?loginToken=syl_abc123'],
    ['on our host over http', 'http://abcdefghijklmnop.chromiumapp.org/sso?loginToken=syl_abc123'],
    ['on another path', `${new URL(REDIRECT).origin}/elsewhere?loginToken=syl_abc123`],
    ['without a token', REDIRECT],
    ['with an empty token', `${REDIRECT}?loginToken=`],
    ['with the token in the fragment only', `${REDIRECT}#loginToken=syl_abc123`],
    ['on something that is not a URL', 'not a url at all'],
  ])('refuses a flow that ended %s as cancelled single sign-on', (_label, finalUrl) => {
    expect(refusalOf(() => loginTokenFrom(finalUrl, REDIRECT)).code).toBe<SignInErrorCode>('sso-cancelled');
  });

  it('says a flow without a final URL was cancelled', () => {
    expect(refusalOf(() => loginTokenFrom(undefined, REDIRECT)).message).toBe('Single sign-on was cancelled.');
  });
});

describe('ssoStartUrl', () => {
  it('points at the homeserver SSO redirect endpoint with the redirect URL encoded', () => {
    const redirect = 'https://abcdefghijklmnop.chromiumapp.org/sso?x=1&y=2';
    const start = ssoStartUrl(BASE_URL, redirect);
    expect(start).toBe(`${BASE_URL}/_matrix/client/v3/login/sso/redirect?redirectUrl=${encodeURIComponent(redirect)}`);
    const parsed = new URL(start);
    expect([...parsed.searchParams.keys()]).toEqual(['redirectUrl']);
    expect(parsed.searchParams.get('redirectUrl')).toBe(redirect);
  });
});

describe('toSignInError', () => {
  it('calls M_FORBIDDEN a wrong user name or password', () => {
    const error = toSignInError(
      new MatrixError({ errcode: 'M_FORBIDDEN', error: 'Invalid username or password' }, 403),
      'matrix.example.org',
    );
    expect(error).toMatchObject({ code: 'wrong-password', message: 'The user name or password is not right.' });
  });

  it('says a deactivated account is deactivated', () => {
    const error = toSignInError(
      new MatrixError({ errcode: 'M_USER_DEACTIVATED', error: 'This account has been deactivated' }, 403),
      'matrix.example.org',
    );
    expect(error).toMatchObject({ code: 'user-deactivated', message: 'This account has been deactivated.' });
  });

  it('passes on how long a rate-limiting server asked to wait, in whole seconds rounded up', () => {
    const error = toSignInError(
      new MatrixError({ errcode: 'M_LIMIT_EXCEEDED', error: 'Too many requests', retry_after_ms: 12_300 }, 429),
      'matrix.example.org',
    );
    expect(error).toMatchObject({
      code: 'rate-limited',
      retryAfterMs: 12_300,
      message: 'The homeserver asks to wait 13 s before trying again.',
    });
  });

  it('takes the Retry-After header over the deprecated retry_after_ms', () => {
    const limited = new MatrixError(
      { errcode: 'M_LIMIT_EXCEEDED', error: 'Too many requests', retry_after_ms: 12_300 },
      429,
      undefined,
      undefined,
      new Headers({ 'Retry-After': '7' }),
    );
    expect(toSignInError(limited, 'matrix.example.org')).toMatchObject({ code: 'rate-limited', retryAfterMs: 7000 });
  });

  it('asks to wait 30 s when a rate-limiting server gives no hint', () => {
    const error = toSignInError(new MatrixError({ errcode: 'M_LIMIT_EXCEEDED', error: 'Too many requests' }, 429), 'matrix.example.org');
    expect(error).toMatchObject({
      code: 'rate-limited',
      retryAfterMs: 30_000,
      message: 'The homeserver asks to wait 30 s before trying again.',
    });
  });

  it('asks to wait 30 s when a rate-limiting server gives a malformed hint, rather than failing itself', () => {
    const limited = new MatrixError({ errcode: 'M_LIMIT_EXCEEDED', error: 'Too many requests', retry_after_ms: 'soon' }, 429);
    const map = () => toSignInError(limited, 'matrix.example.org');
    expect(map).not.toThrow();
    expect(map()).toMatchObject({ code: 'rate-limited', retryAfterMs: 30_000 });
  });

  it('never asks to wait a negative time when the Retry-After date has passed', () => {
    const limited = new MatrixError(
      { errcode: 'M_LIMIT_EXCEEDED', error: 'Too many requests' },
      429,
      undefined,
      undefined,
      new Headers({ 'Retry-After': 'Wed, 21 Oct 2015 07:28:00 GMT' }),
    );
    const error = toSignInError(limited, 'matrix.example.org');
    expect(error.code).toBe<SignInErrorCode>('rate-limited');
    expect(error.retryAfterMs).toBeGreaterThanOrEqual(0);
    expect(error.message).not.toContain('-');
  });

  it('calls any other Matrix error a server error naming the errcode and the homeserver', () => {
    const error = toSignInError(new MatrixError({ errcode: 'M_UNKNOWN', error: 'Internal error' }, 500), 'matrix.example.org');
    expect(error).toMatchObject({ code: 'server-error', message: 'matrix.example.org refused the sign-in (M_UNKNOWN).' });
  });

  it('names the HTTP status of a Matrix error without an errcode', () => {
    const error = toSignInError(new MatrixError({}, 502), 'matrix.example.org');
    expect(error).toMatchObject({ code: 'server-error', message: 'matrix.example.org refused the sign-in (HTTP 502).' });
  });

  it.each<[string, Error]>([
    ['a ConnectionError', new ConnectionError('fetch failed', new TypeError('fetch failed'))],
    ['a TypeError from fetch', new TypeError('Failed to fetch')],
  ])('calls %s unreachable', (_label, cause) => {
    expect(toSignInError(cause, 'matrix.example.org')).toMatchObject({
      code: 'unreachable',
      message: 'matrix.example.org cannot be reached. Check the address and your connection.',
    });
  });

  it.each([
    ['an Error', new Error('boom')],
    ['a string', 'boom'],
    ['undefined', undefined],
  ])('calls %s a server error without echoing it', (_label, cause) => {
    const error = toSignInError(cause, 'matrix.example.org');
    expect(error).toMatchObject({ code: 'server-error', message: 'Signing in to matrix.example.org failed.' });
  });

  it('passes a SignInError through unchanged', () => {
    const original = new SignInError('sso-cancelled', 'Single sign-on was cancelled.');
    expect(toSignInError(original, 'matrix.example.org')).toBe(original);
  });
});

interface Sent {
  method: string;
  url: string;
  body: unknown;
}

/** A homeserver at BASE_URL: /versions and POST /login, answering `login` with the given status and body. */
function fakeHomeserver(login: { status: number; body: unknown }) {
  const sent: Sent[] = [];
  const fetchFn = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = init?.method ?? 'GET';
    sent.push({ method, url, body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined });
    if (method === 'GET' && url === `${BASE_URL}/_matrix/client/versions`) return Promise.resolve(Response.json({ versions: ['v1.11'] }));
    if (method === 'POST' && url === `${BASE_URL}/_matrix/client/v3/login`)
      return Promise.resolve(Response.json(login.body, { status: login.status }));
    if (new URL(url).origin === BASE_URL) return Promise.resolve(Response.json({ errcode: 'M_UNRECOGNIZED' }, { status: 404 }));
    return Promise.reject(new TypeError('fetch failed'));
  };
  return { fetchFn, sent };
}

const loggedIn = {
  status: 200,
  body: { user_id: '@alice:example.org', device_id: 'GUARDDEVICE', access_token: 'syt_secret', home_server: 'example.org' },
};

describe('signInWithPassword', () => {
  it('logs a new device in with m.login.password, a user identifier and the device name', async () => {
    const { fetchFn, sent } = fakeHomeserver(loggedIn);
    await signInWithPassword({ homeserver: BASE_URL, user: ' alice ', password: ' pass word ' }, 'Matrix Trust Guard (Firefox)', fetchFn);
    const logins = sent.filter((request) => request.method === 'POST');
    expect(logins).toEqual([
      {
        method: 'POST',
        url: `${BASE_URL}/_matrix/client/v3/login`,
        body: {
          type: 'm.login.password',
          identifier: { type: 'm.id.user', user: 'alice' },
          password: ' pass word ',
          initial_device_display_name: 'Matrix Trust Guard (Firefox)',
        },
      },
    ]);
  });

  it('discovers the homeserver before logging in', async () => {
    const { fetchFn, sent } = fakeHomeserver(loggedIn);
    await signInWithPassword({ homeserver: BASE_URL, user: 'alice', password: 'secret' }, 'Matrix Trust Guard', fetchFn);
    expect(sent.map((request) => `${request.method} ${request.url}`)).toEqual([
      `GET ${BASE_URL}/_matrix/client/versions`,
      `POST ${BASE_URL}/_matrix/client/v3/login`,
    ]);
  });

  it('returns the credentials of the new device on the discovered homeserver', async () => {
    const { fetchFn } = fakeHomeserver(loggedIn);
    await expect(
      signInWithPassword({ homeserver: `${BASE_URL}/`, user: '@alice:example.org', password: 'secret' }, 'Matrix Trust Guard', fetchFn),
    ).resolves.toEqual({
      homeserverUrl: BASE_URL,
      userId: '@alice:example.org',
      deviceId: 'GUARDDEVICE',
      accessToken: 'syt_secret',
    });
  });

  it('turns a refused password into wrong-password', async () => {
    const { fetchFn } = fakeHomeserver({ status: 403, body: { errcode: 'M_FORBIDDEN', error: 'Invalid username or password' } });
    const error = await refusal(
      signInWithPassword({ homeserver: BASE_URL, user: 'alice', password: 'wrong' }, 'Matrix Trust Guard', fetchFn),
    );
    expect(error.code).toBe<SignInErrorCode>('wrong-password');
  });

  it.each([
    ['an empty user', { user: '', password: 'secret' }],
    ['a blank user', { user: '   ', password: 'secret' }],
    ['an empty password', { user: 'alice', password: '' }],
  ])('refuses %s as invalid input without sending anything', async (_label, fields) => {
    const { fetchFn, sent } = fakeHomeserver(loggedIn);
    const error = await refusal(signInWithPassword({ homeserver: BASE_URL, ...fields }, 'Matrix Trust Guard', fetchFn));
    expect(error).toMatchObject({ code: 'invalid-input', message: 'Enter your user name and password.' });
    expect(sent).toEqual([]);
  });
});
