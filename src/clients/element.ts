import type { ClientAdapter, RoomRef, UserAnchor } from './clientAdapter';
import {
  anchorsWithin,
  childMatching,
  decodeSegment,
  hashSegments,
  roomRefFrom,
  userIdFrom,
  userIdInParentheses,
  userIdInText,
} from './pageIds';

/**
 * Element Web (element-hq/element-web, app code under apps/web/src/). Only its stable hooks
 * are read: `mx_*` class names, `data-event-id` and `title` attributes, never the hashed
 * class names of its design system. Two member list generations are in use: the virtualised
 * `.mx_MemberTileView` rows (2025 on) and the `.mx_EntityTile` rows of older self-hosted builds.
 * The user id comes from an avatar's `title`, which both generations set to the user id.
 */
const SELECTORS = {
  app: '#matrixchat, .mx_MatrixChat',
  /** An avatar (a span, button or, in old builds, an img) whose title is the user id. */
  avatar: '.mx_BaseAvatar[title], .mx_BaseAvatar_image[title]',
  /** Its title is "Display name (@user:server)" where it has one. */
  profile: '.mx_DisambiguatedProfile',
  memberTile: '.mx_MemberTileView',
  memberTileAvatar: '.mx_MemberTileView_avatar',
  memberTileName: '.mx_MemberTileView_name',
  /** Avatar and name of a member row, hidden from screen readers (`aria-hidden`) in 1.12. */
  memberTileLeft: '.mx_MemberTileView_left',
  entityTile: '.mx_EntityTile',
  entityTileAvatar: '.mx_EntityTile_avatar',
  entityTileName: '.mx_EntityTile_name',
  event: 'li[data-event-id]',
  eventAvatar: '.mx_EventTile_avatar',
  /** The thread view wraps an event's avatar and sender in this. */
  eventSenderDetails: '.mx_EventTile_senderDetails',
  userInfo: '.mx_UserInfo',
  userInfoAvatar: '.mx_UserInfo_avatar',
  userInfoUserId: '.mx_UserInfo_profile_mxid',
  /** The name line of the user info header (2025 on): a fixed-height flex row. */
  userInfoName: '.mx_UserInfo_profile_name',
  roomComposer: '.mx_RoomView_body .mx_MessageComposer',
  anyComposer: '.mx_MessageComposer',
} as const;

function avatarUserId(container: Element | null | undefined): string | undefined {
  return userIdFrom(container?.querySelector(SELECTORS.avatar)?.getAttribute('title'));
}

function profileUserId(container: Element | null | undefined): string | undefined {
  return userIdInParentheses(container?.querySelector(SELECTORS.profile)?.getAttribute('title'));
}

/** A row of the member list of builds before 2025: avatar and name side by side; the badge follows the name. */
function entityTile(row: Element): UserAnchor | undefined {
  const name = row.querySelector(SELECTORS.entityTileName);
  const userId = avatarUserId(row.querySelector(SELECTORS.entityTileAvatar)) ?? profileUserId(name);
  return name && userId ? { userId, anchor: name, place: 'member-list' } : undefined;
}

/**
 * A row of the member list (2025 on): a `role=option` labelled with the name only, whose left
 * part (avatar and name) is `aria-hidden`, so a badge in there would never be heard. The badge
 * follows that left part instead, as the row's own child, in front of Element's shield: screen
 * readers reach it, and its label says what is wrong.
 */
function memberTile(row: Element): UserAnchor | undefined {
  const name = row.querySelector(SELECTORS.memberTileName);
  const left = name?.closest(SELECTORS.memberTileLeft);
  const userId = avatarUserId(row.querySelector(SELECTORS.memberTileAvatar)) ?? profileUserId(name);
  if (!name || !userId) return undefined;
  return left?.parentElement === row ? { userId, anchor: left, place: 'member-list' } : { userId, anchor: name, place: 'member-list' };
}

/**
 * The sender of the first event of a group. Continuation events carry neither avatar nor
 * sender, and avatars elsewhere in an event (replies, read receipts, thread summaries) are
 * nested deeper, so only the event's own avatar counts.
 */
function timelineSender(event: Element): UserAnchor | undefined {
  const avatar =
    childMatching(event, SELECTORS.eventAvatar) ?? childMatching(childMatching(event, SELECTORS.eventSenderDetails), SELECTORS.eventAvatar);
  const userId = avatarUserId(avatar);
  if (!avatar || !userId) return undefined;
  const sender = childMatching(avatar.parentElement, SELECTORS.profile);
  // The name is an inline-block on the event's first line and a button (a click mentions the
  // sender in the composer): the badge follows it on that line, outside it.
  return { userId, anchor: sender ?? avatar, place: 'timeline' };
}

/**
 * The user info panel; deployments may show a custom identifier instead of the user id. The
 * badge goes inside the name's line, after the name, where it takes no room of its own; builds
 * without that line get it after the user id.
 */
function userInfo(panel: Element): UserAnchor | undefined {
  const shownId = panel.querySelector(SELECTORS.userInfoUserId);
  const userId = avatarUserId(panel.querySelector(SELECTORS.userInfoAvatar)) ?? userIdInText(shownId);
  if (!shownId || !userId) return undefined;
  const name = panel.querySelector(SELECTORS.userInfoName);
  return name ? { userId, anchor: name, place: 'user-info', placement: 'inside' } : { userId, anchor: shownId, place: 'user-info' };
}

/** `#/room/<room id or alias>`, optionally followed by `/<event id>` and `?via=<server>`. */
function roomFromUrl(url: URL): RoomRef | undefined {
  const [route, room] = hashSegments(url);
  return route === 'room' ? roomRefFrom(decodeSegment(room)) : undefined;
}

export const elementWebAdapter: ClientAdapter = {
  family: 'Element Web',
  // By the page alone: a URL that looks right on a page that is not (yet) Element is not understood.
  detect: (doc) => doc.querySelector(SELECTORS.app) !== null,
  roomFromUrl,
  findUsers: (root) => [
    ...anchorsWithin(root, SELECTORS.memberTile, memberTile),
    ...anchorsWithin(root, SELECTORS.entityTile, entityTile),
    ...anchorsWithin(root, SELECTORS.event, timelineSender),
    ...anchorsWithin(root, SELECTORS.userInfo, userInfo),
  ],
  itemSelector: [SELECTORS.memberTile, SELECTORS.entityTile, SELECTORS.event, SELECTORS.userInfo].join(', '),
  // The room's composer, not the one of a thread open in the right panel.
  bannerAnchor: (doc) => doc.querySelector(SELECTORS.roomComposer) ?? doc.querySelector(SELECTORS.anyComposer) ?? undefined,
};

/*
 * The room header is not read: for a DM it shows the partner's name and avatar, but neither
 * carries the user id (RoomHeader.tsx, its avatar has no title).
 *
 * Test on:
 * - https://app.element.io/#/room/#element-web:matrix.org (alias; open Room info > People)
 * - https://app.element.io/#/room/!<room id>:matrix.org/$<event id>?via=matrix.org (permalink)
 * - https://develop.element.io/#/room/#element-dev:matrix.org (newest markup)
 * - https://app.element.io/#/user/@<user>:matrix.org (user info panel)
 * - a self-hosted Element of v1.11.8x or older, from before 2025 (the .mx_EntityTile member list)
 * Fixtures: test/fixtures/element-web.html (member list, grouped timeline, user info, composer),
 * element-web-legacy.html (.mx_MemberList generation), element-web-virtual.html (virtualised
 * list that replaces rows while scrolling, room switches by hash).
 */
