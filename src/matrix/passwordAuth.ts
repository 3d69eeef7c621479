import { MatrixError, type UIAuthCallback } from 'matrix-js-sdk';
import { UserFacingError } from '../errors';
import { t } from '../text/i18n';
import { whatUiaAsks } from './uiaStages';

/** The homeserver asks for the account password (user-interactive auth) and we have none yet. */
export class PasswordRequired extends Error {
  override name = 'PasswordRequired';
  constructor() {
    super(t('errPasswordRequired'));
  }
}

/**
 * The homeserver delegates auth (OAuth 2.0) and wants this approved on its account page, at
 * `url`; the same request succeeds once the user has (MSC4312). Its message is the user's to
 * read, for a flow that cannot wait for the approval.
 */
export class ApprovalRequired extends UserFacingError {
  override name = 'ApprovalRequired';
  constructor(readonly url: string) {
    super(t('errApproveOnAccountPage'));
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
 * is used for this one request and kept nowhere. A server that wants an approval on its account
 * page gets ApprovalRequired instead (with `approvalUrl`'s link when its answer names none):
 * such a server never sees a password.
 */
export function authWithPassword(
  userId: string,
  password: string | undefined,
  approvalUrl: () => Promise<string | undefined> = () => Promise.resolve(undefined),
): UIAuthCallback<void> {
  return async (makeRequest) => {
    try {
      await makeRequest(null);
    } catch (error) {
      const session = uiaSession(error);
      if (session === undefined || !(error instanceof MatrixError)) throw error;
      const asked = whatUiaAsks(error.data);
      if (asked.kind === 'account-page') {
        const url = asked.url ?? (await approvalUrl());
        throw url === undefined ? new UserFacingError(t('errConfirmElsewhere')) : new ApprovalRequired(url);
      }
      if (asked.kind !== 'password') throw new UserFacingError(t('errConfirmElsewhere'));
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

function isWrongPassword(error: unknown): boolean {
  return error instanceof MatrixError && (error.errcode === 'M_FORBIDDEN' || error.httpStatus === 401);
}
