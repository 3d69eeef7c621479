import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MatrixSession } from '../../../src/matrix/matrixSession';
import type { SecurityReport, SecurityStatus } from '../../../src/messaging/protocol';

/** Each read of the encryption setup waits for the test to settle it. */
const reads: { resolve: (status: SecurityStatus) => void; reject: (error: Error) => void }[] = [];
vi.mock('../../../src/matrix/securityStatus', () => ({
  readSecurityStatus: () => new Promise<SecurityStatus>((resolve, reject) => reads.push({ resolve, reject })),
}));
const { SecurityService, SLOW_STATUS_MS } = await import('../../../src/background/securityService');

const READY: SecurityStatus = {
  identityOnServer: true,
  thisDeviceVerified: true,
  crossSigning: { ready: true, publicKeysOnDevice: true, privateKeysInSecretStorage: true, privateKeysCachedLocally: { masterKey: true, selfSigningKey: true, userSigningKey: true } },
  secretStorage: { ready: true, defaultKeyId: 'k', passphraseBased: false },
  keyBackup: { serverVersion: '1', activeVersion: '1', trusted: true, keysRemaining: 0 },
};

const fakeSession = { client: { on: () => undefined, off: () => undefined }, userId: '@alice:x', deviceId: 'EXT' } as unknown as MatrixSession;

function setup(remembered?: { status: SecurityStatus; checkedAt: number }) {
  let clock = 1_000;
  const published: SecurityReport[] = [];
  const saved: unknown[] = [];
  const service = new SecurityService(
    fakeSession,
    { onStatus: (report) => published.push(report), onRecovery: () => undefined, onVerification: () => undefined },
    () => clock,
    { load: () => Promise.resolve(remembered), save: (last) => Promise.resolve(void saved.push(last)) },
  );
  return { service, published, saved, tick: (ms: number) => void (clock += ms) };
}

afterEach(() => {
  reads.splice(0);
  vi.useRealTimers();
});

describe('the encryption setup, when the homeserver is slow or failing', () => {
  it('answers with a fresh reading when it comes quickly, and keeps it', async () => {
    const { service, saved } = setup();
    const answer = service.status();
    await vi.waitFor(() => expect(reads).toHaveLength(1));
    reads[0]?.resolve(READY);
    expect(await answer).toEqual({ status: READY, checkedAt: 1_000 });
    expect(saved).toEqual([{ status: READY, checkedAt: 1_000 }]);
  });

  it('never waits without end: after a few seconds it answers with the last known state, marked as being checked', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { service, published } = setup({ status: READY, checkedAt: 500 });
    const answer = service.status();
    await vi.waitFor(() => expect(reads).toHaveLength(1));
    vi.advanceTimersByTime(SLOW_STATUS_MS);
    expect(await answer).toEqual({ status: READY, checkedAt: 500, problem: 'checking' });
    // The fresh reading follows when it comes.
    reads[0]?.resolve({ ...READY, thisDeviceVerified: false });
    await vi.waitFor(() => expect(published.at(-1)).toEqual({ status: { ...READY, thisDeviceVerified: false }, checkedAt: 1_000 }));
  });

  it('says when a reading failed, keeping the last known state, with no error text of the network', async () => {
    const { service, published } = setup({ status: READY, checkedAt: 500 });
    const answer = service.status();
    await vi.waitFor(() => expect(reads).toHaveLength(1));
    reads[0]?.reject(new TypeError('fetch failed: Failed to fetch'));
    expect(await answer).toEqual({ status: READY, checkedAt: 500, problem: 'failed' });
    expect(JSON.stringify(published)).not.toContain('fetch failed');
  });

  it('with nothing known yet and a failing homeserver, says so instead of failing', async () => {
    const { service } = setup();
    const answer = service.status();
    await vi.waitFor(() => expect(reads).toHaveLength(1));
    reads[0]?.reject(new Error('boom'));
    expect(await answer).toEqual({ problem: 'failed' });
  });

  it('never answers with a read that started before the question: callers meanwhile share one more read after it', async () => {
    const { service, tick } = setup();
    const first = service.status();
    await vi.waitFor(() => expect(reads).toHaveLength(1));
    // Something changed (a recovery setup finished) while the first read was under way.
    tick(10);
    const second = service.status();
    const third = service.status();
    reads[0]?.resolve({ ...READY, secretStorage: { ...READY.secretStorage, ready: false } });
    expect((await first).status?.secretStorage.ready).toBe(false);
    await vi.waitFor(() => expect(reads).toHaveLength(2));
    reads[1]?.resolve(READY);
    expect(await second).toEqual({ status: READY, checkedAt: 1_010 });
    expect(await third).toEqual(await second);
    expect(reads).toHaveLength(2);
  });
});
