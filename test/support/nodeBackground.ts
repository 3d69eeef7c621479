import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { AccountService } from '../../src/background/accountService.ts';
import type { BackgroundRecords } from '../../src/background/backgroundRecords.ts';
import { createStatusStore, type StatusStore } from '../../src/background/statusStore.ts';
import type { AccountStatus, RecoveryFlowView, TrustOverview, VerificationView } from '../../src/messaging/protocol.ts';
import { openExtensionDatabase } from '../../src/storage/extensionDatabase.ts';
import { LedgerStore } from '../../src/storage/ledgerStore.ts';
import { RecordStore } from '../../src/storage/recordStore.ts';
import { SecretVault } from '../../src/storage/secretVault.ts';
import type { RoomTrustReport } from '../../src/trust/types.ts';
import type { SasParty } from './peer.ts';
import { waitFor } from './waitFor.ts';

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
  /** Every report pushed to subscribers, in order. */
  reports: RoomTrustReport[];
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
  stop(): void;
}

/**
 * The extension's background account logic (src/background/accountService.ts) running in
 * Node over an in-memory IndexedDB: the same code the service worker runs, minus the browser.
 * Rust crypto opens its store through the global `indexedDB`, so one profile runs at a time.
 */
export async function startNodeBackground(profile: BrowserProfile): Promise<NodeBackground> {
  globalThis.indexedDB = profile.indexedDB;
  const db = await openExtensionDatabase(profile.indexedDB);
  const ledger = new LedgerStore(db);
  const status = createStatusStore({
    account: { state: 'resuming' },
    cryptoEngine: { state: 'starting' },
    policy: 'default',
    backgroundStartedAt: Date.now(),
    extensionVersion: 'test',
  });
  const reports: RoomTrustReport[] = [];
  const overviews: TrustOverview[] = [];
  const requests: string[] = [];
  const recoveryViews: RecoveryFlowView[] = [];
  const verificationViews: VerificationView[] = [];
  const account = new AccountService({
    vault: await SecretVault.open(db),
    records: new RecordStore<BackgroundRecords>(db),
    ledger,
    status,
    platform: {
      deviceName: 'Matrix Trust Guard on Node',
      launchWebAuthFlow: () => Promise.resolve(undefined),
      ssoRedirectUrl: () => 'https://extension.invalid/sso',
    },
    indexedDB: profile.indexedDB,
    fetchFn: (input, init) => {
      requests.push(input instanceof Request ? input.url : String(input));
      return fetch(input, init);
    },
    now: Date.now,
    elapsedMs: () => performance.now(),
    onOverview: (overview) => overviews.push(overview),
    onReport: (report) => reports.push(report),
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
    reports,
    overviews,
    recoveryViews,
    verificationViews,
    requests,
    signedIn,
    device: () => {
      const { userId, deviceId } = signedIn();
      const session = account.session;
      if (!session) throw new Error('the extension has no session');
      return { crypto: session.crypto, userId, deviceId, label: `extension ${userId}/${deviceId}` };
    },
    reportWhere: (roomId, check, what) =>
      waitFor(what, () => reports.findLast((report) => report.roomId === roomId && check(report))),
    stop: () => account.stop(),
  };
}
