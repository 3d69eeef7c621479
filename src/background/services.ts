/**
 * Everything the background runs once its first turn is over: the stores, the Matrix account and
 * its crypto engine, the alerts. Loaded by startBackground with a dynamic import, so the worker's
 * first turn (which must add every listener) does not also evaluate matrix-js-sdk and the crypto
 * module's bindings: a page that woke the worker gets its status that much sooner.
 */
import browser from 'webextension-polyfill';
import { createLogger, errorSummary } from '../log';
import { checkCryptoEngine, describeEngineFailure } from '../matrix/cryptoEngineCheck';
import { loadCryptoModule } from '../matrix/cryptoModule';
import { CRYPTO_WASM_PATH } from '../matrix/cryptoWasmPath';
import type { TrustOverview } from '../messaging/protocol';
import type { SubscriptionHub } from '../messaging/subscriptionHub';
import { IndexedDbDeviceListStore } from '../storage/deviceListStore';
import { HistoryStore } from '../storage/historyStore';
import { LedgerStore } from '../storage/ledgerStore';
import { RecordStore } from '../storage/recordStore';
import { SecretVault } from '../storage/secretVault';
import { t } from '../text/i18n';
import { pageRoomView } from '../trust/pageWarnings';
import { DEFAULT_RETENTION_DAYS } from '../trust/trustHistory';
import { AccountService, type Platform } from './accountService';
import { alertMemoryIn, AlertSettingsStore } from './alertSettings';
import type { BackgroundRecords } from './backgroundRecords';
import { browserNotifications } from './browserNotifications';
import { Notifier } from './notifier';
import { openRoomReview } from './roomReview';
import type { StatusStore } from './statusStore';
import type { TabRegistry } from './tabRegistry';

const log = createLogger('background');

/** Keeps sync going when Chrome has stopped the worker: the alarm wakes it, and waking resumes sync. */
const SYNC_ALARM = 'resume-sync';

export interface Services {
  account: AccountService;
  alerts: AlertSettingsStore;
  notifier: Notifier;
}

export async function startServices(
  status: StatusStore,
  hub: Pick<SubscriptionHub, 'publish' | 'hasSubscribers'>,
  tabs: TabRegistry,
  database: Promise<IDBDatabase>,
): Promise<Services> {
  const { publish, hasSubscribers } = hub;
  const cryptoModuleLoaded = loadCryptoModule(browser.runtime.getURL(`/${CRYPTO_WASM_PATH}`));
  const db = await database;
  const vault = await SecretVault.open(db);
  const records = new RecordStore<BackgroundRecords>(db);
  const history = new HistoryStore(db, {
    retentionDays: async () => (await records.get('history-settings'))?.retentionDays ?? DEFAULT_RETENTION_DAYS,
  });
  // Compacted at start-up, then at most hourly as events are written.
  history.compactSoon();
  const ledger = new LedgerStore(db, {
    onSetAside: (count) => status.setLedgerSetAside(count),
    onHistoryWritten: () => history.compactSoon(),
  });
  const deviceLists = new IndexedDbDeviceListStore(db);
  const alerts = new AlertSettingsStore(records, (value) => publish('alerts', value));
  const notifier = new Notifier({
    notifications: browserNotifications,
    openReview: openRoomReview,
    settings: () => alerts.get(),
    alerted: alertMemoryIn(records),
    now: Date.now,
    // Reports (and so notifications) come only once the account below exists.
    onNotified: (roomId, userIds) => void account.rooms.noteNotified(roomId, userIds).catch(() => undefined),
  });
  forgetAlertsAtSignOut(status, notifier, alerts);
  const setAside = await ledger.setAsideCount();
  if (setAside > 0) status.setLedgerSetAside(setAside);
  const account = new AccountService({
    vault,
    records,
    ledger,
    history,
    deviceLists,
    status,
    platform: browserPlatform(),
    indexedDB,
    now: Date.now,
    elapsedMs: () => performance.now(),
    onOverview: (overview: TrustOverview) => publish('overview', overview),
    security: {
      onStatus: (value) => publish('security', value),
      onRecovery: (value) => publish('recovery', value),
      onVerification: (value) => publish('verification', value),
    },
    onReport: (report) => {
      publish('room', report, report.roomId);
      if (hasSubscribers('pageRoom', report.roomId)) publish('pageRoom', pageRoomView(report), report.roomId);
      tabs.report(report);
      void notifier.report(report);
      // Only extension pages follow 'room': one open on this room shows its warnings.
      if (hasSubscribers('room', report.roomId)) void account.rooms.markWarned(report.roomId, undefined, { where: 'popup' });
    },
  });
  try {
    await cryptoModuleLoaded;
  } catch (error) {
    status.setCryptoEngine({ state: 'failed', reason: describeEngineFailure(error) });
    status.setAccount({ state: 'failed', reason: t('errEngineCannotRun') });
    return { account, alerts, notifier };
  }
  const signedIn = await account.resume();
  await (signedIn ? browser.alarms.create(SYNC_ALARM, { periodInMinutes: 1 }) : browser.alarms.clear(SYNC_ALARM));
  if (!signedIn) await runEngineCheck(status, vault, records);
  status.onChange((value) => void keepAlarmFor(value.account.state));
  return { account, alerts, notifier };
}

