import { createLogger, errorSummary } from '../log';
import { type OwnDeviceSummary, overviewOf, ownSessionsOf, type TrustOverview } from '../trust/trustOverview';
import type { AccountRuntime } from './accountRuntime';

const log = createLogger('overview');

/** Reports come in bursts; the overview is recomputed once per burst, this long after its first report. */
const BURST_MS = 50;

export interface OverviewPublisherDeps {
  runtime: () => AccountRuntime | undefined;
  onOverview: (overview: TrustOverview) => void;
  /** The account's other sessions, known once its own devices' keys are. */
  onOwnSessions: (sessions: OwnDeviceSummary[] | undefined) => void;
}

/** Publishes every joined room's warnings at a glance, and the account's own sessions, after each burst of reports. */
export class OverviewPublisher {
  private timer: ReturnType<typeof setTimeout> | undefined;

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
    this.timer = undefined;
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
    } catch (error) {
      // A runtime that was stopped meanwhile fails its pending work; that is not news.
      if (this.deps.runtime() === runtime) log.warn('overview failed', { error: errorSummary(error) });
    }
  }
}
