import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CrossSigningStatus, GeneratedSecretStorageKey } from 'matrix-js-sdk/lib/crypto-api/index.js';
import { RecoveryFlow } from '../../../src/background/recoveryFlow';
import { type RecoverySdk, SdkRecovery } from '../../../src/matrix/sdkRecovery';
import { SecretStorageKeyCache } from '../../../src/matrix/secretStorageKeyCache';
import type { RecoveryFlowView } from '../../../src/messaging/protocol';

/** What recovery does not use in these tests: any call is a test failure. */
const UNUSED = {
  getKeyBackupInfo: () => Promise.reject(new Error('unexpected getKeyBackupInfo')),
  loadSessionBackupPrivateKeyFromSecretStorage: () => Promise.reject(new Error('unexpected loadSessionBackupPrivateKeyFromSecretStorage')),
  checkKeyBackupAndEnable: () => Promise.reject(new Error('unexpected checkKeyBackupAndEnable')),
};
const NO_SECRET_STORAGE: RecoverySdk['secretStorage'] = {
  getDefaultKeyId: () => Promise.resolve(null),
  setDefaultKeyId: () => Promise.reject(new Error('unexpected setDefaultKeyId')),
  getKey: () => Promise.resolve(null),
  checkKey: () => Promise.resolve(false),
};

/**
 * The recovery setup's uploads, in the order that lets a setup cut short be finished: a worker
 * stopped between them leaves the identity on the server, this device holding its private keys,
 * and maybe a secret storage key nobody has any more.
 */

const USER = '@alice:example.org';

function fakeRecovery(state: { identityOnServer: boolean; keysHeld: boolean }) {
  const calls: string[] = [];
  const held = state.keysHeld;
  const crossSigningStatus: CrossSigningStatus = {
    publicKeysOnDevice: state.identityOnServer,
    privateKeysInSecretStorage: false,
    privateKeysCachedLocally: { masterKey: held, selfSigningKey: held, userSigningKey: held },
  };
  const generated: GeneratedSecretStorageKey = { privateKey: new Uint8Array(32).fill(7), encodedPrivateKey: 'EsTc abcd efgh' };
  const crypto: RecoverySdk['crypto'] = {
    ...UNUSED,
    getCrossSigningStatus: () => Promise.resolve(crossSigningStatus),
    userHasCrossSigningKeys: () => Promise.resolve(state.identityOnServer),
    createRecoveryKeyFromPassphrase: () => Promise.resolve(generated),
    bootstrapCrossSigning: () => {
      calls.push('bootstrapCrossSigning');
      return Promise.resolve();
    },
    bootstrapSecretStorage: async (opts: {
      createSecretStorageKey?: () => Promise<GeneratedSecretStorageKey>;
      setupNewSecretStorage?: boolean;
      setupNewKeyBackup?: boolean;
    }) => {
      const key = await opts.createSecretStorageKey?.();
      calls.push(
        `bootstrapSecretStorage new=${String(opts.setupNewSecretStorage)} backup=${String(opts.setupNewKeyBackup)} key=${key?.encodedPrivateKey ?? 'none'}`,
      );
    },
  };
  const recovery = new SdkRecovery({ userId: USER, crypto, secretStorage: NO_SECRET_STORAGE, keys: new SecretStorageKeyCache() });
  return { recovery, calls };
}

describe('the recovery setup', () => {
  it('on a fresh account: creates the identity, then secret storage with the new key and a key backup', async () => {
    const { recovery, calls } = fakeRecovery({ identityOnServer: false, keysHeld: false });
    const flow = new RecoveryFlow(
      recovery,
      () => 0,
      () => undefined,
    );
    const key = await flow.start({ reset: false });
    expect(await flow.confirm(key)).toEqual({ step: 'done', what: 'set-up' });
    expect(calls).toEqual(['bootstrapCrossSigning', 'bootstrapSecretStorage new=true backup=true key=EsTc abcd efgh']);
    flow.stop();
  });

  it('after a setup cut short (identity uploaded and held here): does not bootstrap the identity again, and stores it under the new key', async () => {
    const { recovery, calls } = fakeRecovery({ identityOnServer: true, keysHeld: true });
    const flow = new RecoveryFlow(
      recovery,
      () => 0,
      () => undefined,
    );
    const key = await flow.start({ reset: false });
    expect(await flow.confirm(key)).toEqual({ step: 'done', what: 'set-up' });
    expect(calls).toEqual(['bootstrapSecretStorage new=true backup=true key=EsTc abcd efgh']);
    flow.stop();
  });
});

