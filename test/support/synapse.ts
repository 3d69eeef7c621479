import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { venvPython } from './synapseVenv.ts';

/** What a test process needs to use a running Synapse (plain data, so vitest can `provide` it). */
export interface SynapseInfo {
  baseUrl: string;
  serverName: string;
  registrationSharedSecret: string;
}

export interface RegisterOptions {
  localpart?: string;
  password?: string;
  admin?: boolean;
  displayName?: string;
}

export interface RegisteredUser {
  userId: string;
  localpart: string;
  password: string;
  accessToken: string;
  deviceId: string;
}

export interface SynapseConnection extends SynapseInfo {
  registerUser(opts?: RegisterOptions): Promise<RegisteredUser>;
}

export interface SynapseServer extends SynapseConnection {
  logPath: string;
  /** Stops the server and deletes its files; `keepLogAt` saves the log there first. */
  stop(opts?: { keepLogAt?: string }): Promise<void>;
}

const SERVER_NAME = 'localhost';
const STARTUP_DEADLINE_MS = 60_000;
const STOP_GRACE_MS = 10_000;
const HEALTH_POLL_MS = 100;

/** Starts a throwaway Synapse on 127.0.0.1 with its own config, database and log in a temp dir. */
export async function startSynapse(options: { name?: string; extraConfig?: Record<string, unknown> } = {}): Promise<SynapseServer> {
  const dir = await mkdtemp(join(tmpdir(), `synapse-${options.name ?? 'test'}-`));
  const port = await freePort();
  const info: SynapseInfo = {
    baseUrl: `http://127.0.0.1:${port}`,
    serverName: SERVER_NAME,
    registrationSharedSecret: randomBytes(24).toString('hex'),
  };
  const logPath = join(dir, 'homeserver.log');
  const configPath = await writeConfig(dir, port, info, logPath, options.extraConfig);
  const synapse = launch(dir, configPath);
  try {
    await waitUntilHealthy(info.baseUrl, synapse, [join(dir, 'stdio.log'), logPath]);
  } catch (error) {
    await synapse.terminate();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    ...connectToSynapse(info),
    logPath,
    async stop(opts = {}) {
      await synapse.terminate();
      if (opts.keepLogAt) {
        await mkdir(dirname(opts.keepLogAt), { recursive: true });
        await copyFile(logPath, opts.keepLogAt);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Registers users on a Synapse started elsewhere (e.g. by globalSetup, from a test worker). */
export function connectToSynapse(info: SynapseInfo): SynapseConnection {
  const { baseUrl, serverName, registrationSharedSecret } = info;
  return {
    baseUrl,
    serverName,
    registrationSharedSecret,
    registerUser: (opts) => registerUser(info, opts),
  };
}

/** Shared-secret registration, see Synapse's admin API docs "Shared-Secret Registration". */
async function registerUser(info: SynapseInfo, opts: RegisterOptions = {}): Promise<RegisteredUser> {
  const localpart = opts.localpart ?? `user-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const password = opts.password ?? randomBytes(16).toString('hex');
  const admin = opts.admin ?? false;
  const url = `${info.baseUrl}/_synapse/admin/v1/register`;
  const { nonce } = (await requestJson(url)) as { nonce: string };
  const mac = createHmac('sha1', info.registrationSharedSecret)
    .update([nonce, localpart, password, admin ? 'admin' : 'notadmin'].join('\0'))
    .digest('hex');
  const body = { nonce, username: localpart, password, admin, displayname: opts.displayName, mac };
  const registered = (await requestJson(url, body)) as { user_id: string; access_token: string; device_id: string };
  return {
    userId: registered.user_id,
    localpart,
    password,
    accessToken: registered.access_token,
    deviceId: registered.device_id,
  };
}

async function requestJson(url: string, body?: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(`${new URL(url).pathname} answered ${response.status}: ${await response.text()}`);
  }
  return response.json();
}

/** Asks the OS for a free port. Another process could take it before Synapse binds; unlikely here. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('Could not read the port of a probe socket'));
      });
    });
  });
}

/** Writes homeserver.yaml (as JSON, which YAML accepts), the log config and the signing key. */
/** `extraConfig` adds to (or replaces) the top-level options of the config below. */
async function writeConfig(
  dir: string,
  port: number,
  info: SynapseInfo,
  logPath: string,
  extraConfig: Record<string, unknown> = {},
): Promise<string> {
  const signingKeyPath = join(dir, 'signing.key');
  const logConfigPath = join(dir, 'log.config.yaml');
  const configPath = join(dir, 'homeserver.yaml');
  await writeFile(signingKeyPath, `${signingKey()}\n`, { mode: 0o600 });
  await writeFile(logConfigPath, JSON.stringify(logConfig(logPath), null, 2));
  await writeFile(
    configPath,
    JSON.stringify({ ...homeserverConfig(dir, port, info, signingKeyPath, logConfigPath), ...extraConfig }, null, 2),
  );
  return configPath;
}

/** Synapse's signing key file format: "ed25519 <key id> <unpadded base64 seed>". */
function signingKey(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const version = Array.from(randomBytes(4), (byte) => alphabet[byte % alphabet.length]).join('');
  return `ed25519 a_${version} ${randomBytes(32).toString('base64').replace(/=+$/, '')}`;
}

function homeserverConfig(dir: string, port: number, info: SynapseInfo, signingKeyPath: string, logConfigPath: string) {
  return {
    server_name: info.serverName,
    public_baseurl: `${info.baseUrl}/`,
    pid_file: join(dir, 'homeserver.pid'),
    listeners: [
      {
        port,
        bind_addresses: ['127.0.0.1'],
        type: 'http',
        tls: false,
        x_forwarded: false,
        resources: [{ names: ['client'], compress: false }],
      },
    ],
    database: { name: 'sqlite3', args: { database: join(dir, 'homeserver.db') } },
    log_config: logConfigPath,
    media_store_path: join(dir, 'media_store'),
    signing_key_path: signingKeyPath,
    // No federation: nothing to fetch keys from, and nothing should leave 127.0.0.1.
    trusted_key_servers: [],
    suppress_key_server_warning: true,
    registration_shared_secret: info.registrationSharedSecret,
    enable_registration: false,
    report_stats: false,
    // Fast password hashing: tests log in many devices.
    bcrypt_rounds: 4,
    ...unlimitedRateLimits(),
  };
}

/** Tests create users, devices, rooms and messages in bursts that Synapse's defaults would throttle. */
function unlimitedRateLimits() {
  const unlimited = { per_second: 10_000, burst_count: 100_000 };
  return {
    rc_message: unlimited,
    rc_registration: unlimited,
    rc_registration_token_validity: unlimited,
    rc_login: { address: unlimited, account: unlimited, failed_attempts: unlimited },
    rc_joins: { local: unlimited, remote: unlimited },
    rc_joins_per_room: unlimited,
    rc_invites: { per_room: unlimited, per_user: unlimited, per_issuer: unlimited },
    rc_third_party_invite: unlimited,
    rc_3pid_validation: unlimited,
    rc_admin_redaction: unlimited,
    rc_key_requests: unlimited,
    rc_room_creation: unlimited,
    rc_presence: { per_user: unlimited },
    rc_delayed_event_mgmt: unlimited,
    rc_media_create: unlimited,
    rc_reports: unlimited,
    rc_user_directory: unlimited,
    rc_profile: unlimited,
    rc_federation: { window_size: 1000, sleep_limit: 10_000, sleep_delay: 0, reject_limit: 100_000, concurrent: 1000 },
  };
}

/** A plain, unbuffered file log, so a crash during startup leaves its reason on disk. */
function logConfig(logPath: string) {
  return {
    version: 1,
    formatters: {
      precise: { format: '%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s' },
    },
    handlers: {
      file: { class: 'logging.FileHandler', formatter: 'precise', filename: logPath, encoding: 'utf8' },
    },
    loggers: { 'synapse.storage.SQL': { level: 'INFO' } },
    root: { level: 'INFO', handlers: ['file'] },
    disable_existing_loggers: false,
  };
}

interface RunningSynapse {
  process: ChildProcess;
  exited(): boolean;
  terminate(): Promise<void>;
}

function launch(dir: string, configPath: string): RunningSynapse {
  // stdout/stderr go to a file, not a pipe: errors before logging is set up land there, and
  // a pipe nobody drains could block Synapse.
  const stdio = openSync(join(dir, 'stdio.log'), 'a');
  const child = spawn(venvPython(), ['-m', 'synapse.app.homeserver', '-c', configPath], {
    cwd: dir,
    stdio: ['ignore', stdio, stdio],
  });
  closeSync(stdio);
  let hasExited = false;
  const exit = new Promise<void>((resolve) => {
    const onEnd = () => {
      hasExited = true;
      resolve();
    };
    child.once('exit', onEnd);
    child.once('error', onEnd); // could not be spawned at all: no 'exit' follows
  });
  // If the runner exits without teardown (process.exit after an error), take the server with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    process: child,
    exited: () => hasExited,
    async terminate() {
      process.off('exit', killOnExit);
      if (hasExited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exit;
      clearTimeout(timer);
    },
  };
}

async function waitUntilHealthy(baseUrl: string, synapse: RunningSynapse, logPaths: string[]): Promise<void> {
  const deadline = Date.now() + STARTUP_DEADLINE_MS;
  while (Date.now() < deadline) {
    if (synapse.exited()) {
      throw new Error(`Synapse exited during startup (code ${synapse.process.exitCode}):\n${await logTails(logPaths)}`);
    }
    if (await isHealthy(baseUrl)) return;
    await delay(HEALTH_POLL_MS);
  }
  throw new Error(`Synapse did not answer /health within ${STARTUP_DEADLINE_MS} ms:\n${await logTails(logPaths)}`);
}

async function isHealthy(baseUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2_000) });
    return response.status === 200;
  } catch {
    return false; // not listening yet
  }
}

async function logTails(paths: string[], lines = 30): Promise<string> {
  const tails = await Promise.all(
    paths.map(async (path) => {
      const text = await readFile(path, 'utf8').catch(() => '');
      return `--- ${path}\n${text.trimEnd().split('\n').slice(-lines).join('\n')}`;
    }),
  );
  return tails.join('\n');
}
