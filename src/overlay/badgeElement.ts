import type { MemberBadge } from '../trust/pageWarnings';
import { badgeIcon, GLYPH_PATHS, SHIELD_PATH, SHIELD_VIEW_BOX } from './badgeLook';
import type { BadgeText } from './warningText';

/** Marks our badge hosts in the page (the page sees this empty span; its content is closed). */
export const BADGE_HOST_ATTRIBUTE = 'data-mtg-badge';

/**
 * One badge as the page holds it: an empty host element in the page, and in its closed shadow
 * root a pill (an icon and a count, with what the badge says as its accessible label) and its
 * details (the hover text, shown on click or key too, for touch and keyboard users who never hover).
 */
export interface BadgeElement {
  host: HTMLElement;
  pill: HTMLElement;
}

/**
 * Events that stop at the host: a click, tap or key on a badge is for the badge alone. Badges
 * sit next to, and sometimes inside, the page's own controls (Cinny's member rows are buttons,
 * Element's sender names insert a mention when clicked), and the page listens for these on
 * ancestors or at its root (React delegates there). The page's capture-phase listeners at the
 * document still see them; they run before the event reaches us, which is why adapters place
 * badges outside clickable names wherever the layout allows.
 */
const CONTAINED_EVENTS = [
  'click',
  'dblclick',
  'auxclick',
  'contextmenu',
  'mousedown',
  'mouseup',
  'pointerdown',
  'pointerup',
  'touchstart',
  'touchend',
  'keydown',
  'keyup',
  'keypress',
] as const;

function containAtHost(event: Event): void {
  event.stopPropagation();
  // A badge inside a link or a form's button must not follow or submit it either.
  if (event.type === 'click' || event.type === 'auxclick') event.preventDefault();
}

export function newBadgeElement(doc: Document, hostStyle: string, applySheet: (shadow: ShadowRoot) => void): BadgeElement {
  const host = doc.createElement('span');
  host.setAttribute(BADGE_HOST_ATTRIBUTE, '');
  host.setAttribute('style', hostStyle);
  for (const type of CONTAINED_EVENTS) host.addEventListener(type, containAtHost);
  const shadow = host.attachShadow({ mode: 'closed' });
  applySheet(shadow);
  const pill = pillPrototype(doc).cloneNode(true) as HTMLElement;
  const details = doc.createElement('span');
  details.className = 'details';
  details.setAttribute('role', 'tooltip');
  details.hidden = true;
  const usePopover = typeof details.showPopover === 'function';
  // In the top layer, the details are never clipped by a scrolling list or a translated row.
  if (usePopover) details.setAttribute('popover', 'manual');
  const show = (open: boolean) => {
    pill.setAttribute('aria-expanded', String(open));
    details.hidden = !open;
    if (!usePopover) return;
    if (open) {
      details.showPopover();
      placeDetails(details, pill);
    } else if (details.matches(':popover-open')) {
      details.hidePopover();
    }
  };
  pill.addEventListener('click', () => show(pill.getAttribute('aria-expanded') !== 'true'));
  pill.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      show(pill.getAttribute('aria-expanded') !== 'true');
    } else if (event.key === 'Escape') {
      show(false);
    }
  });
  pill.addEventListener('blur', () => show(false));
  shadow.append(pill, details);
  return { host, pill };
}

/**
 * Under the pill, kept inside the window: a badge at the window's right edge (Element's member
 * list) opens its details leftwards, and one near the bottom opens them above it.
 */
function placeDetails(details: HTMLElement, pill: HTMLElement): void {
  const box = pill.getBoundingClientRect();
  const view = pill.ownerDocument.documentElement;
  const margin = 4;
  // At the left edge first, so the details take their natural width before they are measured.
  details.style.left = '0px';
  details.style.top = '0px';
  const { width, height } = details.getBoundingClientRect();
  const left = Math.min(box.left, view.clientWidth - width - margin);
  const below = box.bottom + margin;
  const top = below + height > view.clientHeight && box.top - margin - height >= 0 ? box.top - margin - height : below;
  details.style.left = `${Math.max(0, left)}px`;
  details.style.top = `${top}px`;
}

const SVG = 'http://www.w3.org/2000/svg';
const prototypes = new WeakMap<Document, HTMLElement>();

/**
 * An empty pill (focusable, a button for screen readers, the icon and the count), built once
 * per page and cloned for each badge: a big room places hundreds of badges in one frame, and a
 * clone costs a fraction of building the shield's SVG element by element.
 */
function pillPrototype(doc: Document): HTMLElement {
  const known = prototypes.get(doc);
  if (known) return known;
  const pill = doc.createElement('span');
  pill.tabIndex = 0;
  pill.setAttribute('role', 'button');
  pill.setAttribute('aria-expanded', 'false');
  const count = doc.createElement('span');
  count.className = 'count';
  pill.append(newIcon(doc), count);
  prototypes.set(doc, pill);
  return pill;
}

/** The shield with its glyph (badgeLook.ts), drawn for the eye only: the pill's label says it all. */
function newIcon(doc: Document): SVGSVGElement {
  const icon = doc.createElementNS(SVG, 'svg');
  icon.setAttribute('class', 'icon');
  icon.setAttribute('viewBox', SHIELD_VIEW_BOX);
  icon.setAttribute('aria-hidden', 'true');
  const shield = doc.createElementNS(SVG, 'path');
  shield.setAttribute('class', 'shield');
  shield.setAttribute('d', SHIELD_PATH);
  const glyph = doc.createElementNS(SVG, 'path');
  glyph.setAttribute('class', 'glyph');
  icon.append(shield, glyph);
  return icon;
}

/** Fills a badge with what it says now (text only: names are anyone's text). */
export function fillBadge(pill: HTMLElement, text: BadgeText, severity: MemberBadge['severity'], disagrees = false): void {
  pill.className = disagrees ? `badge ${severity} disagrees` : `badge ${severity}`;
  pill.setAttribute('aria-label', text.label);
  pill.title = text.details;
  // The pill's children as pillPrototype made them: the icon (shield, glyph), then the count.
  const glyph = GLYPH_PATHS[badgeIcon(severity, disagrees)];
  const path = pill.firstElementChild?.lastElementChild;
  if (path && path.getAttribute('d') !== glyph) path.setAttribute('d', glyph);
  const count = pill.lastElementChild;
  if (count && count.textContent !== text.count) count.textContent = text.count;
  const details = pill.nextElementSibling;
  if (details) details.textContent = text.details;
}
