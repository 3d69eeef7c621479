import { afterAll, describe, expect, it } from 'vitest';
import { isRequestKind } from '../../../src/messaging/parseRequest';
import type { RequestKind } from '../../../src/messaging/protocol';
import { createRequestRouter, type RequestHandlers } from '../../../src/messaging/requestRouter';
import type { RawSender, SenderPolicy } from '../../../src/messaging/validateSender';
import { addFigures } from '../../support/figures';
import { seededRandom as random } from '../../support/seededRandom';

/**
 * The background's one door, hammered: random values, valid requests mutated one way or
 * another, and every kind of sender, including pages and other extensions. Whatever comes in,
 * the router must answer with a typed response, never throw, and call a handler (the only
 * thing that can change state) only for a well-formed request from a sender allowed to send
 * it. Seeded, so a failure replays.
 */

const EXTENSION_ID = 'mtg-extension-id';
const EXTENSION_ORIGIN = 'chrome-extension://mtgextensionid';
const policy: SenderPolicy = {
  extensionId: EXTENSION_ID,
  extensionOrigin: EXTENSION_ORIGIN,
  isWatchedOrigin: (origin) => origin === 'https://app.element.io' || origin === 'https://chat.example.org',
};

/** The request kinds a content script may send; every other kind is for the extension's pages. */
const CONTENT_SCRIPT_KINDS = new Set<RequestKind>([
  'page.hello',
  'page.room',
  'page.shown',
  'page.disagrees',
  'page.review',
  'page.visible',
]);

const ROOM = '!room:example.org';
/** One well-formed request of every kind: the seeds mutations start from. */
const VALID: { [K in RequestKind]: unknown } = {
  'status.get': {},
  'page.hello': { understood: true, client: 'Element Web' },
  'page.room': { room: { kind: 'id', roomId: ROOM } },
  'page.shown': { roomId: ROOM, banner: true, userIds: ['@bob:example.org'] },
  'page.disagrees': { roomId: ROOM, users: [{ userId: '@bob:example.org', places: ['member-list'] }] },
  'page.review': { roomId: ROOM },
  'room.disagreements': { roomId: ROOM },
  'tab.state': { tabId: 3 },
  'page.visible': {},
  'account.loginOptions': { homeserver: 'example.org' },
  'account.signIn': { homeserver: 'example.org', user: '@alice:example.org', password: 'secret' },
  'account.signInWithSso': { homeserver: 'example.org' },
  'account.signInWithOAuth': { homeserver: 'example.org' },
  'account.cancelSignIn': {},
  'account.signOut': {},
  'trust.overview': {},
  'room.report': { roomId: ROOM },
  'room.acknowledge': {
    roomId: ROOM,
    devices: [{ userId: '@bob:example.org', deviceId: 'BOBDEVICE', ed25519Key: 'q0Xk3Zc1bm9yZWFsbHlhbmVkMjU1MTlrZXloZXJlAAA' }],
  },
  'user.pinIdentity': { userId: '@bob:example.org', masterKey: 'q0Xk3Zc1bm9yZWFsbHlhbmVkMjU1MTlrZXloZXJlAAA' },
  'user.withdrawVerification': { userId: '@bob:example.org', masterKey: 'q0Xk3Zc1bm9yZWFsbHlhbmVkMjU1MTlrZXloZXJlAAA' },
  'security.status': {},
  'recovery.start': { reset: false },
  'recovery.showKey': {},
  'recovery.confirm': { typed: 'EsTc LW2K PGiF' },
  'recovery.cancel': {},
  'recovery.unlock': { key: 'EsTc LW2K PGiF' },
  'identity.reset': {},
  'verification.start': {},
  'verification.accept': {},
  'verification.confirm': {},
  'verification.mismatch': {},
  'verification.cancel': {},
  'verification.dismiss': {},
  'session.signOut': { deviceId: 'OLDLAPTOP' },
  'session.accountPageSignOuts': {},
  'settings.setPolicy': { policy: 'strict' },
  'ledger.export': {},
  'sites.list': {},
  'sites.add': { origin: 'https://chat.example.org' },
  'sites.remove': { origin: 'https://chat.example.org' },
  'ledger.import': { json: '{}' },
  'history.query': { roomId: ROOM, userId: '@bob:example.org', kind: 'warned', limit: 200 },
  'history.export': { format: 'csv' },
  'history.import': { json: '{}' },
  'history.setRetention': { retentionDays: 90 },
  'alerts.get': {},
  'alerts.setKind': { kind: 'watched-room', enabled: true },
  'alerts.watchRoom': { roomId: ROOM, watched: true },
};
const KINDS = Object.keys(VALID) as RequestKind[];

