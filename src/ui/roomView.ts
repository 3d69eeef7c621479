import type { DeviceReport, MemberReport, RoomBridge, RoomTrustReport } from '../trust/types';
import type { ShownDevice } from '../trust/warnedDeviceLedger';
import { displayText, nameOr } from '../validation/displayText';

/** What the popup offers for one member of a room: the decisions, not the drawing. */
export interface MemberActions {
  /** Their new devices, exactly as drawn (with keys): what "acknowledge" covers. */
  newDevices: ShownDevice[];
  /** Accept their changed identity (the master key the user was shown). */
  acceptIdentity?: { masterKey: string };
  /** Stop requiring the identity once verified, for the one they have now. */
  withdrawVerification?: { masterKey: string };
  /** One button for all their new devices, when there are several. */
  acknowledgeAll: boolean;
  /** Verifying them would settle the warnings (it does not for a verified member's unsigned device). */
  verify: boolean;
}

export function memberActions(member: MemberReport, own: boolean): MemberActions {
  const newDevices = newDevicesOf(member);
  const { masterKey } = member;
  // Verifying helps with someone we have not verified; a verified member's unsigned device
  // (or changed identity) is not fixed by verifying again, and a bridged device's owner has no
  // identity to verify.
  const verifyHelps =
    member.identity === 'ok' &&
    member.devices.every(
      (device) => device.class !== 'unsigned-of-verified' && device.class !== 'conflicting-key' && device.class !== 'bridged',
    );
  return {
    newDevices,
    ...(member.identity === 'identity-changed' && masterKey !== undefined && { acceptIdentity: { masterKey } }),
    ...(member.identity === 'verification-violation' && masterKey !== undefined && { withdrawVerification: { masterKey } }),
    acknowledgeAll: !own && newDevices.length > 1,
    // After our own reset, verifying again is what settles it (our new identity vouches for them).
    verify: !own && (verifyHelps || member.cause?.ownReset !== undefined),
  };
}

/** Every new device drawn in the room, with its key: "acknowledge all" covers these and nothing that arrives later. */
export function newDevicesInRoom(report: RoomTrustReport): ShownDevice[] {
  return report.members.flatMap((member) => newDevicesOf(member));
}

export function shownDevice(member: MemberReport, device: DeviceReport): ShownDevice {
  return { userId: member.userId, deviceId: device.deviceId, ed25519Key: device.ed25519Key };
}

/**
 * A bridge's label, its words from the network made safe to show: the protocol's display name
 * (else its id), the network's (else its id) when the event names one, and the bot's id.
 */
export function bridgeLabelParts(bridge: RoomBridge): { protocol: string; network?: string; bot: string } {
  const { protocol, network, botUserId } = bridge;
  return {
    protocol: nameOr(protocol.displayName, displayText(protocol.id)),
    ...(network && { network: nameOr(network.displayName, displayText(network.id)) }),
    bot: displayText(botUserId),
  };
}

/** The start of a public key: enough to tell two apart at a glance. */
export function shortKey(key: string): string {
  return `${key.slice(0, 8)}…`;
}

function newDevicesOf(member: MemberReport): ShownDevice[] {
  return member.devices.filter((device) => device.isNew).map((device) => shownDevice(member, device));
}
