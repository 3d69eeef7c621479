import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendJson } from './http.ts';

export interface ProxyRoutes {
  /** Synapse's own address. */
  synapseUrl?: string;
  /** Path prefix of the auth service (its issuer's path), e.g. `/auth`. */
  authPrefix: string;
  /** Serves a request under `authPrefix`; `path` is the rest of the URL. */
  auth?: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>;
}

/**
 * The deployment's front door, as in a MAS setup: the Matrix APIs (and Synapse's own pages) go
 * to Synapse, the auth service's paths to it, and `/.well-known/matrix/client` names this door.
 * Routes are filled in once the parts are up (Synapse needs this address before it starts).
 */
export class ReverseProxy {
  readonly routes: ProxyRoutes = { authPrefix: '/auth' };
  authDown = false;
  readonly authRequests: { method: string; path: string; search: string; at: number }[] = [];
  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
  ) {}

  static async start(): Promise<ReverseProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new ReverseProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      proxy.route(req, res).catch((error: unknown) => {
        console.error('stand-in proxy:', (error as Error).message);
        if (!res.headersSent) sendJson(res, { error: 'proxy error' }, 502);
        else res.destroy();
      });
    });
    return proxy;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const path = url.split('?')[0] ?? '/';
    const { synapseUrl, authPrefix, auth } = this.routes;
    if (path === '/.well-known/matrix/client') {
      res.setHeader('Access-Control-Allow-Origin', '*');
      return sendJson(res, { 'm.homeserver': { base_url: this.baseUrl } });
    }
    if (synapseUrl && (path.startsWith('/_matrix/') || path.startsWith('/_synapse/client/'))) {
      return forward(req, res, synapseUrl);
    }
    if (path === authPrefix || path.startsWith(`${authPrefix}/`)) {
      this.authRequests.push({ method: req.method ?? 'GET', path, search: url.slice(path.length), at: Date.now() });
      if (this.authDown || !auth) return sendJson(res, { error: 'temporarily_unavailable' }, 503);
      // MAS answers browsers' cross-origin requests (Element Web registers, polls and refreshes
      // from its own origin, an extension's worker from its own): so does the stand-in.
      res.setHeader('Access-Control-Allow-Origin', '*');
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
          'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept',
          'Access-Control-Max-Age': '600',
        });
        res.end();
        return;
      }
      return auth(req, res, url.slice(authPrefix.length) || '/');
    }
    sendJson(res, { errcode: 'M_UNRECOGNIZED', error: 'Not found' }, 404);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function forward(req: IncomingMessage, res: ServerResponse, target: string): Promise<void> {
  const { hostname, port } = new URL(target);
  return new Promise((resolve, reject) => {
    const upstream = httpRequest({ hostname, port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('end', resolve);
      answer.on('error', reject);
    });
    upstream.on('error', reject);
    req.pipe(upstream);
  });
}
