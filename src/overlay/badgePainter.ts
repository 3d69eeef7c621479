// Over 300 lines on purpose: the observer, the frame batches and the badge map share state; the
// parts that stand alone are badgePool, burstGate and badgeHostStyle.
import type { ClientAdapter, UserAnchor } from '../clients/clientAdapter';
import type { ShieldPlace, ShieldState } from '../model/pageShield';
import { disagreementsIn, disagrees, type ShieldReading } from '../trust/pageDisagreement';
import type { MemberBadge } from '../trust/pageWarnings';
import { BADGE_HOST_ATTRIBUTE, fillBadge } from './badgeElement';
import { BADGE_HOST_STYLE, besideBoxStyle, inRowStyle, isReversedRow } from './badgeHostStyle';
import { BadgePool } from './badgePool';
import { BurstGate } from './burstGate';
import { badgeText, disagreeingBadgeText } from './warningText';

export { BADGE_HOST_ATTRIBUTE };

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
  /** The host's style as we set it: a host whose style differs was restyled by the page. */
  style: string;
  /** What the page's own indicator next to the anchor said when the badge was filled. */
  shield: ShieldState;
  place: UserAnchor['place'];
}

export interface Frames {
  request(callback: () => void): number;
  cancel(handle: number): void;
  /** The clock batches and bursts are timed with (tests replace it to make a batch run out of time). */
  now?(): number;
}

/** What a painter tells whoever watches it; production watches `painted`, the benchmark `batch`. */
export interface PainterHooks {
  /** After a frame that placed badges (the page reports what reached the screen). */
  painted?(): void;
  /** After every batch: the time it took, the badges it placed, and the anchors and held-back items still waiting. */
  batch?(batch: { ms: number; placed: number; pending: number }): void;
  /** After a frame that changed whom the page shows as trusted while we warn about them (see pageDisagreement). */
  disagreements?(found: ReadonlyMap<string, ShieldPlace[]>): void;
}

/** The browser's animation frames: one batch of badge work per frame the page draws. */
export const ANIMATION_FRAMES: Frames = {
  request: (callback) => requestAnimationFrame(callback),
  cancel: (handle) => cancelAnimationFrame(handle),
};

/**
 * How long one frame's batch may keep placing badges. A frame is 16 ms and the page needs
 * most of it: a 1,000-member room's first pass is spread over a few frames instead of one
 * long one. Each batch places at least MIN_PER_BATCH, so a slow machine still gets there.
 */
export const BATCH_BUDGET_MS = 6;
const MIN_PER_BATCH = 32;

