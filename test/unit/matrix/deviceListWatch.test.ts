import { afterEach, describe, expect, it, vi } from 'vitest';
import { type DeviceListChange, type DeviceListStore, DeviceListWatch } from '../../../src/matrix/deviceListWatch';
import { FIRST_RETRY_MS, type DeviceListRecord } from '../../../src/trust/deviceListFreshness';

const HS = 'https://hs.example.org';
const BOB = '@bob:example.org';
const CAROL = '@carol:example.org';

class MemoryStore implements DeviceListStore {
  readonly records = new Map<string, DeviceListRecord>();
  load() {
    return Promise.resolve([...this.records.values()]);
  }
  write(records: DeviceListRecord[]) {
    for (const record of records) this.records.set(record.userId, record);
    return Promise.resolve();
  }
}

/** The homeserver as the watch's fetch sees it: answers the test sets, every request counted. */
function network() {
  const requests: string[] = [];
  let keysAnswer: () => Response = () => json({ device_keys: {} });
  let syncAnswer: () => Response = () => json({ next_batch: 's1' });
  const fetchFn: typeof fetch = (input) => {
    const path = new URL(input instanceof Request ? input.url : input).pathname;
    requests.push(path);
    if (path.endsWith('/keys/query')) return Promise.resolve(keysAnswer());
    return Promise.resolve(syncAnswer());
  };
  return {
    requests,
    fetchFn,
    keys: (answer: () => Response) => void (keysAnswer = answer),
    sync: (answer: () => Response) => void (syncAnswer = answer),
  };
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function keysFor(...users: string[]) {
  return {
    device_keys: Object.fromEntries(users.map((user) => [user, { PHONE: { keys: { 'ed25519:PHONE': `${user}-key` } } }])),
    failures: {},
  };
}

async function setup(store = new MemoryStore()) {
  let clock = 10_000;
  const watch = await DeviceListWatch.open(store, () => clock);
  const net = network();
  const changes: DeviceListChange[] = [];
  watch.onChange((change) => changes.push(change));
  const fetch = watch.wrap(net.fetchFn);
  const query = (...users: string[]) =>
    fetch(`${HS}/_matrix/client/v3/keys/query`, {
      method: 'POST',
      body: JSON.stringify({ device_keys: Object.fromEntries(users.map((u) => [u, []])) }),
    });
  const sync = () => fetch(`${HS}/_matrix/client/v3/sync?since=s0`, { method: 'GET' });
  watches.push(watch);
  return { watch, net, changes, query, sync, store, tick: (ms: number) => void (clock += ms), now: () => clock };
}

const watches: DeviceListWatch[] = [];
afterEach(() => {
  for (const watch of watches.splice(0)) watch.stop();
  vi.useRealTimers();
});

describe('the device-list watch', () => {
  it('counts a user it never saw answered for as being fetched', async () => {
    const { watch } = await setup();
    expect(watch.check(BOB)).toEqual({ reason: 'not-fetched' });
  });

  it('makes a user current once a query about them answers completely, and says so', async () => {
    const { watch, net, changes, query } = await setup();
    net.keys(() => json(keysFor(BOB)));
    const response = await query(BOB);
    expect(await response.json()).toEqual(keysFor(BOB));
    expect(watch.check(BOB)).toBeUndefined();
    expect(watch.offeredKeys(BOB)).toEqual({ PHONE: `${BOB}-key` });
    expect(changes.at(-1)).toEqual({ checks: [], answered: [BOB] });
  });

  it('marks a user the sync says changed as out of date at once, before the client reads the sync', async () => {
    const { watch, net, changes, query, sync, now } = await setup();
    net.keys(() => json(keysFor(BOB)));
    await query(BOB);
    net.sync(() => json({ next_batch: 's2', device_lists: { changed: [BOB] } }));
    const response = await sync();
    expect(watch.check(BOB)).toEqual({ reason: 'changed', since: now() });
    expect(changes.at(-1)).toEqual({ checks: [BOB], answered: [] });
    // The client still gets the sync as the server sent it.
    expect(await response.json()).toEqual({ next_batch: 's2', device_lists: { changed: [BOB] } });
  });

  it('keeps a user out of date while the key query fails, and says why', async () => {
    const { watch, net, query, sync, now } = await setup();
    net.sync(() => json({ next_batch: 's2', device_lists: { changed: [BOB] } }));
    await sync();
    const since = now();
    net.keys(() => new Response('<html>502</html>', { status: 502 }));
    expect((await query(BOB)).status).toBe(502);
    expect(watch.check(BOB)).toEqual({ reason: 'query-failed', since });
  });

  it('keeps a user the answer leaves out out of date, and holds back queries about only them', async () => {
    const { watch, net, query, tick } = await setup();
    net.keys(() => json(keysFor(CAROL)));
    await query(BOB, CAROL);
    expect(watch.check(BOB)?.reason).toBe('omitted');
    expect(watch.check(CAROL)).toBeUndefined();
    const sent = net.requests.length;
    // The crypto asks again at once, as it would in a loop: held back, nothing reaches the server.
    await expect(query(BOB)).rejects.toMatchObject({ name: 'AbortError' });
    expect(net.requests.length).toBe(sent);
    // A query that also asks about someone else goes out.
    await query(BOB, '@dave:example.org');
    expect(net.requests.length).toBe(sent + 1);
    tick(FIRST_RETRY_MS * 2);
    await query(BOB);
    expect(net.requests.length).toBe(sent + 2);
  });

  it('asks the crypto to try again when a held-back query is due', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { watch, net, query } = await setup();
    const due = vi.fn();
    watch.onRetryDue = due;
    net.keys(() => json({ device_keys: {} }));
    await query(BOB);
    expect(due).not.toHaveBeenCalled();
    vi.advanceTimersByTime(FIRST_RETRY_MS - 1);
    expect(due).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(due).toHaveBeenCalledOnce();
  });

  it('lets held-back queries go at once when told the homeserver is back', async () => {
    const { watch, net, query } = await setup();
    const due = vi.fn();
    watch.onRetryDue = due;
    net.keys(() => new Response('down', { status: 503 }));
    await query(BOB);
    await expect(query(BOB)).rejects.toMatchObject({ name: 'AbortError' });
    watch.retryNow();
    expect(due).toHaveBeenCalledOnce();
    net.keys(() => json(keysFor(BOB)));
    await query(BOB);
    expect(watch.check(BOB)).toBeUndefined();
  });

  it('counts a network failure as a failed answer, and passes the failure on', async () => {
    const { watch, now } = await setup();
    const fetchBroken = watch.wrap(() => Promise.reject(new TypeError('Failed to fetch')));
    const asking = fetchBroken(`${HS}/_matrix/client/v3/keys/query`, {
      method: 'POST',
      body: JSON.stringify({ device_keys: { [BOB]: [] } }),
    });
    await expect(asking).rejects.toThrow('Failed to fetch');
    expect(watch.check(BOB)).toEqual({ reason: 'query-failed', since: now() });
  });

  it('remembers across restarts who is current and who is not', async () => {
    const first = await setup();
    first.net.keys(() => json(keysFor(BOB, CAROL)));
    await first.query(BOB, CAROL);
    first.net.sync(() => json({ next_batch: 's2', device_lists: { changed: [CAROL] } }));
    await first.sync();
    first.watch.stop();
    // Writes are queued: let them land.
    await vi.waitFor(() => expect(first.store.records.get(CAROL)?.outdatedSince).toBeDefined());

    const second = await setup(first.store);
    expect(second.watch.check(BOB)).toBeUndefined();
    expect(second.watch.check(CAROL)?.reason).toBe('changed');
    // The first query of the new run answers for the change announced in the last one.
    second.net.keys(() => json(keysFor(CAROL)));
    await second.query(CAROL);
    expect(second.watch.check(CAROL)).toBeUndefined();
  });

  it('leaves every other request alone', async () => {
    const { watch, changes } = await setup();
    const plain = watch.wrap(() => Promise.resolve(json({ ok: true })));
    expect(await (await plain(`${HS}/_matrix/client/v3/keys/upload`, { method: 'POST', body: '{}' })).json()).toEqual({ ok: true });
    expect(changes).toEqual([]);
  });
});
