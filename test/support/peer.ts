import { createClient, EventType, KnownMembership, MatrixError, type MatrixClient, type UIAuthCallback } from 'matrix-js-sdk';
import {
  VerificationPhase,
  type CryptoApi,
  type ShowSasCallbacks,
  type VerificationRequest,
  type Verifier,
} from 'matrix-js-sdk/lib/crypto-api/index.js';
import { logger as sdkGlobalLogger, type Logger } from 'matrix-js-sdk/lib/logger.js';
import type { SynapseInfo } from './synapse.ts';
import { waitFor } from './waitFor.ts';

quietGlobalSdkLogger();

export interface PeerCredentials {
  userId: string;
  password: string;
}

export interface DeviceOptions {
  deviceName?: string;
  /** Log in as this device id (after it was deleted: the same id with new keys). */
  deviceId?: string;
  /** The device's fetch, for timing its requests (e.g. when its keys reached the server). */
  fetchFn?: typeof fetch;
}

/** Any device that can take part in a SAS verification: a peer, or the extension's own session. */
export interface SasParty {
  crypto: CryptoApi;
  userId: string;
  deviceId: string;
  label: string;
}

/**
 * A real Matrix device for tests: matrix-js-sdk with Rust crypto (in-memory store) running in
 * this Node process against the test Synapse. Several peers, of one or several users, can run
 * side by side; each `login` is a new device.
 */
export class Peer {
  readonly client: MatrixClient;
  readonly crypto: CryptoApi;
  readonly userId: string;
  readonly deviceId: string;
  private readonly server: SynapseInfo;
  private readonly password: string;
  private readonly log: PeerLog;

  private constructor(server: SynapseInfo, client: MatrixClient, password: string, log: PeerLog) {
    const userId = client.getSafeUserId();
    const deviceId = client.getDeviceId();
    if (deviceId === null) throw new Error('A peer needs a client created with a device id');
    const crypto = client.getCrypto();
    if (!crypto) throw new Error('initRustCrypto did not set up a crypto backend');
    this.server = server;
    this.client = client;
    this.crypto = crypto;
    this.userId = userId;
    this.deviceId = deviceId;
    this.password = password;
    this.log = log;
  }

