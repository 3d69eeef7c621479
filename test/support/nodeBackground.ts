import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { AccountService } from '../../src/background/accountService.ts';
import type { BackgroundRecords } from '../../src/background/backgroundRecords.ts';
import { createStatusStore, type StatusStore } from '../../src/background/statusStore.ts';
import type {
  AccountStatus,
  RecoveryFlowView,
  SecurityReport,
  SecurityStatus,
  TrustOverview,
  VerificationView,
} from '../../src/messaging/protocol.ts';
import { openExtensionDatabase } from '../../src/storage/extensionDatabase.ts';
import { IndexedDbDeviceListStore } from '../../src/storage/deviceListStore.ts';
import { LedgerStore } from '../../src/storage/ledgerStore.ts';
import { HistoryStore } from '../../src/storage/historyStore.ts';
import { RecordStore } from '../../src/storage/recordStore.ts';
import { SecretVault } from '../../src/storage/secretVault.ts';
import type { RoomTrustReport } from '../../src/trust/types.ts';
import type { ShownDevice } from '../../src/trust/warnedDeviceLedger.ts';
import type { SasParty } from './peer.ts';
import { waitFor } from './waitFor.ts';
import { sdkSessionOf } from './sdkSession';
import { useMessageLookup } from '../../src/text/i18n.ts';
import { lookupIn, readMessages } from '../unit/chromeI18n.ts';

/** One browser profile's storage: every database of one extension install. */
export interface BrowserProfile {
  indexedDB: IDBFactory;
}

export function newBrowserProfile(): BrowserProfile {
  return { indexedDB: new IDBFactory() };
}

export interface NodeBackground {
  account: AccountService;
  status: StatusStore;
  ledger: LedgerStore;
  history: HistoryStore;
  /** Every report pushed to subscribers, in order. */
  reports: RoomTrustReport[];
  /** When each of `reports` was pushed (Date.now()), at the same index. */
  reportedAt: number[];
  overviews: TrustOverview[];
  /** Every recovery and verification view pushed, in order. */
  recoveryViews: RecoveryFlowView[];
  verificationViews: VerificationView[];
  /** The URLs of every request the device made (for checking how sync resumed). */
  requests: string[];
  signedIn(): Extract<AccountStatus, { state: 'signed-in' }>;
  /** The extension's device, for verifying it or with it. */
  device(): SasParty;
  /** The newest pushed report for `roomId` that satisfies `check`. */
  reportWhere(roomId: string, check: (report: RoomTrustReport) => boolean, what: string): Promise<RoomTrustReport>;
  /** Also hands every report to `listener`, as the service worker hands them to its notifier. */
  onReport(listener: (report: RoomTrustReport) => void): void;
  stop(): void;
}

/**
 * The extension's background account logic (src/background/accountService.ts) running in
 * Node over an in-memory IndexedDB: the same code the service worker runs, minus the browser.
 * Rust crypto opens its store through the global `indexedDB`, so one profile runs at a time.
 */
export async function startNodeBackground(
  profile: BrowserProfile,
  /** The network this background's Matrix device uses (a test can cut one worker off for good). */
  network: typeof fetch = (input, init) => fetch(input, init),
): Promise<NodeBackground> {
  // Node has no browser.i18n: the background's texts come from the English messages.json.
  useMessageLookup(lookupIn(readMessages()));
  globalThis.indexedDB = profile.indexedDB;
  const db = await openExtensionDatabase(profile.indexedDB);
  const ledger = new LedgerStore(db);
  const history = new HistoryStore(db);
  const status = createStatusStore({
    account: { state: 'resuming' },
    cryptoEngine: { state: 'starting' },
    policy: 'default',
    backgroundStartedAt: Date.now(),
    extensionVersion: 'test',
  });
  const reports: RoomTrustReport[] = [];
  const reportedAt: number[] = [];
  const reportListeners: ((report: RoomTrustReport) => void)[] = [];
  const overviews: TrustOverview[] = [];
  const requests: string[] = [];
  const recoveryViews: RecoveryFlowView[] = [];
  const verificationViews: VerificationView[] = [];
  const account = new AccountService({
    vault: await SecretVault.open(db),
    records: new RecordStore<BackgroundRecords>(db),
    ledger,
    history,
    deviceLists: new IndexedDbDeviceListStore(db),
    status,
    platform: {
      deviceName: 'Matrix Trust Guard on Node',
      launchWebAuthFlow: () => Promise.resolve(undefined),
      ssoRedirectUrl: () => 'https://extension.invalid/sso',
      oauthRedirectUrl: () => 'https://extension.invalid/oauth',
    },
    indexedDB: profile.indexedDB,
    fetchFn: (input, init) => {
      requests.push(input instanceof Request ? input.url : String(input));
      return network(input, init);
    },
    now: Date.now,
    elapsedMs: () => performance.now(),
    onOverview: (overview) => overviews.push(overview),
    onReport: (report) => {
      reports.push(report);
      reportedAt.push(Date.now());
      for (const listener of reportListeners) listener(report);
    },
    security: {
      onStatus: () => undefined,
      onRecovery: (view) => recoveryViews.push(view),
      onVerification: (view) => verificationViews.push(view),
    },
  });
  await account.resume();

  function signedIn() {
    const current = status.get().account;
    if (current.state !== 'signed-in') throw new Error(`the extension is ${current.state}, not signed in`);
    return current;
  }

  return {
    account,
    status,
    ledger,
    history,
    reports,
    reportedAt,
    overviews,
    recoveryViews,
    verificationViews,
    requests,
    signedIn,
    device: () => {
      const { userId, deviceId } = signedIn();
      const session = sdkSessionOf(account.device);
      return { crypto: session.crypto, userId, deviceId, label: `extension ${userId}/${deviceId}` };
    },
    onReport: (listener) => void reportListeners.push(listener),
    reportWhere: (roomId, check, what) => waitFor(what, () => reports.findLast((report) => report.roomId === roomId && check(report))),
    stop: () => account.stop(),
  };
}

/** The encryption setup read just now: fails on a last-known (slow or failed) reading. */
export async function freshSecurityStatus(security: { status(): Promise<SecurityReport> }): Promise<SecurityStatus> {
  const report = await security.status();
  if (report.status === undefined || report.problem !== undefined)
    throw new Error(`no fresh security status (${report.problem ?? 'none read'})`);
  return report.status;
}

/**
 * The new warnings of `report` a popup would draw for `filter` (a member, one device, or the
 * whole room), as an acknowledgement names them: each device with its key.
 */
export function shownIn(report: RoomTrustReport, filter: { userId?: string; deviceId?: string } = {}): ShownDevice[] {
  return report.members
    .filter((member) => filter.userId === undefined || member.userId === filter.userId)
    .flatMap((member) =>
      member.devices
        .filter((device) => device.isNew && (filter.deviceId === undefined || device.deviceId === filter.deviceId))
        .map((device) => ({ userId: member.userId, deviceId: device.deviceId, ed25519Key: device.ed25519Key })),
    );
}

/** The master key a report shows for a member with an identity problem: what a pin names. */
export function shownMasterKey(report: RoomTrustReport, userId: string): string {
  const key = report.members.find((member) => member.userId === userId)?.masterKey;
  if (key === undefined) throw new Error(`the report shows no master key for ${userId}`);
  return key;
}
