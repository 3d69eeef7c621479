import type { BannerSummary, MemberBadge } from '../trust/pageWarnings';
import { describeChecking } from '../text/checkingText';
import { t } from '../text/i18n';
import { listOf } from '../text/listText';
import { describeDeviceClass } from '../text/deviceClassText';
import { displayText, memberName } from '../validation/displayText';
import { plural } from '../text/plural';

/** A badge's words: what screen readers announce, what hover shows, the count next to its icon. */
export interface BadgeText {
  /** The accessible label: "Matrix Trust Guard: 2 unverified devices". */
  label: string;
  /** The hover text: the label, then one line per device (name, id, what is wrong). */
  details: string;
  /** The number of new devices beside the icon ('' when the warning is about the identity alone, or checking). */
  count: string;
}

/** The banner's sentence, e.g. "3 new warnings in this room (1 serious): Bob, Carol and 1 more." */
export interface BannerText {
  message: string;
  review: string;
  reviewLabel: string;
  hide: string;
}

const BANNER_NAMES_SHOWN = 3;

/**
 * A badge's words, worked out once per warning: a painter asks for them for every anchor of
 * the member (member list, each sender line, user info), and a 1,000-member room asks a
 * thousand times in one frame. Reports are replaced, never changed in place, so a warning
 * object's text never goes stale.
 */
const textOf = new WeakMap<MemberBadge, BadgeText>();
/** The label depends only on what is wrong and how many devices: a handful of shapes. */
const labelOf = new Map<string, string>();

export function badgeText(badge: MemberBadge): BadgeText {
  const cached = textOf.get(badge);
  if (cached) return cached;
  const checking =
    badge.checking && describeChecking({ count: 1, first: [{ userId: badge.userId, displayName: badge.displayName }], ...badge.checking });
  let text: BadgeText;
  // The hover text names the room, so a badge left from another room could never pass unnoticed.
  const inRoom = badge.roomName === undefined ? [] : [t('badgeInRoom', roomText(badge.roomName))];
  if (badge.severity === 'checking') {
    // Nothing new is known about them, and nothing can be said yet: a neutral question, no count.
    const label = t('badgeLabel', checking ?? '');
    text = { label, details: [label, ...inRoom].join('\n'), count: '' };
  } else {
    const count = badge.newDevices.length;
    const label = badgeLabel(badge.identity, count);
    const lines = badge.newDevices.map((device) =>
      t(
        'badgeDeviceLine',
        device.displayName === undefined ? t('unnamedSession') : displayText(device.displayName),
        displayText(device.deviceId),
        describeDeviceClass(device.class),
      ),
    );
    // The icon's glyph, not only its colour, tells the severities apart (badgeLook.ts).
    text = {
      label,
      details: [label, ...inRoom, ...lines, ...(checking === undefined ? [] : [checking])].join('\n'),
      count: count > 0 ? String(count) : '',
    };
  }
  textOf.set(badge, text);
  return text;
}

/** The same badge where the page shows the member as verified: cached per client name. */
const disagreeingTextOf = new WeakMap<MemberBadge, Map<string, BadgeText>>();

/**
 * A badge's words where the page's own indicator shows the member as verified while we warn
 * about them: it says so first, in a sentence naming the client and why, and its icon carries
 * a glyph of its own (≠), so the two opinions side by side are never left unexplained.
 */
export function disagreeingBadgeText(badge: MemberBadge, client: string): BadgeText {
  const byClient = disagreeingTextOf.get(badge) ?? new Map<string, BadgeText>();
  disagreeingTextOf.set(badge, byClient);
  const cached = byClient.get(client);
  if (cached) return cached;
  const plain = badgeText(badge);
  const name = memberName(badge.userId, badge.displayName);
  const sentence = t('badgeDisagrees', displayText(client), name, disagreementReason(badge, name));
  const text: BadgeText = {
    label: `${plain.label}. ${t('badgeDisagreesLabel', displayText(client))}`,
    details: [sentence, plain.details].join('\n'),
    count: plain.count,
  };
  byClient.set(client, text);
  return text;
}

/** Why we warn, as the end of "Element shows Bob as verified, but …": the identity, or the worst new device. */
function disagreementReason(badge: MemberBadge, name: string): string {
  if (badge.identity === 'identity-changed') return t('disagreeIdentityChanged', name);
  if (badge.identity === 'verification-violation') return t('disagreeVerificationViolation', name);
  const [device, ...more] = badge.newDevices;
  if (!device) return t('disagreeWarned', name);
  const session = device.displayName === undefined ? t('unnamedSession') : displayText(device.displayName);
  const id = displayText(device.deviceId);
  const reason =
    device.class === 'conflicting-key'
      ? t('disagreeConflictingKey', name, session, id)
      : device.class === 'owner-signed'
        ? t('disagreeOwnerSigned', name, session, id)
        : t('disagreeUnsigned', name, session, id);
  return more.length === 0 ? reason : t('disagreeMoreSessions', reason, String(more.length));
}

function badgeLabel(identity: MemberBadge['identity'], count: number): string {
  const shape = `${identity}/${count}`;
  let label = labelOf.get(shape);
  if (label === undefined) {
    const parts: string[] = [];
    if (identity === 'verification-violation') parts.push(t('badgeVerificationViolation'));
    else if (identity === 'identity-changed') parts.push(t('badgeIdentityChanged'));
    if (count > 0) parts.push(plural(count, { one: () => t('badgeDevicesOne'), other: () => t('badgeDevicesMany', String(count)) }));
    label = t('badgeLabel', listOf(parts));
    labelOf.set(shape, label);
  }
  return label;
}

/** The banner's second opinion: "Element Web shows 2 people as trusted whom Matrix Trust Guard warns about." */
export function disagreementLine(client: string, count: number): string {
  const who = displayText(client);
  return plural(count, { one: () => t('bannerDisagreesOne', who), other: () => t('bannerDisagreesMany', who, String(count)) });
}

export function bannerText(summary: BannerSummary): BannerText {
  const total = summary.newWarnings.warn + summary.newWarnings.critical;
  const room = roomText(summary.roomName);
  const count = plural(total, { one: () => t('bannerWarningsOne', room), other: () => t('bannerWarningsMany', String(total), room) });
  const severity = summary.newWarnings.critical > 0 ? t('bannerSerious', String(summary.newWarnings.critical)) : '';
  const names = summary.members.slice(0, BANNER_NAMES_SHOWN).map((member) => memberName(member.userId, member.displayName));
  const more = summary.members.length - names.length;
  if (more > 0) names.push(t('bannerMoreMembers', String(more)));
  const warnings = severity === '' ? t('bannerMessage', count, listOf(names)) : t('bannerMessageSerious', count, severity, listOf(names));
  const message = summary.unchecked ? `${warnings} ${describeChecking(summary.unchecked)}` : warnings;
  return { message, review: t('bannerReview'), reviewLabel: t('bannerReviewLabel'), hide: t('bannerHide') };
}

/** A room's name as our sentences quote it (a name is anyone's text: cleaned and kept short). */
const ROOM_NAME_MAX_CHARS = 40;

function roomText(roomName: string | undefined): string {
  const name = roomName === undefined ? '' : displayText(roomName, ROOM_NAME_MAX_CHARS);
  return name === '' ? t('bannerThisRoom') : name;
}
