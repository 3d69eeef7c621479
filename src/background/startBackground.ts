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
import { LedgerStore } from '../storage/ledgerStore';
import { RecordStore } from '../storage/recordStore';
import { SecretVault } from '../storage/secretVault';
import { AccountService, type Platform } from './accountService';
import type { BackgroundRecords } from './backgroundRecords';
import { createSecurityHandlers } from './securityHandlers';
import { createStatusStore, type StatusStore } from './statusStore';
import { showNewWarnings } from './toolbarBadge';

const log = createLogger('background');

/** Keeps sync going when Chrome has stopped the worker: the alarm wakes it, and waking resumes sync. */
const SYNC_ALARM = 'resume-sync';

interface Services {
  account: AccountService;
}

/**
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
  const policy: SenderPolicy = {
    extensionId: browser.runtime.id,
    extensionOrigin: new URL(browser.runtime.getURL('/')).href.replace(/\/$/, ''),
    isWatchedOrigin: (origin) => findWatchedSite(origin, BUILT_IN_SITES) !== undefined,
  };

  let services: Promise<Services> | undefined;
  const ready = () => (services ??= startServices(status, hub));
  const hub = createSubscriptionHub(
    {
      status: status.get,
      overview: async () => (await ready()).account.overview(),
      room: async (roomId) => (await ready()).account.report(roomId ?? ''),
      security: async () => (await ready()).account.security().status(),
      recovery: async () => (await ready()).account.security().recovery.current,
      verification: async () => (await ready()).account.security().verification.current,
    },
    policy,
    (reason) => log.warn('subscription refused', { reason }),
  );
  status.onChange((value) => hub.publish('status', value));

  const route = createRequestRouter(createHandlers(status, ready), policy, {
    refused: (event) => log.warn('message refused', event),
    failed: (event) => log.error('request failed', { kind: event.kind, from: event.from, error: errorSummary(event.error) }),
  });
  browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => route(message, sender));
  browser.runtime.onConnect.addListener((port) => hub.accept(port));
  // Nothing to do on the alarm itself: the background starting up is what resumes sync.
  browser.alarms.onAlarm.addListener(() => undefined);

  void ready();
}

async function startServices(status: StatusStore, hub: Pick<SubscriptionHub, 'publish' | 'hasSubscribers'>): Promise<Services> {
  const { publish, hasSubscribers } = hub;
  const cryptoModuleLoaded = loadCryptoModule(browser.runtime.getURL(`/${CRYPTO_WASM_PATH}`));
  const db = await openExtensionDatabase();
  const vault = await SecretVault.open(db);
  const records = new RecordStore<BackgroundRecords>(db);
  const ledger = new LedgerStore(db);
  const account = new AccountService({
    vault,
    records,
    ledger,
    status,
    platform: browserPlatform(),
    indexedDB,
    now: Date.now,
    elapsedMs: () => performance.now(),
    onOverview: (overview: TrustOverview) => {
      publish('overview', overview);
      void showNewWarnings(overview.newWarnings);
    },
    security: {
      onStatus: (value) => publish('security', value),
      onRecovery: (value) => publish('recovery', value),
      onVerification: (value) => publish('verification', value),
    },
    onReport: (report) => {
      publish('room', report, report.roomId);
      if (hasSubscribers('room', report.roomId)) void account.noteShown(report.roomId);
    },
  });
  try {
    await cryptoModuleLoaded;
  } catch (error) {
    status.setCryptoEngine({ state: 'failed', reason: describeEngineFailure(error) });
    status.setAccount({ state: 'failed', reason: 'The encryption engine could not start, so this device cannot run.' });
    return { account };
  }
  const signedIn = await account.resume();
  await (signedIn ? browser.alarms.create(SYNC_ALARM, { periodInMinutes: 1 }) : browser.alarms.clear(SYNC_ALARM));
  if (!signedIn) await runEngineCheck(status, vault, records);
  status.onChange((value) => void keepAlarmFor(value.account.state));
  return { account };
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
  };
}

function createHandlers(status: StatusStore, ready: () => Promise<Services>): RequestHandlers {
  const account = async () => (await ready()).account;
  return {
    'status.get': () => status.get(),
    'page.hello': async (_params, sender) => {
      const site = findWatchedSite(sender.origin, BUILT_IN_SITES);
      const client = site?.client ?? 'a Matrix web client';
      const signedIn = status.get().account.state === 'signed-in';
      await browser.action.setTitle({
        tabId: sender.tabId,
        title: signedIn
          ? `Matrix Trust Guard: watching ${client} on this page.`
          : `Matrix Trust Guard: ${client} detected. Sign in to see warnings for this page.`,
      });
      return { client, account: status.get().account.state };
    },
    'page.visible': () => ({}),
    'account.loginOptions': async ({ homeserver }) => (await account()).loginOptions(homeserver),
    'account.signIn': async (params) => (await account()).signIn(params),
    'account.signInWithSso': async ({ homeserver }) => (await account()).signInWithSso(homeserver),
    'account.signOut': async () => (await account()).signOut(),
    'trust.overview': async () => (await account()).overview(),
    'room.report': async ({ roomId }) => (await account()).report(roomId),
    'room.acknowledge': async (scope) => (await account()).acknowledge(scope),
    'user.pinIdentity': async ({ userId }) => {
      await (await account()).pinIdentity(userId);
      return {};
    },
    'user.withdrawVerification': async ({ userId }) => {
      await (await account()).withdrawVerification(userId);
      return {};
    },
    ...createSecurityHandlers(async () => (await account()).security()),
    'settings.setPolicy': async ({ policy }) => {
      await (await account()).setPolicy(policy);
      return status.get();
    },
    'ledger.export': async () => ({ json: await (await account()).exportLedger() }),
    'ledger.import': async ({ json }) => ({ entries: await (await account()).importLedger(json) }),
  };
}
