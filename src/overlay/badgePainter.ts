import type { ClientAdapter, UserAnchor } from '../clients/clientAdapter';
import type { MemberBadge } from '../trust/pageWarnings';
import { BADGE_CSS, hostStyle } from './overlayStyle';
import { badgeText } from './warningText';

/** Marks our badge hosts in the page (the page sees this empty span; its content is closed). */
export const BADGE_HOST_ATTRIBUTE = 'data-mtg-badge';

/**
 * Attributes that, when a page's virtualised list recycles a row, change to name another user.
 * Watching these (and text and children) is enough to notice every recycle in the clients we
 * understand, without waking up on every style or class change the page makes.
 */
const WATCHED_ATTRIBUTES = ['href', 'title', 'data-user-id', 'data-event-id', 'aria-label', 'data-mx-user-id'];

interface Badge {
  anchor: Element;
  userId: string;
  /** What the badge says now; a change of report repaints only badges whose text changed. */
  shownKey: string;
  pill: HTMLElement;
}

export interface Frames {
  request(callback: () => void): number;
  cancel(handle: number): void;
}

/**
 * Puts a badge after every node that stands for a member with new warnings, and keeps it
 * there while the page's lists scroll, recycle rows and switch rooms (DESIGN.md, in-page UI):
 * a MutationObserver notes which items changed, and once per animation frame only those are
 * looked at again; the whole document is scanned only when the warnings themselves change.
 * Badges live in closed shadow roots and get their text through `textContent` only.
 */
export class BadgePainter {
  private warnings = new Map<string, MemberBadge>();
  private readonly badgeOf = new WeakMap<Element, HTMLElement>();
  private readonly badges = new Map<HTMLElement, Badge>();
  private readonly dirty = new Set<Element>();
  private wholeDocument = false;
  private frame: number | undefined;
  private readonly observer: MutationObserver;
  /** Time spent in the last batch, and the longest so far (read by the benchmark). */
  lastBatchMs = 0;
  longestBatchMs = 0;

  constructor(
    private readonly doc: Document,
    private readonly adapter: ClientAdapter,
    private readonly frames: Frames = { request: (callback) => requestAnimationFrame(callback), cancel: (handle) => cancelAnimationFrame(handle) },
  ) {
    this.observer = new MutationObserver((records) => this.noteChanges(records));
  }

  start(): void {
    this.observer.observe(this.doc.documentElement, {
      childList: true,
      subtree: true,
      characterData: true,
      attributes: true,
      attributeFilter: WATCHED_ATTRIBUTES,
    });
    this.scheduleWholeDocument();
  }

  /** The open room's members with new warnings, by user id (empty: no badges). */
  show(warnings: Map<string, MemberBadge>): void {
    this.warnings = warnings;
    this.scheduleWholeDocument();
  }

  /** Removes every badge and stops watching (the room closed, or the extension went away). */
  stop(): void {
    this.observer.disconnect();
    if (this.frame !== undefined) this.frames.cancel(this.frame);
    this.frame = undefined;
    for (const host of [...this.badges.keys()]) this.remove(host);
    this.dirty.clear();
  }

  /** How many badges are on the page now. */
  get count(): number {
    return this.badges.size;
  }

  /** Paints now instead of at the next frame (tests and the benchmark). */
  flush(): void {
    if (this.frame !== undefined) this.frames.cancel(this.frame);
    this.frame = undefined;
    this.paint();
  }

  private scheduleWholeDocument(): void {
    this.wholeDocument = true;
    this.schedule();
  }

  private schedule(): void {
    this.frame ??= this.frames.request(() => {
      this.frame = undefined;
      this.paint();
    });
  }

  private noteChanges(records: MutationRecord[]): void {
    for (const record of records) {
      if (this.isOurs(record.target)) continue;
      if (record.type === 'childList') {
        if (this.onlyOurOwnDoing(record)) continue;
        for (const node of record.removedNodes) this.forgetRemoved(node);
      }
      const element = record.target instanceof Element ? record.target : record.target.parentElement;
      if (element) this.dirty.add(element);
    }
    if (this.dirty.size > 0) this.schedule();
  }

  private paint(): void {
    const started = performance.now();
    if (this.wholeDocument) {
      this.wholeDocument = false;
      this.dirty.clear();
      this.paintWithin(this.doc, this.adapter.findUsers(this.doc));
    } else if (this.dirty.size > 0) {
      for (const root of this.rootsOf(this.dirty)) this.paintWithin(root, this.adapter.findUsers(root));
      this.dirty.clear();
    }
    this.lastBatchMs = performance.now() - started;
    this.longestBatchMs = Math.max(this.longestBatchMs, this.lastBatchMs);
  }

