import { describe, expect, it } from 'vitest';
import type { SecurityStatus } from '../../../src/messaging/protocol';
import { canSetUpRecovery, describeAcknowledgementSync } from '../../../src/ui/securityView';

const held = { masterKey: true, selfSigningKey: true, userSigningKey: true };
const complete: SecurityStatus = {
  identityOnServer: true,
  thisDeviceVerified: true,
  crossSigning: { ready: true, publicKeysOnDevice: true, privateKeysInSecretStorage: true, privateKeysCachedLocally: held },
  secretStorage: { ready: true, defaultKeyId: 'key1', passphraseBased: false },
  keyBackup: { serverVersion: '1', activeVersion: '1', trusted: true, keysRemaining: 0 },
};

describe('canSetUpRecovery', () => {
  it('offers the setup on an account without an identity', () => {
    expect(canSetUpRecovery({ ...complete, identityOnServer: false, thisDeviceVerified: false })).toBe(true);
  });

  it('does not offer it when recovery and the key backup are there', () => {
    expect(canSetUpRecovery(complete)).toBe(false);
  });

  it('offers it when secret storage is missing and this extension holds the identity', () => {
    expect(canSetUpRecovery({ ...complete, secretStorage: { ready: false, defaultKeyId: 'lost', passphraseBased: false } })).toBe(true);
  });

  it('offers it when the key backup is missing (a setup cut short before its last upload)', () => {
    expect(
      canSetUpRecovery({ ...complete, keyBackup: { serverVersion: null, activeVersion: null, trusted: false, keysRemaining: null } }),
    ).toBe(true);
  });

  it('never offers it to an extension that is not verified or does not hold the identity: it must verify first', () => {
    const noBackup = { ...complete, keyBackup: { serverVersion: null, activeVersion: null, trusted: false, keysRemaining: null } };
    expect(canSetUpRecovery({ ...noBackup, thisDeviceVerified: false })).toBe(false);
    expect(
      canSetUpRecovery({
        ...noBackup,
        crossSigning: { ...complete.crossSigning, privateKeysCachedLocally: { ...held, userSigningKey: false } },
      }),
    ).toBe(false);
  });
});

describe('describeAcknowledgementSync', () => {
  const at = Date.UTC(2026, 0, 5, 9, 0);

  it('says why acknowledgements stay in a browser without the key', () => {
    expect(describeAcknowledgementSync({ state: 'off' })).toMatchObject({
      tone: 'neutral',
      value: 'Only in this browser',
      detail: expect.stringContaining('not been unlocked with your recovery key') as unknown,
    });
  });

  it('counts what is shared', () => {
    expect(describeAcknowledgementSync({ state: 'synced', at, acknowledgements: 1 }).detail).toBe('1 acknowledgement shared, encrypted.');
    expect(describeAcknowledgementSync({ state: 'synced', at, acknowledgements: 3 })).toMatchObject({
      tone: 'ok',
      detail: '3 acknowledgements shared, encrypted.',
    });
  });

  it('never shows a refused copy as shared', () => {
    const line = describeAcknowledgementSync({ state: 'rejected', at });
    expect(line).toMatchObject({ tone: 'bad', value: 'Could not be verified' });
    expect(line.detail).toContain('this browser keeps its own');
  });
});

describe('describeAcknowledgementSync, with an outdated key', () => {
  it('asks to unlock again rather than calling the copy damaged', () => {
    expect(describeAcknowledgementSync({ state: 'other-key', at: 0 })).toMatchObject({ tone: 'warn', value: 'Unlock again' });
  });
});
