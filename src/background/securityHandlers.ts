import type { RequestHandlers } from '../messaging/requestRouter';
import type { SecurityService } from './securityService';

type SecurityKinds =
  | 'security.status'
  | 'recovery.start'
  | 'recovery.showKey'
  | 'recovery.confirm'
  | 'recovery.cancel'
  | 'recovery.unlock'
  | 'identity.reset'
  | 'verification.start'
  | 'verification.accept'
  | 'verification.confirm'
  | 'verification.mismatch'
  | 'verification.cancel'
  | 'verification.dismiss'
  | 'session.signOut'
  | 'session.accountPageSignOuts';

/** Requests about the account's encryption setup; every one needs a signed-in session. */
export function createSecurityHandlers(security: () => Promise<SecurityService>): Pick<RequestHandlers, SecurityKinds> {
  return {
    'security.status': async () => (await security()).status(),
    'recovery.start': async ({ passphrase, reset }) => ({
      key: await (await security()).recovery.start({ passphrase, reset: reset ?? false }),
    }),
    'recovery.showKey': async () => ({ key: (await security()).recovery.shownKey() }),
    'recovery.confirm': async ({ typed, password }) => (await security()).recovery.confirm(typed, password),
    'recovery.cancel': async () => {
      const { recovery } = await security();
      recovery.cancel();
      return recovery.current;
    },
    'recovery.unlock': async ({ key }) => {
      const { recovery } = await security();
      await recovery.unlock(key);
      return recovery.current;
    },
    'identity.reset': async ({ password }) => (await security()).recovery.resetIdentity(password),
    'verification.start': async (target) => (await security()).verification.start(target),
    'verification.accept': async () => (await security()).verification.accept(),
    'verification.confirm': async () => (await security()).verification.confirm(),
    'verification.mismatch': async () => (await security()).verification.mismatch(),
    'verification.cancel': async () => (await security()).verification.cancel(),
    'verification.dismiss': async () => (await security()).verification.dismiss(),
    'session.signOut': async ({ deviceId, password }) => (await security()).signOutSession(deviceId, password),
    'session.accountPageSignOuts': async () => (await security()).accountPageSignOuts(),
  };
}
