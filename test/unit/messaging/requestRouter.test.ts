import { describe, expect, it, vi } from 'vitest';
import type { ExtensionStatus } from '../../../src/messaging/protocol';
import { UserFacingError } from '../../../src/errors';
import { createRequestRouter, type RequestHandlers } from '../../../src/messaging/requestRouter';
import type { SenderPolicy } from '../../../src/messaging/validateSender';

const policy: SenderPolicy = {
  extensionId: 'ext',
  extensionOrigin: 'moz-extension://0000-uuid',
  isWatchedOrigin: (origin) => origin === 'https://app.cinny.in',
};
const page = { id: 'ext', url: 'moz-extension://0000-uuid/popup.html' };
const cinnyTab = { id: 'ext', url: 'https://app.cinny.in/home/', tab: { id: 4 }, frameId: 0 };

const status: ExtensionStatus = {
  account: { state: 'signed-out' },
  cryptoEngine: { state: 'starting' },
  policy: 'default',
  backgroundStartedAt: 1,
  extensionVersion: '0.1.0',
};

const notInThisTest = (): never => {
  throw new Error('not part of this test');
};

function setup(overrides: Partial<RequestHandlers> = {}) {
  const handlers: RequestHandlers = {
    'status.get': vi.fn(() => status),
    'page.hello': vi.fn(() => ({ client: 'Cinny', account: 'signed-out' as const })),
    'page.visible': notInThisTest,
    'page.room': notInThisTest,
    'page.shown': notInThisTest,
    'page.review': notInThisTest,
    'page.disagrees': notInThisTest,
    'room.disagreements': notInThisTest,
    'tab.state': notInThisTest,
    'account.loginOptions': notInThisTest,
    'account.signIn': notInThisTest,
    'account.signInWithSso': notInThisTest,
    'account.signInWithOAuth': notInThisTest,
    'account.cancelSignIn': notInThisTest,
    'account.signOut': notInThisTest,
    'trust.overview': notInThisTest,
    'room.report': notInThisTest,
    'room.acknowledge': notInThisTest,
    'user.pinIdentity': notInThisTest,
    'user.withdrawVerification': notInThisTest,
    'security.status': notInThisTest,
    'recovery.start': notInThisTest,
    'recovery.showKey': notInThisTest,
    'recovery.confirm': notInThisTest,
    'recovery.cancel': notInThisTest,
    'recovery.unlock': notInThisTest,
    'identity.reset': notInThisTest,
    'verification.start': notInThisTest,
    'verification.accept': notInThisTest,
    'verification.confirm': notInThisTest,
    'verification.mismatch': notInThisTest,
    'verification.cancel': notInThisTest,
    'verification.dismiss': notInThisTest,
    'session.signOut': notInThisTest,
    'session.accountPageSignOuts': notInThisTest,
    'settings.setPolicy': notInThisTest,
    'ledger.export': notInThisTest,
    'ledger.import': notInThisTest,
    'history.query': notInThisTest,
    'history.export': notInThisTest,
    'history.import': notInThisTest,
    'history.setRetention': notInThisTest,
    'sites.list': notInThisTest,
    'sites.add': notInThisTest,
    'sites.remove': notInThisTest,
    'alerts.get': notInThisTest,
    'alerts.setKind': notInThisTest,
    'alerts.watchRoom': notInThisTest,
    ...overrides,
  };
  const log = { refused: vi.fn(), failed: vi.fn() };
  return { route: createRequestRouter(handlers, policy, log), handlers, log };
}

describe('the request router', () => {
  it('runs the handler for a valid request and wraps its result', async () => {
    const { route } = setup();
    await expect(route({ kind: 'status.get', params: {} }, page)).resolves.toEqual({ ok: true, result: status });
  });

  it('hands the handler the validated sender', async () => {
    const { route, handlers } = setup();
    await route({ kind: 'page.hello', params: { understood: true } }, cinnyTab);
    expect(handlers['page.hello']).toHaveBeenCalledWith(
      { understood: true },
      { kind: 'content-script', tabId: 4, origin: 'https://app.cinny.in', url: 'https://app.cinny.in/home/' },
    );
  });

  it('refuses a sender that fails validation before parsing anything, and logs no payload', async () => {
    const { route, handlers, log } = setup();
    const secret = 'syt_secret_token';
    const answer = await route({ kind: 'status.get', params: { secret } }, { ...cinnyTab, url: 'https://evil.example/' });
    expect(answer).toEqual({ ok: false, error: { code: 'forbidden', message: 'this sender may not talk to Matrix Trust Guard' } });
    expect(handlers['status.get']).not.toHaveBeenCalled();
    expect(JSON.stringify(log.refused.mock.calls)).not.toContain(secret);
    expect(JSON.stringify(log.refused.mock.calls)).not.toContain('evil.example');
  });

  it('refuses a malformed message with the parser error and logs its reason only', async () => {
    const { route, log } = setup();
    const answer = await route({ kind: 'status.get', params: { password: 'hunter2' } }, page);
    expect(answer).toMatchObject({ ok: false, error: { code: 'malformed' } });
    expect(log.refused).toHaveBeenCalledOnce();
    expect(JSON.stringify(log.refused.mock.calls)).not.toContain('hunter2');
  });

  it('turns a handler failure into a generic error unless the handler chose a message for the user', async () => {
    const internal = setup({
      'status.get': () => {
        throw new Error('IndexedDB exploded at /secret/path');
      },
    });
    await expect(internal.route({ kind: 'status.get', params: {} }, page)).resolves.toEqual({
      ok: false,
      error: { code: 'failed', message: '' },
    });
    expect(internal.log.failed).toHaveBeenCalledOnce();

    const userFacing = setup({
      'status.get': () => Promise.reject(new UserFacingError('The homeserver is unreachable')),
    });
    await expect(userFacing.route({ kind: 'status.get', params: {} }, page)).resolves.toEqual({
      ok: false,
      error: { code: 'failed', message: 'The homeserver is unreachable' },
    });
  });

  it('answers a replayed request the same way each time, without state of its own', async () => {
    const { route } = setup();
    const message = { kind: 'status.get', params: {} };
    const answers = await Promise.all([route(message, page), route(message, page), route(message, page)]);
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
  });
});
