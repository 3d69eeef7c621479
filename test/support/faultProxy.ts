import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * What the proxy does to a matching request instead of (or before) passing it on:
 * - `reset`: passes the request on, sends the response head and part of the body, then
 *   destroys the socket (a connection reset mid-response);
 * - `delay`: holds the request `delayMs` before passing it on (a server that does not answer);
 * - `status`: answers `status` (502, 503...) with a small HTML body, as a broken gateway does;
 * - `rate-limit`: answers 429 `M_LIMIT_EXCEEDED` with `retry_after_ms` and a Retry-After header;
 * - `unknown-token`: answers 401 `M_UNKNOWN_TOKEN` (the server revoked the access token);
 * - `malformed-json`: answers 200 with a JSON body cut in the middle.
 * Refusing connections is not a per-request fault (nothing is listening): see `down`.
 */
export type FaultKind =
  | { kind: 'reset' }
  | { kind: 'delay'; delayMs: number }
  | { kind: 'status'; status: number }
  | { kind: 'rate-limit'; retryAfterMs: number }
  | { kind: 'unknown-token' }
  | { kind: 'malformed-json' };

export type Fault = FaultKind & {
  /** Only requests whose path (with query) matches; every request when absent. */
  path?: RegExp;
  /** Only this many matching requests; unlimited when absent. */
  count?: number;
};

export interface ProxiedRequest {
  method: string;
  /** Path with query, as the client sent it. */
  path: string;
  /** Date.now() when the request arrived. */
  at: number;
  /** The fault applied to it, if any. */
  fault?: FaultKind['kind'];
  /** Date.now() when its response was sent in full (absent while in flight or if it never was). */
  doneAt?: number;
  /** For a /keys/query: the users it asked about. */
  keysAsked?: string[];
}

/** Rewrites a JSON response body (parsed); returns the body to send. */
export type Rewriter = (body: unknown, request: { path: string; headers: http.IncomingHttpHeaders; requestBody: unknown }) => unknown;

export interface FaultProxy {
  /** The proxy's base URL, to give the client as its homeserver. */
  readonly url: string;
  /** Every request that reached the proxy, in order. */
  readonly requests: readonly ProxiedRequest[];
  /** Applies `fault` to matching requests until it is used up or `clear`ed. */
  inject(fault: Fault): void;
  /** Removes every fault (not the rewriters, not a `down`). */
  clear(): void;
  /** How many requests the faults applied to so far, per kind. */
  applied(kind: FaultKind['kind']): number;
  /**
   * Stops listening and destroys every open connection: new connections are refused. With
   * `forMs`, listening resumes by itself after that long (a server that disappears for a while).
   */
  down(forMs?: number): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  /** Rewrites JSON response bodies of requests whose path matches; returns the undo. */
  rewrite(path: RegExp, rewriter: Rewriter): () => void;
  /** Stops everything for good (the test's cleanup). */
  close(): Promise<void>;
}

