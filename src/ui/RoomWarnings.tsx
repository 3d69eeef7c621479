import { useEffect, useState } from 'preact/hooks';
import { request } from '../messaging/backgroundClient';
import type { DisagreementRecord } from '../trust/pageDisagreement';
import { describeDisagreement } from './disagreementView';
import type { DeviceReport, MemberReport, RoomBridge, RoomTrustReport } from '../trust/types';
import { describeRoomChecking } from './roomNewsView';
import { bridgeLabelParts, type MemberActions, memberActions, newDevicesInRoom, shortKey, shownDevice } from './roomView';
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
  const disagreements = useDisagreements(report);
  return (
    <div class="room-warnings" data-room={report.roomId}>
      {!report.encrypted && <p class="notice">{t('roomNotEncrypted')}</p>}
      {report.bridges?.map((bridge) => (
        <BridgeNotice key={`${bridge.botUserId}/${bridge.protocol.id}/${bridge.network?.id ?? ''}`} bridge={bridge} />
      ))}
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
          <MemberWarning
            key={member.userId}
            member={member}
            own={member.userId === ownUserId}
            roomId={report.roomId}
            act={act}
            disagreements={disagreements.filter((record) => record.userId === member.userId)}
          />
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

/**
 * What web pages showed as trusted in this room while we warned (the second opinion), asked
 * again with every new report; a failure to ask leaves it empty (the warnings stand on their own).
 */
function useDisagreements(report: RoomTrustReport): DisagreementRecord[] {
  const [records, setRecords] = useState<DisagreementRecord[]>([]);
  useEffect(() => {
    let current = true;
    request('room.disagreements', { roomId: report.roomId })
      .then((found) => current && setRecords(found))
      .catch(() => current && setRecords([]));
    return () => {
      current = false;
    };
  }, [report]);
  return records;
}

function MemberWarning(props: {
  member: MemberReport;
  own: boolean;
  roomId: string;
  act: (work: () => Promise<unknown>) => void;
  disagreements: DisagreementRecord[];
}) {
  const { member, own, roomId, act, disagreements } = props;
  const actions = memberActions(member, own);
  return (
    <li class={`member severity-${member.severity}`} data-user={member.userId}>
      <div class="member-head">
        <span class="member-name" title={own ? undefined : memberName(member.userId, member.displayName)}>
          {own ? t('memberYou') : memberName(member.userId, member.displayName)}
        </span>
        <span class="mono member-id" title={member.userId}>
          {member.userId}
        </span>
        {member.bridgeRole === 'bridge-bot' && <span class="tag neutral">{t('memberBridgeBotTag')}</span>}
        {member.bridgeRole === 'bridge-puppet' && <span class="tag neutral">{t('memberBridgePuppetTag')}</span>}
      </div>
      <IdentityNotice member={member} actions={actions} act={act} />
      {disagreements.map((record) => (
        <p class="disagreement" key={record.client} data-client={record.client}>
          {describeDisagreement(record)}
        </p>
      ))}
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
            <button
              class="link small"
              type="button"
              title={t('memberVerify', memberName(member.userId, member.displayName))}
              onClick={() => act(() => request('verification.start', { userId: member.userId }))}
            >
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

/** The room is bridged: to what, by which bot, and what that means for its encryption. */
function BridgeNotice({ bridge }: { bridge: RoomBridge }) {
  const { protocol, network, bot } = bridgeLabelParts(bridge);
  return (
    <p class="notice bridge" data-bridge-bot={bridge.botUserId}>
      {network === undefined ? t('roomBridged', protocol, bot) : t('roomBridgedNetwork', protocol, network, bot)}
    </p>
  );
}

/** A changed identity, or a verified one that no longer is, with the action that settles it. */
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
        <span class="device-name" title={nameOr(device.displayName, t('unnamedSession'))}>
          {nameOr(device.displayName, t('unnamedSession'))}
        </span>{' '}
        <span class="mono">{device.deviceId}</span>
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