/**
 * README: "a new recovery key waits in memory for at most 10 minutes and nothing is uploaded
 * until you type it back; the key is never stored or logged and is zeroed when the flow ends".
 * The clock (Date and timers) is vitest's fake one, handed to the flow as its `now`.
 */
describe('the new recovery key in memory', () => {
  const KEY_ID = 'new-key-id';
  const KEY_INFO = { algorithm: 'm.secret_storage.v1.aes-hmac-sha2' };

  /**
   * A session whose crypto records every upload, and calls back into the session's real key
   * cache as matrix-js-sdk does when it makes a new default key (cacheSecretStorageKey).
   * `crossSigningUpload` lets a test hold the first upload of a setup open.
   */
  function sessionWithKeyCache(crossSigningUpload: () => Promise<void> = () => Promise.resolve()) {
    const uploads: string[] = [];
    /** Every key the crypto library was given to set up secret storage with, as it was then. */
    const keysUsed: Uint8Array[] = [];
    /** The same keys, the very arrays it was given (to see whether they were zeroed later). */
    const keysGiven: Uint8Array[] = [];
    const generated: GeneratedSecretStorageKey[] = [];
    const secretStorageKeys = new SecretStorageKeyCache();
    const crypto: RecoverySdk['crypto'] = {
      ...UNUSED,
      getCrossSigningStatus: () =>
        Promise.resolve({
          publicKeysOnDevice: false,
          privateKeysInSecretStorage: false,
          privateKeysCachedLocally: { masterKey: false, selfSigningKey: false, userSigningKey: false },
        }),
      userHasCrossSigningKeys: () => Promise.resolve(false),
      createRecoveryKeyFromPassphrase: () => {
        const key: GeneratedSecretStorageKey = {
          privateKey: globalThis.crypto.getRandomValues(new Uint8Array(32)),
          encodedPrivateKey: `EsTc ${generated.length}`,
        };
        generated.push(key);
        return Promise.resolve(key);
      },
      bootstrapCrossSigning: async () => {
        await crossSigningUpload();
        uploads.push('cross-signing keys');
      },
      bootstrapSecretStorage: async (opts: { createSecretStorageKey?: () => Promise<GeneratedSecretStorageKey> }) => {
        const key = await opts.createSecretStorageKey?.();
        if (!key) throw new Error('no key');
        keysUsed.push(key.privateKey.slice());
        keysGiven.push(key.privateKey);
        secretStorageKeys.cacheSecretStorageKey(KEY_ID, KEY_INFO as never, key.privateKey);
        uploads.push('secret storage and key backup');
      },
    };
    const recovery = new SdkRecovery({ userId: USER, crypto, secretStorage: NO_SECRET_STORAGE, keys: secretStorageKeys });
    /** Whether the session's key cache would still hand the new key to the crypto library. */
    const cacheHoldsKey = async () => (await secretStorageKeys.getSecretStorageKey({ keys: { [KEY_ID]: KEY_INFO as never } })) !== null;
    return { recovery, uploads, keysUsed, keysGiven, generated, cacheHoldsKey };
  }

  const zeroed = (bytes: Uint8Array) => bytes.length > 0 && bytes.every((b) => b === 0);
  /** The i-th item, which must be there. */
  function nth<T>(list: readonly T[], i: number): T {
    const item = list[i];
    if (item === undefined) throw new Error(`no item ${i}`);
    return item;
  }

  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2030-01-01T12:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits 10 minutes at most: then confirming fails, nothing is uploaded and the key is zeroed', async () => {
    const { recovery, uploads, generated } = sessionWithKeyCache();
    const views: RecoveryFlowView[] = [];
    const flow = new RecoveryFlow(
      recovery,
      () => Date.now(),
      (view) => views.push(view),
    );
    const startedAt = Date.now();
    const key = await flow.start({ reset: false });
    expect(flow.current).toEqual({ step: 'confirm-key', passphrase: false, expiresAt: startedAt + 10 * 60_000, reset: false });

    await vi.advanceTimersByTimeAsync(10 * 60_000 - 1);
    expect(flow.current.step).toBe('confirm-key');
    expect(flow.shownKey()).toBe(key);
    expect(zeroed(nth(generated, 0).privateKey)).toBe(false);

    await vi.advanceTimersByTimeAsync(1);
    expect(flow.current).toEqual({
      step: 'failed',
      reason: 'The new recovery key was not confirmed within 10 minutes; nothing was set up. Start again.',
    });
    expect(zeroed(nth(generated, 0).privateKey)).toBe(true);
    expect(() => flow.shownKey()).toThrow('No recovery key is waiting');
    await expect(flow.confirm(key)).rejects.toThrow('This recovery key is no longer waiting; start again.');
    expect(uploads).toEqual([]);
    flow.stop();
  });

  it('uploads nothing before the key is typed back, nor when it is typed wrong', async () => {
    const { recovery, uploads } = sessionWithKeyCache();
    const flow = new RecoveryFlow(
      recovery,
      () => Date.now(),
      () => undefined,
    );
    await flow.start({ reset: false });
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    await expect(flow.confirm('EsTc wrong')).rejects.toThrow('That is not the recovery key shown above.');
    expect(uploads).toEqual([]);
    flow.stop();
  });

  it('is zeroed when the setup ends by confirming, with the copy the crypto library was given and cached', async () => {
    const { recovery, uploads, keysUsed, keysGiven, generated, cacheHoldsKey } = sessionWithKeyCache();
    const flow = new RecoveryFlow(
      recovery,
      () => Date.now(),
      () => undefined,
    );
    const key = await flow.start({ reset: false });
    expect(await flow.confirm(key)).toEqual({ step: 'done', what: 'set-up' });
    expect(uploads).toEqual(['cross-signing keys', 'secret storage and key backup']);
    // The library was given the real key, not zeros...
    expect(zeroed(nth(keysUsed, 0))).toBe(false);
    // ...and once the flow is done no copy of it is held: the key is zeroed, the cache dropped (which zeroes it).
    expect(zeroed(nth(generated, 0).privateKey)).toBe(true);
    expect(zeroed(nth(keysGiven, 0))).toBe(true);
    expect(await cacheHoldsKey()).toBe(false);
    flow.stop();
  });

  it('is zeroed when the flow is cancelled, and when the background stops', async () => {
    const { recovery, generated } = sessionWithKeyCache();
    const flow = new RecoveryFlow(
      recovery,
      () => Date.now(),
      () => undefined,
    );
    await flow.start({ reset: false });
    flow.cancel();
    expect(flow.current).toEqual({ step: 'idle' });
    expect(zeroed(nth(generated, 0).privateKey)).toBe(true);

    await flow.start({ reset: false });
    expect(zeroed(nth(generated, 1).privateKey)).toBe(false);
    flow.stop();
    expect(zeroed(nth(generated, 1).privateKey)).toBe(true);
    await expect(flow.confirm('EsTc 1')).rejects.toThrow('no longer waiting');
  });

  it('a key typed back in time is not zeroed by the deadline while the setup uploads', async () => {
    let releaseUpload: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (releaseUpload = resolve));
    const { recovery, keysUsed, generated, uploads, cacheHoldsKey } = sessionWithKeyCache(() => held);
    const flow = new RecoveryFlow(
      recovery,
      () => Date.now(),
      () => undefined,
    );
    const key = await flow.start({ reset: false });
    await vi.advanceTimersByTimeAsync(10 * 60_000 - 1_000);
    // Typed back one second before the deadline; the first upload takes longer than that.
    const confirmed = flow.confirm(key);
    await vi.advanceTimersByTimeAsync(5_000);
    releaseUpload();
    expect(await confirmed).toEqual({ step: 'done', what: 'set-up' });
    expect(uploads).toEqual(['cross-signing keys', 'secret storage and key backup']);
    // Secret storage was set up with the key the user holds, never with zeros.
    expect(zeroed(nth(keysUsed, 0))).toBe(false);
    expect(await cacheHoldsKey()).toBe(false);
    expect(zeroed(nth(generated, 0).privateKey)).toBe(true);
    flow.stop();
  });
});
