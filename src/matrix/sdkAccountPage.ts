import { MatrixError, type MatrixClient } from 'matrix-js-sdk';
import { OAuth2Error } from 'matrix-js-sdk/lib/oauth/error.js';
import { accountPageOf, type AccountPage } from './accountPage';

/**
 * The homeserver's account page, from its auth metadata (`GET /_matrix/client/v1/auth_metadata`,
 * MSC2965). Read once per device: a server answering 404 there does not delegate auth (a
 * password server) and has none. A failure to ask is not an answer, so it is asked again next time.
 */
export class SdkAccountPage {
  private known: Promise<AccountPage | undefined> | undefined;

  constructor(private readonly client: Pick<MatrixClient, 'getAuthMetadata'>) {}

  read(): Promise<AccountPage | undefined> {
    this.known ??= this.client.getAuthMetadata().then(accountPageOf, (error: unknown) => {
      if (noAuthMetadata(error)) return undefined;
      this.known = undefined;
      throw error;
    });
    return this.known;
  }
}

/** The server answered, and has no (usable) auth metadata: a refusal, or metadata the SDK finds invalid. */
function noAuthMetadata(error: unknown): boolean {
  if (error instanceof MatrixError) return error.httpStatus !== undefined && error.httpStatus >= 400 && error.httpStatus < 500;
  return error instanceof Error && error.message === (OAuth2Error.OpSupport as string);
}
