import type { ShieldPlace } from '../model/pageShield';
import { t } from '../text/i18n';
import { listOf } from '../text/listText';
import { formatDate } from '../text/timeText';
import type { DisagreementRecord } from '../trust/pageDisagreement';
import { displayText } from '../validation/displayText';

const PLACE_WORDS: Record<ShieldPlace, () => string> = {
  'member-list': () => t('shieldPlaceMemberList'),
  timeline: () => t('shieldPlaceTimeline'),
  'user-info': () => t('shieldPlaceUserInfo'),
  header: () => t('shieldPlaceHeader'),
  composer: () => t('shieldPlaceComposer'),
};

/** "Element Web showed them as verified (member list, user details) while Matrix Trust Guard warned: first 3 Dec, 15:02, last 15:40." */
export function describeDisagreement(record: DisagreementRecord): string {
  const places = listOf(record.places.map((place) => PLACE_WORDS[place]()));
  return t('memberDisagreement', displayText(record.client), places, formatDate(record.firstSeen), formatDate(record.lastSeen));
}
