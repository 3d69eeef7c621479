import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MatrixClient } from 'matrix-js-sdk';
import type { CryptoApi } from 'matrix-js-sdk/lib/crypto-api/index.js';
import { SdkTrustFacts } from '../../../src/matrix/sdkTrustFacts';
import type { DeviceListCheck } from '../../../src/trust/types';

/** A user the crypto holds an out-of-date list for: it waits a second on each question about them. */
const STALE_WAIT_MS = 1_000;

function fakeCrypto(stale: ReadonlySet<string>): CryptoApi {
  const wait = (userId: string) => (stale.has(userId) ? new Promise((resolve) => setTimeout(resolve, STALE_WAIT_MS)) : Promise.resolve());
  const device = (userId: string) => ({ deviceId: 'PHONE', displayName: 'Phone', getFingerprint: () => `${userId}-key` });
  return {
    // One after the other, as matrix-js-sdk asks Rust crypto about each user.
    getUserDeviceInfo: async (userIds: string[]) => {
      const map = new Map();
      for (const userId of userIds) {
        await wait(userId);
        map.set(userId, new Map([['PHONE', device(userId)]]));
      }
      return map;
    },
    getUserVerificationStatus: async (userId: string) => {
      await wait(userId);
      return { known: true, needsUserApproval: false, isCrossSigningVerified: () => false, wasCrossSigningVerified: () => false };
    },
    getDeviceVerificationStatus: () => Promise.resolve({ signedByOwner: true, crossSigningVerified: false, localVerified: false }),
    getUserCrossSigningKeys: () => Promise.resolve(null),
  } as unknown as CryptoApi;
}

function facts(stale: string[], checks: Map<string, DeviceListCheck>, offered: Record<string, Record<string, string>> = {}) {
  const client = { getSafeUserId: () => '@alice:x', getDeviceId: () => 'EXT' } as unknown as MatrixClient;
  return new SdkTrustFacts(client, fakeCrypto(new Set(stale)), {
    check: (userId) => checks.get(userId),
    offeredKeys: (userId) => offered[userId],
    onChange: () => () => undefined,
  });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('reading facts from the crypto', () => {
  it('reads members whose key queries keep failing all at once: a room of them costs about two seconds, not two per member', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const failing = Array.from({ length: 8 }, (_, i) => `@user${i}:x`);
    const checks = new Map(failing.map((userId) => [userId, { reason: 'omitted' as const, since: 1 }]));
    const reading = facts(failing, checks).usersFacts([...failing, '@fine:x']);
    let done = false;
    void reading.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(2 * STALE_WAIT_MS + 10);
    expect(done).toBe(true);
    expect([...(await reading).keys()].sort()).toEqual([...failing, '@fine:x'].sort());
  });

  it('reports a key the server offered under a known device id next to the one it holds', async () => {
    const read = await facts([], new Map(), { '@bob:x': { PHONE: 'offered-key' } }).usersFacts(['@bob:x']);
    expect(read.get('@bob:x')?.devices.map((d) => [d.ed25519Key, d.conflictsWithKey])).toEqual([
      ['@bob:x-key', undefined],
      ['offered-key', '@bob:x-key'],
    ]);
  });
});
