import browser, { type Runtime } from 'webextension-polyfill';
import { BUILT_IN_SITES, findWatchedSite } from '../clients/builtInSites';
import { createLogger, errorSummary } from '../log';
import { checkCryptoEngine, describeEngineFailure } from '../matrix/cryptoEngineCheck';
import { loadCryptoModule } from '../matrix/cryptoModule';
import { CRYPTO_WASM_PATH } from '../matrix/cryptoWasmPath';
import type { TrustOverview } from '../messaging/protocol';
import { createRequestRouter, type RequestHandlers } from '../messaging/requestRouter';
import { createSubscriptionHub, type SubscriptionHub } from '../messaging/subscriptionHub';
import type { SenderPolicy } from '../messaging/validateSender';
import { openExtensionDatabase } from '../storage/extensionDatabase';
import { IndexedDbDeviceListStore } from '../storage/deviceListStore';
import { HistoryStore } from '../storage/historyStore';
import { LedgerStore } from '../storage/ledgerStore';
import { pageRoomView } from '../trust/pageWarnings';
import { RecordStore } from '../storage/recordStore';
import { SecretVault } from '../storage/secretVault';
import { AccountService, type Platform } from './accountService';
import type { BackgroundRecords } from './backgroundRecords';
import { createSecurityHandlers } from './securityHandlers';
import { createStatusStore, type StatusStore } from './statusStore';
import { browserHostPermissions, browserScripts, siteStoreIn } from './browserSites';
import { stalenessOf } from '../matrix/syncStatus';
import { createPageHandlers } from './pageHandlers';
import { SiteRegistry } from './siteRegistry';
import { createSiteHandlers } from './siteHandlers';
import { TabRegistry } from './tabRegistry';
import { browserToolbar } from './toolbar';
import { t } from '../text/i18n';
import { DEFAULT_RETENTION_DAYS } from '../trust/trustHistory';
import { alertMemoryIn, AlertSettingsStore } from './alertSettings';
import { browserNotifications } from './browserNotifications';
import { Notifier } from './notifier';
import { openRoomReview } from './roomReview';

const log = createLogger('background');

/** Keeps sync going when Chrome has stopped the worker: the alarm wakes it, and waking resumes sync. */
const SYNC_ALARM = 'resume-sync';

interface Services {
  account: AccountService;
  alerts: AlertSettingsStore;
  notifier: Notifier;
}

/**
 * Long on purpose: one place that wires every part, in the order Chrome's worker needs.
 *
 * Wires the background: message and port listeners first (Chrome only delivers the event
 * that woke a service worker to listeners added in its first turn), then the slow start-up
 * work, whose progress every open page watches through the status subscription.
 */
export function startBackground(): void {
  const status = createStatusStore({
    account: { state: 'resuming' },
    cryptoEngine: { state: 'starting' },
    policy: 'default',
    backgroundStartedAt: Date.now(),
    extensionVersion: browser.runtime.getManifest().version,
  });
  // Opened once, early: the added sites are needed to answer the first page that wakes us.
  const database = openExtensionDatabase();
  const sites = new SiteRegistry({
    store: siteStoreIn(database.then((db) => new RecordStore<BackgroundRecords>(db))),
    scripts: browserScripts,
    permissions: browserHostPermissions,
    builtIn: (origin) => findWatchedSite(origin, BUILT_IN_SITES) !== undefined,
    onError: (error) => log.error('added sites could not be restored', { error: errorSummary(error) }),
  });
  // The user can revoke a site's permission in the browser's settings: stop watching it then.
  browser.permissions.onRemoved.addListener(
    () => void sites.reconcile().catch((error: unknown) => log.error('sites reconcile failed', { error: errorSummary(error) })),
  );
  let sitesLoaded = false;
  void sites.ready.then(() => (sitesLoaded = true));
  const policy: SenderPolicy = {
    extensionId: browser.runtime.id,
    extensionOrigin: new URL(browser.runtime.getURL('/')).href.replace(/\/$/, ''),
    isWatchedOrigin: (origin) => findWatchedSite(origin, BUILT_IN_SITES) !== undefined || sites.watches(origin),
  };

  const tabs = new TabRegistry(browserToolbar, (tabId) => {
    // The tab may have closed or left the site since: then there is nobody to tell.
    browser.tabs.sendMessage(tabId, { kind: 'page.recheck' }).catch(() => undefined);
  });
  status.onChange((value) => {
    tabs.setSignedIn(value.account.state === 'signed-in');
    // The toolbar says when its warnings are from before the server went away.
    tabs.setStale(value.account.state === 'signed-in' ? stalenessOf(value.account.sync) : undefined);
  });
  browser.tabs.onRemoved.addListener((tabId) => tabs.forget(tabId));

  let services: Promise<Services> | undefined;
  const ready = () => (services ??= startServices(status, hub, tabs, database));
  const hub = createSubscriptionHub(
    {
      status: status.get,
      overview: async () => (await ready()).account.rooms.overview(),
      room: async (roomId) => {
        // An extension page opened on the room: its warnings are in front of the user.
        const { account } = await ready();
        const report = await account.rooms.report(roomId ?? '');
        await account.rooms.markWarned(report.roomId, undefined, { where: 'popup' });
        return report;
      },
      pageRoom: async (roomId) => pageRoomView(await (await ready()).account.rooms.report(roomId ?? '')),
      security: async () => (await ready()).account.security().status(),
      recovery: async () => (await ready()).account.security().recovery.current,
      verification: async () => (await ready()).account.security().verification.current,
      alerts: async () => (await ready()).alerts.get(),
    },
    policy,
    (reason) => log.warn('subscription refused', { reason }),
    // A content script follows only the room its tab shows now (as it last told us).
    (name, sender, topic) => name !== 'pageRoom' || (sender.kind === 'content-script' && tabs.roomOf(sender.tabId) === topic),
  );
  status.onChange((value) => hub.publish('status', value));

  const route = createRequestRouter(createHandlers(status, tabs, sites, ready), policy, {
    refused: (event) => log.warn('message refused', event),
    failed: (event) => log.error('request failed', { kind: event.kind, from: event.from, error: errorSummary(event.error) }),
  });
  // A page on an added site may be what woke the worker: know the sites before judging it.
  browser.runtime.onMessage.addListener(async (message: unknown, sender: Runtime.MessageSender) => {
    if (!sitesLoaded) await sites.ready;
    return route(message, sender);
  });
  browser.runtime.onConnect.addListener((port) => {
    // A content script's room port lives as long as its page: it tells when a tab's page is gone
    // (hash and history navigations keep it; Chrome reports those as "loading" too).
    const tabId = port.sender?.tab?.id;
    if (port.name === 'room' && tabId !== undefined && !port.sender?.url?.startsWith(policy.extensionOrigin)) {
      tabs.attach(tabId);
      port.onDisconnect.addListener(() => tabs.detach(tabId));
    }
    // Extension pages post their topic right after connecting: accept them at once. Content
    // scripts follow a room only after page.room answered, which waited for the sites.
    if (sitesLoaded || port.sender?.url?.startsWith(policy.extensionOrigin)) hub.accept(port);
    else void sites.ready.then(() => hub.accept(port));
  });
  // A click on a notification may be what woke the worker: listened to in the first turn too.
  browser.notifications.onClicked.addListener((id) => void ready().then(({ notifier }) => notifier.clicked(id)));
  // Nothing to do on the alarm itself: the background starting up is what resumes sync.
  browser.alarms.onAlarm.addListener(() => undefined);

  void ready();
}

