/**
 * The typed protocol between the background and everything else (extension pages and
 * content scripts). Each request kind names who may send it, what its parameters are and
 * what it answers. The background parses every incoming message against this table
 * (see `parseRequest`) before any handler sees it.
 */

import type { CryptoEngineStatus, SecurityStatus, SyncStatus } from '../model/deviceStatus';
import type { OwnDeviceSummary, RoomSummary, TrustOverview } from '../trust/trustOverview';
import type { Policy, RoomTrustReport } from '../trust/types';
import type { ShownDevice } from '../trust/warnedDeviceLedger';
import type { PageRoomView } from '../trust/pageWarnings';
import type { DisagreementRecord } from '../trust/pageDisagreement';
import type { ShieldPlace } from '../model/pageShield';
import type { TabView } from '../trust/tabTrust';
import type { ClientFamily, WatchedSite } from '../clients/builtInSites';
import type { RoomRef } from '../clients/clientAdapter';
import type { HistoryEvent, HistoryFilter, HistoryKind, RetentionDays } from '../trust/trustHistory';
import type { AlertKind, AlertKinds } from '../trust/alertPolicy';
import type { DeviceGrantView } from '../model/deviceGrant';

export type { DeviceGrantView };
export type { CryptoEngineStatus, OwnDeviceSummary, RoomSummary, SecurityStatus, SyncStatus, TrustOverview };

/** Who is talking to the background, as established by `validateSender`. */
export type SenderKind = 'extension-page' | 'content-script';

export type AccountStatus =
  | {
      state: 'signed-out';
      /** Set when the server ended the session (token revoked, device deleted), not the user. */
      endedByServerAt?: number;
      /** A sign-in waiting for the user's approval on the provider's page, or how the last one ended. */
      deviceGrant?: DeviceGrantView;
    }
  /** Stored credentials found; the device's stores are being opened. */
  | { state: 'resuming' }
  | {
      state: 'signed-in';
      userId: string;
      deviceId: string;
      homeserverUrl: string;
      sync: SyncStatus;
      /** The account's other devices (not this one); undefined until their keys are known. */
      ownDevices?: OwnDeviceSummary[];
      /** Milliseconds from this background instance starting to its first completed sync. */
      firstSyncAfterMs?: number;
    }
  /** Stored credentials exist but the device could not be started (the reason says why). */
  | { state: 'failed'; reason: string };

export interface ExtensionStatus {
  account: AccountStatus;
  cryptoEngine: CryptoEngineStatus;
  policy: Policy;
  /** When this background instance started (ms since epoch); changes on every worker restart. */
  backgroundStartedAt: number;
  extensionVersion: string;
  /** Ledger records found damaged and set aside (src/storage/ledgerStore.ts); absent when none. */
  ledgerSetAside?: number;
  /** Acknowledgements shared with the user's other browsers (acknowledgementSync.ts); absent when signed out. */
  acknowledgementSync?: AcknowledgementSyncStatus;
}

/**
 * off: this browser has no sync key (not unlocked with the recovery key here), its
 * acknowledgements stay here; rejected: the synced copy did not decrypt or validate, and is
 * not trusted; other-key: it was sealed under another sync key (recovery was set up anew in
 * another browser), and this browser needs unlocking again; error: the server could not be asked.
 */
export type AcknowledgementSyncStatus =
  | { state: 'off' }
  | { state: 'syncing' }
  | { state: 'synced'; at: number; acknowledgements: number }
  | { state: 'rejected'; at: number }
  | { state: 'other-key'; at: number }
  | { state: 'error'; at: number };

/** What a content script learns when it announces itself. */
export interface PageHelloResult {
  /** Which web client family the background recognises this origin as. */
  client: string;
  account: AccountStatus['state'];
}

/**
 * The encryption setup as last read, and whether that reading is current: a slow or failing
 * homeserver never leaves the popup waiting, it shows the last known state and says so.
 */
