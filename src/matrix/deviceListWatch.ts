import { createLogger, errorSummary } from '../log';
import {
  announcedChanged,
  answered,
  asked,
  checkOf,
  type DeviceListRecord,
  type DeviceListState,
  mayAsk,
  type QueryOutcome,
  recordOf,
} from '../trust/deviceListFreshness';
import type { DeviceListCheck } from '../trust/types';
import { outcomesOf, usersAsked, usersChanged } from './keysQueryExchange';

const log = createLogger('device-lists');

/** Where the watch keeps its records between worker starts (IndexedDB in the extension). */
export interface DeviceListStore {
  load(): Promise<DeviceListRecord[]>;
  /** Writes these records atomically. */
  write(records: DeviceListRecord[]): Promise<void>;
}

/** What changed after the watch saw a request go out or an answer come back. */
export interface DeviceListChange {
  /** Users whose check (reason, or being current) changed while their devices did not. */
  checks: string[];
  /** Users answered for whose devices may have changed: read their facts again. */
  answered: string[];
}

/**
 * The extension's own view of whose device lists are current, from its HTTP layer: every
 * `/sync` answer (which users the server says changed) and every `/keys/query` (whom it asks
 * about, and whether the answer is complete for each). Rust crypto keeps stale devices without
 * saying so; this is what lets the reports say "checking" instead of "no new devices".
 *
 * It also holds key queries back while answers about the same users keep failing or leaving
 * them out (the crypto would ask again at once, hundreds of times a second), and asks the
 * crypto to try again when a retry is due instead of waiting for the next sync.
 */
export class DeviceListWatch {
  private readonly states = new Map<string, DeviceListState>();
  private readonly listeners = new Set<(change: DeviceListChange) => void>();
  /** Orders announcements and queries; see DeviceListState.outdatedMark. */
  private mark = 0;
  private writes: Promise<void> = Promise.resolve();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retryTimerAt = Number.POSITIVE_INFINITY;
  private stopped = false;
  /** Called when a held-back query may go now: the session asks the crypto to send its requests. */
  onRetryDue: () => void = () => undefined;

  private constructor(
    private readonly store: DeviceListStore,
    private readonly now: () => number,
  ) {}

  static async open(store: DeviceListStore, now: () => number = Date.now): Promise<DeviceListWatch> {
    const watch = new DeviceListWatch(store, now);
    for (const record of await store.load()) watch.states.set(record.userId, { ...record, outdatedMark: 0 });
    return watch;
  }

  /** Whether nothing was ever recorded (a store from before the watch existed, or a new device). */
  get isEmpty(): boolean {
    return this.states.size === 0;
  }

  /** Undefined when the user's list is current; otherwise why not, and since when. */
  check(userId: string): DeviceListCheck | undefined {
    return checkOf(this.states.get(userId));
  }

  /** The device keys the server offered for the user in its last complete answer. */
  offeredKeys(userId: string): Readonly<Record<string, string>> | undefined {
    return this.states.get(userId)?.offeredKeys;
  }

