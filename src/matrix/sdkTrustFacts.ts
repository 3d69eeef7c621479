import {
  ClientEvent,
  type Device,
  EventTimeline,
  EventType,
  KnownMembership,
  type MatrixClient,
  type MatrixEvent,
  type Room,
  RoomEvent,
  RoomStateEvent,
} from 'matrix-js-sdk';
import { type CryptoApi, CryptoEvent } from 'matrix-js-sdk/lib/crypto-api/index.js';
import { isFailing } from '../trust/checkingSummary';
import { BRIDGE_EVENT_TYPES, firstBridgeEvents } from '../trust/roomBridges';
import type { BridgeStateEvent, DeviceFacts, DeviceListCheck, RoomFacts, RoomMemberFacts, UserFacts } from '../trust/types';
import type { DeviceListWatch } from './deviceListWatch';
import { publicKeyOf } from './masterKey';
import { masterKeySigners } from './masterKeySigners';
import type { FactsChange, TrustFactSource } from '../background/ports/trustFacts';

export class SdkTrustFacts implements TrustFactSource {
  readonly ownUserId: string;
  readonly ownDeviceId: string;

  constructor(
    private readonly client: MatrixClient,
    private readonly crypto: CryptoApi,
    private readonly deviceLists: Pick<DeviceListWatch, 'check' | 'offeredKeys' | 'onChange'>,
  ) {
    this.ownUserId = client.getSafeUserId();
    this.ownDeviceId = client.getDeviceId() ?? '';
  }

  /**
   * Rust crypto waits up to a second on each user whose device list is out of date (for the
   * key query that would bring it), twice per user: a room whose key queries keep failing
   * would cost seconds per member, read one after the other. Those users are read each on
   * their own, all at once; everyone else in one batch, as before.
   */
  async usersFacts(userIds: readonly string[]): Promise<Map<string, UserFacts>> {
    const failing = userIds.filter((userId) => isFailingCheck(this.deviceLists.check(userId)));
    const failingSet = new Set(failing);
    const batch = userIds.filter((userId) => !failingSet.has(userId));
    const facts = new Map<string, UserFacts>();
    const alone = Promise.all(
      failing.map(async (userId) => this.userFacts(userId, (await this.crypto.getUserDeviceInfo([userId])).get(userId))),
    );
    const deviceMap = await this.crypto.getUserDeviceInfo(batch);
    for (const userId of batch) {
      const userFacts = await this.userFacts(userId, deviceMap.get(userId));
      if (userFacts) facts.set(userId, userFacts);
    }
    for (const userFacts of await alone) if (userFacts) facts.set(userFacts.userId, userFacts);
    return facts;
  }

  /** One user's facts from the devices the crypto listed for them; undefined when it lists none (not tracked). */
  private async userFacts(userId: string, known: Map<string, Device> | undefined): Promise<UserFacts | undefined> {
    if (known === undefined) return undefined;
    const status = await this.crypto.getUserVerificationStatus(userId);
    const offered = this.deviceLists.offeredKeys(userId);
    const devices: DeviceFacts[] = [];
    for (const device of known.values()) {
      const ed25519Key = device.getFingerprint();
      const verification = await this.crypto.getDeviceVerificationStatus(userId, device.deviceId);
      // A device without an ed25519 key or unknown to the crypto store cannot be trusted or tracked.
      if (ed25519Key === undefined || verification === null) continue;
      devices.push({
        deviceId: device.deviceId,
        ed25519Key,
        displayName: device.displayName,
        signedByOwner: verification.signedByOwner,
        crossSigningVerified: verification.crossSigningVerified,
        locallyVerified: verification.localVerified,
      });
      const offeredKey = offered?.[device.deviceId];
      if (offeredKey !== undefined && offeredKey !== ed25519Key)
        devices.push(conflictingKey(device.deviceId, offeredKey, ed25519Key, device.displayName));
    }
    // Every identity's key is read: the identity memory tells "they changed" from "we did" by it.
    const crossSigningKeys = status.known ? await this.crypto.getUserCrossSigningKeys(userId) : null;
    const masterKeyText = publicKeyOf(crossSigningKeys?.master_key);
    const isOwnUser = userId === this.ownUserId;
    const signers =
      isOwnUser && crossSigningKeys?.master_key !== undefined
        ? await masterKeySigners(
            crossSigningKeys.master_key,
            userId,
            // Only keys the crypto holds: a key the server offered in a device's name vouches for nothing.
            devices.filter((device) => device.conflictsWithKey === undefined),
          )
        : undefined;
    return {
      userId,
      isOwnUser,
      // `known`: the crypto holds a cross-signing identity for the user.
      hasIdentity: status.known,
      verified: status.isCrossSigningVerified(),
      wasVerified: status.wasCrossSigningVerified(),
      needsApproval: status.needsUserApproval,
      ...(masterKeyText === undefined ? {} : { masterKey: masterKeyText }),
      ...(signers === undefined ? {} : { masterKeySigners: signers }),
      devices,
    };
  }

  deviceListCheck(userId: string): DeviceListCheck | undefined {
    return this.deviceLists.check(userId);
  }