export interface SecurityReport {
  /** The last status read; undefined until one read succeeded. */
  status?: SecurityStatus;
  /** When `status` was read. */
  checkedAt?: number;
  /** `checking`: a read is under way and slow; `failed`: the last read failed (the status is older). */
  problem?: 'checking' | 'failed';
}

/** Where a recovery flow (set up, unlock, reset) stands; the key itself never travels in this. */
export type RecoveryFlowView =
  | { step: 'idle' }
  /** A new recovery key exists in the background's memory only, until the user types it back. */
  | { step: 'confirm-key'; passphrase: boolean; expiresAt: number; reset: boolean }
  /** The homeserver wants the account password before it accepts new cross-signing keys. */
  | { step: 'needs-password'; for: 'set-up' | 'identity-reset' }
  /**
   * The homeserver delegates auth (OAuth 2.0) and wants the reset approved on its account page,
   * at `url`; the same reset succeeds once the user has. `askedAt`: when the server last said so;
   * `again`: it said so to a retry (the user has not approved yet).
   */
  | { step: 'needs-approval'; url: string; askedAt: number; again: boolean }
  | { step: 'working' }
  | { step: 'done'; what: 'set-up' | 'unlocked' | 'identity-reset' }
  | { step: 'failed'; reason: string };

/** A session the user was sent to the account page to sign out; `gone` once the server no longer lists it. */
export interface AccountPageSignOut {
  deviceId: string;
  accountPage: string;
  gone: boolean;
}

export type VerificationView =
  | { phase: 'none' }
  /** Sent, waiting for the other device to accept. */
  | { phase: 'requested'; otherUserId: string; otherDeviceId?: string }
  /** Another device asks to verify; accept or decline. */
  | { phase: 'incoming'; otherUserId: string; otherDeviceId?: string }
  | { phase: 'starting'; otherUserId: string }
  /** Compare these with the other device, then say whether they match. */
  | { phase: 'emoji'; otherUserId: string; emoji: [symbol: string, name: string][] }
  | { phase: 'confirmed'; otherUserId: string }
  | { phase: 'done'; otherUserId: string }
  | { phase: 'cancelled'; otherUserId: string; reason: string };

/** A self-hosted web client the user added; `granted` is false if the browser's permission was revoked. */
export interface AddedSite {
  origin: string;
  granted: boolean;
}

/** The sites whose pages get badges: the built-in ones and those the user added. */
export interface SiteList {
  builtIn: WatchedSite[];
  added: AddedSite[];
}

/** What the extension knows about one browser tab showing a web Matrix client. */
export interface TabState extends TabView {
  tabId: number;
  origin: string;
  client?: ClientFamily;
  roomId?: string;
}

export interface LoginOptionsResult {
  baseUrl: string;
  password: boolean;
  /** Legacy single sign-on; not offered when the server delegates auth to an OAuth 2.0 provider. */
  sso: boolean;
  /** The server delegates auth (next-generation auth): the one way in, besides a password it may still take. */
  oauth?: { deviceGrant: boolean };
}

/** The History view's filters, and how many events it wants at most (newest first). */
export interface HistoryQuery extends HistoryFilter {
  limit?: number;
}

/** A page of the trust history, newest first, with what its filters can choose from. */
export interface HistoryPage {
  events: HistoryEvent[];
  /** How many events match the filters (more than `events` holds when paged). */
  total: number;
  /** Every room and person in the whole history, with the newest name seen for them. */
  rooms: { id: string; name?: string }[];
  users: { id: string; name?: string }[];
  kinds: HistoryKind[];
  retentionDays: RetentionDays;
  /** Damaged history records set aside. */
  setAside: number;
}

type NoParams = Record<string, never>;
type Pages = 'extension-page';

/**
 * Every request the background answers: its parameters, its result and who may send it.
 * Anything that changes trust state (acknowledging, pinning, signing in or out) is for our
 * own pages only: a page can fake clicks on anything it hosts, so the in-page UI only informs.
 */
