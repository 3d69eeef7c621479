import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import { AccountService, type Platform } from '../../../src/background/accountService';
import type { BackgroundRecords } from '../../../src/background/backgroundRecords';
import { createStatusStore } from '../../../src/background/statusStore';
import { openExtensionDatabase } from '../../../src/storage/extensionDatabase';
import { IndexedDbDeviceListStore } from '../../../src/storage/deviceListStore';
import { LedgerStore } from '../../../src/storage/ledgerStore';
import { HistoryStore } from '../../../src/storage/historyStore';
import { RecordStore } from '../../../src/storage/recordStore';
import { SecretVault } from '../../../src/storage/secretVault';

const HOMESERVER = 'https://matrix.example.org';

type Route = (request: { method: string; body: unknown }) => Response | Promise<Response>;

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** A homeserver that is only these routes; everything else is a 404. */
function fakeHomeserver(routes: Record<string, Route>) {
  const calls: { method: string; path: string; body: unknown }[] = [];
  const fetchFn = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = init?.method ?? 'GET';
    const body: unknown = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    calls.push({ method, path: url.pathname, body });
    const route = routes[`${method} ${url.pathname}`];
    return route ? route({ method, body }) : json(404, { errcode: 'M_UNRECOGNIZED' });
  };
  return { fetchFn, calls };
}

const versions: Route = () => json(200, { versions: ['v1.11'] });

async function service(fetchFn: typeof fetch, platform: Partial<Platform> = {}) {
  const factory = new IDBFactory();
  const db = await openExtensionDatabase(factory);
  let clock = 1_700_000_000_000;
  const status = createStatusStore({
    account: { state: 'resuming' },
    cryptoEngine: { state: 'starting' },
    policy: 'default',
    backgroundStartedAt: clock,
    extensionVersion: 'test',
  });
  const account = new AccountService({
    vault: await SecretVault.open(db),
    records: new RecordStore<BackgroundRecords>(db),
    ledger: new LedgerStore(db),
    history: new HistoryStore(db),
    deviceLists: new IndexedDbDeviceListStore(db),
    status,
    platform: {
      deviceName: 'Matrix Trust Guard on Test',
      launchWebAuthFlow: () => Promise.resolve(undefined),
      ssoRedirectUrl: () => 'https://extension.invalid/sso',
      oauthRedirectUrl: () => 'https://extension.invalid/oauth',
      ...platform,
    },
    indexedDB: factory,
    fetchFn,
    now: () => clock,
    elapsedMs: () => 0,
    onOverview: vi.fn(),
    onReport: vi.fn(),
    security: { onStatus: vi.fn(), onRecovery: vi.fn(), onVerification: vi.fn() },
  });
  await account.resume();
  return { account, status, advance: (ms: number) => (clock += ms) };
}

const credentials = { homeserver: HOMESERVER, user: 'alice', password: 'correct horse' };

