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

interface Spare {
  host: HTMLElement;
  pill: HTMLElement;
  /** The shownKey of what the pill says, so a badge reused for the same text is not refilled. */
  shown: string;
}

/** About two screens of rows: what a fast scroll drops in one frame. */
const MAX_SPARE = 64;

export interface Frames {
  request(callback: () => void): number;
  cancel(handle: number): void;
  /** The clock batches are timed with (tests replace it to make a batch run out of time). */
  now?(): number;
}

/**
 * How long one frame's batch may keep placing badges. A frame is 16 ms and the page needs
 * most of it: a 1,000-member room's first pass is spread over a few frames instead of one
 * long one. Each batch places at least MIN_PER_BATCH, so a slow machine still gets there.
 */
export const BATCH_BUDGET_MS = 6;
const MIN_PER_BATCH = 32;

/**
 * Puts a badge after every node that stands for a member with new warnings, and keeps it
 * there while the page's lists scroll, recycle rows and switch rooms (DESIGN.md, in-page UI):
 * a MutationObserver notes which items changed, and once per animation frame only those are
 * looked at again; the whole document is scanned only when the warnings themselves change.
 * Reading the page and removing wrong badges happen at once; placing new badges is spread
 * over frames (BATCH_BUDGET_MS). Badges live in closed shadow roots and get their text
 * through `textContent` only.
 */
export class BadgePainter {
  private warnings = new Map<string, MemberBadge>();
  private readonly badgeOf = new WeakMap<Element, HTMLElement>();
  private readonly badges = new Map<HTMLElement, Badge>();
  /** Elements the page changed in place, and elements it added, since the last frame. */
  private readonly dirty = new Set<Element>();
  private readonly added = new Set<Element>();
  /** The page removed nodes: badges that went with them are forgotten at the next frame. */
  private sweepNeeded = false;
  /**
   * Badges taken off rows the page dropped, ready to go on the next row: a scrolling list
   * drops and adds rows every frame, and reusing a badge skips building its shadow root.
   */
  private spare: Spare[] = [];
  private hostStyleText: string | null | undefined;
  /** Anchors found but not yet given their badge, in page order. */
  private queue: UserAnchor[] = [];
  private wholeDocument = false;
  private started = false;
  private watching = false;
  private frame: number | undefined;
  private readonly observer: MutationObserver;
  private readonly sheet: BadgeSheet;
  private readonly now: () => number;
  /** Time spent in the last batch, and the longest so far (read by the benchmark). */
  lastBatchMs = 0;
  longestBatchMs = 0;

  constructor(
    private readonly doc: Document,
    private readonly adapter: ClientAdapter,
    private readonly frames: Frames = { request: (callback) => requestAnimationFrame(callback), cancel: (handle) => cancelAnimationFrame(handle) },
  ) {
    this.observer = new MutationObserver((records) => this.noteChanges(records));
    this.sheet = new BadgeSheet(doc);
    this.now = frames.now?.bind(frames) ?? (() => performance.now());
  }

  start(): void {
    this.started = true;
    this.watchWhileWarned();
    this.scheduleWholeDocument();
  }

  /** The open room's members with new warnings, by user id (empty: no badges). */
  show(warnings: Map<string, MemberBadge>): void {
    this.warnings = warnings;
    this.watchWhileWarned();
    this.scheduleWholeDocument();
  }

  /**
   * Watching the page costs it time on every change it makes; with nobody to badge there is
   * nothing to watch for (the usual case: a room without new warnings). The pass that
   * show() schedules takes away any badge left.
   */
  private watchWhileWarned(): void {
    const needed = this.started && this.warnings.size > 0;
    if (needed && !this.watching) {
      this.observer.observe(this.doc.documentElement, {
        childList: true,
        subtree: true,
        characterData: true,
        attributes: true,
        attributeFilter: WATCHED_ATTRIBUTES,
      });
    } else if (!needed && this.watching) {
      this.observer.disconnect();
      this.dirty.clear();
      this.added.clear();
    }
    this.watching = needed;
  }

