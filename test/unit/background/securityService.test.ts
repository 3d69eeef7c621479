import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AccountDevice } from '../../../src/background/ports/accountDevice';
import { SecurityService, SLOW_STATUS_MS } from '../../../src/background/securityService';
import type { SecurityReport, SecurityStatus, VerificationView } from '../../../src/messaging/protocol';
import { READY_SECURITY as READY } from '../support/securityStatus';

/** Each read of the encryption setup waits for the test to settle it. */
const reads: { resolve: (status: SecurityStatus) => void; reject: (error: Error) => void }[] = [];

const unused = () => Promise.reject(new Error('not used by these tests'));
const IDLE: VerificationView = { phase: 'none' };

/** A device whose status reads wait in `reads`; recovery and verification are never used here. */
const fakeDevice: Pick<AccountDevice, 'deviceId' | 'security' | 'sessions' | 'recovery' | 'followVerifications'> = {
  deviceId: 'EXT',
  security: {
    read: () => new Promise<SecurityStatus>((resolve, reject) => reads.push({ resolve, reject })),
    watch: () => () => undefined,
  },
  sessions: { signOut: unused, listed: unused },
  recovery: { identity: unused, createKey: unused, setUp: unused, findKey: unused, unlockWith: unused, resetIdentity: unused },
  followVerifications: () => ({
    current: IDLE,
    start: unused,
    accept: unused,
    confirm: unused,
    mismatch: () => IDLE,
    cancel: unused,
    dismiss: () => IDLE,
    stop: () => undefined,
  }),
};

function setup(remembered?: { status: SecurityStatus; checkedAt: number }) {
  let clock = 1_000;
  const published: SecurityReport[] = [];
  const saved: unknown[] = [];
  const service = new SecurityService(
    fakeDevice,
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
