import { useState } from 'preact/hooks';
import { BackgroundError, request } from '../messaging/backgroundClient';
import type { DeviceReport, MemberReport, RoomTrustReport } from '../trust/types';
import { describeDeviceClass, formatDate } from './statusView';

/**
 * Who in a room the user should know about, with the actions that settle each warning.
 * Everything from the network (names, ids) is rendered as text by Preact, never as HTML.
 */
export function RoomWarnings({ report, ownUserId }: { report: RoomTrustReport; ownUserId?: string }) {
  const [error, setError] = useState<string | undefined>();
  const act = (work: () => Promise<unknown>) => {
    setError(undefined);
    work().catch((failure: unknown) => setError(failure instanceof BackgroundError ? failure.message : 'That did not work.'));
  };
  const hasNew = report.newWarnings.warn + report.newWarnings.critical > 0;
  return (
    <div class="room-warnings" data-room={report.roomId}>
      {!report.encrypted && <p class="notice">This room is not encrypted: the server and anyone it lets in can read it.</p>}
      {report.pendingUserIds.length > 0 && (
        <p class="notice">Still fetching the keys of {report.pendingUserIds.length} member(s); this list may grow.</p>
      )}
      {report.members.length === 0 && report.pendingUserIds.length === 0 && <p class="notice">Nobody here needs your attention.</p>}
      <ul class="members">
        {report.members.map((member) => (
          <MemberWarning key={member.userId} member={member} own={member.userId === ownUserId} roomId={report.roomId} act={act} />
        ))}
      </ul>
      {error && (
        <p class="notice error" role="alert">
          {error}
        </p>
      )}
      {hasNew && (
        <button class="link" type="button" onClick={() => act(() => request('room.acknowledge', { roomId: report.roomId }))}>
          Acknowledge all new warnings in this room
        </button>
      )}
    </div>
  );
}

function MemberWarning(props: { member: MemberReport; own: boolean; roomId: string; act: (work: () => Promise<unknown>) => void }) {
  const { member, own, roomId, act } = props;
  return (
    <li class={`member severity-${member.severity}`} data-user={member.userId}>
      <div class="member-head">
        <span class="member-name">{own ? 'You' : (member.displayName ?? member.userId)}</span>
        <span class="mono member-id">{member.userId}</span>
      </div>
      {member.identity === 'identity-changed' && (
        <p class="identity">
          Their digital identity was reset.{' '}
          <button class="link small" type="button" onClick={() => act(() => request('user.pinIdentity', { userId: member.userId }))}>
            Accept the new identity
          </button>
        </p>
      )}
      {member.identity === 'verification-violation' && (
        <p class="identity">
          You verified them, but their identity changed since.{' '}
          <button class="link small" type="button" onClick={() => act(() => request('user.withdrawVerification', { userId: member.userId }))}>
            Withdraw verification
          </button>
        </p>
      )}
      <ul class="devices">
        {member.devices.map((device) => (
          <DeviceLine key={`${device.deviceId}/${device.ed25519Key}`} device={device} own={own} onAcknowledge={() => act(() => request('room.acknowledge', { roomId, userId: member.userId, deviceId: device.deviceId }))} />
        ))}
      </ul>
    </li>
  );
}

function DeviceLine({ device, own, onAcknowledge }: { device: DeviceReport; own: boolean; onAcknowledge: () => void }) {
  return (
    <li class={`device severity-${device.severity}`} data-device={device.deviceId}>
      <div>
        <span class="device-name">{device.displayName ?? 'Unnamed session'}</span> <span class="mono">{device.deviceId}</span>
        {device.isNew && <span class="tag">New</span>}
      </div>
      <div class="device-detail">
        {describeDeviceClass(device.class, own)} · first seen {formatDate(device.firstSeenAt)}
        {device.isNew && (
          <button class="link small" type="button" onClick={onAcknowledge}>
            Acknowledge
          </button>
        )}
      </div>
    </li>
  );
}
