import browser, { type Runtime } from 'webextension-polyfill';
import { BUILT_IN_SITES, findWatchedSite } from '../clients/builtInSites';
import { createLogger, errorSummary } from '../log';
import { createRequestRouter, type RequestHandlers } from '../messaging/requestRouter';
import { createSubscriptionHub } from '../messaging/subscriptionHub';
import type { SenderPolicy } from '../messaging/validateSender';
import { openExtensionDatabase } from '../storage/extensionDatabase';
import { RecordStore } from '../storage/recordStore';
import { pageRoomView } from '../trust/pageWarnings';
import { stalenessOf } from '../trust/tabTrust';
import type { BackgroundRecords } from './backgroundRecords';
import { browserHostPermissions, browserScripts, siteStoreIn } from './browserSites';
import { createPageHandlers } from './pageHandlers';
import { createSecurityHandlers } from './securityHandlers';
// Types only: the services module is imported when the first turn is over (see ready below).
import type { Services } from './services';
import { SiteRegistry } from './siteRegistry';
import { createSiteHandlers } from './siteHandlers';
import { createStatusStore, type StatusStore } from './statusStore';
import { TabRegistry } from './tabRegistry';
import { browserToolbar } from './toolbar';

const log = createLogger('background');

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
  const ready = () => (services ??= import('./services').then((loaded) => loaded.startServices(status, hub, tabs, database)));
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

  // Started in a task of its own, not this turn's microtasks: the event that woke the worker (a
  // popup asking for the status) is answered first, then matrix-js-sdk is evaluated.
  setTimeout(() => void ready(), 0);
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
