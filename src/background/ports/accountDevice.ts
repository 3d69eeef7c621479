import type { RoomRef } from '../../clients/clientAdapter';
import type { SyncStatus } from '../../model/deviceStatus';
import type { VerificationView } from '../../messaging/protocol';
import type { AcknowledgementChannel } from './acknowledgementChannel';
import type { RecoveryCrypto } from './recovery';
import type { AccountSessions, SecurityStatusSource } from './security';
import type { TrustFactSource } from './trustFacts';
import type { Verification } from './verification';

/**
 * The extension's own Matrix device, as the background uses it: everything it needs of
 * matrix-js-sdk, and nothing more. Implemented in `src/matrix/matrixDevice.ts`; the background
 * never sees the SDK's client or crypto.
 */
export interface AccountDevice {
  readonly userId: string;
  readonly deviceId: string;
  readonly homeserverUrl: string;
  readonly syncStatus: SyncStatus;
  readonly facts: TrustFactSource;
  readonly security: SecurityStatusSource;
  readonly sessions: AccountSessions;
  readonly recovery: RecoveryCrypto;
  readonly identities: Identities;
  readonly rooms: RoomDirectory;
  /** Where acknowledgements travel to the user's other browsers. */
  readonly acknowledgements: AcknowledgementChannel;
  /** Follows verifications of this device (or with other users); one follower per device. */
  followVerifications(onChange: (view: VerificationView) => void): Verification;
  /** The crypto store's public identity key and the crypto engine's version. */
  storeIdentity(): Promise<{ identityKey: string; engineVersion: string }>;
  /** Stops syncing; stores stay as they are for the next start. */
  stop(): void;
  /** Logs the device out on the server and deletes its stores (locally even when the server cannot be reached). */
  signOut(): Promise<{ removedFromServer: boolean }>;
  /** Deletes the device's stores, after the server ended the session. */
  wipeStores(): Promise<void>;
}

/** Other users' cross-signing identities, and the user's decisions about them. */
export interface Identities {
  /** The user's master key as the crypto holds it now; undefined when they have no identity. */
  currentMasterKey(userId: string): Promise<string | undefined>;
  /** Accepts the user's current (changed) identity. */
  pin(userId: string): Promise<void>;
  /** Stops requiring the identity once verified, for the user's current one. */
  withdrawVerification(userId: string): Promise<void>;
}

/** The account's rooms, found by id or alias. */
export interface RoomDirectory {
  /**
   * The joined room a page shows: an alias is resolved through the homeserver (and remembered
   * for as long as this device runs). Undefined when the account is not in that room.
   */
  joinedRoom(room: RoomRef): Promise<string | undefined>;
}
