import type { AcknowledgementChannel } from '../background/ports/acknowledgementChannel';
import type { AccountDevice, Identities, RoomDirectory } from '../background/ports/accountDevice';
import type { RecoveryCrypto } from '../background/ports/recovery';
import type { AccountSessions, SecurityStatusSource } from '../background/ports/security';
import type { TrustFactSource } from '../background/ports/trustFacts';
import type { Verification } from '../background/ports/verification';
import type { RoomRef } from '../clients/clientAdapter';
import type { SyncStatus } from '../model/deviceStatus';
import type { VerificationView } from '../messaging/protocol';
import { CryptoEvent } from 'matrix-js-sdk/lib/crypto-api/index.js';
import { currentMasterKey, serverMasterKey } from './masterKey';
import { MatrixSession, type SessionOptions } from './matrixSession';
import { SdkAcknowledgementChannel } from './sdkAcknowledgementChannel';
import { NewIdentityKeepers } from './newIdentityKeeper';
import { SdkRecovery } from './sdkRecovery';
import { SdkAccountSessions, SdkSecurity } from './sdkSecurity';
import { SdkTrustFacts } from './sdkTrustFacts';
import { fetchAuthMetadata } from './authMetadata';
import { SdkAccountPage } from './sdkAccountPage';
import { accountActionUrl } from './accountPage';
import { SdkVerification } from './sdkVerification';

/**
 * The extension's device over matrix-js-sdk: the one place that turns a running MatrixSession
 * into the ports the background works with.
 */
export class MatrixDevice implements AccountDevice {
  readonly facts: TrustFactSource;
  readonly security: SecurityStatusSource;
  readonly sessions: AccountSessions;
  readonly recovery: RecoveryCrypto;
  readonly identities: Identities;
  readonly rooms: RoomDirectory;
  readonly acknowledgements: AcknowledgementChannel;
  private readonly keepers = new NewIdentityKeepers();

  private constructor(
    /** The SDK session itself, for src/matrix and for tests that drive the device as a peer. */
    readonly session: MatrixSession,
  ) {
    this.facts = new SdkTrustFacts(session.client, session.crypto, session.deviceLists);
    this.security = new SdkSecurity(session);
    const accountPage = new SdkAccountPage(() => fetchAuthMetadata(session.client.baseUrl));
    this.sessions = new SdkAccountSessions(session, accountPage);
    const acknowledgements = new SdkAcknowledgementChannel(session.client);
    this.acknowledgements = acknowledgements;
    this.recovery = new SdkRecovery({
      userId: session.userId,
      crypto: session.crypto,
      secretStorage: session.client.secretStorage,
      keys: session.secretStorageKeys,
      resetApprovalUrl: async () => {
        const page = await accountPage.read();
        return page && accountActionUrl(page, { action: 'cross-signing-reset' });
      },
      whileOpen: () => acknowledgements.secretStorageOpen(session.client.secretStorage),
      whileReplacingIdentity: (work) => session.keyQueries.closedWhile(work),
      newIdentityKeeper: () =>
        this.keepers.add({
          crypto: session.crypto,
          serverMasterKey: () => serverMasterKey(session.client, session.userId),
          onOwnIdentityChange: (listener) => {
            session.client.on(CryptoEvent.KeysChanged, listener);
            return () => session.client.off(CryptoEvent.KeysChanged, listener);
          },
        }),
    });
    this.identities = {
      currentMasterKey: (userId) => currentMasterKey(session.crypto, userId),
      pin: (userId) => session.crypto.pinCurrentUserIdentity(userId),
      withdrawVerification: (userId) => session.crypto.withdrawVerificationRequirement(userId),
    };
    this.rooms = new SdkRoomDirectory(session.client);
  }

  static async start(options: SessionOptions): Promise<MatrixDevice> {
    return new MatrixDevice(await MatrixSession.start(options));
  }

  get userId(): string {
    return this.session.userId;
  }

  get deviceId(): string {
    return this.session.deviceId;
  }

  get homeserverUrl(): string {
    return this.session.client.getHomeserverUrl();
  }

  get syncStatus(): SyncStatus {
    return this.session.syncStatus;
  }

  followVerifications(onChange: (view: VerificationView) => void): Verification {
    return new SdkVerification(this.session, onChange);
  }

  async storeIdentity(): Promise<{ identityKey: string; engineVersion: string }> {
    const keys = await this.session.crypto.getOwnDeviceKeys();
    return { identityKey: keys.ed25519, engineVersion: this.session.crypto.getVersion() };
  }

  stop(): void {
    // A reset's kept keys go with the session, not at the end of their guard.
    this.keepers.discardAll();
    this.session.stop();
  }

  signOut(): Promise<{ removedFromServer: boolean }> {
    return this.session.signOut();
  }

  wipeStores(): Promise<void> {
    return this.session.wipeStores();
  }
}

/** What the room directory asks of the SDK's client. */
export interface RoomLookup {
  getRoomIdForAlias(alias: string): Promise<{ room_id: string }>;
  getRoom(roomId: string): { getMyMembership(): string } | null;
}

/** Rooms by id or alias; aliases resolved once per device (a new sign-in starts afresh). */
export class SdkRoomDirectory implements RoomDirectory {
  private readonly aliases = new Map<string, string>();

  constructor(private readonly client: RoomLookup) {}

  async joinedRoom(room: RoomRef): Promise<string | undefined> {
    let roomId = room.kind === 'id' ? room.roomId : this.aliases.get(room.alias);
    if (roomId === undefined && room.kind === 'alias') {
      try {
        roomId = (await this.client.getRoomIdForAlias(room.alias)).room_id;
        this.aliases.set(room.alias, roomId);
      } catch {
        return undefined;
      }
    }
    return roomId !== undefined && this.client.getRoom(roomId)?.getMyMembership() === 'join' ? roomId : undefined;
  }
}
