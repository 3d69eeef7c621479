import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
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

export async function startFixtureSite(hostname: string, pages: Record<string, string>): Promise<FixtureSite> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mtg-site-'));
  const keyPath = path.join(dir, 'key.pem');
  const certPath = path.join(dir, 'cert.pem');
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-subj', `/CN=${hostname}`, '-addext', `subjectAltName=DNS:${hostname}`, '-days', '1',
    '-keyout', keyPath, '-out', certPath,
  ]);
  const server = https.createServer(
    { key: await fs.readFile(keyPath), cert: await fs.readFile(certPath) },
    (request, response) => {
      const body = pages[new URL(request.url ?? '/', `https://${hostname}`).pathname];
      response.writeHead(body === undefined ? 404 : 200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(body ?? 'not found');
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    hostname,
    port,
    chromiumArgs: [`--host-resolver-rules=MAP ${hostname} 127.0.0.1:${port}`, '--ignore-certificate-errors'],
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
