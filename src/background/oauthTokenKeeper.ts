import type { AccountCredentials } from '../model/accountCredentials';
import { confirmed, rotated, type TokenAnswer } from '../model/tokenRotation';
import type { AccountVault } from '../storage/accountVault';

/**
 * Keeps an OAuth session's sealed credentials in step with its tokens: rotated tokens are sealed
 * before the SDK uses them, and the previous refresh token is let go only once the new tokens
 * have worked (a completed sync). Writes happen one at a time, in order.
 */
export class OAuthTokenKeeper {
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private credentials: AccountCredentials,
    private readonly vault: AccountVault,
  ) {}

  get current(): AccountCredentials {
    return this.credentials;
  }

  /** Seals `next` as the session's credentials. */
  save(next: AccountCredentials): Promise<void> {
    return this.enqueue(() => next);
  }

  /** The SDK refreshed the tokens; it waits for this before it sends them. */
  refreshed(answer: TokenAnswer): Promise<void> {
    return this.enqueue((current) => {
      const used = current.oauth?.refreshToken;
      return used === undefined ? current : rotated(current, answer, used);
    });
  }

  /** A request with the current tokens succeeded. */
  worked(): Promise<void> {
    if (this.credentials.oauth?.previousRefreshToken === undefined) return this.writing;
    return this.enqueue(confirmed);
  }

  private enqueue(change: (current: AccountCredentials) => AccountCredentials): Promise<void> {
    const write = this.writing.then(async () => {
      const next = change(this.credentials);
      if (next === this.credentials) return;
      await this.vault.save(next);
      this.credentials = next;
    });
    // A failed write fails its caller; the next one still runs.
    this.writing = write.catch(() => undefined);
    return write;
  }
}
