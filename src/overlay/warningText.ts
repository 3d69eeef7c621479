import type { BannerSummary, MemberBadge } from '../trust/pageWarnings';
import { t } from '../ui/i18n';
import { describeDeviceClass } from '../ui/statusView';
import { displayText, memberName } from '../validation/displayText';

/** A badge's words: what screen readers announce, what hover shows, what fits in the pill. */
export interface BadgeText {
  /** The accessible label: "Matrix Trust Guard: 2 unverified devices". */
  label: string;
  /** The hover text: the label, then one line per device (name, id, what is wrong). */
  details: string;
  /** The few characters inside the pill. */
  pill: string;
}

/** The banner's sentence, e.g. "3 new warnings in this room (1 serious): Bob, Carol and 1 more." */
export interface BannerText {
  message: string;
  review: string;
  reviewLabel: string;
  hide: string;
}

const BANNER_NAMES_SHOWN = 3;

export function badgeText(badge: MemberBadge): BadgeText {
  const parts: string[] = [];
  if (badge.identity === 'verification-violation') parts.push(t('badgeVerificationViolation'));
  else if (badge.identity === 'identity-changed') parts.push(t('badgeIdentityChanged'));
  const count = badge.newDevices.length;
  if (count === 1) parts.push(t('badgeDevicesOne'));
  else if (count > 1) parts.push(t('badgeDevicesMany', String(count)));
  const label = t('badgeLabel', listOf(parts));
  const lines = badge.newDevices.map((device) =>
    t('badgeDeviceLine', device.displayName === undefined ? t('unnamedSession') : displayText(device.displayName), displayText(device.deviceId), describeDeviceClass(device.class)),
  );
  // A shape, not only a colour, tells the two severities apart.
  const mark = badge.severity === 'critical' ? '!!' : '!';
  return { label, details: [label, ...lines].join('\n'), pill: count > 0 ? `${mark} ${count}` : mark };
}

export function bannerText(summary: BannerSummary): BannerText {
  const total = summary.newWarnings.warn + summary.newWarnings.critical;
  const count = total === 1 ? t('bannerWarningsOne') : t('bannerWarningsMany', String(total));
  const severity = summary.newWarnings.critical > 0 ? t('bannerSerious', String(summary.newWarnings.critical)) : '';
  const names = summary.members.slice(0, BANNER_NAMES_SHOWN).map((member) => memberName(member.userId, member.displayName));
  const more = summary.members.length - names.length;
  if (more > 0) names.push(t('bannerMoreMembers', String(more)));
  const message = severity === '' ? t('bannerMessage', count, listOf(names)) : t('bannerMessageSerious', count, severity, listOf(names));
  return { message, review: t('bannerReview'), reviewLabel: t('bannerReviewLabel'), hide: t('bannerHide') };
}

function listOf(items: string[]): string {
  return new Intl.ListFormat(undefined, { type: 'conjunction' }).format(items);
}
