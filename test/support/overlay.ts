import type { CDPSession, Page } from 'playwright';
import { type BadgeIcon, GLYPH_PATHS } from '../../src/overlay/badgeLook';

/**
 * What the extension drew in a page, read the way DevTools sees it. Badges and the banner
 * live in closed shadow roots, which page scripts (and so Playwright's selectors) cannot
 * enter; the DevTools protocol can, so tests read exactly what a user sees without the
 * extension exposing anything to pages for their sake.
 */

export interface SeenBadge {
  /** What the page says around the badge, from `hostContext` (e.g. the member's user id). */
  context: string;
  /** What the pill shows, as text: its icon's glyph, then the count (see badgeTranscript). */
  text: string;
  label: string;
  title: string;
  severity: 'warn' | 'critical' | 'checking';
}

export interface SeenOverlay {
  badges: SeenBadge[];
  banner?: { message: string; severity: 'warn' | 'critical'; floating: boolean };
}

/** A node as DevTools describes it (BiDi's serialisation is converted to this). */
export interface DomNode {
  nodeId: number;
  nodeType: number;
  nodeName: string;
  nodeValue?: string;
  attributes?: string[];
  children?: DomNode[];
  shadowRoots?: (DomNode & { shadowRootType?: string })[];
  contentDocument?: DomNode;
}

const sessions = new WeakMap<Page, CDPSession>();

async function cdp(page: Page): Promise<CDPSession> {
  let session = sessions.get(page);
  if (!session) {
    session = await page.context().newCDPSession(page);
    sessions.set(page, session);
  }
  return session;
}

/**
 * Reads every badge and the banner. `hostContext` is an expression evaluated in the page for
 * each badge host (bound to `host`), in document order, naming what the badge sits next to.
 */
export async function readOverlay(page: Page, hostContext: string): Promise<SeenOverlay> {
  const contexts = await page.evaluate<string[]>(hostContextsScript(hostContext));
  const session = await cdp(page);
  const { root }: { root: DomNode } = await session.send('DOM.getDocument', { depth: -1, pierce: true });
  return overlayInTree(root, contexts);
}

/** The script that names, in the page, what each badge host sits next to (see readOverlay). */
export function hostContextsScript(hostContext: string): string {
  return `[...document.querySelectorAll('[data-mtg-badge]')].map((host) => String(${hostContext}))`;
}

/**
 * The badges and banner in a document tree read past closed shadow roots (DevTools' DOM in
 * Chromium, WebDriver BiDi's serialisation in Firefox), with `contexts` from hostContextsScript.
 */
export function overlayInTree(root: DomNode, contexts: string[]): SeenOverlay {
  const badges: Omit<SeenBadge, 'context'>[] = [];
  let banner: SeenOverlay['banner'];
  walk(root, (node) => {
    const attributes = attributesOf(node);
    const shadow = node.shadowRoots?.[0];
    if (!shadow) return;
    if ('data-mtg-badge' in attributes) {
      if (shadow.shadowRootType !== 'closed') throw new Error('a badge is not in a closed shadow root');
      const pill = find(shadow, (n) => classesOf(n).includes('badge'));
      if (!pill) throw new Error('a badge host without a badge');
      const pillAttributes = attributesOf(pill);
      const glyph = find(pill, (n) => classesOf(n).includes('glyph'));
      const count = find(pill, (n) => classesOf(n).includes('count'));
      badges.push({
        text: badgeTranscript(glyph && attributesOf(glyph).d, classesOf(pill), count ? textOf(count) : ''),
        label: pillAttributes['aria-label'] ?? '',
        title: pillAttributes.title ?? '',
        severity: (['critical', 'checking'] as const).find((severity) => classesOf(pill).includes(severity)) ?? 'warn',
      });
    }
    if ('data-mtg-banner' in attributes) {
      if (shadow.shadowRootType !== 'closed') throw new Error('the banner is not in a closed shadow root');
      const box = find(shadow, (n) => classesOf(n).includes('banner'));
      const message = box && find(box, (n) => classesOf(n).includes('message'));
      if (box && message) {
        banner = {
          message: textOf(message),
          severity: classesOf(box).includes('critical') ? 'critical' : 'warn',
          floating: classesOf(box).includes('floating'),
        };
      }
    }
  });
  if (badges.length !== contexts.length)
    throw new Error(`the page changed while it was read (${badges.length} badges, ${contexts.length} hosts)`);
  return { badges: badges.map((badge, index) => ({ ...badge, context: contexts[index] ?? '' })), banner };
}

const MARKS: Record<Exclude<BadgeIcon, 'disagrees'>, string> = { warn: '!', critical: '!!', checking: '?' };