const SENDERS = {
  popup: { id: EXTENSION_ID, url: `${EXTENSION_ORIGIN}/popup.html`, origin: EXTENSION_ORIGIN },
  optionsInTab: { id: EXTENSION_ID, url: `${EXTENSION_ORIGIN}/options.html`, tab: { id: 9 }, frameId: 0 },
  watchedTab: {
    id: EXTENSION_ID,
    url: 'https://app.element.io/#/room/!room:example.org',
    origin: 'https://app.element.io',
    tab: { id: 4 },
    frameId: 0,
  },
  selfHostedTab: { id: EXTENSION_ID, url: 'https://chat.example.org/', tab: { id: 5 }, frameId: 0 },
} satisfies Record<string, RawSender>;

/** Senders that must reach no handler at all. */
const REFUSED_SENDERS: RawSender[] = [
  { id: 'another-extension', url: `${EXTENSION_ORIGIN}/popup.html` },
  { url: `${EXTENSION_ORIGIN}/popup.html` },
  { id: EXTENSION_ID, url: 'https://evil.example/', origin: 'https://evil.example', tab: { id: 4 }, frameId: 0 },
  { id: EXTENSION_ID, url: 'https://app.element.io/', tab: { id: 4 }, frameId: 7 },
  { id: EXTENSION_ID, url: 'https://app.element.io/', origin: 'null', tab: { id: 4 }, frameId: 0 },
  { id: EXTENSION_ID, url: 'https://app.element.io/', origin: 'https://evil.example', tab: { id: 4 }, frameId: 0 },
  { id: EXTENSION_ID, url: 'https://app.element.io/', frameId: 0 },
  { id: EXTENSION_ID, url: 'https://app.element.io/', tab: { id: -1 }, frameId: 0 },
  { id: EXTENSION_ID, url: 'data:text/html,<p>hi', tab: { id: 4 }, frameId: 0 },
  { id: EXTENSION_ID, url: 'about:blank', tab: { id: 4 }, frameId: 0 },
  { id: EXTENSION_ID, url: 'http://app.element.io.evil.example/', tab: { id: 4 }, frameId: 0 },
  { id: EXTENSION_ID, url: `${EXTENSION_ORIGIN}.evil.example/popup.html` },
  { id: EXTENSION_ID, url: `${EXTENSION_ORIGIN}/popup.html`, origin: 'https://evil.example' },
  { id: EXTENSION_ID },
  {},
];

const STRINGS = [
  '',
  ' ',
  'status.get',
  'room.acknowledge',
  '__proto__',
  'constructor',
  'toString',
  '!room:example.org',
  '@bob:example.org',
  '<img src=x onerror=alert(1)>',
  '\u202Egnp.exe',
  '\u200B',
  'a'.repeat(10_000),
  '\uD800',
  'https://app.element.io',
  '#alias:example.org',
];

