import { describe, expect, it } from 'vitest';
import { candidateServer, discoverHomeserver } from '../../../src/matrix/homeserverDiscovery';
import type { SignInErrorCode } from '../../../src/matrix/signInErrors';
import { refusal, refusalOf } from './refusals';

type Answer = () => Response;

const json =
  (body: unknown, status = 200): Answer =>
  () =>
    Response.json(body, { status });
const html =
  (status = 200): Answer =>
  () =>
    new Response('<!doctype html><title>Welcome</title>', { status, headers: { 'Content-Type': 'text/html' } });

const CLIENT_API = json({ versions: ['v1.11', 'v1.12'] });
const wellKnown = (baseUrl: unknown): Answer => json({ 'm.homeserver': { base_url: baseUrl } });

function urlOf(input: RequestInfo | URL): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
}

/**
 * A small internet: each route is "<url>" (any method) or "<METHOD> <url>". Hosts named by a
 * route (or listed as `alive`) answer 404 for anything else; any other host cannot be reached.
 * Records every request as "<METHOD> <url>".
 */
function fakeNetwork(routes: Record<string, Answer>, alive: readonly string[] = []) {
  const asked: string[] = [];
  const hosts = new Set([...Object.keys(routes).map((key) => new URL(key.replace(/^[A-Z]+ /, '')).host), ...alive]);
  const fetchFn = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = urlOf(input);
    const method = init?.method ?? 'GET';
    asked.push(`${method} ${url}`);
    const answer = routes[`${method} ${url}`] ?? routes[url];
    if (answer) return Promise.resolve(answer());
    if (!hosts.has(new URL(url).host)) return Promise.reject(new TypeError('fetch failed'));
    return Promise.resolve(new Response('Not found', { status: 404 }));
  };
  return { fetchFn, asked };
}

