import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface FixtureSite {
  /** e.g. "app.element.io": the name the browser must believe it is talking to. */
  hostname: string;
  port: number;
  /** Chromium switches that send `hostname` to this server and accept its certificate. */
  chromiumArgs: string[];
  close(): Promise<void>;
}

/**
 * Serves pages as if from a real web client's origin (https://app.element.io, say) on
 * 127.0.0.1, so the production build's content scripts, whose matches name those origins,
 * run on fixture pages unchanged. The certificate is self-signed for that name and made
 * per run with openssl.
 */
/** Chromium switches for several fixture sites at once (a second --host-resolver-rules would replace the first). */
export function chromiumArgsForSites(sites: readonly { hostname: string; port: number }[]): string[] {
  const rules = sites.map((site) => `MAP ${site.hostname} 127.0.0.1:${site.port}`).join(',');
  return [`--host-resolver-rules=${rules}`, '--ignore-certificate-errors'];
}

/**
 * `pages` maps paths to HTML; the page under `'*'`, if any, answers every other path (a
 * single-page app with a browser router, such as Cinny, is loaded at any of its addresses).
 */
/** A key and certificate for `hostname`, made with openssl for one day; the files are removed once read. */
export async function selfSignedCertificate(hostname: string): Promise<{ key: Buffer; cert: Buffer }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mtg-cert-'));
  try {
    const keyPath = path.join(dir, 'key.pem');
    const certPath = path.join(dir, 'cert.pem');
    const subject = ['-subj', `/CN=${hostname}`, '-addext', `subjectAltName=DNS:${hostname}`];
    const curve = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
    await run('openssl', ['req', '-x509', ...curve, '-nodes', ...subject, '-days', '1', '-keyout', keyPath, '-out', certPath]);
    return { key: await fs.readFile(keyPath), cert: await fs.readFile(certPath) };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export async function startFixtureSite(hostname: string, pages: Record<string, string>): Promise<FixtureSite> {
  const { key, cert } = await selfSignedCertificate(hostname);
  const server = https.createServer({ key, cert }, (request, response) => {
    const body = pages[new URL(request.url ?? '/', `https://${hostname}`).pathname] ?? pages['*'];
    response.writeHead(body === undefined ? 404 : 200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    hostname,
    port,
    chromiumArgs: [`--host-resolver-rules=MAP ${hostname} 127.0.0.1:${port}`, '--ignore-certificate-errors'],
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface SiteProxy {
  port: number;
  /** Firefox preferences that send https to the fixture sites through this proxy, and nothing else anywhere. */
  firefoxPrefs: Record<string, string | number | boolean>;
  close(): Promise<void>;
}

/**
 * Firefox has no host resolver rules: a page of https://app.cinny.in must come from port 443
 * of that name, the origin the extension watches. An HTTPS proxy (HTTP CONNECT) on
 * 127.0.0.1 gives it that: each CONNECT to a fixture site's name, port 443, is piped to the
 * site's server; anything else is refused. Plain http (the test Synapse on 127.0.0.1) never
 * goes through a proxy.
 */
export async function startSiteProxy(sites: readonly { hostname: string; port: number }[]): Promise<SiteProxy> {
  const ports = new Map(sites.map((site) => [`${site.hostname}:443`, site.port]));
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_request, response) => {
    response.writeHead(405);
    response.end();
  });
  server.on('connect', (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    const port = ports.get(request.url ?? '');
    if (port === undefined) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = net.connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    firefoxPrefs: {
      'network.proxy.type': 1,
      'network.proxy.ssl': '127.0.0.1',
      'network.proxy.ssl_port': port,
      'network.proxy.share_proxy_settings': false,
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
