import { t } from '../text/i18n';
import { formatDate } from '../text/timeText';
import type { SecurityReport } from '../messaging/protocol';
import type { MemberReport, OwnReset } from '../trust/types';
import type { LiveState } from './useLive';

/**
 * The words for why an identity is not trusted as it was (src/trust/identityCause.ts): our own
 * reset is said as ours, never as the contact's; their change says when and what we had
 * accepted; with both, both are said; with neither known, only what is certain.
 */

/** "You reset your digital identity on <date> [from <device>]. Contacts you had verified now need verifying again:" */
export function ownResetSentence(reset: OwnReset): string {
  const date = formatDate(reset.at);
  const device = reset.byDevice;
  if (device === undefined) return t('ownResetNotice', date);
  const name =
    device.displayName === undefined || device.displayName.trim() === ''
      ? device.deviceId
      : t('ownDevicesSession', device.displayName, device.deviceId);
  return t('ownResetNoticeFrom', date, name);
}

/** The sentences for a member's identity problem, most telling first; none when their identity is fine. */
export function identityLines(member: MemberReport): string[] {
  if (member.identity === 'ok') return [];
  const { cause } = member;
  const lines: string[] = [];
  if (cause?.ownReset !== undefined) {
    lines.push(
      member.isOwnUser === true
        ? t('memberOwnResetSelf', formatDate(cause.ownReset.at))
        : t('memberOwnReset', formatDate(cause.ownReset.at)),
    );
  }
  const change = cause?.theirChange;
  if (change !== undefined) {
    const date = formatDate(change.at);
    lines.push(
      change.hadVerified
        ? t('memberTheirChangeVerified', date)
        : change.hadPinned
          ? t('memberTheirChangePinned', date)
          : t('memberTheirChangeUnaccepted', date),
    );
  }
  if (lines.length > 0) return lines;
  // Cause unknown: what the crypto says, without naming who changed.
  return [member.identity === 'identity-changed' ? t('memberIdentityReset') : t('memberVerificationViolation')];
}

/**
 * Whether the own-reset notice must say to verify this extension first: it vouches for contacts
 * with the identity's keys, which a reset made on another device leaves it without until it is
 * verified itself. Only a reading that says so counts (no reading, no hint).
 */
export function extensionNeedsVerifyingFirst(security: LiveState<SecurityReport>): boolean {
  return security.phase === 'live' && security.value.status?.thisDeviceVerified === false;
}
