import { describe, expect, it } from 'vitest';
import type { CrossSigningStatus } from 'matrix-js-sdk/lib/crypto-api/index.js';
import { type RecoverySdk, SdkRecovery } from '../../../src/matrix/sdkRecovery';
import { SecretStorageKeyCache } from '../../../src/matrix/secretStorageKeyCache';

const HELD: CrossSigningStatus = {
  publicKeysOnDevice: true,
  privateKeysInSecretStorage: false,
  privateKeysCachedLocally: { masterKey: true, selfSigningKey: true, userSigningKey: true },
};

/**
 * A reset over a fake SDK: each bootstrap makes new keys and asks for auth before uploading them,
 * as matrix-js-sdk does; `captures` says what the keeper finds each time.
 */
function resetWorld(captures: ('kept' | 'gone' | 'not-kept')[]) {
  const events: string[] = [];
  let made = 0;
  const crypto = {
    getCrossSigningStatus: () => Promise.resolve(HELD),
    userHasCrossSigningKeys: () => Promise.resolve(true),
    bootstrapCrossSigning: async (opts: {
      authUploadDeviceSigningKeys?: (makeRequest: (auth: unknown) => Promise<void>) => Promise<void>;
    }) => {
      made += 1;
      const keys = `keys ${made}`;
      events.push(`made ${keys}`);
      await opts.authUploadDeviceSigningKeys?.(() => {
        events.push(`uploaded ${keys}`);
        return Promise.resolve();
      });
    },
  } as unknown as RecoverySdk['crypto'];
  const recovery = new SdkRecovery({
    userId: '@alice:example.org',
    crypto,
    secretStorage: {
      getDefaultKeyId: () => Promise.resolve(null),
      setDefaultKeyId: () => Promise.reject(new Error('unexpected setDefaultKeyId')),
      getKey: () => Promise.resolve(null),
      checkKey: () => Promise.resolve(false),
    },
    keys: new SecretStorageKeyCache(),
    newIdentityKeeper: () => ({
      capture: () => Promise.resolve(captures.shift() ?? 'kept'),
      guard: () => void events.push('guarded'),
      discard: () => void events.push('discarded'),
    }),
  });
  return { recovery, events };
}

describe('an identity reset whose new keys an older key query took before their upload', () => {
  it('uploads nothing nobody holds: it makes new keys, uploads those and guards them', async () => {
    const { recovery, events } = resetWorld(['gone', 'kept']);
    await recovery.resetIdentity(undefined);
    expect(events).toEqual(['made keys 1', 'discarded', 'made keys 2', 'uploaded keys 2', 'guarded']);
  });

  it('gives up after three tries, having uploaded none of them', async () => {
    const { recovery, events } = resetWorld(['gone', 'gone', 'gone']);
    await expect(recovery.resetIdentity(undefined)).rejects.toMatchObject({ name: 'KeysTakenBeforeUpload' });
    expect(events.filter((event) => event.startsWith('uploaded'))).toEqual([]);
    expect(events.filter((event) => event.startsWith('made'))).toHaveLength(3);
  });

  it('uploads keys it could not copy (nothing took them): the guard is only a safety net', async () => {
    const { recovery, events } = resetWorld(['not-kept']);
    await recovery.resetIdentity(undefined);
    expect(events).toEqual(['made keys 1', 'uploaded keys 1', 'guarded']);
  });
});
