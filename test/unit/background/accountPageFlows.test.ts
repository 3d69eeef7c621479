import { describe, expect, it } from 'vitest';
import type { AccountDevice } from '../../../src/background/ports/accountDevice';
import type { RecoveryCrypto } from '../../../src/background/ports/recovery';
import { RecoveryFlow } from '../../../src/background/recoveryFlow';
import { SecurityService } from '../../../src/background/securityService';
import { ApprovalRequired } from '../../../src/matrix/passwordAuth';
import type { RecoveryFlowView, VerificationView } from '../../../src/messaging/protocol';

const unused = () => Promise.reject(new Error('not used by these tests'));
const IDLE: VerificationView = { phase: 'none' };
const PAGE = 'https://auth.example.org/account/';

/** An OAuth server's sessions: signing out answers with the account page; `listed` is what the server lists now. */
function delegatedServer(listed: string[]) {
  const signOuts: string[] = [];
  const device: Pick<AccountDevice, 'deviceId' | 'security' | 'sessions' | 'recovery' | 'followVerifications'> = {
    deviceId: 'EXT',
    security: { read: unused, watch: () => () => undefined },
    sessions: {
      signOut: (deviceId) => {
        signOuts.push(deviceId);
        return Promise.resolve({ accountPage: `${PAGE}?action=org.matrix.device_delete&device_id=${deviceId}` });
      },
      listed: () => Promise.resolve([...listed]),
    },
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
  const service = new SecurityService(
    device,
    { onStatus: () => undefined, onRecovery: () => undefined, onVerification: () => undefined },
    () => 0,
    { load: () => Promise.resolve(undefined), save: () => Promise.resolve() },
  );
  return { service, signOuts };
}

describe('signing another session out on a server that delegates auth', () => {
  it("sends the user to the account page's link for that session, and asks for no password", async () => {
    const { service } = delegatedServer(['EXT', 'OLDPHONE']);
    expect(await service.signOutSession('OLDPHONE')).toEqual({
      needsPassword: false,
      accountPage: `${PAGE}?action=org.matrix.device_delete&device_id=OLDPHONE`,
    });
    service.stop();
  });

  it('says the session is still there while the server lists it, and gone (once) when it no longer does', async () => {
    const listed = ['EXT', 'OLDPHONE'];
    const { service } = delegatedServer(listed);
    expect(await service.accountPageSignOuts()).toEqual([]);
    await service.signOutSession('OLDPHONE');
    expect(await service.accountPageSignOuts()).toMatchObject([{ deviceId: 'OLDPHONE', gone: false }]);
    listed.splice(1);
    expect(await service.accountPageSignOuts()).toMatchObject([{ deviceId: 'OLDPHONE', gone: true }]);
    expect(await service.accountPageSignOuts()).toEqual([]);
    service.stop();
  });
});

describe('an identity reset the server wants approved on its account page', () => {
  function resetFlow(approvedAfter: number) {
    let tries = 0;
    const crypto: RecoveryCrypto = {
      identity: unused,
      createKey: unused,
      setUp: unused,
      findKey: unused,
      unlockWith: unused,
      resetIdentity: (password) => {
        expect(password).toBeUndefined();
        tries += 1;
        return tries > approvedAfter ? Promise.resolve() : Promise.reject(new ApprovalRequired(`${PAGE}?action=reset`));
      },
    };
    let clock = 1_000;
    const views: RecoveryFlowView[] = [];
    const flow = new RecoveryFlow(
      crypto,
      () => (clock += 10),
      (view) => views.push(view),
    );
    return { flow, views, tries: () => tries };
  }

  it('waits for the approval with the link, then the same reset, retried, is done', async () => {
    const { flow, tries } = resetFlow(1);
    expect(await flow.resetIdentity()).toEqual({ step: 'needs-approval', url: `${PAGE}?action=reset`, askedAt: 1_010, again: false });
    expect(await flow.resetIdentity()).toEqual({ step: 'done', what: 'identity-reset' });
    expect(tries()).toBe(2);
  });

  it('says so when a retry comes before the approval, and never asks for a password', async () => {
    const { flow, views } = resetFlow(2);
    await flow.resetIdentity();
    expect(await flow.resetIdentity()).toMatchObject({ step: 'needs-approval', again: true });
    expect(await flow.resetIdentity()).toEqual({ step: 'done', what: 'identity-reset' });
    expect(views.map((view) => view.step)).not.toContain('needs-password');
  });

  it('can be cancelled while it waits', async () => {
    const { flow } = resetFlow(1);
    await flow.resetIdentity();
    flow.cancel();
    expect(flow.current).toEqual({ step: 'idle' });
  });
});
