import { createLogger, errorSummary } from '../log';
import { type OwnDeviceSummary, overviewOf, ownSessionsOf, type TrustOverview } from '../trust/trustOverview';
import type { AccountRuntime } from './accountRuntime';

const log = createLogger('overview');

/** Reports come in bursts; the overview is recomputed once per burst, this long after its first report. */
const BURST_MS = 50;
/**
 * The account's own devices are unknown until the crypto's first key query for them answers,
 * which may come after the first overview; in an account with no rooms nothing else would ask
 * again, and its sessions would stay unchecked. Asked again, less and less often, until known.
 */
const OWN_RETRY_MS = [1_000, 2_000, 5_000, 10_000, 30_000] as const;

export interface OverviewPublisherDeps {
  runtime: () => AccountRuntime | undefined;
  onOverview: (overview: TrustOverview) => void;
  /** The account's other sessions, known once its own devices' keys are. */
  onOwnSessions: (sessions: OwnDeviceSummary[] | undefined) => void;
}

/** Publishes every joined room's warnings at a glance, and the account's own sessions, after each burst of reports. */
export class OverviewPublisher {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ownRetry: ReturnType<typeof setTimeout> | undefined;
  private ownRetries = 0;

  constructor(private readonly deps: OverviewPublisherDeps) {}

  schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, BURST_MS);
  }

  stop(): void {
    clearTimeout(this.timer);
    clearTimeout(this.ownRetry);
    this.timer = undefined;
    this.ownRetry = undefined;
    this.ownRetries = 0;
  }

  private retryOwnSessions(): void {
    if (this.ownRetry !== undefined) return;
    const delay = OWN_RETRY_MS[Math.min(this.ownRetries, OWN_RETRY_MS.length - 1)];
    this.ownRetries += 1;
    this.ownRetry = setTimeout(() => {
      this.ownRetry = undefined;
      this.schedule();
    }, delay);
  }

  private async refresh(): Promise<void> {
    const runtime = this.deps.runtime();
    if (!runtime) return;
    try {
      const overview = overviewOf(await runtime.engine.allReports());
      const own = await runtime.engine.ownUserFacts();
      if (this.deps.runtime() !== runtime) return;
      this.deps.onOverview(overview);
      this.deps.onOwnSessions(own && ownSessionsOf(own, runtime.deviceId));
      if (own === undefined) this.retryOwnSessions();
      else this.ownRetries = 0;
    } catch (error) {
      // A runtime that was stopped meanwhile fails its pending work; that is not news.
      if (this.deps.runtime() === runtime) log.warn('overview failed', { error: errorSummary(error) });
    }
  }
}
