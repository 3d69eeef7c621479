import { type CheckingSummary, isFailing } from '../trust/checkingSummary';
import type { CheckingReason } from '../trust/types';
import { memberName } from '../validation/displayText';
import { t } from './i18n';
import { listOf } from './listText';
import { formatTime } from './timeText';
import { plural } from './plural';

/**
 * The sentence every UI uses for members whose devices cannot be confirmed current: the toolbar
 * tooltip, the popup, a badge's hover text. It names them, says since when, and why, in words:
 * "Could not check the devices of Bob since 20:22: the homeserver leaves them out of its answers."
 */
export function describeChecking(summary: CheckingSummary): string {
  const names = namesOf(summary);
  if (!isFailing(summary.reason)) {
    return summary.since === undefined ? t('checkingDevices', names) : t('checkingDevicesSince', names, formatTime(summary.since));
  }
  const why = failureWords(summary.reason);
  return summary.since === undefined ? t('checkingFailed', names, why) : t('checkingFailedSince', names, formatTime(summary.since), why);
}

/** "Bob, Carol and 3 more" (the summary names the first few). */
function namesOf(summary: CheckingSummary): string {
  const names = summary.first.map(({ userId, displayName }) => memberName(userId, displayName));
  const more = summary.count - names.length;
  if (more > 0) names.push(plural(more, { one: () => t('checkingMoreOne'), other: () => t('checkingMoreMany', String(more)) }));
  return listOf(names);
}

function failureWords(reason: CheckingReason): string {
  switch (reason) {
    case 'omitted':
      return t('checkingWhyOmitted');
    case 'server-failed':
      return t('checkingWhyServerFailed');
    default:
      return t('checkingWhyQueryFailed');
  }
}
