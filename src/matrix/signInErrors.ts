import { ConnectionError, MatrixError, safeGetRetryAfterMs } from 'matrix-js-sdk';
import { t } from '../text/i18n';

/** Why signing in failed, in terms a user can act on. */
export type SignInErrorCode =
  | 'invalid-input'
  | 'unknown-homeserver'
  | 'unreachable'
  | 'wrong-password'
  | 'user-deactivated'
  | 'rate-limited'
  | 'sso-unavailable'
  | 'sso-cancelled'
  | 'server-error';

/** A sign-in failure whose message is written for the person signing in. */
export class SignInError extends Error {
  override name = 'SignInError';
  constructor(
    readonly code: SignInErrorCode,
    message: string,
    /** For `rate-limited`: how long the server asked us to wait. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Maps what the homeserver (or the network) said to a `SignInError`. */
export function toSignInError(error: unknown, homeserver: string): SignInError {
  if (error instanceof SignInError) return error;
  if (error instanceof MatrixError) {
    switch (error.errcode) {
      case 'M_FORBIDDEN':
        return new SignInError('wrong-password', t('errWrongUserOrPassword'));
      case 'M_USER_DEACTIVATED':
        return new SignInError('user-deactivated', t('errAccountDeactivated'));
      case 'M_LIMIT_EXCEEDED': {
        // The hint comes from the server: malformed ones fall back to 30 s, past dates to 0.
        const retryAfterMs = Math.max(0, safeGetRetryAfterMs(error, 30_000));
        return new SignInError('rate-limited', t('errSignInRateLimited', String(Math.ceil(retryAfterMs / 1000))), retryAfterMs);
      }
    }
    return new SignInError('server-error', t('errSignInRefused', homeserver, error.errcode ?? `HTTP ${error.httpStatus ?? '?'}`));
  }
  if (error instanceof ConnectionError || error instanceof TypeError) {
    return new SignInError('unreachable', t('errHomeserverUnreachable', homeserver));
  }
  return new SignInError('server-error', t('errSignInFailedAt', homeserver));
}
