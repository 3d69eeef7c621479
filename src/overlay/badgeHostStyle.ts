import { hostStyleText } from './overlayStyle';

/**
 * The host's style; `position: relative` gives the badge its own paint layer, so when the page
 * repaints around it (a list scrolling where the browser does not composite the scroller) the
 * badge's painting is reused, not redone. `align-self` centres a badge that lands in a flex row,
 * whose items would otherwise stretch to the row's height.
 */
export const BADGE_HOST_STYLE = hostStyleText('inline-block', ' position: relative !important; align-self: center !important;');

/**
 * The style of a badge that joins its anchor's flex row (placement 'in-row'): it closes up to
 * the anchor, taking back the row's gap, and its far margin takes the row's free space, so the
 * items after it (Cinny's time, at the far end of `justify-content: space-between`) stay where
 * they were. In a row that is not a flex row it is an ordinary badge after its anchor.
 */
export function inRowStyle(anchor: Element): string {
  const row = anchor.parentElement;
  const style = row && computedStyle(row);
  const direction = style?.flexDirection || 'row';
  if (!style || !isFlex(style) || !direction.startsWith('row')) return BADGE_HOST_STYLE;
  const gap = Number.parseFloat(style.columnGap) || 0;
  // In a reversed row the anchor is on the badge's inline end.
  const [near, far] = direction === 'row-reverse' ? ['end', 'start'] : ['start', 'end'];
  return `${BADGE_HOST_STYLE} margin-inline-${near}: ${4 - gap}px !important; margin-inline-${far}: auto !important;`;
}

/**
 * Whether `element` lays its children out in a reversed flex row, last child first. Element's
 * user info name line is one: a badge that is to follow the name there goes first.
 */
export function isReversedRow(element: Element): boolean {
  const style = computedStyle(element);
  return style !== undefined && isFlex(style) && style.flexDirection === 'row-reverse';
}

function computedStyle(element: Element): CSSStyleDeclaration | undefined {
  return element.ownerDocument.defaultView?.getComputedStyle(element);
}

function isFlex(style: CSSStyleDeclaration): boolean {
  return style.display === 'flex' || style.display === 'inline-flex';
}
