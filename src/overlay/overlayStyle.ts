/**
 * Styles for what we draw in pages. They live inside closed shadow roots, so the page's CSS
 * cannot restyle our text and ours cannot leak into the page; only the host element is in the
 * page's tree, and it gets `all: initial` with `!important` so page rules cannot hide or move
 * it by accident. (A page that means to hide it can: the toolbar icon still tells the truth.)
 */

const SHARED = `
:host { all: initial; }
* { box-sizing: border-box; }
.warn { --tone: #f0a640; --on-tone: #1b1300; }
.critical { --tone: #c4271b; --on-tone: #ffffff; }
.checking { --tone: #5c6470; --on-tone: #ffffff; }
`;

export const BADGE_CSS = `${SHARED}
.badge {
  display: inline-block; min-width: 16px; padding: 0 5px; border-radius: 8px;
  font: 700 11px/16px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
  background: var(--tone); color: var(--on-tone); text-align: center; white-space: nowrap;
  cursor: help; user-select: none;
}
/* Critical is a square-cornered badge with a ring, so it differs in shape, not only colour. */
.badge.critical { border-radius: 3px; box-shadow: 0 0 0 1.5px #ffffff, 0 0 0 3px var(--tone); }
/* Checking is neutral and hollow: a question, not a warning, and never the ok colour. */
.badge.checking { background: transparent; color: var(--tone); border: 1.5px dashed var(--tone); line-height: 13px; }
/* The page shows this member as verified while we warn: a violet ring of its own, next to the ≠ in the pill. */
.badge.disagrees { box-shadow: 0 0 0 1.5px #ffffff, 0 0 0 3.5px #6b3fd4; }
.badge:focus-visible { outline: 2px solid #3b63c4; outline-offset: 2px; }
/* The hover text, shown on click, tap or Enter: placed under the pill by the script. */
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
@media (prefers-color-scheme: dark) {
  .banner { background: #2a2418; color: #eceef1; }
  .banner.critical { background: #2e1a19; }
}
.floating { position: fixed; inset-inline-end: 16px; bottom: 16px; max-width: 420px; margin: 0; z-index: 2147483647; box-shadow: 0 4px 16px rgb(0 0 0 / 25%); }
.message { flex: 1; min-width: 0; overflow-wrap: anywhere; }
.disagreement { display: block; margin-top: 2px; font-weight: 600; }
button {
  appearance: none; font: 600 13px/1.2 inherit; font-family: inherit; cursor: pointer; border-radius: 6px;
}
.review { border: 0; padding: 6px 12px; background: var(--tone); color: var(--on-tone); }
.hide { border: 0; padding: 4px 8px; background: transparent; color: inherit; font-size: 16px; line-height: 1; }
button:focus-visible { outline: 2px solid #3b63c4; outline-offset: 2px; }
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
