import { CLIENT_FAMILIES } from '../clients/builtInSites';
import { HISTORY_KINDS, isRetentionDays } from '../trust/trustHistory';
import { ALERT_KINDS } from '../trust/alertPolicy';
import type { ProtocolError, RequestKind, RequestMessage, RequestTable, SenderKind } from './protocol';
import {
  type Check,
  deviceId,
  exactly,
  hasOnlyKeys,
  isNonNegativeInteger,
  isPlainObject,
  nonEmptyText,
  oneOf,
  roomAlias,
  roomId,
  userId,
} from '../validation/shape';

const isBoolean: Check = (value) => typeof value === 'boolean';
const SHIELD_PLACES = ['member-list', 'timeline', 'user-info', 'header', 'composer'] as const;
const shieldPlace = oneOf(...SHIELD_PLACES);

interface KindRule<K extends RequestKind> {
  from: readonly RequestTable[K]['from'][];
  params: Check;
}

/** No parameters: `{}` or none at all. */
const none: Check = (params) => params === undefined || exactly({})(params);

const PAGES = ['extension-page'] as const;
const homeserver = nonEmptyText(255);
/** An unpadded base64 public key (ed25519 keys are 43 characters). */
const publicKey: Check = (value) => typeof value === 'string' && /^[A-Za-z0-9+/]{1,128}$/.test(value);
const historyLimit: Check = (value) => isNonNegativeInteger(value) && value >= 1 && value <= 100_000;
/** The most members or devices one message names (a room's list as the user saw it). */
const MAX_SHOWN = 20_000;

function listOf(item: Check, max: number): Check {
  return (value) => Array.isArray(value) && value.length <= max && value.every((entry) => item(entry));
}

function nonEmptyListOf(item: Check, max: number): Check {
  return (value) => Array.isArray(value) && value.length > 0 && listOf(item, max)(value);
}

/**
 * Who may send each kind and what its parameters must look like. Adding a request kind to
 * `RequestTable` without a rule here is a type error, so no kind can skip validation.
 */
