/**
 * Styles for what we draw in pages. They live inside closed shadow roots, so the page's CSS
 * cannot restyle our text and ours cannot leak into the page; only the host element is in the
 * page's tree, and it gets `all: initial` with `!important` so page rules cannot hide or move
 * it by accident. (A page that means to hide it can: the toolbar icon still tells the truth.)
 */

import { BADGE_HALO, BADGE_INK, BADGE_TONES, DISAGREE_GLYPH, FOCUS_GAP, FOCUS_RING, GLYPH_STROKE_WIDTH } from './badgeLook';

const SHARED = `
:host { all: initial; }
* { box-sizing: border-box; }
.warn { --tone: ${BADGE_TONES.warn}; --on-tone: ${BADGE_INK}; }
.critical { --tone: ${BADGE_TONES.critical}; --on-tone: ${BADGE_INK}; }
.checking { --tone: ${BADGE_TONES.checking}; --on-tone: ${BADGE_INK}; }
`;

/**
 * A badge is a chip 16 px high (a row never grows for it): the shield icon and the count, in
 * the palette of badgeLook.ts. Critical is square-cornered and framed, so it differs in shape
 * too, not only in colour and glyph; the frame and the halo are shadows, outside the layout.
 * High-contrast modes replace the fill with the page's own colours: the shield and the edge
 * follow them. Keyboard focus is a blue ring between white bands, seen on light and dark
 * pages. The details (the hover text, shown on click, tap or Enter) are placed under the pill
 * by the script. (Comments stay out of the sheet: it ships in the content script.)
 */
export const BADGE_CSS = `${SHARED}
.badge {
  --ring: 0 0 0 1px ${BADGE_HALO};
  display: flex; align-items: center; height: 16px; min-width: 16px; padding: 0 2px; border-radius: 8px;
  font: 700 11px/16px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; font-variant-numeric: tabular-nums;
  background: var(--tone); color: ${BADGE_INK}; box-shadow: var(--ring); white-space: nowrap;
  cursor: help; user-select: none;
}
.badge.warn { --tone: ${BADGE_TONES.warn}; }
.badge.checking { --tone: ${BADGE_TONES.checking}; }
.badge.critical { --tone: ${BADGE_TONES.critical}; --ring: 0 0 0 1px ${BADGE_HALO}, 0 0 0 2px var(--tone); border-radius: 3px; }
.icon { display: block; flex: none; width: 12px; height: 14px; }
.shield { fill: ${BADGE_INK}; }
.glyph { fill: none; stroke: var(--tone); stroke-width: ${GLYPH_STROKE_WIDTH}px; stroke-linecap: round; stroke-linejoin: round; }
.disagrees .glyph { stroke: ${DISAGREE_GLYPH}; }
.count { padding: 0 3px 0 2px; }
.count:empty { display: none; }
@media (forced-colors: active) {
  .badge { border: 1px solid CanvasText; }
  .shield { fill: CanvasText; }
  .glyph, .disagrees .glyph { stroke: Canvas; }
}
.badge:focus-visible { outline: 2px solid ${FOCUS_RING}; outline-offset: 1px; box-shadow: var(--ring), 0 0 0 4px ${FOCUS_GAP}; }
.details {
  position: fixed; inset: auto; margin: 0; max-width: 320px; padding: 6px 8px; border: 0; border-radius: 6px;
  background: #17191c; color: #ffffff; font: 12px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
  white-space: pre-line; text-align: start; z-index: 2147483647; box-shadow: 0 4px 16px rgb(0 0 0 / 25%);
}
.details[hidden] { display: none; }
`;

export const BANNER_CSS = `${SHARED}
.banner {
  display: flex; align-items: center; gap: 10px; margin: 6px 8px; padding: 8px 10px 8px 12px;
  border-radius: 8px; border: 1px solid var(--tone); border-inline-start-width: 4px;
  background: #fff8eb; color: #17191c;
  font: 13px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
}
.banner.critical { background: #fdeceb; }
.banner.on-dark { background: #2a2418; color: #eceef1; }
.banner.on-dark.critical { background: #2e1a19; }
@media (prefers-color-scheme: dark) {
  .banner:not(.on-light) { background: #2a2418; color: #eceef1; }
  .banner.critical:not(.on-light) { background: #2e1a19; }
}
.floating { position: fixed; inset-inline-end: 16px; bottom: 16px; max-width: 420px; margin: 0; z-index: 2147483647; box-shadow: 0 4px 16px rgb(0 0 0 / 25%); }
.message { flex: 1; min-width: 0; overflow-wrap: anywhere; }
.disagreement { display: block; margin-top: 2px; font-weight: 600; }
button {
  appearance: none; font: 600 13px/1.2 inherit; font-family: inherit; cursor: pointer; border-radius: 6px;
}
.review { border: 0; padding: 6px 12px; background: var(--tone); color: var(--on-tone); }
.hide { border: 0; padding: 4px 8px; background: transparent; color: inherit; font-size: 16px; line-height: 1; }
button:focus-visible { outline: 2px solid ${FOCUS_RING}; outline-offset: 2px; box-shadow: 0 0 0 4px ${FOCUS_GAP}; }
`;

/**
 * Keeps a host in the flow as a small inline box whatever the page's CSS says about spans.
 * Set as attribute text, so reading it back (to see whether the page restyled the host) returns
 * this short text instead of serialising `all` into hundreds of longhand properties.
 */
export function hostStyleText(display: 'inline-block' | 'inline-flex' | 'block', extra = ''): string {
  const margin = display === 'block' ? '0' : '4px';
  return `all: initial !important; display: ${display} !important; vertical-align: middle !important; margin-inline-start: ${margin} !important;${extra}`;
}

export function hostStyle(host: HTMLElement, display: 'inline-block' | 'block' = 'inline-block'): void {
  host.setAttribute('style', hostStyleText(display));
}