  /** Logs in a new device, syncs once and returns when its device keys are on the server. */
  static async login(server: SynapseInfo, user: PeerCredentials, opts: DeviceOptions = {}): Promise<Peer> {
    const session = await createClient({ baseUrl: server.baseUrl, logger: new PeerLog().logger() }).loginRequest({
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user: user.userId },
      password: user.password,
      initial_device_display_name: opts.deviceName,
      device_id: opts.deviceId,
    });
    return Peer.resume(
      server,
      { userId: session.user_id, deviceId: session.device_id, accessToken: session.access_token, password: user.password },
      opts,
    );
  }

  /**
   * A device signed in some other way (e.g. OAuth 2.0 on a server with delegated auth): syncs
   * once and returns when its device keys are on the server. `password` is what user-interactive
   * auth gets, if the server takes one.
   */
  static async resume(
    server: SynapseInfo,
    session: { userId: string; deviceId: string; accessToken: string; password?: string },
    opts: Pick<DeviceOptions, 'fetchFn'> = {},
  ): Promise<Peer> {
    const log = new PeerLog();
    const logger = log.logger();
    const client = createClient({
      baseUrl: server.baseUrl,
      userId: session.userId,
      deviceId: session.deviceId,
      accessToken: session.accessToken,
      logger,
      ...(opts.fetchFn && { fetchFn: opts.fetchFn }),
    });
    try {
      await client.initRustCrypto({ useIndexedDB: false });
      const peer = new Peer(server, client, session.password ?? '', log);
      await client.startClient({ initialSyncLimit: 0 });
      await waitFor(`${peer.label} to finish its first sync`, () => client.isInitialSyncComplete() || undefined);
      await peer.waitForOwnKeysOnServer();
      return peer;
    } catch (error) {
      log.silence();
      client.stopClient();
      throw error;
    }
  }

  /** "@alice:localhost/DEVICEID", for messages. */
  get label(): string {
    return `${this.userId}/${this.deviceId}`;
  }

  /**
   * Creates the user's cross-signing keys, uploads them and signs this device with them.
   * The first upload needs no password (MSC3967); a server that asks anyway gets one.
   */
  async bootstrapCrossSigning(): Promise<void> {
    await this.crypto.bootstrapCrossSigning({ authUploadDeviceSigningKeys: this.authWithPassword });
  }

  /** Replaces the user's cross-signing identity with a new one, as after a lost recovery key. */
  async resetIdentity(): Promise<void> {
    await this.crypto.bootstrapCrossSigning({
      setupNewCrossSigning: true,
      authUploadDeviceSigningKeys: this.authWithPassword,
    });
  }

  /** A new device of this user that its owner never signed: the device this project warns about. */
  addUnsignedDevice(opts: DeviceOptions = {}): Promise<Peer> {
    return Peer.login(this.server, { userId: this.userId, password: this.password }, opts);
  }

  /** A new device of this user, cross-signed from this peer (which must hold the private keys). */
  async addSignedDevice(opts: DeviceOptions = {}): Promise<Peer> {
    const device = await this.addUnsignedDevice(opts);
    try {
      await this.signOwnDevice(device);
      return device;
    } catch (error) {
      device.stop();
      throw error;
    }
  }

  /** Signs another device of this user with the self-signing key this peer holds. */
  async signOwnDevice(device: Peer): Promise<void> {
    await this.signOwnDeviceById(device.deviceId);
  }

  /** Signs a device of this user that is not a Peer here (e.g. a web client's session). */
  async signOwnDeviceById(deviceId: string): Promise<void> {
    // crossSignDevice needs the device's keys in this peer's store; they arrive through sync.
    await waitFor(`${this.label} to learn about its device ${deviceId}`, async () => {
      const devices = await this.crypto.getUserDeviceInfo([this.userId]);
      return devices.get(this.userId)?.has(deviceId) || undefined;
    });
    await this.crypto.crossSignDevice(deviceId);
  }

  /**
   * Interactive SAS (emoji) verification of `other`'s device, both sides driven here. Afterwards
   * this peer's user has cross-signed `other`'s identity (and the other way round).
   */
  async verifyUser(other: Peer): Promise<void> {
    await Promise.all([this.requireCrossSigning(), other.requireCrossSigning()]);
    // Each side needs the other's device and identity keys before it can check the SAS MACs.
    await Promise.all([this.requireTracking(other), other.requireTracking(this)]);
    await verifyBySas(this, other);
  }

  /** Creates a megolm-encrypted room and returns its id once this peer has joined it. */
  async createEncryptedRoom(opts: { name?: string; invite?: string[] } = {}): Promise<string> {
    const { room_id: roomId } = await this.client.createRoom({
      name: opts.name,
      invite: opts.invite,
      initial_state: [{ type: EventType.RoomEncryption, state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }],
    });
    await this.waitUntilJoined(roomId);
    return roomId;
  }

  /**
   * Creates an encrypted room with `others` and returns once every member knows every other
   * member's devices. Rust crypto learns (and keeps up with) another user's devices only
   * through a shared encrypted room: `getUserDeviceInfo(ids, true)` downloads them but does
   * not keep them, so verification and verification status need this first.
   */
  async shareRoomWith(...others: Peer[]): Promise<string> {
    const roomId = await this.createEncryptedRoom({ invite: others.map((peer) => peer.userId) });
    await Promise.all(others.map((peer) => peer.joinRoom(roomId)));
    const members = [this, ...others];
    const pairs = members.flatMap((observer) => members.map((device) => [observer, device] as const));
    await Promise.all(
      pairs.map(([observer, device]) =>
        waitFor(`${observer.label} to know ${device.label}`, async () => (await observer.knows(device)) || undefined),
      ),
    );
    return roomId;
  }

  async joinRoom(roomId: string): Promise<void> {
    await this.client.joinRoom(roomId);
    await this.waitUntilJoined(roomId);
  }

  /** Sends an m.text message (encrypted in encrypted rooms) and returns its event id. */
  async sendText(roomId: string, text: string): Promise<string> {
    const { event_id: eventId } = await this.client.sendTextMessage(roomId, text);
    return eventId;
  }

  /** Whether this peer's crypto tracks `device` (never true for a user it shares no encrypted room with). */
  async knows(device: Peer): Promise<boolean> {
    const devices = await this.crypto.getUserDeviceInfo([device.userId]);
    return devices.get(device.userId)?.has(device.deviceId) ?? false;
  }

  /** Stops syncing and closes the crypto store; the device stays registered on the server. */
  stop(): void {
    this.log.silence();
    this.client.stopClient();
  }

  /** Deletes this device on the server (and stops the client first). */
  async logout(): Promise<void> {
    this.log.silence();
    await this.client.logout(true);
  }

  /** Answers user-interactive auth with this user's password, only if the server asks for it. */
  private readonly authWithPassword: UIAuthCallback<void> = async (makeRequest) => {
    try {
      await makeRequest(null);
    } catch (error) {
      const session = uiaSession(error);
      if (session === undefined) throw error;
      await makeRequest({
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: this.userId },
        password: this.password,
        session,
      });
    }
  };

  private async requireCrossSigning(): Promise<void> {
    if (!(await this.crypto.isCrossSigningReady())) {
      throw new Error(`${this.label} has no cross-signing keys: call bootstrapCrossSigning() before verifyUser()`);
    }
  }

  private async requireTracking(other: Peer): Promise<void> {
    const tracked = (await this.crypto.getUserDeviceInfo([other.userId])).has(other.userId);
    if (!tracked) {
      throw new Error(`${this.label} does not track ${other.userId}: share an encrypted room first (shareRoomWith)`);
    }
    await waitFor(`${this.label} to know ${other.label}`, async () => (await this.knows(other)) || undefined);
  }

  /** The device keys are uploaded by the crypto layer in the background after startup. */
  private async waitForOwnKeysOnServer(): Promise<void> {
    await waitFor(`${this.label} to upload its device keys`, async () => {
      const result = await this.client.downloadKeysForUsers([this.userId]);
      return result.device_keys[this.userId]?.[this.deviceId];
    });
  }

  private async waitUntilJoined(roomId: string): Promise<void> {
    await waitFor(`${this.label} to be joined to ${roomId}`, async () => {
      const room = this.client.getRoom(roomId);
      if (room?.getMyMembership() !== KnownMembership.Join) return undefined;
      // Until the crypto layer has seen m.room.encryption, a message would go out in clear.
      return !room.hasEncryptionStateEvent() || (await this.crypto.isEncryptionEnabledInRoom(roomId)) || undefined;
    });
  }
}

