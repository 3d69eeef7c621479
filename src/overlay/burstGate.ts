/**
 * A page that adds or changes items in BURST_FRAMES frames in a row (frames at most
 * BURST_GAP_MS apart) is in a burst: a list being flung, a room loading. Rows then fly past
 * faster than anyone reads them, and badging each costs the page about as much as drawing the
 * row. So during a burst an item gets its badge once it has stayed in the page for DWELL_MS:
 * rows that only fly past get none, a row that stays gets its badge a moment after it came,
 * however busy the page is.
 */
export const BURST_FRAMES = 3;
const BURST_GAP_MS = 40;
export const DWELL_MS = 100;

/** Tells bursts of page changes apart from single ones, and holds items back during a burst until they have stayed. */
export class BurstGate {
  /** Items held back, with when (in insertion order: the oldest first). */
  private readonly waiting = new Map<Element, number>();
  /** When the page last changed items, and in how many frames in a row it has. */
  private lastChangeAt = Number.NEGATIVE_INFINITY;
  private streak = 0;

  constructor(private readonly now: () => number) {}

  /** The page changed items in this frame: whether that makes a burst. */
  changed(): boolean {
    const now = this.now();
    this.streak = now - this.lastChangeAt <= BURST_GAP_MS ? this.streak + 1 : 1;
    this.lastChangeAt = now;
    return this.streak >= BURST_FRAMES;
  }

  /** Holds `element` back from now: one the page changed again starts its wait over. */
  hold(element: Element): void {
    this.waiting.delete(element);
    this.waiting.set(element, this.now());
  }

  /** Takes the held-back items that have stayed long enough, dropping those the page removed. */
  stayed(): Element[] {
    const now = this.now();
    const ready: Element[] = [];
    for (const [element, since] of this.waiting) {
      if (!element.isConnected) this.waiting.delete(element);
      else if (now - since >= DWELL_MS) {
        ready.push(element);
        this.waiting.delete(element);
      }
    }
    return ready;
  }

  /** How many items are held back. */
  get size(): number {
    return this.waiting.size;
  }

  clear(): void {
    this.waiting.clear();
  }
}
