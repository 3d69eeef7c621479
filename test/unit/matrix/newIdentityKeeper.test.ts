import { describe, expect, it } from 'vitest';
import {
  NEW_IDENTITY_GUARD_MS,
  NewIdentityKeeper,
  NewIdentityKeepers,
  type NewIdentityKeeperDeps,
} from '../../../src/matrix/newIdentityKeeper';

const BUNDLE = { cross_signing: { master_key: 'priv-master-B', self_signing_key: 'priv-self-B', user_signing_key: 'priv-user-B' } };

/** The crypto store as the SDK shows it, and a server; an older answer is simulated by `takeKeys`. */
function world(options: { exportFails?: boolean; keepers?: NewIdentityKeepers } = {}) {
  const state = { held: true, localMaster: 'B' as string | null, server: 'B', imports: [] as unknown[], serverQueries: 0 };
  const listeners = new Set<() => void>();
  const timers: { run: () => void; ms: number }[] = [];
  const deps: NewIdentityKeeperDeps = {
    crypto: {
      getCrossSigningKeyId: () => Promise.resolve(state.held ? state.localMaster : null),
      getCrossSigningStatus: () =>
        Promise.resolve({
          publicKeysOnDevice: true,
          privateKeysInSecretStorage: false,
          privateKeysCachedLocally: { masterKey: state.held, selfSigningKey: state.held, userSigningKey: state.held },
        }),
      exportSecretsBundle: () => (options.exportFails ? Promise.reject(new Error('MissingBackupVersion')) : Promise.resolve(BUNDLE)),
      importSecretsBundle: (bundle) => {
        state.imports.push(bundle);
        state.held = true;
        state.localMaster = 'B';
        return Promise.resolve();
      },
    },
    serverMasterKey: () => {
      state.serverQueries += 1;
      return Promise.resolve(state.server);
    },
    onOwnIdentityChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setTimer: (run, ms) => timers.push({ run, ms }),
  };
  const keeper = options.keepers ? options.keepers.add(deps) : new NewIdentityKeeper(deps);
  /** An answer naming `master` is processed: the SDK drops private keys that do not match it. */
  const answer = async (master: string) => {
    if (master !== state.localMaster) state.held = false;
    state.localMaster = master;
    for (const listener of [...listeners]) listener();
    await keeper.check();
  };
  return { keeper, state, listeners, timers, answer };
}

describe('the keeper of a new identity', () => {
  it('restores the keys an older answer took, once the server is seen to hold that identity', async () => {
    const { keeper, state, answer } = world();
    expect(await keeper.capture()).toBe('kept');
    keeper.guard();
    await keeper.check();
    expect(state.imports).toEqual([]);

    await answer('A-old');
    expect(state.imports).toEqual([BUNDLE]);
    expect(state.held).toBe(true);
    // The server's own answer then agrees: nothing more to do.
    await answer('B');
    expect(state.imports).toHaveLength(1);
  });

  it('never restores over an identity the server has since replaced (a reset elsewhere)', async () => {
    const { keeper, state, answer } = world();
    await keeper.capture();
    keeper.guard();
    state.server = 'C';
    await answer('C');
    expect(state.held).toBe(false);
    expect(state.imports).toEqual([]);
  });

  it('asks the server nothing while the keys are held', async () => {
    const { keeper, state, answer } = world();
    await keeper.capture();
    keeper.guard();
    await answer('B');
    expect(state.serverQueries).toBe(0);
  });

  it('lets go of the keys when the guard ends, and when the reset did not happen', async () => {
    const ended = world();
    await ended.keeper.capture();
    ended.keeper.guard();
    expect(ended.timers.map((timer) => timer.ms)).toEqual([NEW_IDENTITY_GUARD_MS]);
    ended.timers[0]?.run();
    expect(ended.listeners.size).toBe(0);
    await ended.answer('A-old');
    expect(ended.state.imports).toEqual([]);

    const failed = world();
    await failed.keeper.capture();
    failed.keeper.discard();
    failed.keeper.guard();
    expect(failed.listeners.size).toBe(0);
    await failed.answer('A-old');
    expect(failed.state.imports).toEqual([]);
  });

  it('keeps nothing when the keys could not be exported, or were already gone when the upload began', async () => {
    const unexportable = world({ exportFails: true });
    expect(await unexportable.keeper.capture()).toBe('not-kept');
    unexportable.keeper.guard();
    expect(unexportable.listeners.size).toBe(0);

    const gone = world();
    gone.state.held = false;
    expect(await gone.keeper.capture()).toBe('gone');
    gone.keeper.guard();
    expect(gone.listeners.size).toBe(0);
  });
});

describe("a session's keepers", () => {
  it('forget every kept key when the session stops (sign-out), and hold none they no longer guard', async () => {
    const keepers = new NewIdentityKeepers();
    const first = world({ keepers });
    const second = world({ keepers });
    await first.keeper.capture();
    first.keeper.guard();
    await second.keeper.capture();
    second.keeper.guard();
    expect(keepers.size).toBe(2);
    keepers.discardAll();
    expect(keepers.size).toBe(0);
    expect(first.listeners.size + second.listeners.size).toBe(0);
    await first.answer('A-old');
    expect(first.state.imports).toEqual([]);

    const nothingKept = world({ keepers, exportFails: true });
    await nothingKept.keeper.capture();
    nothingKept.keeper.guard();
    expect(keepers.size).toBe(0);
  });
});