export interface RequestTable {
  'status.get': { params: NoParams; result: ExtensionStatus; from: Pages };
  /** A content script announces itself, and whether an adapter understood its page. */
  'page.hello': { params: { understood: boolean; client?: ClientFamily }; result: PageHelloResult; from: 'content-script' };
  /** The page shows this room now (null: no room); answers the room's id once an alias is resolved. */
  'page.room': { params: { room: RoomRef | null }; result: { roomId?: string }; from: 'content-script' };
  /**
   * The page placed the banner (all the room's new warnings) or badges (those members') while
   * visible: their warnings now count as shown. Only for the room the tab is on. `counted`:
   * the background took it as seen (the tab was on screen, on that room); else the page says it
   * again later.
   */
  'page.shown': { params: { roomId: string; banner: boolean; userIds: string[] }; result: { counted: boolean }; from: 'content-script' };
  /**
   * The page's own shields show these members as trusted while it shows our warnings about
   * them (the second opinion): recorded for the popup, for members we do warn about only.
   */
  'page.disagrees': {
    params: { roomId: string; users: { userId: string; places: ShieldPlace[] }[] };
    result: { recorded: number };
    from: 'content-script';
  };
  /** The user pressed the in-page banner's Review: open the extension's review of this room. */
  'page.review': { params: { roomId: string }; result: NoParams; from: 'content-script' };
  /** What the extension knows of a tab (the popup asks about the active one). */
  'tab.state': { params: { tabId: number }; result: TabState | null; from: Pages };
  /** A watched page is on screen: the message itself keeps Chrome's service worker (and sync) running. */
  'page.visible': { params: NoParams; result: NoParams; from: 'content-script' };
  'account.loginOptions': { params: { homeserver: string }; result: LoginOptionsResult; from: Pages };
  'account.signIn': { params: { homeserver: string; user: string; password: string }; result: AccountStatus; from: Pages };
  'account.signInWithSso': { params: { homeserver: string }; result: AccountStatus; from: Pages };
  /**
   * Sign in through the homeserver's OAuth 2.0 provider: a device authorization (the answer's
   * status carries the code to confirm; the background waits for the approval) or, when the
   * provider has none, the authorization code grant in a browser window.
   */
  'account.signInWithOAuth': { params: { homeserver: string }; result: AccountStatus; from: Pages };
  /** Stop waiting for a device authorization. */
  'account.cancelSignIn': { params: NoParams; result: AccountStatus; from: Pages };
  'account.signOut': { params: NoParams; result: { removedFromServer: boolean }; from: Pages };
  'trust.overview': { params: NoParams; result: TrustOverview; from: Pages };
  'room.report': { params: { roomId: string }; result: RoomTrustReport; from: Pages };
  /** What pages showed as trusted in the room while we warned about them. */
  'room.disagreements': { params: { roomId: string }; result: DisagreementRecord[]; from: Pages };
  /** Acknowledges the warnings about exactly these devices, with the keys the user was shown. */
  'room.acknowledge': { params: { roomId: string; devices: ShownDevice[] }; result: RoomTrustReport; from: Pages };
  /** Accepts the identity whose master key the user was shown (refused if it changed since). */
  'user.pinIdentity': { params: { userId: string; masterKey: string }; result: NoParams; from: Pages };
  'user.withdrawVerification': { params: { userId: string; masterKey: string }; result: NoParams; from: Pages };
  'security.status': { params: NoParams; result: SecurityReport; from: Pages };
  /** A new recovery key (from a passphrase, if given), held by the background until confirmed; returned for display. */
  'recovery.start': { params: { passphrase?: string; reset?: boolean }; result: { key: string }; from: Pages };
  /** The waiting key again, for a popup that closed before the user typed it back. */
  'recovery.showKey': { params: NoParams; result: { key: string }; from: Pages };
  'recovery.confirm': { params: { typed: string; password?: string }; result: RecoveryFlowView; from: Pages };
  'recovery.cancel': { params: NoParams; result: RecoveryFlowView; from: Pages };
  /** Verify this extension with the existing recovery key or passphrase. */
  'recovery.unlock': { params: { key: string }; result: RecoveryFlowView; from: Pages };
  'identity.reset': { params: { password?: string }; result: RecoveryFlowView; from: Pages };
  /** Verify with another device: this extension with one of the account's devices (no user id), or someone else. */
  'verification.start': { params: { userId?: string; deviceId?: string }; result: VerificationView; from: Pages };
  'verification.accept': { params: NoParams; result: VerificationView; from: Pages };
  'verification.confirm': { params: NoParams; result: VerificationView; from: Pages };
  'verification.mismatch': { params: NoParams; result: VerificationView; from: Pages };
  'verification.cancel': { params: NoParams; result: VerificationView; from: Pages };
  'verification.dismiss': { params: NoParams; result: VerificationView; from: Pages };
  /**
   * Signs out another session of the account; the server may want the password first. A server
   * that delegates auth answers with its account page's link instead (`accountPage`): the user
   * signs the session out there.
   */
  'session.signOut': {
    params: { deviceId: string; password?: string };
    result: { needsPassword: boolean; accountPage?: string };
    from: Pages;
  };
  /** The sessions sent to the account page to be signed out, each checked afresh against the server's list. */
  'session.accountPageSignOuts': { params: NoParams; result: AccountPageSignOut[]; from: Pages };
  'settings.setPolicy': { params: { policy: Policy }; result: ExtensionStatus; from: Pages };
  'ledger.export': { params: NoParams; result: { json: string }; from: Pages };
  'ledger.import': { params: { json: string }; result: { entries: number }; from: Pages };
  /** The trust history, filtered; extension pages only (it names rooms, people and devices). */
  'history.query': { params: HistoryQuery; result: HistoryPage; from: Pages };
  /** The whole history as a file's text, when the user asks for it. */
  'history.export': { params: { format: 'json' | 'csv' }; result: { text: string }; from: Pages };
  /** Merges an exported history file in; answers how many events were new. */
  'history.import': { params: { json: string }; result: { added: number }; from: Pages };
  'history.setRetention': { params: { retentionDays: RetentionDays }; result: { retentionDays: RetentionDays }; from: Pages };
  'sites.list': { params: NoParams; result: SiteList; from: Pages };
  /** Watch a self-hosted client: the page asked the browser for the host permission first. */
  'sites.add': { params: { origin: string }; result: SiteList; from: Pages };
  /** Stop watching it; the background releases the permission. */
  'sites.remove': { params: { origin: string }; result: SiteList; from: Pages };
  /** Which warnings become browser notifications, and the watched rooms. */
  'alerts.get': { params: NoParams; result: AlertSettings; from: Pages };
  'alerts.setKind': { params: { kind: AlertKind; enabled: boolean }; result: AlertSettings; from: Pages };
  /** Marks a room as watched (its new warnings notify, when that kind is on), or not. */
  'alerts.watchRoom': { params: { roomId: string; watched: boolean }; result: AlertSettings; from: Pages };
}

/** The notification settings, as the options page and the room review show them. */
export interface AlertSettings {
  kinds: AlertKinds;
  watchedRoomIds: string[];
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

/**
 * Long-lived subscriptions over a `runtime.connect` port, by port name. A subscription with a
 * `topic` (e.g. a room id) gets values only once the page has posted `{ topic }` on the port.
 */
export interface SubscriptionTable {
  status: { value: ExtensionStatus; from: Pages; topic: never };
  overview: { value: TrustOverview; from: Pages; topic: never };
  room: { value: RoomTrustReport; from: Pages; topic: string };
  /** What a content script shows of the room its tab is on (and only that room). */
  pageRoom: { value: PageRoomView; from: 'content-script'; topic: string };
  security: { value: SecurityReport; from: Pages; topic: never };
  recovery: { value: RecoveryFlowView; from: Pages; topic: never };
  verification: { value: VerificationView; from: Pages; topic: never };
  alerts: { value: AlertSettings; from: Pages; topic: never };
}

export type SubscriptionName = keyof SubscriptionTable;
export type SubscriptionValue<N extends SubscriptionName> = SubscriptionTable[N]['value'];
