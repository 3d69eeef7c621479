import { isNonNegativeInteger } from '../validation/shape';

/** The parts of `runtime.MessageSender` (Chrome and Firefox) that we rely on. */
export interface RawSender {
  id?: string;
  url?: string;
  /** Chrome only: the origin of the frame, which unlike `url` is right for sandboxed and about: frames. */
  origin?: string;
  tab?: { id?: number };
  frameId?: number;
}

export type ValidSender = { kind: 'extension-page'; url: string } | { kind: 'content-script'; tabId: number; origin: string; url: string };

export interface SenderPolicy {
  extensionId: string;
  /** e.g. "chrome-extension://abc…" or "moz-extension://uuid" (no trailing slash). */
  extensionOrigin: string;
  /** Whether content scripts on this origin may talk to us (built-in and user-added sites). */
  isWatchedOrigin(origin: string): boolean;
}

export type SenderCheck = { ok: true; sender: ValidSender } | { ok: false; reason: string };

/**
 * Turns a raw sender into a `ValidSender`, or says why it is refused. Modelled on Code
 * Verify's validateSender: every check has its reason next to it.
 */
export function validateSender(raw: RawSender, policy: SenderPolicy): SenderCheck {
  // runtime.onMessage only hears our own contexts, but a listener wired to the wrong event
  // (onMessageExternal) must not quietly accept other extensions.
  if (raw.id !== policy.extensionId) return refuse('sender is not this extension');

  // Our own pages (popup, options, full-tab flows). They may be open in a tab, so the
  // presence of `tab` says nothing; the URL does. (Compared as text: URL parsers disagree
  // on the origin of extension schemes, and Node says "null" for them.)
  if (isExtensionPage(raw, policy.extensionOrigin)) {
    return { ok: true, sender: { kind: 'extension-page', url: raw.url ?? policy.extensionOrigin } };
  }

  const origin = webOriginOf(raw);
  if (origin === undefined) return refuse('sender has no usable origin');

  // Everything else must be one of our content scripts in the top frame of a watched tab.
  const tabId = raw.tab?.id;
  if (!isNonNegativeInteger(tabId)) return refuse('content script without a tab');
  // We inject into top frames only; a subframe speaking to us is not ours to trust.
  if (raw.frameId !== 0) return refuse('content script in a subframe');
  if (!policy.isWatchedOrigin(origin)) return refuse('origin is not a watched site');
  return { ok: true, sender: { kind: 'content-script', tabId, origin, url: raw.url ?? origin } };
}

function isExtensionPage(raw: RawSender, extensionOrigin: string): boolean {
  const urlIsOurs = raw.url !== undefined && raw.url.startsWith(`${extensionOrigin}/`);
  // Chrome also reports `origin`; when present it must agree.
  return urlIsOurs && (raw.origin === undefined || raw.origin === extensionOrigin);
}

/**
 * The http(s) origin of a web page. When Chrome gives both `origin` and `url` they must
 * agree: a frame whose URL and origin differ (sandboxed, about:blank, data:) is not a page
 * we watch.
 */
function webOriginOf(raw: RawSender): string | undefined {
  const fromUrl = raw.url === undefined ? undefined : safeWebOrigin(raw.url);
  if (raw.origin !== undefined && raw.origin !== fromUrl) return undefined;
  return fromUrl;
}

function safeWebOrigin(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

function refuse(reason: string): SenderCheck {
  return { ok: false, reason };
}