async function startServices(
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

function createHandlers(status: StatusStore, tabs: TabRegistry, sites: SiteRegistry, ready: () => Promise<Services>): RequestHandlers {
  const account = async () => (await ready()).account;
  return {
    'status.get': () => status.get(),
    ...createPageHandlers({ status, tabs, rooms: async () => (await account()).rooms }),
    ...createSiteHandlers(sites),
    'account.loginOptions': async ({ homeserver }) => (await account()).loginOptions(homeserver),
    'account.signIn': async (params) => (await account()).signIn(params),
    'account.signInWithSso': async ({ homeserver }) => (await account()).signInWithSso(homeserver),
    'account.signInWithOAuth': async ({ homeserver }) => (await account()).signInWithOAuth(homeserver),
    'account.cancelSignIn': async () => (await account()).cancelSignIn(),
    'account.signOut': async () => (await account()).signOut(),
    'trust.overview': async () => (await account()).rooms.overview(),
    'room.report': async ({ roomId }) => (await account()).rooms.report(roomId),
    'room.disagreements': async ({ roomId }) => (await account()).rooms.disagreements(roomId),
    'room.acknowledge': async ({ roomId, devices }) => {
      const report = await (await account()).rooms.acknowledge(roomId, devices);
      // Settled in the review: the room's notification has done its job.
      await (await ready()).notifier.acknowledged(roomId);
      return report;
    },
    'user.pinIdentity': async ({ userId, masterKey }) => {
      await (await account()).rooms.pinIdentity(userId, masterKey);
      return {};
    },
    'user.withdrawVerification': async ({ userId, masterKey }) => {
      await (await account()).rooms.withdrawVerification(userId, masterKey);
      return {};
    },
    ...createSecurityHandlers(async () => (await account()).security()),
    'settings.setPolicy': async ({ policy }) => {
      await (await account()).rooms.setPolicy(policy);
      return status.get();
    },
    'ledger.export': async () => ({ json: await (await account()).rooms.exportLedger() }),
    'ledger.import': async ({ json }) => ({ entries: await (await account()).rooms.importLedger(json) }),
    'history.query': async (query) => (await account()).history.query(query),
    'history.export': async ({ format }) => (await account()).history.export(format),
    'history.import': async ({ json }) => (await account()).history.import(json),
    'history.setRetention': async ({ retentionDays }) => (await account()).history.setRetention(retentionDays),
    'alerts.get': async () => (await ready()).alerts.get(),
    'alerts.setKind': async ({ kind, enabled }) => (await ready()).alerts.setKind(kind, enabled),
    'alerts.watchRoom': async ({ roomId, watched }) => (await ready()).alerts.watchRoom(roomId, watched),
  };
}
