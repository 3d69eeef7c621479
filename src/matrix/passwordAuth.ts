import { MatrixError, type UIAuthCallback } from 'matrix-js-sdk';
import { UserFacingError } from '../errors';
import { t } from '../text/i18n';

/** The homeserver asks for the account password (user-interactive auth) and we have none yet. */
export class PasswordRequired extends Error {
  override name = 'PasswordRequired';
  constructor() {
    super(t('errPasswordRequired'));
  }
}

/** The password given for user-interactive auth was refused. */
export class WrongPassword extends UserFacingError {
  override name = 'WrongPassword';
  constructor() {
    super(t('errWrongPassword'));
  }
}

/**
 * Answers user-interactive auth with the account password, only when the server asks for it.
 * Without a password it throws PasswordRequired, so the UI can ask and try again; the password
 * is used for this one request and kept nowhere.
 */
export function authWithPassword(userId: string, password: string | undefined): UIAuthCallback<void> {
  return async (makeRequest) => {
    try {
      await makeRequest(null);
    } catch (error) {
      const session = uiaSession(error);
      if (session === undefined) throw error;
      if (!offersPassword(error)) {
        throw new UserFacingError(t('errConfirmElsewhere'));
      }
      if (password === undefined) throw new PasswordRequired();
      await makeRequest({ type: 'm.login.password', identifier: { type: 'm.id.user', user: userId }, password, session }).catch(
        (failure: unknown) => {
          throw isWrongPassword(failure) ? new WrongPassword() : failure;
        },
      );
    }
  };
}

/** The same, for a request that takes an auth dict directly (e.g. deleting a device). */
export async function withPasswordAuth<T>(
  userId: string,
  password: string | undefined,
  request: (auth?: Record<string, unknown>) => Promise<T>,
): Promise<T> {
  let result: T | undefined;
  await authWithPassword(
    userId,
    password,
  )(async (auth) => {
    result = await request(auth ?? undefined);
  });
  return result as T;
}

function uiaSession(error: unknown): string | undefined {
  if (!(error instanceof MatrixError) || error.httpStatus !== 401) return undefined;
  const session: unknown = error.data.session;
  return typeof session === 'string' ? session : undefined;
}

function offersPassword(error: unknown): boolean {
  const flows: unknown = error instanceof MatrixError ? error.data.flows : undefined;
  return (
    Array.isArray(flows) &&
    flows.some((flow: { stages?: unknown }) => Array.isArray(flow.stages) && flow.stages.includes('m.login.password'))
  );
}

function isWrongPassword(error: unknown): boolean {
  return error instanceof MatrixError && (error.errcode === 'M_FORBIDDEN' || error.httpStatus === 401);
}
