/**
 * A large, realistic population on a running Synapse, built with plain HTTP (no matrix-js-sdk
 * clients, which would cost a Rust crypto machine and a sync loop per device): users with a
 * cross-signing identity and several devices each, most of them signed by their owner and the
 * last one not, all joined to one room. What the Rust crypto of an observer sees of them is
 * exactly what it would see of real clients: keys come from /keys/query either way.
 *
 * Keys are real (ed25519 and curve25519 from node:crypto), and every signature is made over
 * Matrix canonical JSON as the spec says ("Signing JSON"), so the observer's Rust crypto checks
 * them like any other.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { SynapseConnection } from './synapse.ts';

export interface PopulationOptions {
  users: number;
  devicesPerUser: number;
  /** The room everyone joins. Its creator must be able to invite (see `adminToken`, `inviterToken`). */
  roomId: string;
  /**
   * A server admin's token, the admin being in the room with power to invite: members join
   * through the admin API (`POST /_synapse/admin/v1/join/<room>`: invite and join in one request).
   */
  adminToken?: string;
  /** Otherwise, the token of a member who may invite: an invite, then each member joins itself. */
  inviterToken?: string;
  /** Requests in flight at once; Synapse on sqlite writes one thing at a time anyway. Default 8. */
  concurrency?: number;
  /** Localpart prefix, unique per population on one server. */
  prefix?: string;
  /** Called every 100 members that are complete. */
  onProgress?: (done: number, total: number) => void;
}

export interface CrossSigningIdentity {
  /** Public keys, unpadded base64, as in `/keys/query`. */
  masterKey: string;
  selfSigningKey: string;
  userSigningKey: string;
  /** Private self-signing key, to sign more devices later. */
  selfSigningPrivate: KeyObject;
}

export interface PopulatedDevice {
  deviceId: string;
  accessToken: string;
  /** The device's ed25519 public key (unpadded base64): its fingerprint. */
  ed25519: string;
  /** Signed by its owner's self-signing key: what `getDeviceVerificationStatus().signedByOwner` should say. */
  signedByOwner: boolean;
  /** performance.now() when the server accepted this device's keys (`/keys/upload` answered). */
  keysUploadedAt: number;
}

export interface PopulatedUser {
  userId: string;
  password: string;
  identity: CrossSigningIdentity;
  devices: PopulatedDevice[];
}

export interface Population {
  roomId: string;
  users: PopulatedUser[];
  /** Wall time of the whole build. */
  elapsedMs: number;
}

export interface MemberOptions {
  localpart: string;
  password?: string;
  devices: number;
  /** How many of the devices, counted from the first, the owner signs (default: all but the last). */
  signedDevices?: number;
}

const DEFAULT_CONCURRENCY = 8;
const PASSWORD = 'population-password';
const ALGORITHMS = ['m.olm.v1.curve25519-aes-sha2', 'm.megolm.v1.aes-sha2'];

/**
 * Registers `users` users with a cross-signing identity and `devicesPerUser` devices each (all
 * but the last signed by the owner) and joins them all to `roomId`, `concurrency` users at a time.
 */
export async function createPopulation(synapse: SynapseConnection, options: PopulationOptions): Promise<Population> {
  const { users, devicesPerUser, roomId } = options;
  if (options.adminToken === undefined && options.inviterToken === undefined) {
    throw new Error('createPopulation needs an adminToken or an inviterToken to bring members into the room');
  }
  const started = performance.now();
  const prefix = options.prefix ?? `pop-${Date.now().toString(36)}`;
  let done = 0;
  const indices = Array.from({ length: users }, (_, i) => i);
  const members = await mapLimit(indices, options.concurrency ?? DEFAULT_CONCURRENCY, async (i) => {
    const member = await createMember(synapse, {
      localpart: `${prefix}-${String(i).padStart(5, '0')}`,
      devices: devicesPerUser,
    });
    const firstDevice = member.devices[0];
    if (!firstDevice) throw new Error('a member needs at least one device');
    if (options.adminToken !== undefined) {
      await api(synapse.baseUrl, 'POST', `/_synapse/admin/v1/join/${encodeURIComponent(roomId)}`, options.adminToken, {
        user_id: member.userId,
      });
    } else if (options.inviterToken !== undefined) {
      await invite(synapse.baseUrl, options.inviterToken, roomId, member.userId);
      await joinRoom(synapse.baseUrl, firstDevice.accessToken, roomId);
    }
    done += 1;
    if (done % 100 === 0) options.onProgress?.(done, users);
    return member;
  });
  return { roomId, users: members, elapsedMs: performance.now() - started };
}

/**
 * One user: registered (shared-secret admin API; that registration's device becomes the first
 * device), a cross-signing identity uploaded, more devices logged in with m.login.password,
 * every device's keys uploaded, and the first `signedDevices` signed by the self-signing key.
 */
