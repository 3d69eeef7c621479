import browser, { type Runtime } from 'webextension-polyfill';
import { BUILT_IN_SITES, findWatchedSite } from '../clients/builtInSites';
import { createLogger, errorSummary } from '../log';
import { checkCryptoEngine, describeEngineFailure, type EngineCheckRecords } from '../matrix/cryptoEngineCheck';
import { loadCryptoModule } from '../matrix/cryptoModule';
import type { RequestHandlers } from '../messaging/requestRouter';
import { createRequestRouter } from '../messaging/requestRouter';
import { createSubscriptionHub } from '../messaging/subscriptionHub';
import type { SenderPolicy } from '../messaging/validateSender';
import { openExtensionDatabase } from '../storage/extensionDatabase';
import { RecordStore } from '../storage/recordStore';
import { SecretVault } from '../storage/secretVault';
import { CRYPTO_WASM_PATH } from '../matrix/cryptoWasmPath';
import { createStatusStore, type StatusStore } from './statusStore';

const log = createLogger('background');

/**
 * Wires the background: message and port listeners first (Chrome only delivers the event
 * that woke a service worker to listeners added in its first turn), then the slow start-up
 * work, whose progress every open page watches through the status subscription.
 */
export function startBackground(): void {
  const status = createStatusStore({
    account: { state: 'signed-out' },
    cryptoEngine: { state: 'starting' },
    backgroundStartedAt: Date.now(),
    extensionVersion: browser.runtime.getManifest().version,
  });

  const policy: SenderPolicy = {
    extensionId: browser.runtime.id,
    extensionOrigin: new URL(browser.runtime.getURL('/')).href.replace(/\/$/, ''),
    isWatchedOrigin: (origin) => findWatchedSite(origin, BUILT_IN_SITES) !== undefined,
  };

  const route = createRequestRouter(createHandlers(status), policy, {
    refused: (event) => log.warn('message refused', event),
    failed: (event) => log.error('request failed', { kind: event.kind, from: event.from, error: errorSummary(event.error) }),
  });
  const hub = createSubscriptionHub({ status: status.get }, policy, (reason) =>
    log.warn('subscription refused', { reason }),
  );
  status.onChange((value) => hub.publish('status', value));

  browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => route(message, sender));
  browser.runtime.onConnect.addListener((port) => hub.accept(port));

  void startCryptoEngine(status);
}

function createHandlers(status: StatusStore): RequestHandlers {
  return {
    'status.get': () => status.get(),
    'page.hello': async (_params, sender) => {
      const site = findWatchedSite(sender.origin, BUILT_IN_SITES);
      const client = site?.client ?? 'a Matrix web client';
      // Until an account is signed in there is nothing to warn about; the toolbar says why.
      await browser.action.setTitle({
        tabId: sender.tabId,
        title: `Matrix Trust Guard: ${client} detected. Sign in to see warnings for this page.`,
      });
      return { client, account: status.get().account.state };
    },
  };
}

async function startCryptoEngine(status: StatusStore): Promise<void> {
  try {
    const cryptoModuleLoaded = loadCryptoModule(browser.runtime.getURL(`/${CRYPTO_WASM_PATH}`));
    const db = await openExtensionDatabase();
    const vault = await SecretVault.open(db);
    const storageKey = await vault.getOrCreate('engine-check-store-key', () => crypto.getRandomValues(new Uint8Array(32)));
    const result = await checkCryptoEngine({
      cryptoModuleLoaded,
      storageKey,
      records: new RecordStore<EngineCheckRecords>(db),
      now: Date.now,
      elapsedMs: () => performance.now(),
    });
    status.setCryptoEngine(result);
    log.info('crypto engine checked', { state: result.state, startupMs: result.state === 'ready' ? result.startupMs : undefined });
  } catch (error) {
    log.error('crypto engine failed', { error: errorSummary(error) });
    status.setCryptoEngine({ state: 'failed', reason: describeEngineFailure(error) });
  }
}
