import { roomAlias, roomId, userId } from '../validation/shape';
import type { RoomRef, UserAnchor } from './clientAdapter';

/**
 * What every adapter needs to read Matrix ids out of a web client's page and URL. Everything
 * read here is untrusted page text: it is only ever compared, sliced and checked against the
 * shape of a Matrix id, never used as markup, a selector or a URL. Text that is not a valid
 * id yields nothing, so a page that changes its markup (or lies in it) costs a badge, not more.
 */

/** `text` itself when it is a Matrix user id (`@localpart:server`, at most 255 characters). */
export function userIdFrom(text: string | null | undefined): string | undefined {
  return userId(text) ? (text as string) : undefined;
}

/** The user id an element shows as its text, e.g. "@bob:example.org" in a profile panel. */
export function userIdInText(element: Element | null | undefined): string | undefined {
  const text = element?.textContent;
  // A user id is at most 255 characters; do not trim megabytes of page text to find out.
  if (!text || text.length > 1024) return undefined;
  return userIdFrom(text.trim());
}

/** The user id at the end of a label such as "Bob (@bob:example.org)". */
export function userIdInParentheses(label: string | null | undefined): string | undefined {
  if (!label?.endsWith(')')) return undefined;
  // The last parenthesis: a display name may itself contain "(@someone:else)".
  return userIdFrom(label.slice(label.lastIndexOf('(') + 1, -1));
}

/** A room id (`!opaque:server`, or `!opaque` from room version 12 on) or an alias (`#name:server`). */
export function roomRefFrom(text: string | undefined): RoomRef | undefined {
  if (roomId(text)) return { kind: 'id', roomId: text as string };
  if (roomAlias(text)) return { kind: 'alias', alias: text as string };
  return undefined;
}

/** One URL path segment, percent-decoded; undefined when missing or badly encoded. */
export function decodeSegment(segment: string | undefined): string | undefined {
  if (segment === undefined) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The non-empty segments of a path ("/a/b/" gives ["a", "b"]), still percent-encoded. */
export function pathSegments(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

/**
 * The segments of a hash route ("#/room/!a:b/$e?via=c" gives ["room", "!a:b", "$e"]). Hash
 * routers keep their own query string inside the hash; it never names the room.
 */
export function hashSegments(url: URL): string[] {
  const route = url.hash.slice(1);
  const query = route.indexOf('?');
  return pathSegments(query === -1 ? route : route.slice(0, query));
}

const ELEMENT_NODE = 1;

/** Elements matching `selector` within `root`, `root` itself included. */
export function elementsWithin(root: ParentNode, selector: string): Element[] {
  const found = Array.from(root.querySelectorAll(selector));
  if (root.nodeType === ELEMENT_NODE && (root as Element).matches(selector)) found.unshift(root as Element);
  return found;
}

/** The anchors `read` finds in each item matching `selector` within `root`. */
export function anchorsWithin(root: ParentNode, selector: string, read: (item: Element) => UserAnchor | undefined): UserAnchor[] {
  return elementsWithin(root, selector).flatMap((item) => read(item) ?? []);
}

/** The first child element of `parent` that matches `selector`. */
export function childMatching(parent: Element | null | undefined, selector: string): Element | undefined {
  return parent ? Array.from(parent.children).find((child) => child.matches(selector)) : undefined;
}

/**
 * What the extension itself puts in pages (the badges' hosts, the banner), by the attributes
 * src/overlay gives them: never the page's own markup, so adapters look past it.
 */
export const OVERLAY_HOST_ATTRIBUTES = ['data-mtg-badge', 'data-mtg-banner'] as const;

/** The element children of `parent` that are the page's own, not ours. */
export function pageChildren(parent: Element): Element[] {
  return Array.from(parent.children).filter((child) => !OVERLAY_HOST_ATTRIBUTES.some((name) => child.hasAttribute(name)));
}