describe('the account service', () => {
  it('honours the wait a rate-limited homeserver asks for, without asking it again meanwhile', async () => {
    const server = fakeHomeserver({
      'GET /_matrix/client/versions': versions,
      'POST /_matrix/client/v3/login': () => json(429, { errcode: 'M_LIMIT_EXCEEDED', error: 'Too many requests', retry_after_ms: 5_000 }),
    });
    const { account, advance } = await service(server.fetchFn);
    await expect(account.signIn(credentials)).rejects.toThrow('The homeserver asks to wait 5 s before trying again.');
    await expect(account.signIn(credentials)).rejects.toThrow('The homeserver asked to wait; try again in 5 s.');
    expect(server.calls.filter((c) => c.path === '/_matrix/client/v3/login')).toHaveLength(1);
    advance(5_000);
    await expect(account.signIn(credentials)).rejects.toThrow('The homeserver asks to wait');
    expect(server.calls.filter((c) => c.path === '/_matrix/client/v3/login')).toHaveLength(2);
  });

  it('sends the password as m.login.password with the extension named as the new device', async () => {
    const server = fakeHomeserver({
      'GET /_matrix/client/versions': versions,
      'POST /_matrix/client/v3/login': () => json(403, { errcode: 'M_FORBIDDEN', error: 'Invalid password' }),
    });
    const { account, status } = await service(server.fetchFn);
    await expect(account.signIn(credentials)).rejects.toThrow('The user name or password is not right.');
    expect(server.calls.find((c) => c.path === '/_matrix/client/v3/login')?.body).toEqual({
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user: 'alice' },
      password: 'correct horse',
      initial_device_display_name: 'Matrix Trust Guard on Test',
    });
    expect(status.get().account).toEqual({ state: 'signed-out' });
  });

  it('refuses a second sign-in while one is running', async () => {
    let answer: (response: Response) => void = () => undefined;
    const server = fakeHomeserver({
      'GET /_matrix/client/versions': versions,
      'POST /_matrix/client/v3/login': () => new Promise<Response>((resolve) => (answer = resolve)),
    });
    const { account } = await service(server.fetchFn);
    const first = account.signIn(credentials);
    await vi.waitFor(() => expect(server.calls.some((c) => c.path === '/_matrix/client/v3/login')).toBe(true));
    await expect(account.signIn(credentials)).rejects.toThrow('Another sign-in or sign-out is in progress.');
    answer(json(403, { errcode: 'M_FORBIDDEN' }));
    await expect(first).rejects.toThrow('not right');
  });

  it('offers single sign-on only where the homeserver does', async () => {
    const server = fakeHomeserver({
      'GET /_matrix/client/versions': versions,
      'GET /_matrix/client/v3/login': () => json(200, { flows: [{ type: 'm.login.password' }] }),
    });
    const { account } = await service(server.fetchFn);
    await expect(account.loginOptions(HOMESERVER)).resolves.toEqual({ baseUrl: HOMESERVER, password: true, sso: false });
    await expect(account.signInWithSso(HOMESERVER)).rejects.toThrow('This homeserver does not offer single sign-on.');
  });

  it('completes single sign-on with the login token the homeserver hands back, and says so when it was cancelled', async () => {
    const server = fakeHomeserver({
      'GET /_matrix/client/versions': versions,
      'GET /_matrix/client/v3/login': () => json(200, { flows: [{ type: 'm.login.sso' }, { type: 'm.login.token' }] }),
      'POST /_matrix/client/v3/login': () => json(403, { errcode: 'M_FORBIDDEN', error: 'Token expired' }),
    });
    const launched: string[] = [];
    const cancelled = await service(server.fetchFn, { launchWebAuthFlow: () => Promise.resolve(undefined) });
    await expect(cancelled.account.signInWithSso(HOMESERVER)).rejects.toThrow('Single sign-on was cancelled.');

    const completed = await service(server.fetchFn, {
      launchWebAuthFlow: (url) => {
        launched.push(url);
        return Promise.resolve('https://extension.invalid/sso?loginToken=abc123');
      },
    });
    await expect(completed.account.signInWithSso(HOMESERVER)).rejects.toThrow('not right');
    expect(launched).toEqual([
      `${HOMESERVER}/_matrix/client/v3/login/sso/redirect?redirectUrl=${encodeURIComponent('https://extension.invalid/sso')}`,
    ]);
    expect(server.calls.findLast((c) => c.path === '/_matrix/client/v3/login')?.body).toMatchObject({
      type: 'm.login.token',
      token: 'abc123',
    });
  });

  it('answers trust requests with "Not signed in." while signed out', async () => {
    const { account } = await service(fakeHomeserver({}).fetchFn);
    await expect(account.rooms.overview()).rejects.toThrow('Not signed in.');
    await expect(account.rooms.report('!room:example.org')).rejects.toThrow('Not signed in.');
    await expect(account.rooms.pinIdentity('@bob:example.org', 'q0Xk3Zc1bm9yZWFsbHlhbmVkMjU1MTlrZXloZXJlAAA')).rejects.toThrow(
      'Not signed in.',
    );
  });
});