function randomValue(next: () => number, depth = 0): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  switch (Math.floor(next() * (depth > 3 ? 6 : 9))) {
    case 0:
      return pick([null, undefined, true, false]);
    case 1:
      return pick([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, -0]);
    case 2:
    case 3:
      return pick(STRINGS);
    case 4:
      return pick([Symbol('x'), () => 1, new Date(0), /re/, new Map(), new Uint8Array(3)]);
    case 5:
      return BigInt(Math.floor(next() * 100));
    case 6:
      return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      const keys = Math.floor(next() * 4);
      for (let i = 0; i < keys; i++)
        object[pick([...STRINGS.slice(0, 8), 'kind', 'params', 'roomId', 'userId'])] = randomValue(next, depth + 1);
      return object;
    }
  }
}

/** A valid request of `kind` broken in one way: every result must be refused as malformed. */
function mutate(kind: RequestKind, next: () => number): { message: unknown; how: string } {
  const params = VALID[kind] as Record<string, unknown>;
  const keys = Object.keys(params);
  const choice = Math.floor(next() * 7);
  if (choice === 0) return { message: { kind, params: { ...params, extra: randomValue(next) } }, how: 'an extra parameter' };
  if (choice === 1) return { message: { kind, params, sneaky: true }, how: 'an extra top-level key' };
  if (choice === 2) return { message: { kind: `${kind} `, params }, how: 'an unknown kind' };
  if (choice === 3) return { message: [kind, params], how: 'an array instead of an object' };
  if (choice === 4)
    return {
      message: JSON.parse(`{"kind":${JSON.stringify(kind)},"params":{"__proto__":{"polluted":true}}}`) as unknown,
      how: 'a __proto__ parameter',
    };
  if (keys.length > 0) {
    const key = keys[Math.floor(next() * keys.length)] as string;
    // Wrong for every field there is: ids, free text, booleans, numbers, the room reference.
    const wrongs: unknown[] = [['x'], { nested: true }, '', -1.5, Number.NaN, undefined];
    // Longer than any free-text field allows, except an imported file's JSON (64 MiB).
    if (kind !== 'ledger.import' && kind !== 'history.import') wrongs.push('x'.repeat(70_000));
    const wrong = wrongs[Math.floor(next() * wrongs.length)];
    return { message: { kind, params: { ...params, [key]: wrong } }, how: `"${key}" replaced by ${typeof wrong}` };
  }
  const wrong = [42, 'x', [], null, false, { unexpected: randomValue(next) }][Math.floor(next() * 6)];
  return { message: { kind, params: wrong }, how: 'parameters for a kind without any' };
}

interface Harness {
  route: ReturnType<typeof createRequestRouter>;
  calls: { kind: RequestKind; params: unknown; sender: unknown }[];
}

function harness(): Harness {
  const calls: Harness['calls'] = [];
  const handlers = Object.fromEntries(
    KINDS.map((kind) => [
      kind,
      (params: unknown, sender: unknown) => {
        calls.push({ kind, params, sender });
        return {};
      },
    ]),
  ) as unknown as RequestHandlers;
  const route = createRequestRouter(handlers, policy, { refused: () => undefined, failed: () => undefined });
  return { route, calls };
}

const CODES = new Set(['malformed', 'unknown-kind', 'forbidden', 'failed']);
let cases = 0;

async function expectRefused(h: Harness, message: unknown, sender: RawSender, what: string): Promise<void> {
  cases++;
  const before = h.calls.length;
  const response = await h.route(message, sender);
  if (response.ok || !CODES.has(response.error.code) || typeof response.error.message !== 'string' || h.calls.length !== before) {
    throw new Error(
      `${what}: expected a typed refusal and no handler call, got ${JSON.stringify(response)} with ${h.calls.length - before} handler calls`,
    );
  }
}

afterAll(() => {
  addFigures({ fuzz_cases_count: cases });
});