  onChange(listener: (change: DeviceListChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** `fetchFn` with the watch in front of it. */
  wrap(fetchFn: typeof fetch): typeof fetch {
    return async (input, init) => {
      const path = pathOf(input);
      if (path.endsWith('/keys/query') && init?.method === 'POST') {
        const users = usersAsked(init.body);
        if (users) return this.query(users, () => fetchFn(input, init));
      }
      const response = await fetchFn(input, init);
      if (!path.endsWith('/sync') || !response.ok) return response;
      // Read before the SDK sees it: a query the crypto sends after this sync must count as
      // asked after the change it announces.
      const body = await response.text();
      this.noteChanged(usersChanged(body));
      return new Response(body, response);
    };
  }

  /**
   * The homeserver is back after an outage: queries held back by the backoff may go at once, so
   * the warnings they bring do not wait for the next retry time.
   */
  retryNow(): void {
    const held = [...this.states.values()].filter((state) => state.retryAt !== undefined).map((state) => state.userId);
    if (held.length === 0 || this.stopped) return;
    this.update(held, (user, state) => withoutRetry(state ?? { userId: user, failures: 0 }), 'checks');
    this.onRetryDue();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.listeners.clear();
  }

  private noteChanged(users: readonly string[]): void {
    if (users.length === 0) return;
    const mark = ++this.mark;
    const at = this.now();
    this.update(users, (user, state) => announcedChanged(state, user, at, mark), 'checks');
  }

  private async query(users: readonly string[], send: () => Promise<Response>): Promise<Response> {
    const at = this.now();
    const gate = mayAsk(
      users.map((user) => this.states.get(user)),
      at,
    );
    if (!gate.ok) {
      this.retryAt(gate.retryAt);
      // An abort is the one failure matrix-js-sdk neither retries nor waits on: the crypto's
      // request stays pending, and the retry timer brings it back when it is due.
      throw new DOMException('Held back: key queries about these users keep failing', 'AbortError');
    }
    const mark = ++this.mark;
    this.update(users, (user, state) => asked(state, user, at), 'checks');
    let response: Response;
    try {
      response = await send();
    } catch (error) {
      this.settle(users, mark, () => ({ kind: 'failed' }));
      throw error;
    }
    if (!response.ok) {
      this.settle(users, mark, () => ({ kind: 'failed' }));
      return response;
    }
    const body = await response.text();
    const outcomes = outcomesOf(users, body);
    this.settle(users, mark, (user) => outcomes.get(user) ?? { kind: 'failed' });
    return new Response(body, response);
  }

  private settle(users: readonly string[], mark: number, outcomeOf: (user: string) => QueryOutcome): void {
    const at = this.now();
    const changed = this.update(users, (user, state) => answered(state, user, mark, outcomeOf(user), at), 'answered');
    const retryAt = Math.min(...changed.map((user) => this.states.get(user)?.retryAt ?? Number.POSITIVE_INFINITY));
    if (Number.isFinite(retryAt)) this.retryAt(retryAt);
  }

  /**
   * Applies `transition` to each user, stores and announces what changed. With `answered`, a
   * user whose check or offered keys changed is announced as answered (read their facts again);
   * otherwise as a check change only. Returns the users whose record changed.
   */
  private update(
    users: readonly string[],
    transition: (user: string, state: DeviceListState | undefined) => DeviceListState,
    kind: 'checks' | 'answered',
  ): string[] {
    const change: DeviceListChange = { checks: [], answered: [] };
    const changedRecords: DeviceListRecord[] = [];
    const changedUsers: string[] = [];
    for (const user of users) {
      const before = this.states.get(user);
      const after = transition(user, before);
      this.states.set(user, after);
      if (!sameRecord(before, after)) {
        changedRecords.push(recordOf(after));
        changedUsers.push(user);
      }
      const checkChanged = !sameCheck(checkOf(before), checkOf(after));
      if (kind === 'answered' && (checkChanged || !sameKeys(before?.offeredKeys, after.offeredKeys))) change.answered.push(user);
      else if (checkChanged) change.checks.push(user);
    }
    if (changedRecords.length > 0) this.persist(changedRecords);
    if (change.checks.length > 0 || change.answered.length > 0) for (const listener of this.listeners) listener(change);
    return changedUsers;
  }

  /** Writes in order, one batch after the other; a failed write is logged, the state stays. */
  private persist(records: DeviceListRecord[]): void {
    this.writes = this.writes
      .then(() => this.store.write(records))
      .catch((error: unknown) => log.error('device list state not stored', { error: errorSummary(error) }));
  }

  private retryAt(at: number): void {
    if (this.stopped || at >= this.retryTimerAt) return;
    clearTimeout(this.retryTimer);
    this.retryTimerAt = at;
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = undefined;
        this.retryTimerAt = Number.POSITIVE_INFINITY;
        if (!this.stopped) this.onRetryDue();
      },
      Math.max(0, at - this.now()),
    );
  }
}

function withoutRetry(state: DeviceListState): DeviceListState {
  const { retryAt, ...rest } = state;
  return rest;
}

function pathOf(input: RequestInfo | URL): string {
  const url = input instanceof Request ? input.url : String(input);
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

function sameCheck(a: DeviceListCheck | undefined, b: DeviceListCheck | undefined): boolean {
  return a?.reason === b?.reason && a?.since === b?.since;
}

function sameKeys(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

function sameRecord(a: DeviceListState | undefined, b: DeviceListState): boolean {
  return (
    a !== undefined &&
    a.fetchedAt === b.fetchedAt &&
    a.outdatedSince === b.outdatedSince &&
    a.reason === b.reason &&
    a.failures === b.failures &&
    a.retryAt === b.retryAt &&
    sameKeys(a.offeredKeys, b.offeredKeys)
  );
}
