import type { PageShield, ShieldState } from '../model/pageShield';
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
  /** Membership and other info events ("Bob joined the room"), alone or in a grouped summary. */
  infoEvent: '.mx_EventTile_info, .mx_GenericEventListSummary *',
  eventAvatar: '.mx_EventTile_avatar',
  /** The thread view wraps an event's avatar and sender in this. */
  eventSenderDetails: '.mx_EventTile_senderDetails',
  userInfo: '.mx_UserInfo',
  userInfoAvatar: '.mx_UserInfo_avatar',
  userInfoUserId: '.mx_UserInfo_profile_mxid',
  /** The name line of the user info header (2025 on): a fixed-height flex row. */
  userInfoName: '.mx_UserInfo_profile_name',
  roomComposer: '.mx_RoomView_body .mx_MessageComposer',
  /** The room's message list, inside its scroller (`.mx_RoomView_messagePanel`, a `.mx_ScrollPanel`). */
  roomTimeline: '.mx_RoomView_body .mx_RoomView_MessageList',
  anyComposer: '.mx_MessageComposer',
  /** Element's own shields (E2EIcon.tsx, E2EIconView.tsx, UserInfo.tsx); see shieldOf. */
  memberTileShield: '.mx_E2EIconView_verified, .mx_E2EIconView_warning',
  legacyShield: '.mx_E2EIcon',
  eventShield: '.mx_EventTile_e2eIcon',
  userInfoVerified: '.mx_UserInfo_verified_badge',
  userInfoVerifyButton: '.mx_UserInfo_verify_button',
  composerShield: '.mx_MessageComposer_e2eIcon',
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
 *
 * Info events (memberships, power levels, topic changes; alone or in a summary such as "Bob and
 * 2 others joined") get no badge at all. Their 14 px avatar is the event's sender, but the
 * sentence often names someone else ("Alice invited Bob", "Alice banned Bob"), so a badge there
 * would be read as being about the wrong person; it says what the devices are now, next to a
 * past event; and the member list, the sender's messages and the banner already name them.
 */
function timelineSender(event: Element): UserAnchor | undefined {
  if (event.matches(SELECTORS.infoEvent)) return undefined;
  const avatar =
    childMatching(event, SELECTORS.eventAvatar) ?? childMatching(childMatching(event, SELECTORS.eventSenderDetails), SELECTORS.eventAvatar);
  const userId = avatarUserId(avatar);
  if (!avatar || !userId) return undefined;
  const sender = childMatching(avatar.parentElement, SELECTORS.profile);
  // No name beside the avatar (an emote, "* Bob waves", names the sender inside its text): no
  // badge either. After the avatar it would land in the timestamp gutter on a line of its own,
  // as on info events; the member list and the banner still name them.
  if (!sender) return undefined;
  // The name is an inline-block that clips its text, on the event's first line, and a button (a
  // click mentions the sender in the composer): the badge follows it on that line, outside it,
  // centred on the name's box rather than on the line's baseline, which is the box's bottom.
  return { userId, anchor: sender, place: 'timeline', placement: 'beside-box' };
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

/** A shield's state from its class names (both generations): anything else is not understood. */
function stateOfClasses(element: Element | null | undefined): PageShield {
  if (!element) return { state: 'unknown' };
  const classes = element.classList;
  const state: ShieldState =
    classes.contains('mx_E2EIconView_verified') || classes.contains('mx_E2EIcon_verified')
      ? 'verified'
      : classes.contains('mx_E2EIconView_warning') ||
          classes.contains('mx_E2EIcon_warning') ||
          classes.contains('mx_EventTile_e2eIcon_warning')
        ? 'warning'
        : classes.contains('mx_E2EIcon_normal') || classes.contains('mx_EventTile_e2eIcon_normal')
          ? 'none'
          : 'unknown';
  return { state, element };
}

/**
 * Element's own indicator next to a user, read as data. Member rows show a shield only for
 * verified users (green) and verified users with an unsigned device (red): no shield is
 * Element's "normal", which cannot be told from a removed one, so it reads `unknown`. The
 * user info shows a "Verified" pill (1.12) or a shield in the name (older). A message's
 * shield never says verified; 1.12.13 puts no state in its classes at all.
 */
function shieldOf(found: UserAnchor): PageShield {
  const { anchor, place } = found;
  if (place === 'member-list') {
    const row = anchor.closest(`${SELECTORS.memberTile}, ${SELECTORS.entityTile}`);
    if (!row) return { state: 'unknown' };
    return stateOfClasses(row.querySelector(SELECTORS.memberTileShield) ?? row.querySelector(SELECTORS.legacyShield));
  }
  if (place === 'timeline') return stateOfClasses(anchor.closest(SELECTORS.event)?.querySelector(SELECTORS.eventShield));
  const panel = anchor.closest(SELECTORS.userInfo);
  const pill = panel?.querySelector(SELECTORS.userInfoVerified);
  if (pill) return { state: 'verified', element: pill };
  const legacy = panel?.querySelector(`h1 ${SELECTORS.legacyShield}, ${SELECTORS.userInfoName} ${SELECTORS.legacyShield}`);
  if (legacy) return stateOfClasses(legacy);
  const verify = panel?.querySelector(SELECTORS.userInfoVerifyButton);
  return verify ? { state: 'none', element: verify } : { state: 'unknown' };
}

/** The composer's shield speaks for the whole room (verified: every member and device is). */
function roomShield(doc: Document): PageShield {
  const composer = doc.querySelector(SELECTORS.roomComposer) ?? doc.querySelector(SELECTORS.anyComposer);
  return stateOfClasses(composer?.querySelector(SELECTORS.composerShield));
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
  timeline: (doc) => doc.querySelector(SELECTORS.roomTimeline) ?? undefined,
  shieldOf,
  roomShield,
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
