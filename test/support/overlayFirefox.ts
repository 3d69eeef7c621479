import type { Browser, Page } from 'puppeteer-core';
import { type DomNode, hostContextsScript, overlayInTree, type SeenOverlay } from './overlay.ts';

/**
 * What the extension drew in a page in Firefox, read as WebDriver BiDi serialises the
 * document: with `includeShadowTree: "all"` the serialisation enters closed shadow roots,
 * which no page script (and so no Puppeteer selector) can. It is then read exactly as
 * test/support/overlay.ts reads DevTools' DOM in Chromium.
 *
 * Puppeteer has no public call for a raw BiDi command: this uses its connection and the
 * frame's browsing context id, both internal (puppeteer-core is pinned in package.json).
 */

interface BidiNode {
  type: string;
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

interface BidiConnection {
  send(method: string, params: unknown): Promise<{ result: { type: string; result?: BidiNode; exceptionDetails?: { text: string } } }>;
}

export async function readOverlayFirefox(browser: Browser, page: Page, hostContext: string): Promise<SeenOverlay> {
  const contexts = (await page.evaluate(hostContextsScript(hostContext))) as string[];
  const connection = (browser as unknown as { connection: BidiConnection }).connection;
  const context = (page.mainFrame() as unknown as { _id: string })._id;
  const { result } = await connection.send('script.evaluate', {
    expression: 'document.documentElement',
    target: { context },
    awaitPromise: false,
    resultOwnership: 'none',
    serializationOptions: { maxDomDepth: null, includeShadowTree: 'all' },
  });
  if (result.type !== 'success' || result.result === undefined)
    throw new Error(`BiDi could not read the page: ${result.exceptionDetails?.text ?? result.type}`);
  return overlayInTree(toDomNode(result.result), contexts);
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
