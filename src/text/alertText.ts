import type { AlertNotice } from '../trust/alertCoalescer';
import type { Alert } from '../trust/alertPolicy';
import { memberName, nameOr } from '../validation/displayText';
import { t } from './i18n';

/** A notification's words: the room and the person (and device), never content, never a key. */
export interface NoticeText {
  title: string;
  message: string;
}

/** How a notice reads. Names from the network are cleaned and shortened like everywhere else. */
export function noticeText(notice: AlertNotice): NoticeText {
  const title = t('extName');
  if (notice.kind === 'summary') return { title, message: t('alertSummary', String(notice.rooms.length)) };
  const [first, ...rest] = notice.alerts;
  const room = nameOr(notice.roomName, notice.roomId);
  const lines = [first ? alertLine(first, room) : t('alertRoomNews', room)];
  if (rest.length > 0) lines.push(t('alertMore', String(rest.length)));
  return { title, message: lines.join(' ') };
}

function alertLine(alert: Alert, room: string): string {
  const person = personOf(alert);
  const device = alert.device && nameOr(alert.device.displayName, alert.device.deviceId);
  switch (alert.kind) {
    case 'own-unsigned-session':
      return t('alertOwnUnsignedSession', device ?? '', room);
    case 'verified-identity-changed':
      return t('alertVerifiedIdentityChanged', person, room);
    case 'critical-any-room':
    case 'watched-room':
      return device === undefined ? t('alertIdentityWarning', person, room) : t('alertDeviceWarning', person, device, room);
  }
}

/** "Bob (@bob:example.org)", or the id alone when there is no other name. */
function personOf(alert: Alert): string {
  const name = memberName(alert.userId, alert.displayName);
  const id = memberName(alert.userId);
  return name === id ? id : `${name} (${id})`;
}
