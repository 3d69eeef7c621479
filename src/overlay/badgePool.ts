import { newBadgeElement } from './badgeElement';
import { BADGE_CSS } from './overlayStyle';

/** A badge off the page, ready to go on the next row. */
export interface SpareBadge {
  host: HTMLElement;
  pill: HTMLElement;
  /** What the pill says (the painter's key for it), so a badge reused for the same text is not refilled. */
  shown: string;
  /** The host's style as set: a host whose style differs was restyled by the page. */
  style: string;
}

/** About two screens of rows: what a fast scroll drops in one frame. */
const MAX_SPARE = 64;

/**
 * Badges taken off rows the page dropped, ready to go on the next row: a scrolling list drops
 * and adds rows every frame, and reusing a badge skips building its shadow root. New badges
 * share one parsed style sheet.
 */
export class BadgePool {
  private spare: SpareBadge[] = [];
  private readonly sheet: BadgeSheet;

  constructor(private readonly doc: Document) {
    this.sheet = new BadgeSheet(doc);
  }

  /** A spare badge, or a new one with `style`. */
  take(style: string): SpareBadge {
    return this.spare.pop() ?? { ...newBadgeElement(this.doc, style, (shadow) => this.sheet.applyTo(shadow)), shown: '', style };
  }

  /** Keeps a badge just removed from the page, unless the page touched it or the pool is full. */
  keep(badge: SpareBadge): void {
    if (this.spare.length < MAX_SPARE && untouched(badge.host, badge.style)) this.spare.push(badge);
  }

  clear(): void {
    this.spare = [];
  }
}

/** A host the page has not restyled or marked: a page may do that to one, never to a reused one. */
function untouched(host: HTMLElement, style: string): boolean {
  return host.attributes.length === 2 && host.getAttribute('style') === style;
}

/**
 * The badges' CSS, parsed once and shared by every badge's shadow root where the browser
 * lets a content script do that (Chromium, and Firefox ESR 153 as checked); a `<style>` per
 * badge otherwise: older Firefox refused constructed style sheets from content scripts
 * (bug 1770592), by throwing.
 */
class BadgeSheet {
  private shared: CSSStyleSheet | undefined;
  private adoptable = true;

  constructor(private readonly doc: Document) {}

  applyTo(shadow: ShadowRoot): void {
    if (this.adoptable) {
      try {
        if (!this.shared) {
          this.shared = new CSSStyleSheet();
          this.shared.replaceSync(BADGE_CSS);
        }
        shadow.adoptedStyleSheets = [this.shared];
        if (shadow.adoptedStyleSheets.length === 1) return;
      } catch {
        // Not allowed here: fall through to a style element, for this badge and every later one.
      }
      this.adoptable = false;
    }
    const style = this.doc.createElement('style');
    style.textContent = BADGE_CSS;
    shadow.append(style);
  }
}
