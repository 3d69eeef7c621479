import { describe, expect, it } from 'vitest';
import { isRequestKind, parseRequest } from '../../../src/messaging/parseRequest';
import type { RequestKind, RequestParams, SenderKind } from '../../../src/messaging/protocol';

describe('parseRequest', () => {
  it('accepts a known kind from the sender kind allowed to send it', () => {
    expect(parseRequest({ kind: 'status.get', params: {} }, 'extension-page')).toEqual({
      ok: true,
      request: { kind: 'status.get', params: {} },
    });
  });

  it('treats missing params of a parameterless kind as empty', () => {
    expect(parseRequest({ kind: 'page.visible' }, 'content-script')).toEqual({
      ok: true,
      request: { kind: 'page.visible', params: {} },
    });
  });

  it.each([
    ['a string', 'status.get'],
    ['null', null],
    ['an array', [{ kind: 'status.get' }]],
    ['a number', 42],
    [
      'an object with a prototype other than Object',
      Object.assign(Object.create({ inherited: true }) as object, { kind: 'status.get', params: {} }),
    ],
    ['an object with extra fields', { kind: 'status.get', params: {}, token: 'x' }],
    ['a non-string kind', { kind: 7, params: {} }],
  ])('refuses %s as malformed', (_label, raw) => {
    expect(parseRequest(raw, 'extension-page')).toMatchObject({ ok: false, error: { code: 'malformed' } });
  });

  it('refuses parameters a kind does not take', () => {
    const parsed = parseRequest({ kind: 'status.get', params: { secret: 'x' } }, 'extension-page');
    expect(parsed).toMatchObject({ ok: false, kind: 'status.get', error: { code: 'malformed' } });
  });

  it('refuses parameters that are not an object', () => {
    expect(parseRequest({ kind: 'status.get', params: 'all' }, 'extension-page')).toMatchObject({
      ok: false,
      error: { code: 'malformed' },
    });
  });

  it('refuses unknown kinds without echoing them', () => {
    const parsed = parseRequest({ kind: '<img src=x onerror=alert(1)>', params: {} }, 'extension-page');
    expect(parsed).toEqual({ ok: false, error: { code: 'unknown-kind', message: 'unknown request kind' } });
  });

  it('does not mistake inherited object keys for request kinds', () => {
    for (const kind of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(isRequestKind(kind)).toBe(false);
      expect(parseRequest({ kind, params: {} }, 'extension-page')).toMatchObject({ error: { code: 'unknown-kind' } });
    }
  });

  it('refuses a page-only request from a content script', () => {
    expect(parseRequest({ kind: 'status.get', params: {} }, 'content-script')).toMatchObject({
      ok: false,
      kind: 'status.get',
      error: { code: 'forbidden', message: '"status.get" may only be sent by the extension\'s own pages' },
    });
  });

  it('refuses a content-script request from an extension page', () => {
    expect(parseRequest({ kind: 'page.hello', params: { understood: true } }, 'extension-page')).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });
});

/** An ed25519 public key as the protocol carries it: 43 characters of unpadded base64. */
const KEY = 'q0Xk3Zc1bm9yZWFsbHlhbmVkMjU1MTlrZXloZXJlAAA';

/**
 * One valid example of every request kind. Typed by kind, so adding a kind to the protocol
 * without an example here fails the type check, and the sender tests below cover it.
 */