export async function createMember(synapse: SynapseConnection, options: MemberOptions): Promise<PopulatedUser> {
  const password = options.password ?? PASSWORD;
  const signedDevices = options.signedDevices ?? options.devices - 1;
  const registered = await synapse.registerUser({ localpart: options.localpart, password });
  const { identity, upload } = newCrossSigningIdentity(registered.userId);
  // MSC3967: the first upload of cross-signing keys needs no user-interactive auth.
  await api(synapse.baseUrl, 'POST', '/_matrix/client/v3/keys/device_signing/upload', registered.accessToken, upload);
  const sessions = [{ deviceId: registered.deviceId, accessToken: registered.accessToken }];
  for (let i = 1; i < options.devices; i++) sessions.push(await passwordLogin(synapse.baseUrl, registered.userId, password));
  const member: PopulatedUser = { userId: registered.userId, password, identity, devices: [] };
  const signatures: Record<string, SignedDeviceKeys> = {};
  for (const [index, session] of sessions.entries()) {
    const { device, keys } = await uploadDeviceKeys(synapse.baseUrl, registered.userId, session);
    if (index < signedDevices) {
      signatures[device.deviceId] = selfSignature(registered.userId, identity, keys);
      device.signedByOwner = true;
    }
    member.devices.push(device);
  }
  if (Object.keys(signatures).length > 0) {
    await uploadSignatures(synapse.baseUrl, registered.accessToken, { [registered.userId]: signatures });
  }
  return member;
}

/**
 * Logs in one more device of `member` and uploads its keys; `signed` also signs it with the
 * owner's self-signing key (a second request). `keysUploadedAt` on the result is when the
 * server accepted its keys (for an unsigned device, when an observer can first learn of it).
 */
export async function addDevice(baseUrl: string, member: PopulatedUser, opts: { signed: boolean }): Promise<PopulatedDevice> {
  const session = await passwordLogin(baseUrl, member.userId, member.password);
  const { device, keys } = await uploadDeviceKeys(baseUrl, member.userId, session);
  if (opts.signed) {
    const signature = selfSignature(member.userId, member.identity, keys);
    await uploadSignatures(baseUrl, session.accessToken, { [member.userId]: { [device.deviceId]: signature } });
    device.signedByOwner = true;
  }
  member.devices.push(device);
  return device;
}

/** Creates a room as the owner of `token`; encrypted (megolm) unless told otherwise. */
export async function createRoom(
  baseUrl: string,
  token: string,
  opts: { name?: string; encrypted?: boolean; invite?: string[]; preset?: 'private_chat' | 'public_chat' } = {},
): Promise<string> {
  const initialState =
    (opts.encrypted ?? true) ? [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }] : [];
  const { room_id: roomId } = (await api(baseUrl, 'POST', '/_matrix/client/v3/createRoom', token, {
    name: opts.name,
    preset: opts.preset ?? 'private_chat',
    invite: opts.invite ?? [],
    initial_state: initialState,
  })) as { room_id: string };
  return roomId;
}

export async function invite(baseUrl: string, inviterToken: string, roomId: string, userId: string): Promise<void> {
  await api(baseUrl, 'POST', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/invite`, inviterToken, { user_id: userId });
}

export async function joinRoom(baseUrl: string, token: string, roomId: string): Promise<void> {
  await api(baseUrl, 'POST', `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, token, {});
}

/** Ends a device's session on the server (the device and its keys are deleted). */
export async function logout(baseUrl: string, token: string): Promise<void> {
  await api(baseUrl, 'POST', '/_matrix/client/v3/logout', token, {});
}

/** Runs `work` over `items` with at most `limit` running at once; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index] as T, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Matrix canonical JSON (spec, appendix "Canonical JSON"): object keys sorted by code point, no
 * insignificant whitespace, UTF-8 as is. JSON.stringify already writes strings and integers the
 * canonical way; only the key order needs doing.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new Error('canonical JSON allows only integers');
  return JSON.stringify(value);
}

// ---------------------------------------------------------------------------------------------

type Signatures = Record<string, Record<string, string>>;

interface DeviceKeys {
  user_id: string;
  device_id: string;
  algorithms: string[];
  keys: Record<string, string>;
  signatures: Signatures;
}

type SignedDeviceKeys = DeviceKeys;

interface CrossSigningKey {
  user_id: string;
  usage: string[];
  keys: Record<string, string>;
  signatures?: Signatures;
}

interface Ed25519Pair {
  publicKey: string;
  privateKey: KeyObject;
}

function unpaddedBase64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '');
}

/** A raw public key from a JWK's `x` (base64url) as Matrix writes keys: unpadded standard base64. */
function rawPublicKey(key: KeyObject): string {
  const { x } = key.export({ format: 'jwk' });
  if (x === undefined) throw new Error('not an OKP key');
  return unpaddedBase64(Buffer.from(x, 'base64url'));
}

