/**
 * The typed protocol between the background and everything else (extension pages and
 * content scripts). Each request kind names who may send it, what its parameters are and
 * what it answers. The background parses every incoming message against this table
 * (see `parseRequest`) before any handler sees it.
 */

/** Who is talking to the background, as established by `validateSender`. */
export type SenderKind = 'extension-page' | 'content-script';

/** The Rust crypto engine as seen by the background; see `src/matrix/cryptoEngineCheck.ts`. */
export type CryptoEngineStatus =
  | { state: 'starting' }
  | {
      state: 'ready';
      /** e.g. "Rust SDK 0.x (…), Vodozemac 0.x" as reported by the crypto module. */
      engineVersion: string;
      /** Public ed25519 key of the crypto store's device: the same value after every restart proves the store persisted. */
      identityKey: string;
      /** When this browser profile's crypto store was first created (ms since epoch). */
      storeCreatedAt: number;
      /** How many background starts have opened this same store. */
      storeOpenCount: number;
      /** Time from the background script starting to the store being open, in ms. */
      startupMs: number;
    }
  | { state: 'failed'; reason: string };

export type AccountStatus = { state: 'signed-out' };

export interface ExtensionStatus {
  account: AccountStatus;
  cryptoEngine: CryptoEngineStatus;
  /** When this background instance started (ms since epoch); changes on every worker restart. */
  backgroundStartedAt: number;
  extensionVersion: string;
}

/** What a content script learns when it announces itself. */
export interface PageHelloResult {
  /** Which web client family the background recognises this origin as. */
  client: string;
  account: AccountStatus['state'];
}

type NoParams = Record<string, never>;

/** Every request the background answers: its parameters, its result and who may send it. */
export interface RequestTable {
  'status.get': { params: NoParams; result: ExtensionStatus; from: 'extension-page' };
  'page.hello': { params: NoParams; result: PageHelloResult; from: 'content-script' };
}

export type RequestKind = keyof RequestTable;
export type RequestParams<K extends RequestKind> = RequestTable[K]['params'];
export type RequestResult<K extends RequestKind> = RequestTable[K]['result'];

/** A request as it travels. */
export interface RequestMessage<K extends RequestKind = RequestKind> {
  kind: K;
  params: RequestParams<K>;
}

export type ErrorCode =
  /** Not an object of the protocol's shape, or parameters of the wrong shape. */
  | 'malformed'
  /** A `kind` this background does not know. */
  | 'unknown-kind'
  /** The sender may not send this kind (or is not allowed to talk to us at all). */
  | 'forbidden'
  /** The handler failed; the message says what the user can do. */
  | 'failed';

export interface ProtocolError {
  code: ErrorCode;
  message: string;
}

export type Response<T> = { ok: true; result: T } | { ok: false; error: ProtocolError };

/** Long-lived subscriptions over a `runtime.connect` port, by port name. */
export interface SubscriptionTable {
  status: { value: ExtensionStatus; from: 'extension-page' };
}

export type SubscriptionName = keyof SubscriptionTable;
export type SubscriptionValue<N extends SubscriptionName> = SubscriptionTable[N]['value'];
