import type { ClientAdapter, RoomRef, UserAnchor } from './clientAdapter';
import { anchorsWithin, decodeSegment, hashSegments, pageChildren, pathSegments, roomRefFrom, userIdFrom } from './pageIds';

/**
 * Cinny (cinnyapp/cinny). Its class names are generated and hashed per build, so none is read
 * here. What stays: `data-user-id` on member rows and on a message's sender buttons,
 * `data-message-id` on timeline items, `data-index` on the rows of its virtualised lists
 * (@tanstack/react-virtual) and `data-editable-name` on the composer's editor.
 */
const SELECTORS = {
  app: 'meta[name="application-name"][content="Cinny"], [data-editable-name="RoomInput"]',
  user: '[data-user-id]',
  message: '[data-message-id]',
  virtualRow: '[data-index]',
  composerInput: '[data-editable-name="RoomInput"]',
} as const;

/** Segments after which the room comes: `/home/<room>/…` and `/direct/<room>/…`. */
const ROOM_LISTS = new Set(['home', 'direct']);

function roomAt(segments: string[], index: number): RoomRef | undefined {
  return roomRefFrom(decodeSegment(segments[index]));
}

/**
 * `/home/<room>/(<event id>/)`, `/direct/<room>/…` or `/<space>/<room>/…`, ids and aliases
 * URL-encoded, under an optional base path, or the same in the hash (`#/home/…`) when the
 * deployment uses the hash router. Other pages (`/home/search/`, `/<space>/lobby/`,
 * `/inbox/…`) name no room.
 */
function roomFromUrl(url: URL): RoomRef | undefined {
  const segments = url.hash.startsWith('#/') ? hashSegments(url) : pathSegments(url.pathname);
  const list = segments.findIndex((segment) => ROOM_LISTS.has(segment));
  if (list !== -1) return roomAt(segments, list + 1);
  for (let index = 0; index + 1 < segments.length; index++) {
    if (roomAt(segments, index)) return roomAt(segments, index + 1);
  }
  return undefined;
}

/**
 * One badge per message, after its sender's name: the name and the avatar are both buttons
 * with the sender's `data-user-id`, and the name is the one with text. Collapsed messages
 * (the same sender again) have neither and yield nothing. The name button shares the header's
 * flex row with the time, spread apart (`justify-content: space-between`), and a click on it
 * mentions the sender in the composer: the badge joins the row right after it ('in-row'),
 * outside the button, and the time stays at the far end.
 */
function messageSender(message: Element): UserAnchor | undefined {
  const own = Array.from(message.querySelectorAll(SELECTORS.user)).filter((node) => node.closest(SELECTORS.message) === message);
  const name = own.find((node) => node.textContent.trim() !== '');
  const sender = name ?? own[0];
  const userId = userIdFrom(sender?.getAttribute('data-user-id'));
  if (!sender || !userId) return undefined;
  return name ? { userId, anchor: name, place: 'timeline', placement: 'in-row' } : { userId, anchor: sender, place: 'timeline' };
}

/**
 * The element that holds a row's name text: the row's last child with text (after the avatar),
 * and inside it the one element that holds all of that text. In Cinny v4.2.2 that is the
 * `<p>` inside the `<div>` that grows to fill the row; the badge follows the `<p>` inside that
 * `<div>` (a flex box), so it sits right after the name and the row keeps its layout.
 */
function nameIn(row: Element): Element | undefined {
  // Our own badge, once placed after the name, is no part of the row's markup: looking at the
  // row again must find the same name, or the badge would move out of the name's box.
  let name = pageChildren(row)
    .filter((child) => child.textContent.trim() !== '')
    .at(-1);
  while (name) {
    const inner = pageChildren(name);
    const only = inner.length === 1 ? inner[0] : undefined;
    if (only?.textContent !== name.textContent) break;
    name = only;
  }
  return name ?? undefined;
}

/** A row of the members drawer: a button with the member's id; the badge follows the name. */
function memberRow(row: Element): UserAnchor | undefined {
  if (row.closest(SELECTORS.message) || !row.closest(SELECTORS.virtualRow)) return undefined;
  const userId = userIdFrom(row.getAttribute('data-user-id'));
  return userId ? { userId, anchor: nameIn(row) ?? row, place: 'member-list' } : undefined;
}

/**
 * Cinny's editor is the Slate editable inside `div > row > scroll area` of its CustomEditor
 * (src/app/components/editor/Editor.tsx); the banner goes before that whole editor, and only
 * when the markup still has that shape.
 */
function bannerAnchor(doc: Document): Element | undefined {
  const editor = doc.querySelector(SELECTORS.composerInput)?.parentElement?.parentElement?.parentElement;
  const fits = editor && editor !== doc.body && editor.tagName === 'DIV' && !editor.closest(SELECTORS.message);
  return fits ? editor : undefined;
}

export const cinnyAdapter: ClientAdapter = {
  family: 'Cinny',
  detect: (doc) => doc.querySelector(SELECTORS.app) !== null,
  roomFromUrl,
  findUsers: (root) => [...anchorsWithin(root, SELECTORS.user, memberRow), ...anchorsWithin(root, SELECTORS.message, messageSender)],
  itemSelector: `${SELECTORS.message}, ${SELECTORS.virtualRow}`,
  bannerAnchor,
  // A message, inside the timeline's scroller (a folds Scroll whose class name is hashed).
  timeline: (doc) => doc.querySelector(SELECTORS.message) ?? undefined,
};

/*
 * Test on:
 * - https://app.cinny.in/home/%23cinny%3Amatrix.org/ (alias; open the members drawer)
 * - https://app.cinny.in/home/!<room id>%3Amatrix.org/%24<event id>/ (a permalink)
 * - https://app.cinny.in/direct/!<room id>%3Amatrix.org/ (a DM)
 * - https://app.cinny.in/%23cinny-space%3Amatrix.org/%23cinny%3Amatrix.org/ (a room in a space)
 * - a deployment with `hashRouter.enabled` in config.json: https://<host>/#/home/…
 * Fixture: test/fixtures/cinny.html (members drawer, modern-layout timeline with collapsed
 * messages, composer).
 */
