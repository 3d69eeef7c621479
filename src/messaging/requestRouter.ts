import { UserFacingError } from '../errors';
import { parseRequest } from './parseRequest';
import type { ProtocolError, RequestKind, RequestParams, RequestResult, RequestTable, Response } from './protocol';
import { type RawSender, type SenderPolicy, type ValidSender, validateSender } from './validateSender';

/** A handler receives parameters that already passed validation, and the validated sender. */
export type RequestHandler<K extends RequestKind> = (
  params: RequestParams<K>,
  sender: Extract<ValidSender, { kind: RequestTable[K]['from'] }>,
) => Promise<RequestResult<K>> | RequestResult<K>;

export type RequestHandlers = { [K in RequestKind]: RequestHandler<K> };

/** What the router reports about refused or failed messages: never the payload itself. */
export interface RouterLog {
  refused(event: { reason: string; code: ProtocolError['code']; kind?: RequestKind; from: string }): void;
  failed(event: { kind: RequestKind; from: string; error: unknown }): void;
}

/**
 * The background's single entry point for requests: validates the sender, parses the
 * message, runs the handler and always answers with a `Response`, never a thrown error.
 */
export function createRequestRouter(handlers: RequestHandlers, policy: SenderPolicy, log: RouterLog) {
  return async function route(raw: unknown, rawSender: RawSender): Promise<Response<unknown>> {
    const check = validateSender(rawSender, policy);
    if (!check.ok) {
      log.refused({ reason: check.reason, code: 'forbidden', from: describeRawSender(rawSender) });
      return { ok: false, error: { code: 'forbidden', message: 'this sender may not talk to Matrix Trust Guard' } };
    }
    const sender = check.sender;
    const parsed = parseRequest(raw, sender.kind);
    if (!parsed.ok) {
      log.refused({ reason: parsed.error.message, code: parsed.error.code, kind: parsed.kind, from: describe(sender) });
      return { ok: false, error: parsed.error };
    }
    const { kind, params } = parsed.request;
    try {
      // parseRequest checked that this sender kind may send `kind`.
      const handler = handlers[kind] as (p: unknown, s: ValidSender) => unknown;
      return { ok: true, result: await handler(params, sender) };
    } catch (error) {
      log.failed({ kind, from: describe(sender), error });
      return { ok: false, error: { code: 'failed', message: userFacingMessage(error) } };
    }
  };
}

/**
 * A UserFacingError's message, already in the user's language; '' for anything else, which the
 * page then says in its own words (as the subscription hub's NO_REASON): an internal message
 * never reaches the user.
 */
function userFacingMessage(error: unknown): string {
  return error instanceof UserFacingError ? error.message : '';
}

export function describe(sender: ValidSender): string {
  return sender.kind === 'extension-page' ? 'extension page' : `content script in tab ${sender.tabId} (${sender.origin})`;
}

function describeRawSender(raw: RawSender): string {
  const tab = raw.tab?.id === undefined ? 'no tab' : `tab ${String(raw.tab.id)}`;
  return `unaccepted sender (${tab})`;
}
