// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { fillBadge, newBadgeElement } from '../../../src/overlay/badgeElement';
import {
  BADGE_HALO,
  BADGE_INK,
  BADGE_TONES,
  type BadgeIcon,
  badgeIcon,
  DISAGREE_GLYPH,
  FOCUS_GAP,
  FOCUS_RING,
  GLYPH_PATHS,
} from '../../../src/overlay/badgeLook';
import { BADGE_CSS } from '../../../src/overlay/overlayStyle';
import type { MemberBadge } from '../../../src/trust/pageWarnings';

/**
 * The badge's colours against the pages it sits on, by the WCAG 2 contrast ratio: text 4.5:1,
 * the badge's edge, icon and focus ring 3:1 (non-text contrast). We cannot read the page's
 * theme, so every state must hold on every client's light and dark backgrounds, its rows
 * under the pointer included.
 */

/** WCAG 2 relative luminance of an sRGB colour written #rrggbb. */
function luminance(hex: string): number {
  const value = Number.parseInt(hex.slice(1), 16);
  const [r, g, b] = [value >> 16, (value >> 8) & 0xff, value & 0xff].map((channel) => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** The backgrounds badges sit on: each client's page, panel and hovered or selected row. */
export const PAGE_BACKGROUNDS = {
  light: {
    'Element Web': '#ffffff',
    'Element Web, hovered row': '#f4f6fa',
    Cinny: '#ffffff',
    'Cinny, surface': '#f2f2f2',
    'Cinny, hovered row': '#e5e5e5',
    Hydrogen: '#ffffff',
    'Hydrogen, hovered row': '#e6e6e6',
  },
  dark: {
    'Element Web': '#101317',
    'Element Web, legacy dark': '#15191e',
    'Element Web, panel': '#21262c',
    Cinny: '#1a1a1a',
    'Cinny, surface': '#262626',
    Hydrogen: '#21262b',
    'Hydrogen, hovered row': '#374048',
  },
} as const;

const STATES: { icon: BadgeIcon; severity: MemberBadge['severity'] }[] = [
  { icon: 'warn', severity: 'warn' },
  { icon: 'critical', severity: 'critical' },
  { icon: 'checking', severity: 'checking' },
  { icon: 'disagrees', severity: 'warn' },
  { icon: 'disagrees', severity: 'critical' },
];

/**
 * How far an edge stands out from the page: the fill itself, or, where the fill is too close
 * to the page, the halo around it (which must then stand out from the fill too).
 */
function edgeContrast(fill: string, page: string): number {
  const halo = contrast(BADGE_HALO, fill) >= 3 ? contrast(BADGE_HALO, page) : 0;
  return Math.max(contrast(fill, page), halo);
}

const THEMES = Object.entries(PAGE_BACKGROUNDS) as [string, Record<string, string>][];

describe('the badge’s colours', () => {
  it.each(STATES)('keep the count and icon of a $icon badge ($severity) legible on its fill', ({ icon, severity }) => {
    const fill = BADGE_TONES[severity];
    expect(contrast(BADGE_INK, fill), 'count on fill').toBeGreaterThanOrEqual(4.5);
    expect(contrast(BADGE_INK, fill), 'shield on fill').toBeGreaterThanOrEqual(3);
    const glyph = icon === 'disagrees' ? DISAGREE_GLYPH : fill;
    expect(contrast(glyph, BADGE_INK), 'glyph on shield').toBeGreaterThanOrEqual(4.5);
  });

  for (const [theme, pages] of THEMES) {
    it.each(STATES)(`set a $severity badge off every ${theme} page by 3:1 or more`, ({ severity }) => {
      for (const [page, background] of Object.entries(pages)) {
        expect(edgeContrast(BADGE_TONES[severity], background), `${severity} on ${page} (${background})`).toBeGreaterThanOrEqual(3);
      }
    });

    it(`show keyboard focus on every ${theme} page by 3:1 or more`, () => {
      expect(contrast(FOCUS_RING, FOCUS_GAP)).toBeGreaterThanOrEqual(3);
      for (const [page, background] of Object.entries(pages)) {
        const seen = Math.max(contrast(FOCUS_RING, background), contrast(FOCUS_GAP, background));
        expect(seen, `focus ring on ${page} (${background})`).toBeGreaterThanOrEqual(3);
      }
    });
  }

  it('are the ones the style sheet draws, with a two-colour focus ring', () => {
    for (const tone of Object.values(BADGE_TONES)) expect(BADGE_CSS).toContain(tone);
    const focus = /\.badge:focus-visible \{([^}]*)\}/.exec(BADGE_CSS)?.[1] ?? '';
    expect(focus).toContain(`outline: 2px solid ${FOCUS_RING}`);
    expect(focus).toMatch(new RegExp(`box-shadow: [^;]*${FOCUS_GAP}`));
  });

  it('give way to a high-contrast mode’s colours, with the shield drawn in its text colour', () => {
    const forced = /@media \(forced-colors: active\) \{([\s\S]*?)\n\}/.exec(BADGE_CSS)?.[1] ?? '';
    expect(forced).toContain('.shield { fill: CanvasText; }');
    expect(forced).toContain('.glyph, .disagrees .glyph { stroke: Canvas; }');
  });
});

describe('the badge’s icon', () => {
  it('has a glyph of its own for every state, so shape tells them apart without colour', () => {
    const paths = Object.values(GLYPH_PATHS);
    expect(new Set(paths).size).toBe(paths.length);
    expect(badgeIcon('warn', false)).toBe('warn');
    expect(badgeIcon('critical', false)).toBe('critical');
    expect(badgeIcon('critical', true)).toBe('disagrees');
    expect(badgeIcon('checking', true)).toBe('checking');
  });

  it('is hidden from screen readers, which hear the pill’s label; the count is the only text', () => {
    const { pill } = newBadgeElement(document, '', () => undefined);
    fillBadge(pill, { label: 'Matrix Trust Guard: 2 unverified devices', details: 'details', count: '2' }, 'critical', true);
    const icon = pill.querySelector('svg');
    expect(icon?.getAttribute('aria-hidden')).toBe('true');
    expect(pill.querySelector('.glyph')?.getAttribute('d')).toBe(GLYPH_PATHS.disagrees);
    expect(pill.getAttribute('aria-label')).toBe('Matrix Trust Guard: 2 unverified devices');
    expect(pill.textContent).toBe('2');
    fillBadge(pill, { label: 'checking', details: 'details', count: '' }, 'checking');
    expect(pill.querySelector('.glyph')?.getAttribute('d')).toBe(GLYPH_PATHS.checking);
    expect(pill.textContent).toBe('');
  });
});
