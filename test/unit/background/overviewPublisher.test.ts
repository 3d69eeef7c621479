import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AccountRuntime } from '../../../src/background/accountRuntime';
import { OverviewPublisher } from '../../../src/background/overviewPublisher';
import type { OwnDeviceSummary } from '../../../src/trust/trustOverview';
import type { UserFacts } from '../../../src/trust/types';

const OWN: UserFacts = {
  userId: '@alice:example.org',
  isOwnUser: true,
  hasIdentity: true,
  verified: true,
  wasVerified: false,
  needsApproval: false,
  devices: [
    { deviceId: 'EXT', ed25519Key: 'k1', signedByOwner: true, crossSigningVerified: true, locallyVerified: false },
    { deviceId: 'PHONE', ed25519Key: 'k2', signedByOwner: false, crossSigningVerified: false, locallyVerified: false },
  ],
};

/** A runtime whose engine knows the account's own devices only from the `knownFrom`-th question on. */
function runtimeKnowingOwnDevicesFrom(knownFrom: number): { runtime: AccountRuntime; asked: () => number } {
  let asked = 0;
  const engine = {
    allReports: () => Promise.resolve([]),
    ownUserFacts: () => {
      asked += 1;
      return Promise.resolve(asked >= knownFrom ? OWN : undefined);
    },
  };
  return { runtime: { engine, deviceId: 'EXT' } as unknown as AccountRuntime, asked: () => asked };
}

describe('OverviewPublisher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("asks again for the account's own sessions until they are known, in an account where nothing else would", async () => {
    const { runtime, asked } = runtimeKnowingOwnDevicesFrom(3);
    const sessions: (OwnDeviceSummary[] | undefined)[] = [];
    const publisher = new OverviewPublisher({
      runtime: () => runtime,
      onOverview: () => undefined,
      onOwnSessions: (s) => sessions.push(s),
    });
    publisher.schedule();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(asked()).toBe(3);
    expect(sessions.at(-1)).toEqual([{ deviceId: 'PHONE', class: 'unsigned-of-verified' }]);
    // Known: no more questions of its own.
    await vi.advanceTimersByTimeAsync(120_000);
    expect(asked()).toBe(3);
    publisher.stop();
  });

  it('stops asking when stopped (signed out)', async () => {
    const { runtime, asked } = runtimeKnowingOwnDevicesFrom(Number.POSITIVE_INFINITY);
    const publisher = new OverviewPublisher({ runtime: () => runtime, onOverview: () => undefined, onOwnSessions: () => undefined });
    publisher.schedule();
    await vi.advanceTimersByTimeAsync(2_000);
    const before = asked();
    publisher.stop();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(asked()).toBe(before);
  });
});