/** An HTTP proxy on 127.0.0.1, on a free port, in front of `upstream` (a real Synapse). */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  const requests: ProxiedRequest[] = [];
  const faults: (Fault & { left: number })[] = [];
  const appliedCounts = new Map<string, number>();
  const rewriters: { path: RegExp; rewriter: Rewriter }[] = [];
  const sockets = new Set<Socket>();
  let closed = false;
  let upTimer: NodeJS.Timeout | undefined;

  const server = http.createServer((request, response) => {
    void handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function takeFault(path: string): FaultKind | undefined {
    const index = faults.findIndex((fault) => fault.left > 0 && (fault.path === undefined || fault.path.test(path)));
    if (index < 0) return undefined;
    const fault = faults[index];
    if (!fault) return undefined;
    fault.left -= 1;
    if (fault.left <= 0) faults.splice(index, 1);
    appliedCounts.set(fault.kind, (appliedCounts.get(fault.kind) ?? 0) + 1);
    return fault;
  }

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const path = request.url ?? '/';
    const fault = takeFault(path);
    const record: ProxiedRequest = { method: request.method ?? 'GET', path, at: Date.now(), fault: fault?.kind };
    requests.push(record);
    response.on('finish', () => (record.doneAt = Date.now()));
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const requestBody = Buffer.concat(chunks);
    if (/\/keys\/query/.test(path)) record.keysAsked = keysAskedIn(requestBody);

    switch (fault?.kind) {
      case 'status':
        response
          .writeHead(fault.status, { 'content-type': 'text/html' })
          .end(`<html><body>${fault.status} from the fault proxy</body></html>`);
        return;
      case 'rate-limit':
        response
          .writeHead(429, { 'content-type': 'application/json', 'retry-after': String(Math.ceil(fault.retryAfterMs / 1000)) })
          .end(JSON.stringify({ errcode: 'M_LIMIT_EXCEEDED', error: 'Too Many Requests', retry_after_ms: fault.retryAfterMs }));
        return;
      case 'unknown-token':
        response
          .writeHead(401, { 'content-type': 'application/json' })
          .end(JSON.stringify({ errcode: 'M_UNKNOWN_TOKEN', error: 'Access token has expired', soft_logout: false }));
        return;
      case 'malformed-json':
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"next_batch": "s1_2_3", "rooms": {"join": {');
        return;
      case 'delay': {
        // The client giving up (its own timeout, or a stop) ends the wait: nothing is forwarded.
        const gone = new AbortController();
        response.on('close', () => gone.abort());
        try {
          await delay(fault.delayMs, undefined, { signal: gone.signal });
        } catch {
          return;
        }
        break;
      }
      default:
        break;
    }

    const upstreamResponse = await forward(request, requestBody);
    const body = await readAll(upstreamResponse);
    const headers = { ...upstreamResponse.headers };
    delete headers['transfer-encoding'];
    delete headers.connection;
    let out = body;
    const rewriter = rewriters.find((entry) => entry.path.test(path));
    if (rewriter && upstreamResponse.statusCode === 200 && String(headers['content-type']).includes('json')) {
      const parsed = JSON.parse(body.toString('utf8')) as unknown;
      const parsedRequest = requestBody.length > 0 ? (JSON.parse(requestBody.toString('utf8')) as unknown) : undefined;
      out = Buffer.from(JSON.stringify(rewriter.rewriter(parsed, { path, headers: request.headers, requestBody: parsedRequest })));
    }
    headers['content-length'] = String(out.length);

    if (fault?.kind === 'reset') {
      // The head promises the whole body; the connection dies half way through it.
      response.writeHead(upstreamResponse.statusCode ?? 502, headers);
      response.write(out.subarray(0, Math.max(1, Math.floor(out.length / 2))));
      await new Promise<void>((resolve) => setImmediate(resolve));
      request.socket.destroy();
      return;
    }
    response.writeHead(upstreamResponse.statusCode ?? 502, headers).end(out);
  }

  function forward(request: http.IncomingMessage, body: Buffer): Promise<http.IncomingMessage> {
    const headers = { ...request.headers, host: target.host };
    // A plain body is easier to rewrite and cut.
    delete headers['accept-encoding'];
    delete headers.connection;
    headers['content-length'] = String(body.length);
    return new Promise((resolve, reject) => {
      const outgoing = http.request(
        { hostname: target.hostname, port: target.port, method: request.method, path: request.url, headers },
        resolve,
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  async function listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  async function stopListening(): Promise<void> {
    if (!server.listening) return;
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await stopped;
  }

  await listen(0);
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    inject(fault) {
      faults.push({ ...fault, left: fault.count ?? Number.POSITIVE_INFINITY });
    },
    clear() {
      faults.splice(0);
    },
    applied: (kind) => appliedCounts.get(kind) ?? 0,
    async down(forMs) {
      clearTimeout(upTimer);
      await stopListening();
      if (forMs !== undefined) {
        upTimer = setTimeout(() => {
          // Should the port be taken meanwhile, the test waiting for the server times out
          // naming what it waited for; an unhandled rejection here would hide that.
          if (!closed) listen(port).catch(() => undefined);
        }, forMs);
      }
    },
    async up() {
      clearTimeout(upTimer);
      if (!server.listening && !closed) await listen(port);
    },
    rewrite(path, rewriter) {
      const entry = { path, rewriter };
      rewriters.push(entry);
      return () => {
        const index = rewriters.indexOf(entry);
        if (index >= 0) rewriters.splice(index, 1);
      };
    },
    async close() {
      closed = true;
      clearTimeout(upTimer);
      faults.splice(0);
      await stopListening();
    },
  };
}

function keysAskedIn(body: Buffer): string[] {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { device_keys?: Record<string, unknown> };
    return Object.keys(parsed.device_keys ?? {});
  } catch {
    return [];
  }
}

function readAll(stream: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