/**
 * Interactive SAS (emoji) verification of `other`'s device by `initiator`, both sides driven
 * here, each confirming only when the emoji match. Both must know each other's device.
 */
export async function verifyBySas(initiator: SasParty, other: SasParty): Promise<void> {
  const request = await initiator.crypto.requestDeviceVerification(other.userId, other.deviceId);
  const incoming = await waitFor(`${other.label} to receive the verification request`, () =>
    other.crypto
      .getVerificationRequestsToDeviceInProgress(initiator.userId)
      .find((candidate) => candidate.transactionId === request.transactionId),
  );
  await incoming.accept();
  await waitForPhase(request, VerificationPhase.Ready);
  const verifier = await request.startVerification('m.sas.v1');
  await waitForPhase(incoming, VerificationPhase.Started);
  const otherVerifier = incoming.verifier;
  if (!otherVerifier) throw new Error(`${other.label} has a started verification without a verifier`);
  await Promise.all([verifier.verify(), otherVerifier.verify(), confirmMatchingSas(verifier, otherVerifier)]);
  await Promise.all([waitForPhase(request, VerificationPhase.Done), waitForPhase(incoming, VerificationPhase.Done)]);
  if (initiator.userId !== other.userId) {
    await waitFor(
      `${initiator.label} to see ${other.userId} as verified`,
      async () => (await initiator.crypto.getUserVerificationStatus(other.userId)).isCrossSigningVerified() || undefined,
    );
  }
}

