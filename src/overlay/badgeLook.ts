import type { MemberBadge } from '../trust/pageWarnings';

/**
 * What a badge looks like: the toolbar's shield (docs/icon-sources, same outline, same round
 * 14/128 strokes) in white, its glyph cut out of it in the badge's colour, then the count of
 * devices. The glyph tells the state by its shape, as the toolbar's does: `!` a warning, `×`
 * critical, `?` checking, `≠` the page shows as verified someone we warn about.
 *
 * The page's theme is not ours to read, so the colours work on light and dark pages alike:
 * each fill carries white text at 4.5:1 or more and stands 3:1 or more from light pages on its
 * own; a 1 px white halo draws its edge on dark ones (test/unit/overlay/badgeLook.test.ts
 * measures every pair against the clients' light and dark backgrounds).
 */

export type BadgeIcon = 'warn' | 'critical' | 'checking' | 'disagrees';

/** The icon for a badge: the page's disagreement outranks the severity (the chip keeps the severity's colour and corners). */
export function badgeIcon(severity: MemberBadge['severity'], disagrees: boolean): BadgeIcon {
  return disagrees && severity !== 'checking' ? 'disagrees' : severity;
}

/** The fill of each severity's chip, and what is drawn on it (the count, the shield, the halo). */
export const BADGE_TONES: Record<MemberBadge['severity'], string> = {
  warn: '#b45309',
  critical: '#c4271b',
  checking: '#5c6470',
};
export const BADGE_INK = '#ffffff';
export const BADGE_HALO = '#ffffff';
/** The `≠` in the popup's colour for the page's disagreement (src/ui/theme.css), on the white shield. */
export const DISAGREE_GLYPH = '#6b3fd4';

/** The keyboard focus ring: dark blue between two white bands, seen on any page. */
export const FOCUS_RING = '#1a47c4';
export const FOCUS_GAP = '#ffffff';

/**
 * The toolbar icon's shield in its 128 grid (docs/icon-sources/shield.svg), and the view box
 * that crops the badge's icon to it (100 × 118: 12 × 14 px in the badge).
 */
export const SHIELD_VIEW_BOX = '14 6 100 118';
export const SHIELD_PATH = 'M64 6L114 24V60C114 92 92 114 64 124C36 114 14 92 14 60V24Z';

/** Each glyph as round strokes in the same grid (a dot is a 1-unit stroke). */
export const GLYPH_PATHS: Record<BadgeIcon, string> = {
  warn: 'M64 34V70M64 94v1',
  critical: 'M46 46L82 82M82 46L46 82',
  checking: 'M48 46C48 30 80 30 80 48C80 60 64 60 64 72M64 94v1',
  disagrees: 'M40 54H88M40 80H88M74 36L54 98',
};
export const GLYPH_STROKE_WIDTH = 16;
