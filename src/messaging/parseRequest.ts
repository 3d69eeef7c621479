import type { ProtocolError, RequestKind, RequestMessage, SenderKind } from './protocol';
import { hasOnlyKeys, isPlainObject } from './shape';

type ParamsParser = (params: unknown) => boolean;

interface KindRule {
  from: SenderKind;
  paramsAreValid: ParamsParser;
}

const noParams: ParamsParser = (params) =>
  params === undefined || (isPlainObject(params) && Object.keys(params).length === 0);

/**
 * Who may send each kind and what its parameters must look like. Adding a request kind to
 * `RequestTable` without a rule here is a type error, so no kind can skip validation.
 */
const RULES: { [K in RequestKind]: KindRule } = {
  'status.get': { from: 'extension-page', paramsAreValid: noParams },
  'page.hello': { from: 'content-script', paramsAreValid: noParams },
};

export function isRequestKind(value: unknown): value is RequestKind {
  return typeof value === 'string' && Object.hasOwn(RULES, value);
}

export type ParsedRequest =
  | { ok: true; request: RequestMessage }
  | { ok: false; error: ProtocolError; kind?: RequestKind };

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
  const rule = RULES[kind];
  if (rule.from !== senderKind) {
    return {
      ok: false,
      kind,
      error: { code: 'forbidden', message: `"${kind}" may only be sent by ${describe(rule.from)}` },
    };
  }
  if (!rule.paramsAreValid(params)) {
    return { ok: false, kind, error: { code: 'malformed', message: `"${kind}" got parameters of the wrong shape` } };
  }
  // The rule above checked the parameters for this kind.
  return { ok: true, request: { kind, params: (params ?? {}) as RequestMessage['params'] } };
}

function malformed(message: string): ParsedRequest {
  return { ok: false, error: { code: 'malformed', message } };
}

function describe(kind: SenderKind): string {
  return kind === 'extension-page' ? "the extension's own pages" : 'content scripts';
}