  /** Removes every badge and stops watching (the room closed, or the extension went away). */
  stop(): void {
    this.started = false;
    this.watching = false;
    this.observer.disconnect();
    if (this.frame !== undefined) this.frames.cancel(this.frame);
    this.frame = undefined;
    for (const host of [...this.badges.keys()]) this.remove(host);
    this.dirty.clear();
    this.added.clear();
    this.sweepNeeded = false;
    this.queue = [];
    this.spare = [];
  }

  /** How many badges are on the page now. */
  get count(): number {
    return this.badges.size;
  }

  /** Anchors still waiting for their badge (the pass goes on in the next frames). */
  get pending(): number {
    return this.queue.length;
  }

  /** Paints everything now instead of frame by frame (tests). */
  flush(): void {
    if (this.frame !== undefined) this.frames.cancel(this.frame);
    this.frame = undefined;
    this.paint(Number.POSITIVE_INFINITY);
  }

  private scheduleWholeDocument(): void {
    this.wholeDocument = true;
    this.schedule();
  }

  private schedule(): void {
    this.frame ??= this.frames.request(() => {
      this.frame = undefined;
      this.paint(BATCH_BUDGET_MS);
    });
  }

  private noteChanges(records: MutationRecord[]): void {
    for (const record of records) {
      if (this.isOurs(record.target)) continue;
      const element = record.target instanceof Element ? record.target : record.target.parentElement;
      if (record.type === 'childList') {
        if (this.onlyOurOwnDoing(record)) continue;
        for (const node of record.removedNodes) this.forgetRemoved(node);
        if (record.removedNodes.length > 0) this.sweepNeeded = true;
        // Rows added to a list are looked at on their own, not the whole list again (a
        // scrolling list adds a few rows per frame to hundreds); a change inside an item
        // has the item looked at again.
        if (element && element.closest(this.itemSelector) === null) {
          for (const node of record.addedNodes) if (node instanceof Element && !this.isOurs(node)) this.added.add(node);
          continue;
        }
      }
      if (element) this.dirty.add(element);
    }
    if (this.dirty.size > 0 || this.added.size > 0 || this.sweepNeeded) this.schedule();
  }

  private paint(budgetMs: number): void {
    const started = this.now();
    if (this.wholeDocument) {
      this.wholeDocument = false;
      this.dirty.clear();
      this.queue = [];
      this.added.clear();
      this.reconcile([this.doc]);
    } else if (this.dirty.size > 0 || this.added.size > 0) {
      const roots = this.rootsOf();
      this.dirty.clear();
      this.added.clear();
      this.reconcile(roots);
    } else if (this.sweepNeeded) {
      this.forgetDisconnected();
    }
    this.placeQueued(started, budgetMs);
    if (this.queue.length > 0) this.schedule();
    this.lastBatchMs = this.now() - started;
    this.longestBatchMs = Math.max(this.longestBatchMs, this.lastBatchMs);
  }

  /**
   * The items around what changed, outermost only, so nothing is looked at twice: an added
   * element on its own (or the item it landed in), a changed one with its parent, which is
   * where an adapter reads the user from when the changed node is not inside an item.
   */
  private rootsOf(): Element[] {
    const roots = new Set<Element>();
    for (const element of this.added) {
      if (element.isConnected) roots.add(element.closest(this.itemSelector) ?? element);
    }
    for (const element of this.dirty) {
      if (element.isConnected) roots.add(element.closest(this.itemSelector) ?? element.parentElement ?? element);
    }
    return [...roots].filter((root) => root.parentNode === null || !within(root.parentNode, roots));
  }

  private get itemSelector(): string {
    return this.adapter.itemSelector ?? ':not(*)';
  }

