import { createLogger, errorSummary } from '../log';
import type { AccountCredentials } from '../model/accountCredentials';
import { deviceGrantView, type DeviceGrantView, type PendingDeviceGrant } from '../model/deviceGrant';
import { providerMetadata } from '../matrix/authMetadata';
import { SignInError } from '../matrix/signInErrors';
import { credentialsFrom, pollDeviceGrant, revokeTokens, type DeviceGrantRound } from '../matrix/oauthSignIn';
import type { AccountVault } from '../storage/accountVault';
import { t } from '../text/i18n';

const log = createLogger('device-grant');

/** How long to wait before asking again a provider that could not be reached. */
const UNREACHABLE_RETRY_MS = 10_000;

export interface DeviceGrantDeps {
  vault: AccountVault;
  fetchFn?: typeof fetch;
  now: () => number;
  /** What the sign-in form shows; undefined: nothing under way. */
  publish: (view: DeviceGrantView | undefined) => void;
  /** The user approved: sign in with these credentials, like the password path. */
  finish: (credentials: AccountCredentials) => Promise<void>;
}

/**
 * A sign-in by device authorization (RFC 8628) in the background: the grant is sealed in the
 * vault (its device code is a secret), the popup shows its user code and link, and the
 * background polls round by round until the user approves, refuses, cancels or the code
 * expires. A worker that stops meanwhile polls on at its next start (`resume`).
 */
export class DeviceGrantSignIn {
  /** Bumped by every start, cancel and stop: a poll loop of an older generation ends. */
  private generation = 0;

  constructor(private readonly deps: DeviceGrantDeps) {}

  /** Seals the new grant, shows it and polls. */
  async begin(grant: PendingDeviceGrant, metadata: ValidatedMetadata): Promise<void> {
    await this.deps.vault.savePendingDeviceGrant(grant);
    this.follow(grant, metadata);
  }

  /** At background start: polls on for a grant sealed before the worker stopped. */
  async resume(): Promise<boolean> {
    const grant = await this.deps.vault.pendingDeviceGrant();
    if (!grant) return false;
    this.follow(grant, undefined);
    return true;
  }

  async cancel(): Promise<void> {
    this.generation += 1;
    await this.deps.vault.clearPendingDeviceGrant();
    this.deps.publish(undefined);
  }

  /** The worker stops: polling ends here, the grant stays sealed for the next start. */
  stop(): void {
    this.generation += 1;
  }

  private follow(grant: PendingDeviceGrant, metadata: ValidatedMetadata | undefined): void {
    const generation = ++this.generation;
    this.deps.publish(deviceGrantView(grant));
    this.poll(grant, metadata, generation).catch((error: unknown) => {
      log.error('device authorization failed', { error: errorSummary(error) });
      if (generation === this.generation) void this.end(error instanceof SignInError ? error.message : t('signInFailed'));
    });
  }

  private async poll(grant: PendingDeviceGrant, known: ValidatedMetadata | undefined, generation: number): Promise<void> {
    let metadata = known;
    const current = () => generation === this.generation;
    for (;;) {
      if (!current()) return;
      let round: DeviceGrantRound;
      try {
        metadata ??= await this.metadataFor(grant);
        round = await pollDeviceGrant(metadata, grant, this.deps.now());
      } catch (error) {
        // The provider is down or answered nonsense: the code stays valid, so wait and ask again.
        log.warn('device authorization poll failed', { error: errorSummary(error) });
        if (this.deps.now() >= grant.expiresAt) round = { kind: 'expired' };
        else {
          await sleep(UNREACHABLE_RETRY_MS);
          continue;
        }
      }
      if (round.kind === 'pending') continue;
      if (!current()) {
        // Cancelled while the approval came in: the tokens are nobody's, give them back.
        if (round.kind === 'approved' && metadata) await revokeTokens(metadata, grant.clientId, round.tokens).catch(() => undefined);
        return;
      }
      await this.deps.vault.clearPendingDeviceGrant();
      if (round.kind === 'denied') return this.end(t('errOAuthDenied'));
      if (round.kind === 'expired') return this.end(t('errOAuthExpired'));
      const credentials = await credentialsFrom(
        grant.homeserverUrl,
        grant.issuer,
        grant.clientId,
        grant.deviceId,
        round.tokens,
        this.deps.now(),
        this.deps.fetchFn,
      );
      await this.deps.finish(credentials);
      return;
    }
  }

  private metadataFor(grant: PendingDeviceGrant): Promise<ValidatedMetadata> {
    return providerMetadata(grant.homeserverUrl, grant.issuer, this.deps.fetchFn);
  }

  private async end(reason: string): Promise<void> {
    this.generation += 1;
    await this.deps.vault.clearPendingDeviceGrant();
    this.deps.publish({ state: 'ended', reason });
  }
}

/** The provider's metadata, as src/matrix hands it over (the SDK's type, not named here). */
type ValidatedMetadata = Awaited<ReturnType<typeof providerMetadata>>;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
