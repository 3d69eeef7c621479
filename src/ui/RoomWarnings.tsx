import { request } from '../messaging/backgroundClient';
import type { DeviceReport, MemberReport, RoomTrustReport } from '../trust/types';
import { describeRoomChecking } from './roomNewsView';
import { type MemberActions, memberActions, newDevicesInRoom, shortKey, shownDevice } from './roomView';
import { ErrorNotice, useAction } from './useAction';
import { t } from '../text/i18n';
import { describeDeviceClass } from '../text/deviceClassText';
import { formatDate } from '../text/timeText';
import { memberName, nameOr } from '../validation/displayText';
import { identityLines } from './identityCauseView';
import { OwnResetNotice } from './OwnResetNotice';

/**
 * Who in a room the user should know about, with the actions that settle each warning.
 * Everything from the network (names, ids) is rendered as text by Preact, never as HTML.
 */
export function RoomWarnings({ report, ownUserId }: { report: RoomTrustReport; ownUserId?: string }) {
  const action = useAction();
  const act = (work: () => Promise<unknown>) => void action.run(work);
  // Exactly the devices drawn here, with their keys: what arrives later stays new.
  const shownNew = newDevicesInRoom(report);
  const checking = describeRoomChecking(report);
  return (
    <div class="room-warnings" data-room={report.roomId}>
      {!report.encrypted && <p class="notice">{t('roomNotEncrypted')}</p>}
      {checking !== undefined && (
        <p class="notice checking" data-checking={report.checking.map((member) => member.userId).join(' ')}>
          {checking}
        </p>
      )}
      {report.members.length === 0 && checking === undefined && <p class="notice">{t('roomNobody')}</p>}
      {report.ownReset !== undefined && (
        <OwnResetNotice reset={report.ownReset} contacts={ownResetContacts(report, report.ownReset.userIds)} />
      )}
      <ul class="members">
        {report.members.map((member) => (
          <MemberWarning key={member.userId} member={member} own={member.userId === ownUserId} roomId={report.roomId} act={act} />
        ))}
      </ul>
      <ErrorNotice error={action.error} />
      {shownNew.length > 0 && (
        <button
          class="link"
          type="button"
          onClick={() => act(() => request('room.acknowledge', { roomId: report.roomId, devices: shownNew }))}
        >
          {t('roomAcknowledgeAll')}
        </button>
      )}
    </div>
  );
}

function MemberWarning(props: { member: MemberReport; own: boolean; roomId: string; act: (work: () => Promise<unknown>) => void }) {
  const { member, own, roomId, act } = props;
  const actions = memberActions(member, own);
  return (
    <li class={`member severity-${member.severity}`} data-user={member.userId}>
      <div class="member-head">
        <span class="member-name">{own ? t('memberYou') : memberName(member.userId, member.displayName)}</span>
        <span class="mono member-id">{member.userId}</span>
      </div>
      <IdentityNotice member={member} actions={actions} act={act} />
      {(actions.acknowledgeAll || actions.verify) && (
        <p class="member-actions">
          {actions.acknowledgeAll && (
            <button
              class="link small"
              type="button"
              onClick={() => act(() => request('room.acknowledge', { roomId, devices: actions.newDevices }))}
            >
              {t('memberAcknowledgeAll')}
            </button>
          )}
          {actions.verify && (
            <button class="link small" type="button" onClick={() => act(() => request('verification.start', { userId: member.userId }))}>
              {t('memberVerify', memberName(member.userId, member.displayName))}
            </button>
          )}
        </p>
      )}
      <ul class="devices">
        {member.devices.map((device) => (
          <DeviceLine
            key={`${device.deviceId}/${device.ed25519Key}`}
            device={device}
            own={own}
            onAcknowledge={() => act(() => request('room.acknowledge', { roomId, devices: [shownDevice(member, device)] }))}
          />
        ))}
      </ul>
    </li>
  );
}

/**
 * A changed identity, or a verified one that no longer is: why, when known (our own reset is said
 * as ours), with the action that settles it.
 */
function IdentityNotice(props: { member: MemberReport; actions: MemberActions; act: (work: () => Promise<unknown>) => void }) {
  const { member, actions, act } = props;
  const { acceptIdentity, withdrawVerification } = actions;
  const lines = identityLines(member);
  if (lines.length === 0) return null;
  return (
    <p class="identity" data-identity={member.identity}>
      {lines.map((line, index) => (
        <span key={index} class="identity-line">
          {line}{' '}
        </span>
      ))}
      {acceptIdentity && (
        <button
          class="link small"
          type="button"
          onClick={() => act(() => request('user.pinIdentity', { userId: member.userId, masterKey: acceptIdentity.masterKey }))}
        >
          {t('memberAcceptIdentity')}
        </button>
      )}
      {withdrawVerification && (
        <button
          class="link small"
          type="button"
          onClick={() =>
            act(() => request('user.withdrawVerification', { userId: member.userId, masterKey: withdrawVerification.masterKey }))
          }
        >
          {t('memberWithdrawVerification')}
        </button>
      )}
    </p>
  );
}

/** The members named in the room's own-reset notice, with their names as the room knows them. */
function ownResetContacts(report: RoomTrustReport, userIds: readonly string[]): { userId: string; displayName?: string }[] {
  return userIds.map((userId) => {
    const displayName = report.members.find((member) => member.userId === userId)?.displayName;
    return displayName === undefined ? { userId } : { userId, displayName };
  });
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
        {device.conflictsWithKey !== undefined && (
          <span class="mono key-conflict"> {t('deviceKeyConflict', shortKey(device.ed25519Key), shortKey(device.conflictsWithKey))}</span>
        )}
        {device.isNew && (
          <button class="link small" type="button" onClick={onAcknowledge}>
            {t('deviceAcknowledge')}
          </button>
        )}
      </div>
    </li>
  );
}