function uiaSession(error: unknown): string | undefined {
  if (!(error instanceof MatrixError) || error.httpStatus !== 401) return undefined;
  const session: unknown = error.data.session;
  return typeof session === 'string' ? session : undefined;
}

async function waitForPhase(request: VerificationRequest, phase: VerificationPhase): Promise<void> {
  await waitFor(`verification ${request.transactionId ?? ''} to reach ${VerificationPhase[phase]}`, () => {
    if (request.phase === VerificationPhase.Cancelled) {
      throw new Error(`Verification cancelled by ${request.cancellingUserId ?? '?'}: ${request.cancellationCode ?? '?'}`);
    }
    return request.phase === phase || undefined;
  });
}

/** What two people do in a SAS verification: compare the emoji, then both press "They match". */
async function confirmMatchingSas(mine: Verifier, theirs: Verifier): Promise<void> {
  const [ownSas, otherSas] = await Promise.all([shownSas(mine), shownSas(theirs)]);
  const emoji = (sas: ShowSasCallbacks) => (sas.sas.emoji ?? []).map(([symbol]) => symbol).join(' ');
  if (emoji(ownSas) !== emoji(otherSas)) {
    ownSas.mismatch();
    throw new Error(`SAS emoji differ: ${emoji(ownSas)} vs ${emoji(otherSas)}`);
  }
  await Promise.all([ownSas.confirm(), otherSas.confirm()]);
}

function shownSas(verifier: Verifier): Promise<ShowSasCallbacks> {
  return waitFor(`SAS emoji for ${verifier.userId}`, () => {
    if (verifier.hasBeenCancelled) throw new Error(`Verification with ${verifier.userId} was cancelled`);
    return verifier.getShowSasCallbacks() ?? undefined;
  });
}

/** Warnings every test client triggers, which say nothing about the test. */
const EXPECTED_WARNINGS = [
  // The SDK knows newer default push rules than Synapse sends and adds them locally.
  'Adding default global',
  // Tests bootstrap cross-signing without secret storage on purpose.
  'Secret storage is not yet set up',
  // Tests poll device lists while key queries are in flight; the poll simply comes round again.
  'pending `/keys/query` request',
];

/**
 * A peer's SDK logger: the SDK traces every request at debug level, tests only want to hear
 * about problems. Once the peer stops, requests still in flight fail by design, so it falls silent.
 */
class PeerLog {
  private silenced = false;

  silence(): void {
    this.silenced = true;
  }

  logger(): Logger {
    const drop = () => undefined;
    const report =
      (write: (...message: unknown[]) => void) =>
      (...message: unknown[]) => {
        if (this.silenced || isExpectedWarning(message)) return;
        write('[matrix-js-sdk]', ...message);
      };
    return {
      trace: drop,
      debug: drop,
      info: drop,
      warn: report(console.warn),
      error: report(console.error),
      getChild: () => this.logger(),
    };
  }
}

function isExpectedWarning(message: unknown[]): boolean {
  const text = message.filter((part) => typeof part === 'string').join(' ');
  return EXPECTED_WARNINGS.some((expected) => text.includes(expected));
}

interface LoglevelLogger {
  methodFactory: (methodName: string, level: number, loggerName: string | symbol) => (...message: unknown[]) => void;
  rebuild(): void;
}

/**
 * Some SDK parts (MatrixRTC, the pending-event queue) log through the SDK's global `loglevel`
 * logger instead of the client's. Its child loggers copy the root's method factory when created,
 * so swapping the factory once keeps only warnings and errors everywhere.
 */
function quietGlobalSdkLogger(): void {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the global logger is exactly what needs quieting
  const root = sdkGlobalLogger as unknown as LoglevelLogger;
  const original = root.methodFactory;
  root.methodFactory = (methodName, level, loggerName) =>
    methodName === 'warn' || methodName === 'error' ? original(methodName, level, loggerName) : () => undefined;
  root.rebuild();
}