describe('the request router under fuzzing', () => {
  it('accepts every valid request from a sender allowed to send it (the seeds are right)', async () => {
    const h = harness();
    for (const kind of KINDS) {
      const sender = CONTENT_SCRIPT_KINDS.has(kind) ? SENDERS.watchedTab : SENDERS.popup;
      cases++;
      expect(await h.route({ kind, params: VALID[kind] }, sender), kind).toEqual({ ok: true, result: {} });
    }
    expect(h.calls.map((call) => call.kind)).toEqual(KINDS);
    expect(KINDS.every(isRequestKind)).toBe(true);
  });

  it('lets no content script, however well-formed its message, reach what only extension pages may do', async () => {
    const h = harness();
    for (const kind of KINDS.filter((k) => !CONTENT_SCRIPT_KINDS.has(k))) {
      for (const sender of [SENDERS.watchedTab, SENDERS.selfHostedTab]) {
        await expectRefused(h, { kind, params: VALID[kind] }, sender, `${kind} from a content script`);
      }
    }
  });

  it('lets no other extension, page, subframe or unwatched site reach any handler', async () => {
    const h = harness();
    for (const sender of REFUSED_SENDERS) {
      for (const kind of KINDS) await expectRefused(h, { kind, params: VALID[kind] }, sender, `${kind} from ${JSON.stringify(sender)}`);
    }
  });

  it('refuses 3,000 valid requests broken one way or another, with a typed error and no handler call', async () => {
    const h = harness();
    const next = random(0x5eed);
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      const kind = KINDS[Math.floor(next() * KINDS.length)] as RequestKind;
      const { message, how } = mutate(kind, next);
      const sender = CONTENT_SCRIPT_KINDS.has(kind) ? SENDERS.watchedTab : SENDERS.popup;
      const before = h.calls.length;
      const response = await h.route(message, sender);
      cases++;
      if (response.ok) throw new Error(`${kind} with ${how} was accepted`);
      refused++;
      expect(CODES.has(response.error.code), `${kind} with ${how}`).toBe(true);
      expect(h.calls.length, `${kind} with ${how}`).toBe(before);
    }
    expect(refused).toBe(3000);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers 20,000 random values from every kind of sender without throwing, and calls no handler for them', async () => {
    const h = harness();
    const next = random(0xfacade);
    const senders: RawSender[] = [...Object.values(SENDERS), ...REFUSED_SENDERS];
    for (let i = 0; i < 20_000; i++) {
      const message = next() < 0.5 ? randomValue(next) : { kind: randomValue(next), params: randomValue(next) };
      const sender = senders[Math.floor(next() * senders.length)] as RawSender;
      const before = h.calls.length;
      const response = await h.route(message, sender);
      cases++;
      expect(response.ok || CODES.has(response.error.code)).toBe(true);
      // Random kinds are never real ones, except by drawing one of the strings above.
      if (h.calls.length !== before) {
        const call = h.calls.at(-1);
        expect(call && isRequestKind((message as { kind: unknown }).kind)).toBe(true);
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps replayed and reordered requests to what each one alone may do', async () => {
    const h = harness();
    const next = random(0xc0ffee);
    const pageMessages = [...CONTENT_SCRIPT_KINDS].map((kind) => ({ kind, params: VALID[kind] }));
    const pageOnly = KINDS.filter((k) => !CONTENT_SCRIPT_KINDS.has(k)).map((kind) => ({ kind, params: VALID[kind] }));
    // A content script replays its own messages in any order, with the pages' requests mixed in.
    for (let i = 0; i < 2000; i++) {
      const fromPage = next() < 0.5;
      const pool = fromPage ? pageMessages : pageOnly;
      const message = pool[Math.floor(next() * pool.length)];
      const before = h.calls.length;
      const response = await h.route(message, SENDERS.watchedTab);
      cases++;
      expect(response.ok).toBe(fromPage);
      expect(h.calls.length).toBe(before + (fromPage ? 1 : 0));
      if (fromPage)
        expect(h.calls.at(-1)?.sender).toEqual({
          kind: 'content-script',
          tabId: 4,
          origin: 'https://app.element.io',
          url: SENDERS.watchedTab.url,
        });
    }
  });
});
