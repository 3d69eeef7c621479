import { useState } from 'preact/hooks';
import { BackgroundError, request } from '../messaging/backgroundClient';
import type { DeviceReport, MemberReport, RoomTrustReport } from '../trust/types';
import { t } from './i18n';
import { describeDeviceClass, formatDate } from './statusView';
import { memberName, nameOr } from '../validation/displayText';

/**
 * Who in a room the user should know about, with the actions that settle each warning.
 * Everything from the network (names, ids) is rendered as text by Preact, never as HTML.
 */
export function RoomWarnings({ report, ownUserId }: { report: RoomTrustReport; ownUserId?: string }) {
  const [error, setError] = useState<string | undefined>();
  const act = (work: () => Promise<unknown>) => {
    setError(undefined);
    work().catch((failure: unknown) => setError(failure instanceof BackgroundError ? failure.message : t('actionFailed')));
  };
  const hasNew = report.newWarnings.warn + report.newWarnings.critical > 0;
  return (
    <div class="room-warnings" data-room={report.roomId}>
      {!report.encrypted && <p class="notice">{t('roomNotEncrypted')}</p>}
      {report.pendingUserIds.length > 0 && (
        <p class="notice">
          {report.pendingUserIds.length === 1
            ? t('roomPendingKeysOne', String(report.pendingUserIds.length))
            : t('roomPendingKeysMany', String(report.pendingUserIds.length))}
        </p>
      )}
      {report.members.length === 0 && report.pendingUserIds.length === 0 && <p class="notice">{t('roomNobody')}</p>}
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
          {t('roomAcknowledgeAll')}
        </button>
      )}
    </div>
  );
}

function MemberWarning(props: { member: MemberReport; own: boolean; roomId: string; act: (work: () => Promise<unknown>) => void }) {
  const { member, own, roomId, act } = props;
  const newDevices = member.devices.filter((device) => device.isNew).length;
  // Verifying helps with someone we have not verified; a verified member's unsigned device
  // (or changed identity) is not fixed by verifying again.
  const canVerify = member.identity === 'ok' && member.devices.every((device) => device.class !== 'unsigned-of-verified');
  return (
    <li class={`member severity-${member.severity}`} data-user={member.userId}>
      <div class="member-head">
        <span class="member-name">{own ? t('memberYou') : memberName(member.userId, member.displayName)}</span>
        <span class="mono member-id">{member.userId}</span>
      </div>
      {member.identity === 'identity-changed' && (
        <p class="identity">
          {t('memberIdentityReset')}{' '}
          <button class="link small" type="button" onClick={() => act(() => request('user.pinIdentity', { userId: member.userId }))}>
            {t('memberAcceptIdentity')}
          </button>
        </p>
      )}
      {member.identity === 'verification-violation' && (
        <p class="identity">
          {t('memberVerificationViolation')}{' '}
          <button class="link small" type="button" onClick={() => act(() => request('user.withdrawVerification', { userId: member.userId }))}>
            {t('memberWithdrawVerification')}
          </button>
        </p>
      )}
      {!own && (newDevices > 1 || canVerify) && (
        <p class="member-actions">
          {newDevices > 1 && (
            <button class="link small" type="button" onClick={() => act(() => request('room.acknowledge', { roomId, userId: member.userId }))}>
              {t('memberAcknowledgeAll')}
            </button>
          )}
          {canVerify && (
            <button class="link small" type="button" onClick={() => act(() => request('verification.start', { userId: member.userId }))}>
              {t('memberVerify', memberName(member.userId, member.displayName))}
            </button>
          )}
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
        <span class="device-name">{nameOr(device.displayName, t('unnamedSession'))}</span> <span class="mono">{device.deviceId}</span>
        {device.isNew && <span class="tag">{t('deviceNewTag')}</span>}
      </div>
      <div class="device-detail">
        {t('deviceDetail', describeDeviceClass(device.class, own), formatDate(device.firstSeenAt))}
        {device.isNew && (
          <button class="link small" type="button" onClick={onAcknowledge}>
            {t('deviceAcknowledge')}
          </button>
        )}
      </div>
    </li>
  );
}
