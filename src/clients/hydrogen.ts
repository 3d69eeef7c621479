import type { PageShield } from '../model/pageShield';
import type { ClientAdapter, RoomRef, UserAnchor } from './clientAdapter';
import { anchorsWithin, childMatching, decodeSegment, hashSegments, roomRefFrom, userIdFrom, userIdInText } from './pageIds';

/**
 * Hydrogen (element-hq/hydrogen-web; also embedded from the `hydrogen-view-sdk` package). Its
 * views use plain, stable class names (src/platform/web/ui/) and route by hash.
 */
const SELECTORS = {
  app: '.SessionView, .hydrogen',
  memberTile: 'li.MemberTileView',
  memberLink: 'a[href*="/member/"]',
  memberName: '.MemberTileView_name',
  message: 'li.Timeline_message',
  sender: '.Timeline_messageSender[title]',
  memberDetails: '.MemberDetailsView',
  memberDetailsUserId: '.MemberDetailsView_id',
  /** The member details' shield, shown when Hydrogen's cross-signing feature is on: `MemberDetailsView_shield_<green|black|red>`. */
  memberDetailsShield: '.MemberDetailsView_shield_container > span',
  /** The room grid shows several rooms at once; the URL names the focused one. */
  gridTile: '.RoomGridView > .container',
  focusedGridComposer: '.RoomGridView > .container.focused .MessageComposer',
  composer: '.MessageComposer',
  /** The timeline's scroller (TimelineView.ts: div.Timeline > div.Timeline_scroller > ul). */
  focusedGridTimeline: '.RoomGridView > .container.focused .Timeline_scroller',
  timeline: '.Timeline_scroller',
} as const;

const MEMBER_SEGMENT = '/member/';

/** The first segment of every Hydrogen route (src/domain/navigation/index.ts). */
const ROOT_SEGMENTS = new Set(['session', 'login', 'sso', 'logout']);

/**
 * `#/session/<sid>/room/<room id>` (then maybe `/members`, `/member/<user id>`, `/details`),
 * the grid `#/session/<sid>/rooms/<a>,<b>/<i>` (room i of the list, the first by default) and
 * `#/session/<sid>/open-room/<room id>`, which Hydrogen rewrites to one of those at once.
 */
function roomFromUrl(url: URL): RoomRef | undefined {
  const segments = hashSegments(url);
  if (segments[0] !== 'session') return undefined;
  const [type, value, gridIndex] = segments.slice(2);
  if (type === 'room' || type === 'open-room') return roomRefFrom(decodeSegment(value));
  if (type === 'rooms' && value !== undefined) {
    const room = value.split(',')[Number.parseInt(gridIndex ?? '0', 10)];
    return roomRefFrom(decodeSegment(room));
  }
  return undefined;
}

/** The user id at the end of a Hydrogen member link, `#/session/…/member/<encoded user id>`. */
function memberLinkUserId(link: Element | undefined): string | undefined {
  const href = link?.getAttribute('href');
  // Hydrogen's own links are hash routes; anything else (javascript:, another site) is not ours.
  if (!href?.startsWith('#/')) return undefined;
  return userIdFrom(decodeSegment(href.slice(href.lastIndexOf(MEMBER_SEGMENT) + MEMBER_SEGMENT.length)));
}

function memberTile(tile: Element): UserAnchor | undefined {
  const link = childMatching(tile, SELECTORS.memberLink);
  const userId = memberLinkUserId(link);
  return link && userId ? { userId, anchor: link.querySelector(SELECTORS.memberName) ?? link, place: 'member-list' } : undefined;
}

/** Only the first message of a group has a sender; continuations yield nothing. */
function messageSender(message: Element): UserAnchor | undefined {
  const sender = childMatching(message, SELECTORS.sender);
  const userId = userIdFrom(sender?.getAttribute('title'));
  // The sender is a cell of the message's CSS grid: the badge goes inside it, after the name.
  return sender && userId ? { userId, anchor: sender, place: 'timeline', placement: 'inside' } : undefined;
}

function memberDetails(panel: Element): UserAnchor | undefined {
  const shownId = panel.querySelector(SELECTORS.memberDetailsUserId);
  const userId = userIdInText(shownId);
  return shownId && userId ? { userId, anchor: shownId, place: 'user-info' } : undefined;
}

/**
 * Hydrogen's own indicator, read as data: only the member details show one (and only with its
 * cross-signing feature on), green for a trusted user, black for one not signed by us, red for
 * anything wrong (MemberDetailsViewModel.trustShieldColor). Member rows and messages show none.
 */
function shieldOf(found: UserAnchor): PageShield {
  if (found.place !== 'user-info') return { state: 'unknown' };
  const shield = found.anchor.closest(SELECTORS.memberDetails)?.querySelector(SELECTORS.memberDetailsShield);
  if (!shield) return { state: 'unknown' };
  const color = [...shield.classList]
    .find((name) => name.startsWith('MemberDetailsView_shield_'))
    ?.slice('MemberDetailsView_shield_'.length);
  const state = color === 'green' ? 'verified' : color === 'red' ? 'warning' : color === 'black' ? 'none' : 'unknown';
  return { state, element: shield };
}

/** Members shown in a grid tile other than the focused one belong to another room. */
function inFocus(anchor: UserAnchor): boolean {
  return anchor.anchor.closest(SELECTORS.gridTile)?.classList.contains('focused') ?? true;
}

export const hydrogenAdapter: ClientAdapter = {
  family: 'Hydrogen',
  detect: (doc, url) => doc.querySelector(SELECTORS.app) !== null && ROOT_SEGMENTS.has(hashSegments(url)[0] ?? ''),
  roomFromUrl,
  findUsers: (root) =>
    [
      ...anchorsWithin(root, SELECTORS.memberTile, memberTile),
      ...anchorsWithin(root, SELECTORS.message, messageSender),
      ...anchorsWithin(root, SELECTORS.memberDetails, memberDetails),
    ].filter(inFocus),
  itemSelector: [SELECTORS.memberTile, SELECTORS.message, SELECTORS.memberDetails].join(', '),
  bannerAnchor: (doc) => doc.querySelector(SELECTORS.focusedGridComposer) ?? doc.querySelector(SELECTORS.composer) ?? undefined,
  timeline: (doc) => doc.querySelector(SELECTORS.focusedGridTimeline) ?? doc.querySelector(SELECTORS.timeline) ?? undefined,
  shieldOf,
};

/*
 * Test on:
 * - https://hydrogen.element.io/#/session/<sid>/room/!<room id>:matrix.org/members
 * - https://hydrogen.element.io/#/session/<sid>/room/!<room id>:matrix.org/member/@<user>:matrix.org
 * - https://hydrogen.element.io/#/session/<sid>/rooms/!<a>:matrix.org,!<b>:matrix.org/1 (grid)
 * Fixture: test/fixtures/hydrogen.html (member list, grouped timeline, member details,
 * composer); the real client, built from hydrogen-view-sdk, in test/hydrogen/.
 */
