import { describe, expect, it } from 'vitest';
import type { CrossSigningStatus, GeneratedSecretStorageKey } from 'matrix-js-sdk/lib/crypto-api/index.js';
import { RecoveryFlow } from '../../../src/background/recoveryFlow';
import type { MatrixSession } from '../../../src/matrix/matrixSession';

/**
 * The recovery setup's uploads, in the order that lets a setup cut short be finished: a worker
 * stopped between them leaves the identity on the server, this device holding its private keys,
 * and maybe a secret storage key nobody has any more.
 */

const USER = '@alice:example.org';

function fakeSession(state: { identityOnServer: boolean; keysHeld: boolean }) {
  const calls: string[] = [];
  const held = state.keysHeld;
  const crossSigningStatus: CrossSigningStatus = {
    publicKeysOnDevice: state.identityOnServer,
    privateKeysInSecretStorage: false,
    privateKeysCachedLocally: { masterKey: held, selfSigningKey: held, userSigningKey: held },
  };
  const generated: GeneratedSecretStorageKey = { privateKey: new Uint8Array(32).fill(7), encodedPrivateKey: 'EsTc abcd efgh' };
  const crypto = {
    getCrossSigningStatus: () => Promise.resolve(crossSigningStatus),
    userHasCrossSigningKeys: () => Promise.resolve(state.identityOnServer),
    createRecoveryKeyFromPassphrase: () => Promise.resolve(generated),
    bootstrapCrossSigning: () => {
      calls.push('bootstrapCrossSigning');
      return Promise.resolve();
    },
    bootstrapSecretStorage: async (opts: { createSecretStorageKey?: () => Promise<GeneratedSecretStorageKey>; setupNewSecretStorage?: boolean; setupNewKeyBackup?: boolean }) => {
      const key = await opts.createSecretStorageKey?.();
      calls.push(`bootstrapSecretStorage new=${String(opts.setupNewSecretStorage)} backup=${String(opts.setupNewKeyBackup)} key=${key?.encodedPrivateKey ?? 'none'}`);
    },
  };
  const session = { userId: USER, crypto } as unknown as MatrixSession;
  return { session, calls };
}

describe('the recovery setup', () => {
  it('on a fresh account: creates the identity, then secret storage with the new key and a key backup', async () => {
    const { session, calls } = fakeSession({ identityOnServer: false, keysHeld: false });
    const flow = new RecoveryFlow(session, () => 0, () => undefined);
    const key = await flow.start({ reset: false });
    expect(await flow.confirm(key)).toEqual({ step: 'done', what: 'set-up' });
    expect(calls).toEqual(['bootstrapCrossSigning', 'bootstrapSecretStorage new=true backup=true key=EsTc abcd efgh']);
    flow.stop();
  });

  it('after a setup cut short (identity uploaded and held here): does not bootstrap the identity again, and stores it under the new key', async () => {
    const { session, calls } = fakeSession({ identityOnServer: true, keysHeld: true });
    const flow = new RecoveryFlow(session, () => 0, () => undefined);
    const key = await flow.start({ reset: false });
    expect(await flow.confirm(key)).toEqual({ step: 'done', what: 'set-up' });
    expect(calls).toEqual(['bootstrapSecretStorage new=true backup=true key=EsTc abcd efgh']);
    flow.stop();
  });
});
