import type { BannerSummary } from '../trust/pageWarnings';
import { BANNER_CSS, hostStyle } from './overlayStyle';
import { pageIsDarkBehind } from './pageTheme';
import { bannerText } from './warningText';

export const BANNER_HOST_ATTRIBUTE = 'data-mtg-banner';
/** The theme the banner took from the page ('dark' or 'light'; absent when the page paints no background). */
export const BANNER_THEME_ATTRIBUTE = 'data-mtg-theme';

/**
 * The passive banner above the composer while the open room has new warnings. It informs and
 * links to the extension: its Review button only asks the background to open the popup's
 * review of the room, because a page can fake clicks and acknowledging happens in extension
 * pages only (docs/architecture.md, threat model). "Hide" hides it in this tab until the warnings change.
 */
export class RoomBanner {
  private host: HTMLElement | undefined;
  private summary: BannerSummary | undefined;
  /** The second opinion: "Element Web shows 2 people as trusted whom Matrix Trust Guard warns about." */
  private disagreement: string | undefined;
  private hiddenFor: string | undefined;

  constructor(
    private readonly doc: Document,
    private readonly findAnchor: () => Element | undefined,
    private readonly onReview: (roomId: string) => void,
  ) {}

  show(summary: BannerSummary | undefined): void {
    this.summary = summary;
    this.render();
  }

  /** Adds (or takes away) the line saying the page's own shields disagree with the warnings. */
  showDisagreement(line: string | undefined): void {
    if (line === this.disagreement) return;
    this.disagreement = line;
    this.render();
  }

  /** There is something to say (the banner may be hidden by the user or gone from the page). */
  get wanted(): boolean {
    return this.summary !== undefined && this.hiddenFor !== keyOf(this.summary, this.disagreement);
  }

  /** Puts the banner back where it belongs if the page re-rendered around it or removed it. */
  keepInPlace(): void {
    if (!this.wanted) return;
    if (!this.host) return this.render();
    const anchor = this.findAnchor();
    if (anchor ? this.host.nextElementSibling !== anchor : !this.host.isConnected) this.render();
  }

  remove(): void {
    this.host?.remove();
    this.host = undefined;
  }

  get visible(): boolean {
    return this.host?.isConnected === true;
  }

  private render(): void {
    this.remove();
    const summary = this.summary;
    const disagreement = this.disagreement;
    if (!summary || this.hiddenFor === keyOf(summary, disagreement)) return;
    const anchor = this.findAnchor();
    const host = this.doc.createElement('div');
    host.setAttribute(BANNER_HOST_ATTRIBUTE, '');
    hostStyle(host, 'block');
    const shadow = host.attachShadow({ mode: 'closed' });
    const style = this.doc.createElement('style');
    style.textContent = BANNER_CSS;
    const text = bannerText(summary);
    const banner = this.doc.createElement('div');
    // In the page's own theme (its settings, not the system's): a light banner on a dark client glares.
    const dark = pageIsDarkBehind(anchor?.parentElement ?? this.doc.body);
    const theme = dark === undefined ? '' : dark ? ' on-dark' : ' on-light';
    banner.className = `banner ${summary.newWarnings.critical > 0 ? 'critical' : 'warn'}${anchor ? '' : ' floating'}${theme}`;
    if (dark !== undefined) host.setAttribute(BANNER_THEME_ATTRIBUTE, dark ? 'dark' : 'light');
    banner.setAttribute('role', 'status');
    const message = this.doc.createElement('span');
    message.className = 'message';
    message.textContent = text.message;
    if (disagreement !== undefined) {
      const second = this.doc.createElement('span');
      second.className = 'disagreement';
      second.textContent = disagreement;
      message.append(second);
    }
    const review = this.button('review', text.review, text.reviewLabel, () => this.onReview(summary.roomId));
    const hide = this.button('hide', '×', text.hide, () => {
      this.hiddenFor = keyOf(summary, disagreement);
      this.remove();
    });
    banner.append(message, review, hide);
    shadow.append(style, banner);
    if (anchor) anchor.before(host);
    else this.doc.body.append(host);
    this.host = host;
  }

  private button(className: string, label: string, accessibleLabel: string, action: () => void): HTMLButtonElement {
    const button = this.doc.createElement('button');
    button.type = 'button';
    button.className = className;
    button.textContent = label;
    button.setAttribute('aria-label', accessibleLabel);
    button.title = accessibleLabel;
    button.addEventListener('click', (event) => {
      // Only the user's own clicks count; a page cannot reach this closed root anyway.
      if (event.isTrusted) action();
    });
    return button;
  }
}

/** The banner comes back when anything it says changes: other members, other counts, a page that now disagrees. */
function keyOf(summary: BannerSummary, disagreement: string | undefined): string {
  return JSON.stringify([summary.roomId, summary.newWarnings, summary.members.map((member) => member.userId), disagreement ?? '']);
}