function ed25519Pair(): Ed25519Pair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { publicKey: rawPublicKey(publicKey), privateKey };
}

/** Signs `object` (minus `signatures` and `unsigned`) as the spec's "Signing JSON" says. */
function signJson(object: object, privateKey: KeyObject): string {
  const { signatures: _signatures, unsigned: _unsigned, ...signed } = object as Record<string, unknown>;
  return unpaddedBase64(sign(null, Buffer.from(canonicalJson(signed), 'utf8'), privateKey));
}

/** Master, self-signing and user-signing keys; the latter two signed by the master key. */
function newCrossSigningIdentity(userId: string): {
  identity: CrossSigningIdentity;
  upload: { master_key: CrossSigningKey; self_signing_key: CrossSigningKey; user_signing_key: CrossSigningKey };
} {
  const master = ed25519Pair();
  const selfSigning = ed25519Pair();
  const userSigning = ed25519Pair();
  const keyOf = (pair: Ed25519Pair, usage: string): CrossSigningKey => ({
    user_id: userId,
    usage: [usage],
    keys: { [`ed25519:${pair.publicKey}`]: pair.publicKey },
  });
  const signedByMaster = (key: CrossSigningKey): CrossSigningKey => ({
    ...key,
    signatures: { [userId]: { [`ed25519:${master.publicKey}`]: signJson(key, master.privateKey) } },
  });
  return {
    identity: {
      masterKey: master.publicKey,
      selfSigningKey: selfSigning.publicKey,
      userSigningKey: userSigning.publicKey,
      selfSigningPrivate: selfSigning.privateKey,
    },
    upload: {
      master_key: keyOf(master, 'master'),
      self_signing_key: signedByMaster(keyOf(selfSigning, 'self_signing')),
      user_signing_key: signedByMaster(keyOf(userSigning, 'user_signing')),
    },
  };
}

/** New identity keys for a device, self-signed by its ed25519 key, uploaded with /keys/upload. */
async function uploadDeviceKeys(
  baseUrl: string,
  userId: string,
  session: { deviceId: string; accessToken: string },
): Promise<{ device: PopulatedDevice; keys: DeviceKeys }> {
  const { deviceId, accessToken } = session;
  const signing = ed25519Pair();
  const curve = generateKeyPairSync('x25519');
  const unsigned: DeviceKeys = {
    user_id: userId,
    device_id: deviceId,
    algorithms: ALGORITHMS,
    keys: { [`curve25519:${deviceId}`]: rawPublicKey(curve.publicKey), [`ed25519:${deviceId}`]: signing.publicKey },
    signatures: {},
  };
  const keys: DeviceKeys = {
    ...unsigned,
    signatures: { [userId]: { [`ed25519:${deviceId}`]: signJson(unsigned, signing.privateKey) } },
  };
  await api(baseUrl, 'POST', '/_matrix/client/v3/keys/upload', accessToken, { device_keys: keys });
  const keysUploadedAt = performance.now();
  return { device: { deviceId, accessToken, ed25519: signing.publicKey, signedByOwner: false, keysUploadedAt }, keys };
}

/** The device's keys with only the self-signing key's signature, for /keys/signatures/upload. */
function selfSignature(userId: string, identity: CrossSigningIdentity, keys: DeviceKeys): SignedDeviceKeys {
  return {
    ...keys,
    signatures: { [userId]: { [`ed25519:${identity.selfSigningKey}`]: signJson(keys, identity.selfSigningPrivate) } },
  };
}

async function uploadSignatures(baseUrl: string, token: string, body: Record<string, Record<string, SignedDeviceKeys>>): Promise<void> {
  const result = (await api(baseUrl, 'POST', '/_matrix/client/v3/keys/signatures/upload', token, body)) as {
    failures?: Record<string, unknown>;
  };
  if (result.failures && Object.keys(result.failures).length > 0) {
    throw new Error(`/keys/signatures/upload refused signatures: ${JSON.stringify(result.failures)}`);
  }
}

async function passwordLogin(baseUrl: string, userId: string, password: string): Promise<{ deviceId: string; accessToken: string }> {
  const session = (await api(baseUrl, 'POST', '/_matrix/client/v3/login', undefined, {
    type: 'm.login.password',
    identifier: { type: 'm.id.user', user: userId },
    password,
  })) as { device_id: string; access_token: string };
  return { deviceId: session.device_id, accessToken: session.access_token };
}

async function api(baseUrl: string, method: 'GET' | 'POST' | 'PUT', path: string, token?: string, body?: unknown): Promise<unknown> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path.split('?')[0] ?? path} answered ${response.status}: ${await response.text()}`);
  return response.json();
}