  /** The items around what changed, outermost only, so nothing is looked at twice. */
  private rootsOf(changed: Set<Element>): Element[] {
    const roots = new Set<Element>();
    for (const element of changed) {
      if (!element.isConnected) continue;
      roots.add(element.closest(this.itemSelector) ?? element.parentElement ?? element);
    }
    return [...roots].filter((root) => ![...roots].some((other) => other !== root && other.contains(root)));
  }

  private get itemSelector(): string {
    return this.adapter.itemSelector ?? ':not(*)';
  }

  /**
   * Makes the badges within `root` match what the adapter found there: right badge after each
   * anchor of a warned member, none anywhere else (a recycled row loses its old badge).
   */
  private paintWithin(root: ParentNode, found: UserAnchor[]): void {
    const keep = new Set<HTMLElement>();
    for (const { anchor, userId, placement = 'after' } of found) {
      const warning = this.warnings.get(userId);
      if (!warning) continue;
      keep.add(this.place(anchor, placement, userId, warning));
    }
    for (const [host, badge] of this.badges) {
      if (keep.has(host)) continue;
      if (!host.isConnected || !badge.anchor.isConnected || root.contains(badge.anchor)) this.remove(host);
    }
  }

  private place(anchor: Element, placement: 'after' | 'inside', userId: string, warning: MemberBadge): HTMLElement {
    const text = badgeText(warning);
    const shownKey = `${userId}\n${text.pill}\n${text.details}\n${warning.severity}`;
    const existing = this.badgeOf.get(anchor);
    const badge = existing && this.badges.get(existing);
    const inPlace = placement === 'after' ? anchor.nextSibling === existing : existing?.parentNode === anchor;
    if (existing && badge && existing.isConnected && inPlace) {
      if (badge.shownKey !== shownKey) {
        fill(badge.pill, text.pill, text.label, text.details, warning.severity);
        badge.shownKey = shownKey;
        badge.userId = userId;
      }
      return existing;
    }
    if (existing) this.remove(existing);
    const host = this.doc.createElement('span');
    host.setAttribute(BADGE_HOST_ATTRIBUTE, '');
    hostStyle(host);
    const shadow = host.attachShadow({ mode: 'closed' });
    const style = this.doc.createElement('style');
    style.textContent = BADGE_CSS;
    const pill = this.doc.createElement('span');
    fill(pill, text.pill, text.label, text.details, warning.severity);
    shadow.append(style, pill);
    if (placement === 'after') anchor.after(host);
    else anchor.append(host);
    this.badgeOf.set(anchor, host);
    this.badges.set(host, { anchor, userId, shownKey, pill });
    return host;
  }

  private remove(host: HTMLElement): void {
    const badge = this.badges.get(host);
    this.badges.delete(host);
    if (badge && this.badgeOf.get(badge.anchor) === host) this.badgeOf.delete(badge.anchor);
    host.remove();
  }

  /**
   * An anchor the page removed takes its badge with it, wherever the page left the badge; a
   * badge the page removed is forgotten, and put back when its item is looked at again.
   */
  private forgetRemoved(node: Node): void {
    if (!(node instanceof Element)) return;
    const host = this.badgeOf.get(node) ?? (this.badges.has(node as HTMLElement) ? (node as HTMLElement) : undefined);
    if (host) this.remove(host);
  }

  private isOurs(node: Node): boolean {
    return node instanceof Element && node.hasAttribute(BADGE_HOST_ATTRIBUTE);
  }

  /** We added badges, or removed ones we no longer track: nothing of the page's changed. */
  private onlyOurOwnDoing(record: MutationRecord): boolean {
    for (const node of record.addedNodes) if (!this.isOurs(node)) return false;
    for (const node of record.removedNodes) if (!this.isOurs(node) || this.badges.has(node as HTMLElement)) return false;
    return true;
  }
}

function fill(pill: HTMLElement, text: string, label: string, details: string, severity: MemberBadge['severity']): void {
  pill.className = `badge ${severity}`;
  pill.setAttribute('role', 'img');
  pill.setAttribute('aria-label', label);
  pill.title = details;
  pill.textContent = text;
}