const RULES: { [K in RequestKind]: KindRule<K> } = {
  'status.get': { from: PAGES, params: none },
  'page.hello': { from: ['content-script'], params: exactly({ understood: isBoolean }, { client: oneOf(...CLIENT_FAMILIES) }) },
  'page.room': {
    from: ['content-script'],
    params: exactly({
      room: (room) =>
        room === null || exactly({ kind: oneOf('id'), roomId })(room) || exactly({ kind: oneOf('alias'), alias: roomAlias })(room),
    }),
  },
  'page.review': { from: ['content-script'], params: exactly({ roomId }) },
  'page.shown': { from: ['content-script'], params: exactly({ roomId, banner: isBoolean, userIds: listOf(userId, MAX_SHOWN) }) },
  'page.disagrees': {
    from: ['content-script'],
    params: exactly({
      roomId,
      users: nonEmptyListOf(exactly({ userId, places: nonEmptyListOf(shieldPlace, SHIELD_PLACES.length) }), MAX_SHOWN),
    }),
  },
  'tab.state': { from: PAGES, params: exactly({ tabId: isNonNegativeInteger }) },
  'page.visible': { from: ['content-script'], params: none },
  'account.loginOptions': { from: PAGES, params: exactly({ homeserver }) },
  'account.signIn': {
    from: PAGES,
    params: exactly({ homeserver, user: nonEmptyText(255), password: nonEmptyText(1024) }),
  },
  'account.signInWithSso': { from: PAGES, params: exactly({ homeserver }) },
  'account.signInWithOAuth': { from: PAGES, params: exactly({ homeserver }) },
  'account.cancelSignIn': { from: PAGES, params: none },
  'account.signOut': { from: PAGES, params: none },
  'trust.overview': { from: PAGES, params: none },
  'room.report': { from: PAGES, params: exactly({ roomId }) },
  'room.disagreements': { from: PAGES, params: exactly({ roomId }) },
  'room.acknowledge': {
    from: PAGES,
    // Each device with its user and its key: an id alone would cover whatever key it has now.
    params: exactly({ roomId, devices: nonEmptyListOf(exactly({ userId, deviceId, ed25519Key: publicKey }), MAX_SHOWN) }),
  },
  'user.pinIdentity': { from: PAGES, params: exactly({ userId, masterKey: publicKey }) },
  'user.withdrawVerification': { from: PAGES, params: exactly({ userId, masterKey: publicKey }) },
  'security.status': { from: PAGES, params: none },
  'recovery.start': { from: PAGES, params: exactly({}, { passphrase: nonEmptyText(1024), reset: isBoolean }) },
  'recovery.showKey': { from: PAGES, params: none },
  'recovery.confirm': { from: PAGES, params: exactly({ typed: nonEmptyText(1024) }, { password: nonEmptyText(1024) }) },
  'recovery.cancel': { from: PAGES, params: none },
  'recovery.unlock': { from: PAGES, params: exactly({ key: nonEmptyText(1024) }) },
  'identity.reset': { from: PAGES, params: exactly({}, { password: nonEmptyText(1024) }) },
  'verification.start': { from: PAGES, params: exactly({}, { userId, deviceId }) },
  'verification.accept': { from: PAGES, params: none },
  'verification.confirm': { from: PAGES, params: none },
  'verification.mismatch': { from: PAGES, params: none },
  'verification.cancel': { from: PAGES, params: none },
  'verification.dismiss': { from: PAGES, params: none },
  'session.signOut': { from: PAGES, params: exactly({ deviceId }, { password: nonEmptyText(1024) }) },
  'session.accountPageSignOuts': { from: PAGES, params: none },
  'settings.setPolicy': { from: PAGES, params: exactly({ policy: oneOf('default', 'strict') }) },
  'ledger.export': { from: PAGES, params: none },
  // A ledger of 200,000 entries is about 60 MB of JSON; browsers carry messages up to 64 MiB.
  'sites.list': { from: PAGES, params: none },
  'sites.add': { from: PAGES, params: exactly({ origin: nonEmptyText(255) }) },
  'sites.remove': { from: PAGES, params: exactly({ origin: nonEmptyText(255) }) },
  'ledger.import': { from: PAGES, params: exactly({ json: nonEmptyText(64 * 1024 * 1024) }) },
  'history.query': {
    from: PAGES,
    params: (params) => params === undefined || exactly({}, { roomId, userId, kind: oneOf(...HISTORY_KINDS), limit: historyLimit })(params),
  },
  'history.export': { from: PAGES, params: exactly({ format: oneOf('json', 'csv') }) },
  // A full history at its bound is well under 64 MiB of JSON.
  'history.import': { from: PAGES, params: exactly({ json: nonEmptyText(64 * 1024 * 1024) }) },
  'history.setRetention': { from: PAGES, params: exactly({ retentionDays: isRetentionDays }) },
  'alerts.get': { from: PAGES, params: none },
  'alerts.setKind': { from: PAGES, params: exactly({ kind: oneOf(...ALERT_KINDS), enabled: isBoolean }) },
  'alerts.watchRoom': { from: PAGES, params: exactly({ roomId, watched: isBoolean }) },
};

export function isRequestKind(value: unknown): value is RequestKind {
  return typeof value === 'string' && Object.hasOwn(RULES, value);
}

export type ParsedRequest = { ok: true; request: RequestMessage } | { ok: false; error: ProtocolError; kind?: RequestKind };

/**
 * Turns an untrusted message into a typed request, or a clear error. `senderKind` is what
 * `validateSender` established; a kind sent by the wrong party is refused here.
 */
export function parseRequest(raw: unknown, senderKind: SenderKind): ParsedRequest {
  if (!isPlainObject(raw) || !hasOnlyKeys(raw, ['kind', 'params'])) {
    return malformed('a request is an object with "kind" and "params"');
  }
  const { kind, params } = raw;
  if (typeof kind !== 'string') return malformed('"kind" must be a string');
  if (!isRequestKind(kind)) {
    return { ok: false, error: { code: 'unknown-kind', message: 'unknown request kind' } };
  }
  const rule: KindRule<RequestKind> = RULES[kind];
  if (!(rule.from as readonly SenderKind[]).includes(senderKind)) {
    return {
      ok: false,
      kind,
      error: { code: 'forbidden', message: `"${kind}" may only be sent by ${rule.from.map(describe).join(' or ')}` },
    };
  }
  if (!rule.params(params)) {
    return { ok: false, kind, error: { code: 'malformed', message: `"${kind}" got parameters of the wrong shape` } };
  }
  // The rule above checked the parameters for this kind.
  return { ok: true, request: { kind, params: params ?? {} } };
}

function malformed(message: string): ParsedRequest {
  return { ok: false, error: { code: 'malformed', message } };
}

function describe(kind: SenderKind): string {
  return kind === 'extension-page' ? "the extension's own pages" : 'content scripts';
}
