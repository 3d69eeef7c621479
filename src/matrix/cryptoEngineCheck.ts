import { createClient } from 'matrix-js-sdk';
import type { CryptoEngineStatus } from '../model/deviceStatus';
import { recordStoreOpening, type StoreIdentityRecords } from './storeIdentity';
import { createSdkLogger } from './sdkLogger';
import { t } from '../text/i18n';

/**
 * Before anyone signs in there is no account device, yet the user deserves to know that the
 * encryption engine works in this browser. The engine check opens a Rust crypto store of its
 * own (an offline device under a placeholder user that never talks to a server), exactly as
 * the account's store will be opened, and confirms on every start that it is the same store
 * as before: the same device identity key means IndexedDB kept it across restarts.
 */

const CHECK_USER_ID = '@engine-check:engine-check.invalid';
const CHECK_DEVICE_ID = 'ENGINECHECK';
export const ENGINE_CHECK_DATABASE_PREFIX = 'mtg-engine-check';
const RECORD_NAME = 'crypto-engine-check';

export interface EngineCheckDeps {
  /** Resolves once the WebAssembly module is loaded. */
  cryptoModuleLoaded: Promise<void>;
  storageKey: Uint8Array;
  records: StoreIdentityRecords<typeof RECORD_NAME>;
  now: () => number;
  /** Milliseconds since this background instance began (performance.now()). */
  elapsedMs: () => number;
}

export async function checkCryptoEngine(deps: EngineCheckDeps): Promise<CryptoEngineStatus> {
  await deps.cryptoModuleLoaded;
  const { identityKey, engineVersion } = await openCheckStore(deps.storageKey);
  return recordStoreOpening(
    deps.records,
    RECORD_NAME,
    { identityKey, engineVersion, startupMs: deps.elapsedMs() },
    deps.now(),
    t('errEngineStoreLost'),
  );
}

async function openCheckStore(storageKey: Uint8Array): Promise<{ identityKey: string; engineVersion: string }> {
  const client = createClient({
    baseUrl: 'https://engine-check.invalid',
    userId: CHECK_USER_ID,
    deviceId: CHECK_DEVICE_ID,
    logger: createSdkLogger('engine-check'),
    // This device has no server. The SDK still asks one thing on start (is there a key
    // backup?); it gets the true answer, "none", instead of a network error in the log.
    fetchFn: answerNoServer,
  });
  try {
    await client.initRustCrypto({ storageKey, cryptoDatabasePrefix: ENGINE_CHECK_DATABASE_PREFIX });
    const crypto = client.getCrypto();
    if (!crypto) throw new Error('Rust crypto did not initialise');
    const keys = await crypto.getOwnDeviceKeys();
    return { identityKey: keys.ed25519, engineVersion: crypto.getVersion() };
  } finally {
    client.stopClient();
  }
}

function answerNoServer(): Promise<Response> {
  const body = JSON.stringify({ errcode: 'M_NOT_FOUND', error: 'The engine check device has no server' });
  return Promise.resolve(new Response(body, { status: 404, headers: { 'content-type': 'application/json' } }));
}

/** A reason fit for the popup: the error's own words, without a stack, bounded in length. */
export function describeEngineFailure(error: unknown): string {
  const detail = error instanceof Error ? error.message : String(error);
  return t('errEngineFailed', detail.slice(0, 300));
}
