import type { Browser, Page } from 'puppeteer-core';
import { bidiContextOf, sendBidi } from './firefox.ts';
import { type DomNode, hostContextsScript, overlayInTree, type SeenOverlay } from './overlay.ts';

/**
 * What the extension drew in a page in Firefox, read as WebDriver BiDi serialises the
 * document: with `includeShadowTree: "all"` the serialisation enters closed shadow roots,
 * which no page script (and so no Puppeteer selector) can. It is then read exactly as
 * test/support/overlay.ts reads DevTools' DOM in Chromium.
 */

interface BidiNode {
  type: string;
  /** The node's id across realms: BiDi commands can name it, even inside a closed shadow root. */
  sharedId?: string;
  value?: {
    nodeType: number;
    localName?: string;
    nodeValue?: string;
    attributes?: Record<string, string>;
    children?: BidiNode[];
    shadowRoot?: BidiNode | null;
    mode?: 'open' | 'closed';
  };
}

interface BidiEvaluation {
  type: string;
  result?: { type: string; value?: unknown };
  exceptionDetails?: { text: string };
}

/** The whole document of `page`, closed shadow roots included. */
async function serializedDocument(browser: Browser, page: Page): Promise<BidiNode> {
  const answer = await sendBidi<BidiEvaluation>(browser, 'script.evaluate', {
    expression: 'document.documentElement',
    target: { context: bidiContextOf(page) },
    awaitPromise: false,
    resultOwnership: 'none',
    serializationOptions: { maxDomDepth: null, includeShadowTree: 'all' },
  });
  if (answer.type !== 'success' || answer.result === undefined)
    throw new Error(`BiDi could not read the page: ${answer.exceptionDetails?.text ?? answer.type}`);
  return answer.result as BidiNode;
}

export async function readOverlayFirefox(browser: Browser, page: Page, hostContext: string): Promise<SeenOverlay> {
  const contexts = (await page.evaluate(hostContextsScript(hostContext))) as string[];
  return overlayInTree(toDomNode(await serializedDocument(browser, page)), contexts);
}

/**
 * Clicks a button inside the banner with a real (trusted) mouse click at its place on screen,
 * as clickBannerButton does in Chromium. The button is found in BiDi's serialisation and its
 * place asked through its shared id; the page's scripts could not reach it.
 */
export async function clickBannerButtonFirefox(browser: Browser, page: Page, className: 'review' | 'hide'): Promise<void> {
  let button: BidiNode | undefined;
  walk(await serializedDocument(browser, page), (node) => {
    const host = node.value;
    if (host?.attributes?.['data-mtg-banner'] === undefined || !host.shadowRoot) return;
    button = find(host.shadowRoot, (n) => n.value?.localName === 'button' && classesOf(n).includes(className));
  });
  if (button?.sharedId === undefined) throw new Error(`no ${className} button in a banner`);
  const answer = await sendBidi<BidiEvaluation>(browser, 'script.callFunction', {
    functionDeclaration: `(button) => {
      button.scrollIntoView({ block: 'nearest' });
      const box = button.getBoundingClientRect();
      return JSON.stringify([box.left + box.width / 2, box.top + box.height / 2]);
    }`,
    arguments: [{ sharedId: button.sharedId }],
    target: { context: bidiContextOf(page) },
    awaitPromise: false,
    resultOwnership: 'none',
  });
  if (answer.type !== 'success' || typeof answer.result?.value !== 'string')
    throw new Error(`could not find where the ${className} button is: ${answer.exceptionDetails?.text ?? answer.type}`);
  const [x, y] = JSON.parse(answer.result.value) as [number, number];
  await page.mouse.click(x, y);
}

function walk(node: BidiNode, visit: (node: BidiNode) => void): void {
  visit(node);
  if (node.value?.shadowRoot) walk(node.value.shadowRoot, visit);
  for (const child of node.value?.children ?? []) walk(child, visit);
}

function find(node: BidiNode, test: (node: BidiNode) => boolean): BidiNode | undefined {
  if (test(node)) return node;
  for (const child of node.value?.children ?? []) {
    const found = find(child, test);
    if (found) return found;
  }
  return undefined;
}

function classesOf(node: BidiNode): string[] {
  return (node.value?.attributes?.class ?? '').split(/\s+/);
}

let nextId = 1;

function toDomNode(node: BidiNode): DomNode {
  const value = node.value;
  if (!value) throw new Error(`BiDi returned a ${node.type}, not a node`);
  const shadow = value.shadowRoot?.value ? { ...toDomNode(value.shadowRoot), shadowRootType: value.shadowRoot.value.mode } : undefined;
  return {
    nodeId: nextId++,
    nodeType: value.nodeType,
    nodeName: (value.localName ?? '').toUpperCase(),
    ...(value.nodeValue === undefined ? {} : { nodeValue: value.nodeValue }),
    attributes: Object.entries(value.attributes ?? {}).flat(),
    children: (value.children ?? []).map(toDomNode),
    ...(shadow ? { shadowRoots: [shadow] } : {}),
  };
}