/**
 * Puts a badge after every node that stands for a member with new warnings, and keeps it
 * there while the page's lists scroll, recycle rows and switch rooms (docs/architecture.md):
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
  /** Anchors found but not yet given their badge, in page order. */
  private queue: UserAnchor[] = [];
  /** Items a burst added or changed, held back until they have stayed (see BurstGate). */
  private readonly gate: BurstGate;
  private readonly pool: BadgePool;
  private wholeDocument = false;
  private started = false;
  private watching = false;
  private frame: number | undefined;
  private readonly observer: MutationObserver;
  /** Watches the page's own shields next to our badges: a shield turning green changes no child or watched attribute. */
  private readonly shieldObserver: MutationObserver;
  /** Something a disagreement depends on may have changed since the last frame. */
  private shieldsChanged = false;
  /** The disagreements last reported, as a key: the hook hears only of changes. */
  private reportedDisagreements = '';
  private readonly now: () => number;

  constructor(
    private readonly doc: Document,
    private readonly adapter: ClientAdapter,
    private readonly frames: Frames = ANIMATION_FRAMES,
    private readonly hooks: PainterHooks = {},
  ) {
    this.observer = new MutationObserver((records) => this.noteChanges(records));
    this.shieldObserver = new MutationObserver((records) => {
      for (const record of records) if (record.target instanceof Element) this.dirty.add(record.target);
      this.shieldsChanged = true;
      this.schedule();
    });
    this.now = frames.now?.bind(frames) ?? (() => performance.now());
    this.gate = new BurstGate(this.now);
    this.pool = new BadgePool(doc);
  }

  start(): void {
    this.started = true;
    this.watchWhileWarned();
    this.scheduleWholeDocument();
  }

  /** The open room's members with new warnings, by user id (empty: no badges). */
  show(warnings: Map<string, MemberBadge>): void {
    this.warnings = warnings;
    this.shieldsChanged = true;
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
      this.shieldObserver.disconnect();
      this.dirty.clear();
      this.added.clear();
      this.gate.clear();
    }
    this.watching = needed;
  }

  /** Removes every badge and stops watching (the room closed, or the extension went away). */
  stop(): void {
    this.started = false;
    this.watching = false;
    this.observer.disconnect();
    this.shieldObserver.disconnect();
    if (this.frame !== undefined) this.frames.cancel(this.frame);
    this.frame = undefined;
    for (const host of [...this.badges.keys()]) this.remove(host);
    this.dirty.clear();
    this.added.clear();
    this.queue = [];
    this.gate.clear();
    this.pool.clear();
  }

  /** How many badges are on the page now. */
  get count(): number {
    return this.badges.size;
  }

  /** The members whose badge is on the page now, with what it says (a warning, or checking). */
  shownUsers(): Map<string, MemberBadge['severity']> {
    const shown = new Map<string, MemberBadge['severity']>();
    for (const [host, badge] of this.badges) {
      const severity = this.warnings.get(badge.userId)?.severity;
      if (severity !== undefined && host.isConnected) shown.set(badge.userId, severity);
    }
    return shown;
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
    // A scrolling list removes and adds its rows one by one: many records, one list.
    const inItem = new Map<Element, boolean>();
    for (const record of records) {
      if (this.isOurs(record.target)) continue;
      const element = record.target instanceof Element ? record.target : record.target.parentElement;
      if (record.type === 'childList') {
        if (this.onlyOurOwnDoing(record)) continue;
        for (const node of record.removedNodes) this.forgetRemoved(node);
        // Rows added to a list are looked at on their own, not the whole list again (a
        // scrolling list adds a few rows per frame to hundreds); a change inside an item
        // has the item looked at again.
        let insideItem = element ? inItem.get(element) : undefined;
        if (element && insideItem === undefined) {
          insideItem = element.closest(this.itemSelector) !== null;
          inItem.set(element, insideItem);
        }
        if (element && !insideItem) {
          for (const node of record.addedNodes) if (node instanceof Element && !this.isOurs(node)) this.added.add(node);
          continue;
        }
      }
      if (element) this.dirty.add(element);
    }
    if (this.dirty.size > 0 || this.added.size > 0) {
      // The room's shield (the composer's) sits outside every item and may be redrawn with it.
      this.shieldsChanged = true;
      this.schedule();
    }
  }

  private paint(budgetMs: number): void {
    const started = this.now();
    if (this.wholeDocument) {
      this.wholeDocument = false;
      this.dirty.clear();
      this.queue = [];
      this.added.clear();
      this.gate.clear();
      this.reconcile([this.doc]);
    } else if (this.dirty.size > 0 || this.added.size > 0) {
      if (this.gate.changed()) this.holdBack();
      else this.reconcile(this.rootsOf(this.added, this.dirty));
      this.dirty.clear();
      this.added.clear();
    }
    if (this.gate.size > 0) {
      const stayed = this.gate.stayed();
      if (stayed.length > 0) this.reconcile(this.rootsOf(stayed, []));
    }
    const placed = this.placeQueued(started, budgetMs);
    if (placed > 0) this.hooks.painted?.();
    if (this.shieldsChanged) this.reportDisagreements();
    // While items are held back, every frame looks for the ones that have stayed.
    if (this.queue.length > 0 || this.gate.size > 0) this.schedule();
    this.hooks.batch?.({ ms: this.now() - started, placed, pending: this.queue.length + this.gate.size });
  }

  /**
   * In a burst: items the page changed in place that hold a badge are looked at now, and
   * badges the page dropped forgotten; everything else waits (DWELL_MS). An added element
   * carries its content, and any badge of ours in it, along: it can wait as it is. Items that
   * already wear a badge never wait: a recycled row must not keep the badge of the member it
   * showed before, not even for a frame.
   */
  private holdBack(): void {
    const holding: Element[] = [];
    for (const root of this.rootsOf([], this.dirty)) {
      if (this.badgesAt(root).length > 0) holding.push(root);
      else this.gate.hold(root);
    }
    for (const element of this.added) this.gate.hold(element);
    if (holding.length > 0) this.reconcile(holding);
  }

  /**
   * The items around what changed, outermost only, so nothing is looked at twice: an added
   * element on its own (or the item it landed in), a changed one with its parent, which is
   * where an adapter reads the user from when the changed node is not inside an item.
   */
  private rootsOf(added: Iterable<Element>, changed: Iterable<Element>): Element[] {
    const roots = new Set<Element>();
    for (const element of added) {
      if (element.isConnected) roots.add(element.closest(this.itemSelector) ?? element);
    }
    for (const element of changed) {
      if (element.isConnected) roots.add(element.closest(this.itemSelector) ?? element.parentElement ?? element);
    }
    return [...roots].filter((root) => root.parentNode === null || !within(root.parentNode, roots));
  }

  /**
   * Whom the page shows as trusted while we warn about them, from the shields next to the
   * badges on the page and the room's shield (the composer), read now.
   */
  disagreements(): Map<string, ShieldPlace[]> {
    const readings: ShieldReading[] = [];
    for (const [host, badge] of this.badges)
      if (host.isConnected) readings.push({ userId: badge.userId, place: badge.place, state: badge.shield });
    const room = this.adapter.roomShield?.(this.doc);
    if (room) {
      readings.push({ place: 'composer', state: room.state });
      if (room.element) this.watchShield(room.element);
    }
    return disagreementsIn(this.warnings, readings);
  }

  private reportDisagreements(): void {
    this.shieldsChanged = false;
    if (!this.hooks.disagreements) return;
    const found = this.disagreements();
    const key = JSON.stringify([...found].sort());
    if (key === this.reportedDisagreements) return;
    this.reportedDisagreements = key;
    this.hooks.disagreements(found);
  }

  private watchShield(element: Element): void {
    this.shieldObserver.observe(element, { attributes: true, attributeFilter: ['class'] });
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
    for (const root of roots) {
      for (const host of root === this.doc ? [...this.badges.keys()] : this.badgesAt(root)) {
        const badge = this.badges.get(host);
        if (!badge) continue;
        if (!host.isConnected || !badge.anchor.isConnected || userAt.get(badge.anchor) !== badge.userId) this.remove(host);
      }
    }
  }

  /**
   * Our badges within `root`, and the one right after it when it is an anchor itself: what
   * a change there can make wrong. Found in the page, so the work follows the size of what
   * changed, not the number of badges elsewhere (a timeline keeps hundreds of them).
   */
  private badgesAt(root: ParentNode): HTMLElement[] {
    const found: HTMLElement[] = [];
    for (const host of root.querySelectorAll<HTMLElement>(`[${BADGE_HOST_ATTRIBUTE}]`)) if (this.badges.has(host)) found.push(host);
    const own = root instanceof Element ? this.badgeOf.get(root) : undefined;
    if (own && !found.includes(own)) found.push(own);
    return found;
  }

  /** Places queued badges until the batch's budget is spent; returns how many it placed. */
  private placeQueued(started: number, budgetMs: number): number {
    let placed = 0;
    let index = 0;
    const styles = new Map<string, string>();
    for (; index < this.queue.length; index++) {
      if (placed >= MIN_PER_BATCH && this.now() - started >= budgetMs) break;
      const found = this.queue[index] as UserAnchor;
      const warning = this.warnings.get(found.userId);
      // Things may have moved on since it was queued: the page dropped the node, or the report changed.
      if (!warning || !found.anchor.isConnected) continue;
      this.place(found, warning, styles);
      placed++;
    }
    this.queue = index >= this.queue.length ? [] : this.queue.slice(index);
    return placed;
  }

  private place(found: UserAnchor, warning: MemberBadge, styles?: Map<string, string>): HTMLElement {
    const { anchor, placement = 'after', userId, place } = found;
    // The page's own indicator, read as data: it changes what the badge says, never whether it is there.
    const pageShield = this.adapter.shieldOf?.(found);
    const shield = pageShield?.state ?? 'unknown';
    if (pageShield?.element) this.watchShield(pageShield.element);
    const disagreeing = disagrees(warning, shield);
    const text = disagreeing ? disagreeingBadgeText(warning, this.adapter.family) : badgeText(warning);
    const shownKey = `${userId}\n${text.count}\n${text.details}\n${warning.severity}\n${String(disagreeing)}`;
    const existing = this.badgeOf.get(anchor);
    const badge = existing && this.badges.get(existing);
    const inPlace = placement === 'inside' ? existing?.parentNode === anchor : anchor.nextSibling === existing;
    if (existing && badge && existing.isConnected && inPlace) {
      if (badge.shownKey !== shownKey) {
        fillBadge(badge.pill, text, warning.severity, disagreeing);
        badge.shownKey = shownKey;
        badge.userId = userId;
      }
      if (badge.shield !== shield) this.shieldsChanged = true;
      badge.shield = shield;
      badge.place = place;
      return existing;
    }
    if (existing) this.remove(existing);
    const style =
      placement === 'in-row' ? inRowStyle(anchor) : placement === 'beside-box' ? besideBoxStyle(anchor, styles) : BADGE_HOST_STYLE;
    const { host, pill, shown, style: spareStyle } = this.pool.take(style);
    if (spareStyle !== style) host.setAttribute('style', style);
    if (shown !== shownKey) fillBadge(pill, text, warning.severity, disagreeing);
    if (placement !== 'inside') anchor.after(host);
    else if (isReversedRow(anchor)) anchor.prepend(host);
    else anchor.append(host);
    this.badgeOf.set(anchor, host);
    this.badges.set(host, { anchor, userId, shownKey, pill, style, shield, place });
    if (shield === 'verified') this.shieldsChanged = true;
    return host;
  }

  private remove(host: HTMLElement): void {
    const badge = this.badges.get(host);
    this.badges.delete(host);
    if (badge?.shield === 'verified') this.shieldsChanged = true;
    if (badge && this.badgeOf.get(badge.anchor) === host) this.badgeOf.delete(badge.anchor);
    host.remove();
    if (badge) this.pool.keep({ host, pill: badge.pill, shown: badge.shownKey, style: badge.style });
  }

  /**
   * A node the page removed takes its badges with it: those inside it, and the one after it
   * when it is an anchor, wherever the page left that. A badge the page removed is forgotten,
   * and put back when its item is looked at again. A node already back in the page was moved:
   * its badges moved with it, and the item is looked at again as an added one.
   */
  private forgetRemoved(node: Node): void {
    if (!(node instanceof Element) || node.isConnected) return;
    if (this.badges.has(node as HTMLElement)) {
      this.remove(node as HTMLElement);
      return;
    }
    for (const host of this.badgesAt(node)) this.remove(host);
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