const EXAMPLES: { [K in RequestKind]: RequestParams<K> } = {
  'status.get': {},
  'page.hello': { understood: true, client: 'Hydrogen' },
  'page.visible': {},
  'page.room': { room: { kind: 'alias', alias: '#lobby:example.org' } },
  'page.shown': { roomId: '!abc:example.org', banner: true, userIds: ['@bob:example.org'] },
  'page.disagrees': { roomId: '!abc:example.org', users: [{ userId: '@bob:example.org', places: ['member-list', 'composer'] }] },
  'page.review': { roomId: '!abc:example.org' },
  'room.disagreements': { roomId: '!abc:example.org' },
  'tab.state': { tabId: 12 },
  'account.loginOptions': { homeserver: 'matrix.org' },
  'account.signIn': { homeserver: 'example.org', user: 'alice', password: 'correct horse battery staple' },
  'account.signInWithSso': { homeserver: 'https://matrix.example.org' },
  'account.signInWithOAuth': { homeserver: 'https://matrix.example.org' },
  'account.cancelSignIn': {},
  'account.signOut': {},
  'trust.overview': {},
  'room.report': { roomId: '!abc:example.org' },
  'room.acknowledge': { roomId: '!abc:example.org', devices: [{ userId: '@bob:example.org', deviceId: 'BOBNEW', ed25519Key: KEY }] },
  'user.pinIdentity': { userId: '@bob:example.org', masterKey: KEY },
  'user.withdrawVerification': { userId: '@bob:example.org', masterKey: KEY },
  'security.status': {},
  'recovery.start': { passphrase: 'correct horse battery staple', reset: false },
  'recovery.showKey': {},
  'recovery.confirm': { typed: 'EsTc LW2K PGiF wKEA', password: 'hunter2' },
  'recovery.cancel': {},
  'recovery.unlock': { key: 'EsTc LW2K PGiF wKEA' },
  'identity.reset': { password: 'hunter2' },
  'verification.start': { userId: '@bob:example.org', deviceId: 'BOBNEW' },
  'verification.accept': {},
  'verification.confirm': {},
  'verification.mismatch': {},
  'verification.cancel': {},
  'verification.dismiss': {},
  'session.signOut': { deviceId: 'OLDPHONE', password: 'hunter2' },
  'session.accountPageSignOuts': {},
  'settings.setPolicy': { policy: 'strict' },
  'ledger.export': {},
  'ledger.import': { json: '{"version":1,"entries":[]}' },
  'history.query': { roomId: '!plans:example.org', kind: 'acknowledged', limit: 100 },
  'history.export': { format: 'json' },
  'history.import': { json: '{"version":1,"events":[]}' },
  'history.setRetention': { retentionDays: null },
  'sites.list': {},
  'sites.add': { origin: 'https://chat.example.org' },
  'sites.remove': { origin: 'https://chat.example.org' },
  'alerts.get': {},
  'alerts.setKind': { kind: 'critical-any-room', enabled: false },
  'alerts.watchRoom': { roomId: '!room:example.org', watched: true },
};

const KINDS = Object.keys(EXAMPLES) as RequestKind[];

/** The only kinds a content script (running inside a web page) may send. */
const FROM_CONTENT_SCRIPTS: readonly RequestKind[] = [
  'page.hello',
  'page.visible',
  'page.room',
  'page.shown',
  'page.disagrees',
  'page.review',
];
/** The only kinds extension pages may not send. */
const CONTENT_SCRIPTS_ONLY = FROM_CONTENT_SCRIPTS;

function parses(kind: RequestKind, params: unknown, sender: SenderKind = 'extension-page'): boolean {
  return parseRequest({ kind, params }, sender).ok;
}

function expectAccepted(kind: RequestKind, params: unknown, sender: SenderKind = 'extension-page'): void {
  expect(parseRequest({ kind, params }, sender)).toEqual({ ok: true, request: { kind, params } });
}

function expectMalformed(kind: RequestKind, params: unknown): void {
  expect(parseRequest({ kind, params }, 'extension-page')).toMatchObject({
    ok: false,
    kind,
    error: { code: 'malformed', message: `"${kind}" got parameters of the wrong shape` },
  });
}