/**
 * A badge's icon and count written as text, so tests can say what a badge shows in a word:
 * the glyph drawn (`!` warning, `!!` critical, `?` checking; `≠ !` or `≠ !!` where the page
 * disagrees, with the severity the chip's class gives), a space, and the count if any:
 * '! 1', '≠ !! 2', '?'. The glyph is recognised by its path, as fillBadge sets it.
 */
export function badgeTranscript(glyphPath: string | undefined, pillClasses: readonly string[], count: string): string {
  const icon = (Object.keys(GLYPH_PATHS) as BadgeIcon[]).find((name) => GLYPH_PATHS[name] === glyphPath);
  const severity = (['critical', 'checking'] as const).find((name) => pillClasses.includes(name)) ?? 'warn';
  const mark = icon === undefined ? '' : icon === 'disagrees' ? `≠ ${MARKS[severity]}` : MARKS[icon];
  return [mark, count].filter((part) => part !== '').join(' ');
}

/** badgeTranscript of a pill element (unit tests hold the element itself). */
export function pillTranscript(pill: Element): string {
  return badgeTranscript(
    pill.querySelector('.glyph')?.getAttribute('d') ?? undefined,
    [...pill.classList],
    pill.querySelector('.count')?.textContent ?? '',
  );
}

/** Clicks a button inside the banner with a real (trusted) mouse click, at its position on screen. */
export async function clickBannerButton(page: Page, className: 'review' | 'hide'): Promise<void> {
  const session = await cdp(page);
  const { root }: { root: DomNode } = await session.send('DOM.getDocument', { depth: -1, pierce: true });
  let target: DomNode | undefined;
  walk(root, (node) => {
    if (!('data-mtg-banner' in attributesOf(node)) || !node.shadowRoots?.[0]) return;
    target = find(node.shadowRoots[0], (n) => n.nodeName === 'BUTTON' && classesOf(n).includes(className));
  });
  if (!target) throw new Error(`no ${className} button in a banner`);
  await session.send('DOM.scrollIntoViewIfNeeded', { nodeId: target.nodeId });
  const { quads } = await session.send('DOM.getContentQuads', { nodeId: target.nodeId });
  const [x1 = 0, y1 = 0, , , x3 = 0, y3 = 0] = quads[0] ?? [];
  await page.mouse.click((x1 + x3) / 2, (y1 + y3) / 2);
}

/** Where the open details of the badges are on screen (left, top, right, bottom in CSS pixels), read past the closed shadow roots. */
export async function openBadgeDetailsBoxes(page: Page): Promise<{ left: number; top: number; right: number; bottom: number }[]> {
  const session = await cdp(page);
  const { root }: { root: DomNode } = await session.send('DOM.getDocument', { depth: -1, pierce: true });
  const open: DomNode[] = [];
  walk(root, (node) => {
    if (!('data-mtg-badge' in attributesOf(node)) || !node.shadowRoots?.[0]) return;
    const details = find(node.shadowRoots[0], (n) => classesOf(n).includes('details') && !('hidden' in attributesOf(n)));
    if (details) open.push(details);
  });
  const boxes = [];
  for (const details of open) {
    const { quads } = await session.send('DOM.getContentQuads', { nodeId: details.nodeId });
    const [x1 = 0, y1 = 0, , , x3 = 0, y3 = 0] = quads[0] ?? [];
    boxes.push({ left: x1, top: y1, right: x3, bottom: y3 });
  }
  return boxes;
}

function walk(node: DomNode, visit: (node: DomNode) => void): void {
  visit(node);
  for (const shadow of node.shadowRoots ?? []) walk(shadow, visit);
  for (const child of node.children ?? []) walk(child, visit);
  if (node.contentDocument) walk(node.contentDocument, visit);
}

function find(node: DomNode, test: (node: DomNode) => boolean): DomNode | undefined {
  if (test(node)) return node;
  for (const child of node.children ?? []) {
    const found = find(child, test);
    if (found) return found;
  }
  return undefined;
}

function attributesOf(node: DomNode): Record<string, string> {
  const result: Record<string, string> = {};
  const list = node.attributes ?? [];
  for (let i = 0; i + 1 < list.length; i += 2) result[list[i] as string] = list[i + 1] as string;
  return result;
}

function classesOf(node: DomNode): string[] {
  return (attributesOf(node).class ?? '').split(/\s+/);
}

function textOf(node: DomNode): string {
  if (node.nodeType === 3) return node.nodeValue ?? '';
  return (node.children ?? []).map(textOf).join('');
}
