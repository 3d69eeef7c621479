import { describe, expect, it } from 'vitest';
import type { ExtensionStatus } from '../../../src/messaging/protocol';
import { cryptoEngineFacts, describeAccount, describeCryptoEngine } from '../../../src/ui/statusView';

const ready = {
  state: 'ready',
  engineVersion: 'Rust SDK 0.19.1 (a3d573d), Vodozemac 0.11.0',
  identityKey: 'WTLFumLgg2Rd0xpPgDwxrbk4BcSTsUeujsodQVc8lRo',
  storeCreatedAt: Date.UTC(2026, 10, 23, 15, 52),
  storeOpenCount: 1,
  startupMs: 640,
} as const;

describe('status view models', () => {
  it('says a signed-out account is not signed in, neutrally', () => {
    const status: ExtensionStatus = { account: { state: 'signed-out' }, cryptoEngine: ready, backgroundStartedAt: 0, extensionVersion: '0.1.0' };
    expect(describeAccount(status)).toMatchObject({ value: 'Not signed in', tone: 'neutral' });
  });

  it('shows a starting engine as in progress', () => {
    expect(describeCryptoEngine({ state: 'starting' })).toEqual({ label: 'Encryption engine', value: 'Starting…', tone: 'busy' });
  });

  it('shows a ready engine as OK, with when its store was created', () => {
    const line = describeCryptoEngine(ready);
    expect(line).toMatchObject({ value: 'Ready', tone: 'ok' });
    expect(line.detail).toMatch(/store kept since .*2026/);
  });

  it('shows a failed engine as a problem, with the reason as its detail', () => {
    expect(describeCryptoEngine({ state: 'failed', reason: 'The encryption engine could not start: Failed to fetch' })).toEqual({
      label: 'Encryption engine',
      value: 'Not working',
      tone: 'bad',
      detail: 'The encryption engine could not start: Failed to fetch',
    });
  });

  it('lists the engine facts only once it is ready, counting openings in words', () => {
    expect(cryptoEngineFacts({ state: 'starting' })).toEqual([]);
    const facts = cryptoEngineFacts({ ...ready, storeOpenCount: 3 });
    expect(facts.map((f) => f.label)).toEqual(['Version', 'Store identity key', 'Store created', 'Store opened', 'Start-up time']);
    expect(facts.find((f) => f.label === 'Store opened')?.value).toBe('3 times');
    expect(cryptoEngineFacts(ready).find((f) => f.label === 'Store opened')?.value).toBe('1 time');
  });
});