describe('parseRequest: who may send what', () => {
  it('knows every kind of the protocol', () => {
    expect(KINDS.filter((kind) => !isRequestKind(kind))).toEqual([]);
  });

  it.each(KINDS)('accepts a valid %s from exactly the senders allowed to send it', (kind) => {
    const params = EXAMPLES[kind];
    for (const sender of ['extension-page', 'content-script'] as const) {
      const allowed = sender === 'content-script' ? FROM_CONTENT_SCRIPTS.includes(kind) : !CONTENT_SCRIPTS_ONLY.includes(kind);
      if (allowed) {
        expectAccepted(kind, params, sender);
      } else {
        expect(parseRequest({ kind, params }, sender)).toMatchObject({ ok: false, kind, error: { code: 'forbidden' } });
      }
    }
  });

  it('lets content scripts send only the page.* kinds: no room report, which would tell a page about any room', () => {
    expect(KINDS.filter((kind) => parses(kind, EXAMPLES[kind], 'content-script'))).toEqual([
      'page.hello',
      'page.visible',
      'page.room',
      'page.shown',
      'page.disagrees',
      'page.review',
    ]);
  });

  it('lets extension pages send everything but the page.* kinds', () => {
    expect(KINDS.filter((kind) => !parses(kind, EXAMPLES[kind], 'extension-page'))).toEqual([
      'page.hello',
      'page.visible',
      'page.room',
      'page.shown',
      'page.disagrees',
      'page.review',
    ]);
  });

  it('keeps tab.state (what a tab shows) to extension pages', () => {
    expect(parseRequest({ kind: 'tab.state', params: { tabId: 3 } }, 'content-script')).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it('checks the sender before the parameters, so a content script learns nothing about page-only shapes', () => {
    expect(parseRequest({ kind: 'account.signIn', params: { nonsense: true } }, 'content-script')).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: '"account.signIn" may only be sent by the extension\'s own pages' },
    });
  });

  it('names content scripts as the only sender of page.hello', () => {
    expect(parseRequest({ kind: 'page.hello', params: { understood: true } }, 'extension-page')).toMatchObject({
      error: { code: 'forbidden', message: '"page.hello" may only be sent by content scripts' },
    });
  });
});

