import type { ValidatedAuthMetadata } from 'matrix-js-sdk';
import { accountPageOf, type AccountPage } from './accountPage';

/**
 * The homeserver's account page, from its auth metadata (read with `fetchAuthMetadata`, the same
 * discovery sign-in uses). Read once per device: a server without auth metadata (a password
 * server) has none. A failure to ask is not an answer, so it is asked again next time.
 */
export class SdkAccountPage {
  private known: Promise<AccountPage | undefined> | undefined;

  constructor(private readonly authMetadata: () => Promise<ValidatedAuthMetadata | undefined>) {}

  read(): Promise<AccountPage | undefined> {
    this.known ??= this.authMetadata().then(
      (metadata) => metadata && accountPageOf(metadata),
      (error: unknown) => {
        this.known = undefined;
        throw error;
      },
    );
    return this.known;
  }
}