  /**
   * Makes the badges within `roots` match what the adapter finds there, in two steps. At once:
   * no badge stays anywhere it is wrong (on a member without warnings, on a recycled row that
   * now names someone else, on a node the page dropped). Then, queued for placing: a badge
   * after each anchor of a warned member, and fresh text on badges whose warning changed.
   * One pass over the badges for all roots: a scrolling list adds many rows per frame.
   */
  private reconcile(roots: ParentNode[]): void {
    const userAt = new Map<Element, string>();
    for (const root of roots) {
      for (const anchor of this.adapter.findUsers(root)) {
        if (!this.warnings.has(anchor.userId)) continue;
        userAt.set(anchor.anchor, anchor.userId);
        this.queue.push(anchor);
      }
    }
    const rootSet = new Set<Node>(roots);
    this.sweepNeeded = false;
    for (const [host, badge] of this.badges) {
      if (!host.isConnected || !badge.anchor.isConnected) this.remove(host);
      else if (userAt.get(badge.anchor) !== badge.userId && within(badge.anchor, rootSet)) this.remove(host);
    }
  }

  /** Badges that left the page with a row the page dropped. */
  private forgetDisconnected(): void {
    this.sweepNeeded = false;
    for (const [host, badge] of this.badges) {
      if (!host.isConnected || !badge.anchor.isConnected) this.remove(host);
    }
  }

  private placeQueued(started: number, budgetMs: number): void {
    let placed = 0;
    let index = 0;
    for (; index < this.queue.length; index++) {
      if (placed >= MIN_PER_BATCH && this.now() - started >= budgetMs) break;
      const { anchor, placement = 'after', userId } = this.queue[index] as UserAnchor;
      const warning = this.warnings.get(userId);
      // Things may have moved on since it was queued: the page dropped the node, or the report changed.
      if (!warning || !anchor.isConnected) continue;
      this.place(anchor, placement, userId, warning);
      placed++;
    }
    this.queue = index >= this.queue.length ? [] : this.queue.slice(index);
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
    const { host, pill, shown } = this.spare.pop() ?? this.newBadge();
    if (shown !== shownKey) fill(pill, text.pill, text.label, text.details, warning.severity);
    if (placement === 'after') anchor.after(host);
    else anchor.append(host);
    this.badgeOf.set(anchor, host);
    this.badges.set(host, { anchor, userId, shownKey, pill });
    return host;
  }

  private newBadge(): Spare {
    const host = this.doc.createElement('span');
    host.setAttribute(BADGE_HOST_ATTRIBUTE, '');
    hostStyle(host);
    this.hostStyleText ??= host.getAttribute('style');
    const shadow = host.attachShadow({ mode: 'closed' });
    this.sheet.applyTo(shadow);
    const pill = this.doc.createElement('span');
    shadow.append(pill);
    return { host, pill, shown: '' };
  }

  private remove(host: HTMLElement): void {
    const badge = this.badges.get(host);
    this.badges.delete(host);
    if (badge && this.badgeOf.get(badge.anchor) === host) this.badgeOf.delete(badge.anchor);
    host.remove();
    if (badge && this.spare.length < MAX_SPARE && this.untouched(host)) this.spare.push({ host, pill: badge.pill, shown: badge.shownKey });
  }

  /** A host the page has not restyled or marked: a page may do that to one, never to a reused one. */
  private untouched(host: HTMLElement): boolean {
    return host.attributes.length === 2 && host.getAttribute('style') === this.hostStyleText;
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

/** Whether `node` is one of `roots` or inside one: a walk up its ancestors, not a search of every root. */
function within(node: Node, roots: ReadonlySet<Node>): boolean {
  for (let current: Node | null = node; current !== null; current = current.parentNode) if (roots.has(current)) return true;
  return false;
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

function fill(pill: HTMLElement, text: string, label: string, details: string, severity: MemberBadge['severity']): void {
  pill.className = `badge ${severity}`;
  pill.setAttribute('role', 'img');
  pill.setAttribute('aria-label', label);
  pill.title = details;
  pill.textContent = text;
}