/** Signing out (or the server ending the session) takes every notification away and forgets what was alerted. */
function forgetAlertsAtSignOut(status: StatusStore, notifier: Notifier, alerts: AlertSettingsStore): void {
  let was = status.get().account.state;
  status.onChange((value) => {
    const now = value.account.state;
    if (now === 'signed-out' && was !== 'signed-out') {
      void notifier.signedOut();
      void alerts.forgetRooms().catch((error: unknown) => log.error('watched rooms not cleared', { error: errorSummary(error) }));
    }
    was = now;
  });
}

/** Signed out there is no account store to prove the engine works; an offline check device does. */
async function runEngineCheck(status: StatusStore, vault: SecretVault, records: RecordStore<BackgroundRecords>): Promise<void> {
  try {
    const storageKey = await vault.getOrCreate('engine-check-store-key', () => crypto.getRandomValues(new Uint8Array(32)));
    const result = await checkCryptoEngine({
      cryptoModuleLoaded: Promise.resolve(),
      storageKey,
      records,
      now: Date.now,
      elapsedMs: () => performance.now(),
    });
    status.setCryptoEngine(result);
  } catch (error) {
    log.error('crypto engine failed', { error: errorSummary(error) });
    status.setCryptoEngine({ state: 'failed', reason: describeEngineFailure(error) });
  }
}

async function keepAlarmFor(accountState: string): Promise<void> {
  if (accountState === 'signed-in') {
    if (!(await browser.alarms.get(SYNC_ALARM))) await browser.alarms.create(SYNC_ALARM, { periodInMinutes: 1 });
  } else if (accountState === 'signed-out') {
    await browser.alarms.clear(SYNC_ALARM);
  }
}

function browserPlatform(): Platform {
  return {
    deviceName: `Matrix Trust Guard on ${import.meta.env.FIREFOX ? 'Firefox' : 'Chrome'}`,
    launchWebAuthFlow: async (url) => {
      try {
        return await browser.identity.launchWebAuthFlow({ url, interactive: true });
      } catch {
        // Closed by the user, or the homeserver's page failed: both mean no sign-in.
        return undefined;
      }
    },
    ssoRedirectUrl: () => browser.identity.getRedirectURL('sso'),
    // Chrome: https://<id>.chromiumapp.org/oauth, Firefox: https://<hash>.extensions.allizom.org/oauth.
    oauthRedirectUrl: () => browser.identity.getRedirectURL('oauth'),
  };
}
