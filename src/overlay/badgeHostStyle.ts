import { hostStyleText } from './overlayStyle';

/**
 * The host's style; `position: relative` gives the badge its own paint layer, so when the page
 * repaints around it (a list scrolling where the browser does not composite the scroller) the
 * badge's painting is reused, not redone. `align-self` centres a badge that lands in a flex row,
 * whose items would otherwise stretch to the row's height. The host is a flex box around the
 * pill, exactly as tall as the pill: as an inline-block it also held a line of its own initial
 * font (16 px, `line-height: normal`), a few pixels taller than the pill, which grew Hydrogen's
 * sender line (and so every badged message) by 2 px.
 */
export const BADGE_HOST_STYLE = hostStyleText(
  'inline-flex',
  ' position: relative !important; align-items: center !important; align-self: center !important;',
);

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
 * The style of a badge after an inline box that clips its text (placement 'beside-box'). Such a
 * box sits on the line with its bottom edge on the baseline (CSS 2.1 §10.8.1: the baseline of an
 * inline-block whose overflow is not visible is its bottom margin edge), so `vertical-align:
 * middle` (the text's middle) put the badge about half the box's height too low. Here the host
 * is as tall as the box's line, aligned with the top of the line the box fills, and centres the
 * pill in itself: the badge's middle is the name's middle, whatever the pill's own height. It
 * takes the box's `order` too (Element's IRC layout orders the name second in a flex row) and
 * its `align-self` (a flex row aligns both alike). Any other anchor gets the ordinary badge.
 */
export function besideBoxStyle(anchor: Element, memo?: Map<string, string>): string {
  // Reading a computed style after the batch's earlier insertions forces the page's style to be
  // recomputed: in a batch, names of one kind in rows of one kind are read once (`memo`).
  const key = `${anchor.className}\u0000${anchor.parentElement?.className ?? ''}`;
  const known = memo?.get(key);
  if (known !== undefined) return known;
  const found = besideBoxStyleOf(anchor);
  memo?.set(key, found);
  return found;
}

function besideBoxStyleOf(anchor: Element): string {
  const style = computedStyle(anchor);
  if (!style?.display.startsWith('inline') || style.overflowX === 'visible') return BADGE_HOST_STYLE;
  const px = (value: string) => Number.parseFloat(value) || 0;
  const lineHeight = Number.parseFloat(style.lineHeight);
  if (!Number.isFinite(lineHeight)) return BADGE_HOST_STYLE;
  const height = lineHeight + px(style.paddingTop) + px(style.paddingBottom) + px(style.borderTopWidth) + px(style.borderBottomWidth);
  const extra = ` position: relative !important; align-items: center !important; vertical-align: top !important; height: ${height}px !important; order: ${style.order} !important; align-self: ${style.alignSelf} !important;`;
  return hostStyleText('inline-flex', extra);
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