  roomFacts(roomId: string): RoomFacts | undefined {
    const room = this.client.getRoom(roomId);
    if (!room || !isJoined(room)) return undefined;
    return {
      roomId,
      name: room.name,
      encrypted: room.hasEncryptionStateEvent(),
      members: membersWhoCanRead(room),
      bridgeEvents: bridgeEventsOf(room),
    };
  }

  roomIds(): string[] {
    return this.client
      .getRooms()
      .filter((room) => isJoined(room))
      .map((room) => room.roomId);
  }

  onChange(listener: (change: FactsChange) => void): () => void {
    const onDevices = (userIds: string[]) => listener({ kind: 'users', userIds });
    const onUserTrust = (userId: string) => listener({ kind: 'users', userIds: [userId] });
    // Our own cross-signing keys changed: our trust in everyone else derives from them.
    const onOwnKeys = () => listener({ kind: 'everyone' });
    const onMembers = (event: MatrixEvent) => {
      const roomId = event.getRoomId();
      if (roomId !== undefined) listener({ kind: 'rooms', roomIds: [roomId] });
    };
    const onStateEvent = (event: MatrixEvent) => {
      const roomId = event.getRoomId();
      if (roomId !== undefined && TRUST_STATE_EVENTS.has(event.getType())) {
        listener({ kind: 'rooms', roomIds: [roomId] });
      }
    };
    const onRoom = (room: Room) => listener({ kind: 'rooms', roomIds: [room.roomId] });
    const onMyMembership = (room: Room) => listener({ kind: 'rooms', roomIds: [room.roomId] });
    this.client.on(CryptoEvent.DevicesUpdated, onDevices);
    this.client.on(CryptoEvent.UserTrustStatusChanged, onUserTrust);
    this.client.on(CryptoEvent.KeysChanged, onOwnKeys);
    this.client.on(RoomStateEvent.Members, onMembers);
    this.client.on(RoomStateEvent.Events, onStateEvent);
    this.client.on(ClientEvent.Room, onRoom);
    this.client.on(RoomEvent.MyMembership, onMyMembership);
    const stopWatching = this.deviceLists.onChange((change) => {
      if (change.answered.length > 0) listener({ kind: 'users', userIds: change.answered });
      if (change.checks.length > 0) listener({ kind: 'checks', userIds: change.checks });
    });
    return () => {
      stopWatching();
      this.client.off(CryptoEvent.DevicesUpdated, onDevices);
      this.client.off(CryptoEvent.UserTrustStatusChanged, onUserTrust);
      this.client.off(CryptoEvent.KeysChanged, onOwnKeys);
      this.client.off(RoomStateEvent.Members, onMembers);
      this.client.off(RoomStateEvent.Events, onStateEvent);
      this.client.off(ClientEvent.Room, onRoom);
      this.client.off(RoomEvent.MyMembership, onMyMembership);
    };
  }
}

function isFailingCheck(check: DeviceListCheck | undefined): boolean {
  return check !== undefined && isFailing(check.reason);
}

/**
 * A key the server offered under the id of a device the crypto holds with `heldKey`: reported as
 * a device of its own (another key is another device), never as signed or verified.
 */
function conflictingKey(deviceId: string, offeredKey: string, heldKey: string, displayName: string | undefined): DeviceFacts {
  return {
    deviceId,
    ed25519Key: offeredKey,
    displayName,
    signedByOwner: false,
    crossSigningVerified: false,
    locallyVerified: false,
    conflictsWithKey: heldKey,
  };
}

/**
 * State events that change who can read a room's messages (members are followed separately), or
 * how their devices are judged (a bridge's bot and puppets).
 */
const TRUST_STATE_EVENTS: ReadonlySet<string> = new Set([EventType.RoomEncryption, EventType.RoomHistoryVisibility, ...BRIDGE_EVENT_TYPES]);

/** The room's bridge state events, as the room state holds them (src/trust validates them), no more than src/trust looks at. */
function bridgeEventsOf(room: Room): BridgeStateEvent[] {
  const state = room.getLiveTimeline().getState(EventTimeline.FORWARDS);
  const events = BRIDGE_EVENT_TYPES.flatMap((type) => state?.getStateEvents(type) ?? []);
  return firstBridgeEvents(
    events.map((event) => ({
      type: event.getType(),
      stateKey: event.getStateKey() ?? '',
      sender: event.getSender() ?? '',
      content: event.getContent(),
    })),
  );
}

function isJoined(room: Room): boolean {
  return room.getMyMembership() === (KnownMembership.Join as string);
}

/**
 * Whose devices receive the room's keys: joined members, and invited ones when the history
 * visibility lets invitees read (as matrix-js-sdk decides when it encrypts).
 */
function membersWhoCanRead(room: Room): RoomMemberFacts[] {
  const withInvited = room.shouldEncryptForInvitedMembers();
  const members: RoomMemberFacts[] = [];
  for (const member of room.getMembers()) {
    if (member.membership === KnownMembership.Join) {
      members.push({ userId: member.userId, displayName: member.name, membership: 'join' });
    } else if (withInvited && member.membership === KnownMembership.Invite) {
      members.push({ userId: member.userId, displayName: member.name, membership: 'invite' });
    }
  }
  return members;
}