describe('parseRequest: parameters', () => {
  describe('page.room', () => {
    it.each([
      ['no room', { room: null }],
      ['a room id', { room: { kind: 'id', roomId: '!abc:example.org' } }],
      ['an alias', { room: { kind: 'alias', alias: '#lobby:example.org' } }],
    ])('takes %s', (_label, params) => {
      expectAccepted('page.room', params, 'content-script');
    });

    it.each([
      ['no room field', {}],
      ['an alias given as an id', { room: { kind: 'id', roomId: '#lobby:example.org' } }],
      ['an id given as an alias', { room: { kind: 'alias', alias: '!abc:example.org' } }],
      ['an alias without a server', { room: { kind: 'alias', alias: '#lobby' } }],
      ['an unknown kind', { room: { kind: 'url', url: 'https://example.org' } }],
      ['an extra field', { room: { kind: 'id', roomId: '!abc:example.org', name: '<b>x</b>' } }],
      ['a bare string', { room: '!abc:example.org' }],
      ['a huge alias', { room: { kind: 'alias', alias: `#${'a'.repeat(300)}:example.org` } }],
    ])('refuses %s', (_label, params) => {
      expect(parseRequest({ kind: 'page.room', params }, 'content-script')).toMatchObject({ ok: false, error: { code: 'malformed' } });
    });
  });

  describe('tab.state', () => {
    it.each([[-1], [1.5], ['3'], [Number.NaN]])('refuses the tab id %s', (tabId) => {
      expectMalformed('tab.state', { tabId });
    });
  });

  describe.each(['status.get', 'account.signOut', 'trust.overview', 'ledger.export'] as const)('%s', (kind) => {
    it('takes no parameters, given as {} or left out', () => {
      expectAccepted(kind, {});
      expect(parseRequest({ kind }, 'extension-page')).toEqual({ ok: true, request: { kind, params: {} } });
    });

    it('refuses any parameter', () => {
      expectMalformed(kind, { roomId: '!abc:example.org' });
      expectMalformed(kind, null);
      expectMalformed(kind, []);
    });
  });

  describe.each(['account.loginOptions', 'account.signInWithSso', 'account.signInWithOAuth'] as const)('%s', (kind) => {
    it('takes a homeserver of up to 255 characters', () => {
      expectAccepted(kind, { homeserver: 'matrix.org' });
      expectAccepted(kind, { homeserver: 'h'.repeat(255) });
    });

    it.each([
      ['a missing homeserver', {}],
      ['an empty homeserver', { homeserver: '' }],
      ['a homeserver over 255 characters', { homeserver: 'h'.repeat(256) }],
      ['a homeserver that is not a string', { homeserver: ['matrix.org'] }],
      ['an extra field', { homeserver: 'matrix.org', user: 'alice' }],
    ])('refuses %s', (_label, params) => {
      expectMalformed(kind, params);
    });
  });

  describe('account.signIn', () => {
    const valid = EXAMPLES['account.signIn'];
    const limits = { homeserver: 255, user: 255, password: 1024 } as const;

    it('takes a homeserver, user and password, each up to its limit', () => {
      expectAccepted('account.signIn', valid);
      expectAccepted('account.signIn', { homeserver: 'h'.repeat(255), user: 'u'.repeat(255), password: 'p'.repeat(1024) });
    });

    it.each(Object.keys(limits) as (keyof typeof limits)[])('refuses a missing, empty, over-long or non-string %s', (field) => {
      const { [field]: _dropped, ...without } = valid;
      expectMalformed('account.signIn', without);
      expectMalformed('account.signIn', { ...valid, [field]: '' });
      expectMalformed('account.signIn', { ...valid, [field]: 'x'.repeat(limits[field] + 1) });
      expectMalformed('account.signIn', { ...valid, [field]: 42 });
      expectMalformed('account.signIn', { ...valid, [field]: null });
    });

    it('refuses an extra field', () => {
      expectMalformed('account.signIn', { ...valid, deviceName: 'mine' });
      expectMalformed('account.signIn', { ...valid, accessToken: 'syt_x' });
    });
  });

  describe.each(['room.report', 'room.acknowledge'] as const)('%s room ids', (kind) => {
    const rest = kind === 'room.acknowledge' ? { devices: [{ userId: '@bob:example.org', deviceId: 'BOBNEW', ed25519Key: KEY }] } : {};
    it('accepts room ids with and without a server part (room version 12 has none)', () => {
      expectAccepted(kind, { roomId: '!abc:example.org', ...rest });
      expectAccepted(kind, { roomId: '!abc', ...rest });
      expectAccepted(kind, { roomId: '!31hneApxJ_1o-63DmFrpeqnkFfWppnzWso1JvH3ogLM', ...rest });
      expectAccepted(kind, { roomId: `!${'r'.repeat(254)}`, ...rest });
    });

    it.each([
      ['without the leading "!"', 'abc'],
      ['an alias', '#room:example.org'],
      ['with a space', '!has space:example.org'],
      ['with a newline', '!abc\n:example.org'],
      ['of only "!"', '!'],
      ['empty', ''],
      ['over 255 characters', `!${'r'.repeat(299)}`],
      ['not a string', 7],
    ])('refuses a room id %s', (_label, roomId) => {
      expectMalformed(kind, { roomId, ...rest });
    });

    it('refuses a missing room id', () => {
      expectMalformed(kind, rest);
    });
  });

  describe('room.report', () => {
    it('refuses an extra field', () => {
      expectMalformed('room.report', { roomId: '!abc:example.org', userId: '@bob:example.org' });
    });
  });

  describe('room.acknowledge', () => {
    const bobNew = { userId: '@bob:example.org', deviceId: 'BOBNEW', ed25519Key: KEY };

    it('names each device acknowledged with its user and the key the user was shown', () => {
      expectAccepted('room.acknowledge', { roomId: '!abc', devices: [bobNew] });
      expectAccepted('room.acknowledge', {
        roomId: '!abc',
        devices: [bobNew, { ...bobNew, deviceId: 'BOBOLD' }, { ...bobNew, userId: '@dave:example.org' }],
      });
    });

    it('refuses a whole room or a whole user: an acknowledgement covers what was shown, never what came after', () => {
      expectMalformed('room.acknowledge', { roomId: '!abc' });
      expectMalformed('room.acknowledge', { roomId: '!abc', userId: '@bob:example.org' });
      expectMalformed('room.acknowledge', { roomId: '!abc', userId: '@bob:example.org', deviceId: 'BOBNEW' });
      expectMalformed('room.acknowledge', { roomId: '!abc', devices: [] });
    });

    it.each([
      ['a device without its key', { userId: '@bob:example.org', deviceId: 'BOBNEW' }],
      ['a device without its user', { deviceId: 'BOBNEW', ed25519Key: KEY }],
      ['a malformed user id', { ...bobNew, userId: 'bob' }],
      ['a malformed device id', { ...bobNew, deviceId: 'BOB NEW' }],
      ['an empty device id', { ...bobNew, deviceId: '' }],
      ['a key that is not base64', { ...bobNew, ed25519Key: 'not a key!' }],
      ['an empty key', { ...bobNew, ed25519Key: '' }],
      ['an extra field', { ...bobNew, class: 'unsigned' }],
    ])('refuses %s', (_label, device) => {
      expectMalformed('room.acknowledge', { roomId: '!abc', devices: [device] });
    });

    it('refuses more devices than any room shows', () => {
      expectMalformed('room.acknowledge', { roomId: '!abc', devices: Array.from({ length: 20_001 }, () => bobNew) });
    });
  });

  describe('page.shown', () => {
    it('names the room, whether the banner was placed, and whose badges', () => {
      expectAccepted('page.shown', { roomId: '!abc', banner: false, userIds: ['@bob:example.org'] }, 'content-script');
      expectAccepted('page.shown', { roomId: '!abc', banner: true, userIds: [] }, 'content-script');
    });

    it.each([
      ['without the banner flag', { roomId: '!abc', userIds: [] }],
      ['with a malformed user id', { roomId: '!abc', banner: false, userIds: ['bob'] }],
      ['with a user list that is not a list', { roomId: '!abc', banner: false, userIds: '@bob:example.org' }],
    ])('refuses a report %s', (_label, params) => {
      expect(parseRequest({ kind: 'page.shown', params }, 'content-script')).toMatchObject({ ok: false, error: { code: 'malformed' } });
    });
  });

  describe.each(['user.pinIdentity', 'user.withdrawVerification'] as const)('%s', (kind) => {
    it('takes a user id that looks like @name:server', () => {
      expectAccepted(kind, { userId: '@bob:example.org', masterKey: KEY });
      expectAccepted(kind, { userId: '@bob:example.org:8448', masterKey: KEY });
      expectAccepted(kind, { userId: '@_bridge_bot=42:[2001:db8::1]', masterKey: KEY });
    });

    it.each([
      ['without "@"', 'bob:example.org'],
      ['without a server', '@bob'],
      ['with an empty server', '@bob:'],
      ['with an empty name', '@:example.org'],
      ['with a space', '@bob smith:example.org'],
      ['a room id', '!abc:example.org'],
      ['over 255 characters', `@${'b'.repeat(250)}:example.org`],
      ['not a string', { userId: '@bob:example.org' }],
    ])('refuses a user id %s', (_label, userId) => {
      expectMalformed(kind, { userId, masterKey: KEY });
    });

    it('refuses a missing user id', () => {
      expectMalformed(kind, { masterKey: KEY });
    });

    it('refuses a missing or malformed master key: a pin is for the identity the user was shown', () => {
      expectMalformed(kind, { userId: '@bob:example.org' });
      expectMalformed(kind, { userId: '@bob:example.org', masterKey: '' });
      expectMalformed(kind, { userId: '@bob:example.org', masterKey: 'no spaces allowed' });
    });
  });

  describe('verification.start', () => {
    it('takes an optional user id and device id, each well formed', () => {
      expectAccepted('verification.start', {});
      expectAccepted('verification.start', { deviceId: 'ALICEPHONE' });
      expectAccepted('verification.start', { userId: '@bob:example.org', deviceId: 'BOBNEW' });
      expectMalformed('verification.start', { userId: '@bob:example.org', deviceId: 'BOB NEW' });
      expectMalformed('verification.start', { userId: 'bob' });
    });
  });

  describe('the recovery requests', () => {
    it('take a key, passphrase or password as non-empty text of bounded length, and nothing else', () => {
      expectAccepted('recovery.start', {});
      expectAccepted('recovery.start', { reset: true });
      expectMalformed('recovery.start', { passphrase: '' });
      expectMalformed('recovery.start', { reset: 'yes' });
      expectMalformed('recovery.confirm', { typed: '' });
      expectMalformed('recovery.confirm', { typed: 'x'.repeat(1025) });
      expectMalformed('recovery.unlock', {});
      expectMalformed('recovery.unlock', { key: 'abc', extra: true });
      expectMalformed('session.signOut', { password: 'hunter2' });
    });
  });

  describe.each(['user.pinIdentity', 'user.withdrawVerification'] as const)('%s', (kind) => {
    it('takes no device id', () => {
      expectMalformed(kind, { userId: '@bob:example.org', deviceId: 'BOBNEW' });
    });
  });

  describe('settings.setPolicy', () => {
    it.each(['default', 'strict'])('takes the policy %s', (policy) => {
      expectAccepted('settings.setPolicy', { policy });
    });

    it.each([
      ['an unknown policy', 'lenient'],
      ['another case', 'Strict'],
      ['an empty string', ''],
      ['a number', 1],
      ['a list', ['strict']],
    ])('refuses %s', (_label, policy) => {
      expectMalformed('settings.setPolicy', { policy });
    });

    it('refuses a missing policy or an extra field', () => {
      expectMalformed('settings.setPolicy', {});
      expectMalformed('settings.setPolicy', { policy: 'strict', scope: 'all' });
    });
  });

  describe('ledger.import', () => {
    it('takes a JSON text', () => {
      expectAccepted('ledger.import', { json: '{"version":1,"entries":[]}' });
    });

    it.each([
      ['an empty text', { json: '' }],
      ['a missing text', {}],
      ['an already parsed object', { json: { version: 1, entries: [] } }],
      ['an extra field', { json: '{}', merge: true }],
    ])('refuses %s', (_label, params) => {
      expectMalformed('ledger.import', params);
    });
  });

  describe('history requests', () => {
    it('takes a query without filters, or with a room, a person, a kind and a limit', () => {
      expectAccepted('history.query', {});
      expectAccepted('history.query', { roomId: '!plans:example.org', userId: '@bob:example.org', kind: 'departed', limit: 1 });
    });

    it.each([
      ['an unknown kind', { kind: 'deleted' }],
      ['a user id that is no user id', { userId: 'bob' }],
      ['a limit of zero', { limit: 0 }],
      ['a fractional limit', { limit: 2.5 }],
      ['an extra filter', { deviceId: 'ZMF' }],
    ])('refuses a query with %s', (_label, params) => {
      expectMalformed('history.query', params);
    });

    it('exports as JSON or CSV only', () => {
      expectAccepted('history.export', { format: 'csv' });
      expectMalformed('history.export', { format: 'xlsx' });
      expectMalformed('history.export', {});
    });

    it.each([[30], [365], [3650], [null]])('takes a retention of %s days', (retentionDays) => {
      expectAccepted('history.setRetention', { retentionDays });
    });

    it.each([[0], [-1], [3651], [1.5], ['365']])('refuses a retention of %s', (retentionDays) => {
      expectMalformed('history.setRetention', { retentionDays });
    });
  });

  describe('alerts', () => {
    it('takes one of the four kinds with a boolean, and a room id to watch', () => {
      expectAccepted('alerts.setKind', { kind: 'own-unsigned-session', enabled: false });
      expectAccepted('alerts.watchRoom', { roomId: '!room:example.org', watched: false });
    });

    it.each([
      ['alerts.setKind', 'an unknown kind', { kind: 'everything', enabled: true }],
      ['alerts.setKind', 'a non-boolean', { kind: 'watched-room', enabled: 'yes' }],
      ['alerts.watchRoom', 'a room alias', { roomId: '#room:example.org', watched: true }],
      ['alerts.watchRoom', 'a missing flag', { roomId: '!room:example.org' }],
    ] as const)('%s refuses %s', (kind, _label, params) => {
      expectMalformed(kind, params);
    });
  });
});