describe('discoverHomeserver', () => {
  it('takes a URL that answers the client API as the base URL itself, without asking .well-known', async () => {
    const { fetchFn, asked } = fakeNetwork({ 'https://matrix.example.org/_matrix/client/versions': CLIENT_API });
    await expect(discoverHomeserver('https://matrix.example.org', fetchFn)).resolves.toBe('https://matrix.example.org');
    expect(asked).toEqual(['GET https://matrix.example.org/_matrix/client/versions']);
  });

  it('follows the .well-known of a URL that is not the client API itself', async () => {
    const { fetchFn, asked } = fakeNetwork({
      'https://example.org/.well-known/matrix/client': wellKnown('https://matrix.example.org'),
      'https://matrix.example.org/_matrix/client/versions': CLIENT_API,
    });
    await expect(discoverHomeserver('https://example.org', fetchFn)).resolves.toBe('https://matrix.example.org');
    expect(asked).toEqual([
      'GET https://example.org/_matrix/client/versions',
      'GET https://example.org/.well-known/matrix/client',
      'GET https://matrix.example.org/_matrix/client/versions',
    ]);
  });

  it('looks a server name up through its .well-known first, over https', async () => {
    const { fetchFn, asked } = fakeNetwork({
      'https://example.org/.well-known/matrix/client': wellKnown('https://matrix.example.org'),
      'https://matrix.example.org/_matrix/client/versions': CLIENT_API,
    });
    await expect(discoverHomeserver('example.org', fetchFn)).resolves.toBe('https://matrix.example.org');
    expect(asked).toEqual(['GET https://example.org/.well-known/matrix/client', 'GET https://matrix.example.org/_matrix/client/versions']);
  });

  it('keeps the path of a base URL that .well-known gives', async () => {
    const { fetchFn } = fakeNetwork({
      'https://example.org/.well-known/matrix/client': wellKnown('https://example.org/matrix'),
      'https://example.org/matrix/_matrix/client/versions': CLIENT_API,
    });
    await expect(discoverHomeserver('example.org', fetchFn)).resolves.toBe('https://example.org/matrix');
  });

  it('takes https://<server name> as the base URL when the server name has no .well-known', async () => {
    const { fetchFn, asked } = fakeNetwork({ 'https://matrix.example.org/_matrix/client/versions': CLIENT_API });
    await expect(discoverHomeserver('matrix.example.org', fetchFn)).resolves.toBe('https://matrix.example.org');
    expect(asked).toEqual([
      'GET https://matrix.example.org/.well-known/matrix/client',
      'GET https://matrix.example.org/_matrix/client/versions',
    ]);
  });

  it('finds the homeserver of a user id through its server name', async () => {
    const { fetchFn, asked } = fakeNetwork({
      'https://example.org/.well-known/matrix/client': wellKnown('https://matrix.example.org'),
      'https://matrix.example.org/_matrix/client/versions': CLIENT_API,
    });
    await expect(discoverHomeserver('@alice:example.org', fetchFn)).resolves.toBe('https://matrix.example.org');
    expect(asked[0]).toBe('GET https://example.org/.well-known/matrix/client');
  });

  it('keeps the port of a server name', async () => {
    const { fetchFn } = fakeNetwork({ 'https://example.org:8448/_matrix/client/versions': CLIENT_API });
    await expect(discoverHomeserver('@alice:example.org:8448', fetchFn)).resolves.toBe('https://example.org:8448');
  });

  it.each([
    ['not http(s)', 'ftp://matrix.example.org'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['not a URL', 'matrix dot example dot org'],
    ['a number', 42],
    ['null', null],
    ['an object', { url: 'https://matrix.example.org' }],
  ])('ignores a .well-known base_url that is %s', async (_label, baseUrl) => {
    const { fetchFn, asked } = fakeNetwork({
      'https://example.org/.well-known/matrix/client': wellKnown(baseUrl),
      'https://example.org/_matrix/client/versions': CLIENT_API,
      'https://matrix.example.org/_matrix/client/versions': CLIENT_API,
    });
    await expect(discoverHomeserver('example.org', fetchFn)).resolves.toBe('https://example.org');
    expect(asked.filter((url) => !url.includes('://example.org/'))).toEqual([]);
  });

  it.each([
    ['without m.homeserver', { 'm.identity_server': { base_url: 'https://id.example.org' } }],
    ['whose m.homeserver is a string', { 'm.homeserver': 'https://matrix.example.org' }],
    ['that is an array', [{ 'm.homeserver': { base_url: 'https://matrix.example.org' } }]],
  ])('ignores a .well-known %s', async (_label, body) => {
    const { fetchFn } = fakeNetwork({
      'https://example.org/.well-known/matrix/client': json(body),
      'https://example.org/_matrix/client/versions': CLIENT_API,
      'https://matrix.example.org/_matrix/client/versions': CLIENT_API,
    });
    await expect(discoverHomeserver('example.org', fetchFn)).resolves.toBe('https://example.org');
  });

  it('ignores a .well-known that answers with an error status', async () => {
    const { fetchFn } = fakeNetwork({
      'https://example.org/.well-known/matrix/client': json({ 'm.homeserver': { base_url: 'https://matrix.example.org' } }, 500),
      'https://example.org/_matrix/client/versions': CLIENT_API,
      'https://matrix.example.org/_matrix/client/versions': CLIENT_API,
    });
    await expect(discoverHomeserver('example.org', fetchFn)).resolves.toBe('https://example.org');
  });

  it('trims trailing slashes from the base URL and surrounding spaces from the input', async () => {
    const { fetchFn, asked } = fakeNetwork({
      'https://example.org/.well-known/matrix/client': wellKnown('https://matrix.example.org///'),
      'https://matrix.example.org/_matrix/client/versions': CLIENT_API,
    });
    await expect(discoverHomeserver('  example.org  ', fetchFn)).resolves.toBe('https://matrix.example.org');
    await expect(discoverHomeserver('https://matrix.example.org/', fetchFn)).resolves.toBe('https://matrix.example.org');
    expect(asked.every((url) => !url.includes('//_matrix') && !url.includes('org//'))).toBe(true);
  });

  describe('refuses', () => {
    it.each([
      ['empty input', ''],
      ['whitespace', '   \t '],
      ['a server name with a space in it', 'example .org'],
      ['over-long input', `${'a'.repeat(252)}.org`],
      ['a user id without a server', '@alice'],
      ['a user id with an empty server', '@alice:'],
      ['a URL with a user and password', 'https://alice:hunter2@example.org'],
      ['a URL with a user', 'https://alice@example.org'],
      ['a server name with a user and password', 'alice:hunter2@example.org'],
      ['a URL that does not parse', 'https://exa[mple.org'],
    ])('%s as invalid input, without sending anything', async (_label, input) => {
      const { fetchFn, asked } = fakeNetwork({ 'https://example.org/_matrix/client/versions': CLIENT_API });
      const error = await refusal(discoverHomeserver(input, fetchFn));
      expect(error.code).toBe<SignInErrorCode>('invalid-input');
      expect(asked).toEqual([]);
    });

    it('something that answers but is not a Matrix homeserver as an unknown homeserver', async () => {
      const { fetchFn, asked } = fakeNetwork({ 'https://example.org/_matrix/client/versions': html(), 'https://example.org': html() });
      const error = await refusal(discoverHomeserver('example.org', fetchFn));
      expect(error.code).toBe<SignInErrorCode>('unknown-homeserver');
      expect(error.message).toBe('example.org does not look like a Matrix homeserver.');
      expect(asked.at(-1)).toBe('HEAD https://example.org');
    });

    it('a versions answer without a list of versions as not Matrix', async () => {
      const { fetchFn } = fakeNetwork({ 'https://example.org/_matrix/client/versions': json({ versions: 'v1.11' }) });
      expect((await refusal(discoverHomeserver('https://example.org', fetchFn))).code).toBe<SignInErrorCode>('unknown-homeserver');
    });

    it('a server where every request fails as unreachable', async () => {
      const asked: string[] = [];
      const fetchFn = (input: RequestInfo | URL): Promise<Response> => {
        asked.push(urlOf(input));
        return Promise.reject(new TypeError('fetch failed'));
      };
      const error = await refusal(discoverHomeserver('example.org', fetchFn));
      expect(error.code).toBe<SignInErrorCode>('unreachable');
      expect(error.message).toBe('example.org cannot be reached. Check the address and your connection.');
      expect(asked.length).toBeGreaterThan(0);
    });

    it('a well-known pointing to a server that cannot be reached, when nothing else is Matrix, as unknown', async () => {
      const { fetchFn } = fakeNetwork({ 'https://example.org/.well-known/matrix/client': wellKnown('https://gone.example.net') });
      expect((await refusal(discoverHomeserver('example.org', fetchFn))).code).toBe<SignInErrorCode>('unknown-homeserver');
    });
  });

  describe('echoes at most about 80 characters of the input in its messages', () => {
    const longName = `${'sub.'.repeat(40)}example.org`;
    const longInputs = [longName, `https://${longName}`, `https://alice:hunter2@${longName}`, `@alice:${longName}`];

    it.each(longInputs)('when unreachable (%s)', async (input) => {
      const fetchFn = (): Promise<Response> => Promise.reject(new TypeError('fetch failed'));
      expectShortEcho((await refusal(discoverHomeserver(input, fetchFn))).message, input);
    });

    it.each(longInputs)('when not Matrix (%s)', async (input) => {
      const { fetchFn } = fakeNetwork({}, [longName]);
      expectShortEcho((await refusal(discoverHomeserver(input, fetchFn))).message, input);
    });

    it('when the input cannot name a server', () => {
      const input = `https://${'x'.repeat(200)}[`;
      expectShortEcho(refusalOf(() => candidateServer(input)).message, input);
    });
  });
});

function expectShortEcho(message: string, input: string): void {
  expect(message.length).toBeLessThan(80 + 80);
  expect(message).not.toContain(input.slice(0, 81));
}

describe('candidateServer', () => {
  it('takes a URL as the base URL, path included, and asks its origin for .well-known', () => {
    expect(candidateServer('https://matrix.example.org/some/path/?x=1#y')).toEqual({
      origin: 'https://matrix.example.org',
      baseUrl: 'https://matrix.example.org/some/path',
      isUrl: true,
    });
    expect(candidateServer('HTTP://Matrix.Example.org:8008/')).toEqual({
      origin: 'http://matrix.example.org:8008',
      baseUrl: 'http://matrix.example.org:8008',
      isUrl: true,
    });
  });

  it('never repeats a URL with a user name or password in it', () => {
    const refusal = refusalOf(() => candidateServer('https://alice:hunter2@example.org'));
    expect(refusal.code).toBe<SignInErrorCode>('invalid-input');
    expect(refusal.message).not.toContain('hunter2');
  });

  it('takes a server name, or the server of a user id, over https', () => {
    expect(candidateServer('example.org')).toEqual({ origin: 'https://example.org', baseUrl: 'https://example.org', isUrl: false });
    expect(candidateServer(' example.org:8448 ')).toEqual({
      origin: 'https://example.org:8448',
      baseUrl: 'https://example.org:8448',
      isUrl: false,
    });
    expect(candidateServer('@alice:example.org')).toEqual({ origin: 'https://example.org', baseUrl: 'https://example.org', isUrl: false });
  });

  it('accepts input of 255 characters and refuses 256', () => {
    const name = (length: number) => `${'a'.repeat(length - '.org'.length)}.org`;
    expect(candidateServer(name(255)).isUrl).toBe(false);
    expect(refusalOf(() => candidateServer(name(256))).code).toBe<SignInErrorCode>('invalid-input');
  });

  it.each([
    ['', 'Enter a homeserver such as matrix.org, or its address.'],
    ['  ', 'Enter a homeserver such as matrix.org, or its address.'],
    ['@alice', 'A Matrix user id looks like @name:example.org.'],
  ])('refuses %j with a message saying what to enter', (input, message) => {
    expect(refusalOf(() => candidateServer(input))).toMatchObject({ code: 'invalid-input', message });
  });

  it('refuses a URL carrying credentials', () => {
    expect(refusalOf(() => candidateServer('https://alice:hunter2@example.org')).code).toBe<SignInErrorCode>('invalid-input');
    expect(refusalOf(() => candidateServer('alice:hunter2@example.org')).code).toBe<SignInErrorCode>('invalid-input');
  });
});
