// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import type { UserAnchor } from '../../../src/clients/clientAdapter';
import { elementWebAdapter as element } from '../../../src/clients/element';
import { blankPage, fixturePage, the, userIdsIn } from './fixturePage';

const url = (address: string) => new URL(address);

describe('Element Web: the member list (2025 on)', () => {
  it('reads each row’s user id from its avatar and puts the badge after the row’s aria-hidden left part, where screen readers reach it', () => {
    const doc = fixturePage('element-web.html');
    const members = element.findUsers(the(doc, '.mx_MemberListView')).filter((found) => found.place === 'member-list');
    expect(members.map((found) => found.userId)).toEqual([
      '@alice:example.org',
      '@bob:example.org',
      '@mallory:example.org',
      '@eve:example.org',
      '@frank:example.org',
    ]);
    for (const found of members) {
      // The badge becomes the anchor's next sibling: a child of the role=option row, outside every aria-hidden part.
      expect(found.anchor.className).toBe('mx_MemberTileView_left');
      expect(found.placement ?? 'after').toBe('after');
      expect(found.anchor.parentElement?.getAttribute('role')).toBe('option');
      expect(found.anchor.parentElement?.closest('[aria-hidden="true"]')).toBeNull();
    }
  });

  it('skips a row whose deployment shows a custom identifier instead of the user id, and email invites', () => {
    const doc = fixturePage('element-web.html');
    const rows = [the(doc, '[aria-label="Dave"]'), the(doc, '[aria-label="Foobar"]')];
    expect(rows.flatMap((row) => element.findUsers(row))).toEqual([]);
  });

  it('falls back to the profile’s "Name (@user:server)" title when the avatar has none', () => {
    const doc = fixturePage('element-web.html');
    const row = the(doc, '.mx_MemberTileView[aria-label="Bob"]');
    the(row, '.mx_BaseAvatar').removeAttribute('title');
    expect(element.findUsers(row).map((found) => found.userId)).toEqual(['@bob:example.org']);
  });

  it('takes the last parenthesis of a profile title, not one a display name fakes', () => {
    const doc = fixturePage('element-web.html');
    const row = the(doc, '.mx_MemberTileView[aria-label="Bob"]');
    the(row, '.mx_BaseAvatar').removeAttribute('title');
    the(row, '.mx_DisambiguatedProfile').setAttribute('title', 'Bob (@alice:example.org) (@bob:example.org)');
    expect(element.findUsers(row).map((found) => found.userId)).toEqual(['@bob:example.org']);
  });

  it('finds only the rows inside the subtree it is given, the subtree’s root included', () => {
    const doc = fixturePage('element-web.html');
    const tile = the(doc, '.mx_MemberTileView[aria-label="Bob"]');
    expect(element.findUsers(tile).map((found) => found.userId)).toEqual(['@bob:example.org']);
    expect(element.findUsers(the(doc, '[data-index="0"]')).map((found) => found.userId)).toEqual(['@alice:example.org']);
    expect(element.findUsers(the(tile, '.mx_MemberTileView_right'))).toEqual([]);
  });

  it('treats each member row as an item, so a recycled row is looked at whole', () => {
    const doc = fixturePage('element-web.html');
    const name = the(doc, '.mx_MemberTileView[aria-label="Bob"] .mx_MemberTileView_name span');
    expect(name.closest(element.itemSelector ?? '')).toBe(the(doc, '.mx_MemberTileView[aria-label="Bob"]'));
  });
});

describe('Element Web: the member list of builds before 2025 (.mx_MemberList)', () => {
  it('reads each .mx_EntityTile’s avatar title, new and pre-compound avatars alike, and badges after the name', () => {
    const doc = fixturePage('element-web-legacy.html');
    const members = element.findUsers(the(doc, '.mx_MemberList'));
    expect(members.map(({ userId, place }) => [userId, place])).toEqual([
      ['@alice:example.org', 'member-list'],
      ['@bob:example.org', 'member-list'],
      ['@carol:example.org', 'member-list'],
    ]);
    for (const found of members) expect(found.anchor.className).toBe('mx_EntityTile_name');
  });

  it('skips the "and N others..." overflow tile', () => {
    const doc = fixturePage('element-web-legacy.html');
    expect(element.findUsers(the(doc, '.mx_EntityTile_ellipsis'))).toEqual([]);
  });

  it('reads the timeline and the user info panel of that generation too', () => {
    const found = element.findUsers(fixturePage('element-web-legacy.html'));
    expect(userIdsIn(found, 'timeline')).toEqual(['@alice:example.org', '@carol:example.org']);
    expect(userIdsIn(found, 'user-info')).toEqual(['@carol:example.org']);
  });
});

describe('Element Web: timeline senders', () => {
  it('badges the sender of the first event of each group, right after the sender’s name', () => {
    const doc = fixturePage('element-web.html');
    const senders = element.findUsers(the(doc, '.mx_RoomView_MessageList'));
    expect(senders.map(({ userId, place }) => [userId, place])).toEqual([
      ['@alice:example.org', 'timeline'],
      ['@bob:example.org', 'timeline'],
      ['@mallory:example.org', 'timeline'],
    ]);
    for (const found of senders) {
      expect(found.anchor.classList.contains('mx_DisambiguatedProfile')).toBe(true);
      expect(found.anchor.parentElement?.matches('li[data-event-id]')).toBe(true);
      // The name is a button (a click mentions the sender): the badge is its sibling, never inside
      // it, and centred on the name's box, an inline-block whose baseline is its bottom edge.
      expect(found.placement).toBe('beside-box');
    }
  });

  it('finds nothing in continuation events, which have no avatar or sender', () => {
    const doc = fixturePage('element-web.html');
    for (const eventId of ['$ev2', '$ev4', '$ev5']) expect(element.findUsers(the(doc, `li[data-event-id="${eventId}"]`))).toEqual([]);
  });

  it('ignores the avatars of quoted replies and read receipts inside an event', () => {
    const doc = fixturePage('element-web.html');
    expect(element.findUsers(the(doc, 'li[data-event-id="$ev3"]')).map((found) => found.userId)).toEqual(['@bob:example.org']);
  });

  it('badges nobody on an event that shows no sender name beside its avatar (an emote names them in its text)', () => {
    const doc = fixturePage('element-web.html');
    const event = the(doc, 'li[data-event-id="$ev1"]');
    event.querySelector(':scope > .mx_DisambiguatedProfile')?.remove();
    // After the avatar, the badge would sit in the timestamp gutter on a line of its own.
    expect(element.findUsers(event)).toEqual([]);
  });

  it('reads thread view events, whose avatar and sender sit in .mx_EventTile_senderDetails', () => {
    const doc = fixturePage('element-web.html');
    const event = the(doc, 'li[data-event-id="$ev1"]');
    const details = doc.createElement('div');
    details.className = 'mx_EventTile_senderDetails';
    details.append(the(event, '.mx_EventTile_avatar'), the(event, '.mx_DisambiguatedProfile'));
    event.prepend(details);
    const [found] = element.findUsers(event);
    expect(found?.userId).toBe('@alice:example.org');
    expect(found?.anchor.parentElement).toBe(details);
  });

  it('badges nobody on an info event ("Bob invited Frank"): its avatar is the sender, but the sentence may be about someone else', () => {
    const doc = fixturePage('element-web.html');
    const info = the(doc, 'li.mx_EventTile_info[data-event-id]');
    // The markup Element gives it: the sender's 14 px avatar with the user id, no name element.
    expect(the(info, '.mx_EventTile_avatar .mx_BaseAvatar').getAttribute('title')).toBe('@bob:example.org');
    expect(info.querySelector('.mx_DisambiguatedProfile')).toBeNull();
    expect(element.findUsers(info)).toEqual([]);
    expect(
      element.findUsers(the(doc, '.mx_RoomView_MessageList')).map((found) => found.anchor.closest('.mx_EventTile_info')),
    ).not.toContain(info);
  });

  it('badges nobody in a grouped membership summary ("Bob and 2 others joined"), collapsed or expanded', () => {
    const doc = fixturePage('element-web.html');
    const summary = the(doc, 'li.mx_GenericEventListSummary');
    expect(summary.querySelectorAll('.mx_BaseAvatar[title]')).toHaveLength(3);
    expect(element.findUsers(summary)).toEqual([]);
    // Expanded, it lists the events themselves; one that lost its info class is still inside the summary.
    const list = doc.createElement('ol');
    list.className = 'mx_GenericEventListSummary_unstyledList';
    const event = the(doc, 'li.mx_EventTile_info[data-event-id]');
    list.append(event);
    summary.append(list);
    expect(element.findUsers(summary)).toEqual([]);
    event.classList.remove('mx_EventTile_info');
    expect(element.findUsers(summary)).toEqual([]);
  });
});

describe('Element Web: the user info panel', () => {
  it('reads the user id from the big avatar and badges inside the name’s line, not on a line of its own', () => {
    const doc = fixturePage('element-web.html');
    const found = element.findUsers(the(doc, '.mx_UserInfo'));
    expect(found.map(({ userId, place }) => [userId, place])).toEqual([['@bob:example.org', 'user-info']]);
    expect(found[0]?.anchor.classList.contains('mx_UserInfo_profile_name')).toBe(true);
    expect(found[0]?.placement).toBe('inside');
  });

  it('badges after the shown user id in builds whose header has no name line', () => {
    const doc = fixturePage('element-web-legacy.html');
    const [found] = element.findUsers(the(doc, '.mx_UserInfo'));
    expect(found?.anchor.classList.contains('mx_UserInfo_profile_mxid')).toBe(true);
    expect(found?.placement).toBeUndefined();
  });

  it('falls back to the shown user id when the avatar has no title', () => {
    const doc = fixturePage('element-web.html');
    const panel = the(doc, '.mx_UserInfo');
    the(panel, '.mx_UserInfo_avatar .mx_BaseAvatar').removeAttribute('title');
    expect(element.findUsers(panel).map((found) => found.userId)).toEqual(['@bob:example.org']);
  });
});

describe('Element Web: hostile or malformed attributes', () => {
  const notUserIds = [
    ['a display name', 'Alice'],
    ['an id without its sigil', 'alice:example.org'],
    ['an id with a space', '@alice example.org'],
    ['an id without a server', '@alice:'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['markup', '<img src=x onerror=alert(1)>'],
    ['a 10,000-character id', `@${'a'.repeat(10_000)}:example.org`],
  ];

  it.each(notUserIds)('skips a member whose avatar and profile titles hold %s', (_what, title) => {
    const doc = fixturePage('element-web.html');
    const row = the(doc, '.mx_MemberTileView[aria-label="Alice"]');
    the(row, '.mx_BaseAvatar').setAttribute('title', title);
    the(row, '.mx_DisambiguatedProfile').setAttribute('title', `Alice (${title})`);
    expect(element.findUsers(row)).toEqual([]);
  });

  it.each(notUserIds)('skips a sender whose avatar title holds %s', (_what, title) => {
    const doc = fixturePage('element-web.html');
    const event = the(doc, 'li[data-event-id="$ev1"]');
    the(event, '.mx_EventTile_avatar .mx_BaseAvatar').setAttribute('title', title);
    expect(element.findUsers(event)).toEqual([]);
  });

  it('skips a user info panel whose shown id is 10,000 characters long', () => {
    const doc = fixturePage('element-web.html');
    const panel = the(doc, '.mx_UserInfo');
    the(panel, '.mx_UserInfo_avatar .mx_BaseAvatar').removeAttribute('title');
    the(panel, '.mx_CopyableText').textContent = `@${'b'.repeat(10_000)}:example.org`;
    expect(element.findUsers(panel)).toEqual([]);
  });

  it('reads a member named <img src=x onerror=alert(1)> by their user id, as text', () => {
    const doc = fixturePage('element-web.html');
    const row = the(doc, '.mx_MemberTileView[aria-posinset="3"]');
    expect(element.findUsers(row).map((found) => found.userId)).toEqual(['@mallory:example.org']);
    expect(doc.querySelector('img')).toBeNull();
  });
});

describe('Element Web: the room in the URL', () => {
  it.each([
    ['#/room/!abc:example.org', { kind: 'id', roomId: '!abc:example.org' }],
    ['#/room/!31hneApxJ_1o-63DmFrpeqnkFfWppnzWso1JvH3ogLM', { kind: 'id', roomId: '!31hneApxJ_1o-63DmFrpeqnkFfWppnzWso1JvH3ogLM' }],
    ['#/room/#element-web:matrix.org', { kind: 'alias', alias: '#element-web:matrix.org' }],
    ['#/room/%23element-web%3Amatrix.org', { kind: 'alias', alias: '#element-web:matrix.org' }],
    ['#/room/%21abc%3Aexample.org', { kind: 'id', roomId: '!abc:example.org' }],
    ['#/room/!abc:example.org/$event_id-123', { kind: 'id', roomId: '!abc:example.org' }],
    ['#/room/!abc:example.org/%24event%3Aexample.org?via=example.org&via=matrix.org', { kind: 'id', roomId: '!abc:example.org' }],
    ['#/room/#alias:example.org?via=example.org', { kind: 'alias', alias: '#alias:example.org' }],
    [
      '#/room/!31hneApxJ_1o-63DmFrpeqnkFfWppnzWso1JvH3ogLM/$ev?via=example.org',
      { kind: 'id', roomId: '!31hneApxJ_1o-63DmFrpeqnkFfWppnzWso1JvH3ogLM' },
    ],
  ])('%s names %o', (hash, room) => {
    expect(element.roomFromUrl(url(`https://app.element.io/${hash}`))).toEqual(room);
  });

  it.each([
    '',
    '#/home',
    '#/welcome',
    '#/user/@bob:example.org',
    '#/room/',
    '#/room/general',
    '#/room/#general',
    '#/room/%E0%A4%A',
    '#/rooms/!abc:example.org',
  ])('%j names no room', (hash) => {
    expect(element.roomFromUrl(url(`https://app.element.io/${hash}`))).toBeUndefined();
  });

  it('reads the hash, not the path, of a self-hosted Element under a sub-path', () => {
    expect(element.roomFromUrl(url('https://chat.example.org/element/#/room/!abc:example.org'))).toEqual({
      kind: 'id',
      roomId: '!abc:example.org',
    });
  });
});

describe('Element Web: recognising the page', () => {
  it.each(['element-web.html', 'element-web-legacy.html', 'element-web-virtual.html'])('recognises %s', (name) => {
    expect(element.detect(fixturePage(name), url('https://chat.example.org/#/room/!abc:example.org'))).toBe(true);
  });

  it('does not recognise Element by its URL alone: a page that has not rendered the app is not understood yet', () => {
    expect(element.detect(blankPage(), url('https://app.element.io/#/room/!abc:example.org'))).toBe(false);
    expect(element.detect(blankPage(), url('https://develop.element.io/#/home'))).toBe(false);
  });

  it('does not take another client, a random page, or an Element-like hash elsewhere for Element', () => {
    expect(element.detect(fixturePage('cinny.html'), url('https://app.cinny.in/home/'))).toBe(false);
    expect(element.detect(fixturePage('hydrogen.html'), url('https://hydrogen.element.io/#/session/1'))).toBe(false);
    expect(element.detect(blankPage(), url('https://example.org/recipes'))).toBe(false);
    expect(element.detect(blankPage(), url('https://example.org/#/room/!abc:example.org'))).toBe(false);
    expect(element.detect(blankPage(), url('https://app.element.io/#/recipes'))).toBe(false);
  });
});

describe('Element Web: where the banner goes', () => {
  it('goes before the room’s composer', () => {
    const doc = fixturePage('element-web.html');
    expect(element.bannerAnchor(doc)).toBe(the(doc, '.mx_RoomView_body > .mx_MessageComposer'));
  });

  it('prefers the room’s composer to a thread’s composer in the right panel', () => {
    const doc = fixturePage('element-web.html');
    const thread = doc.createElement('div');
    thread.className = 'mx_MessageComposer';
    doc.querySelector('.mx_MainSplit')?.prepend(thread);
    expect(element.bannerAnchor(doc)).toBe(the(doc, '.mx_RoomView_body > .mx_MessageComposer'));
  });

  it('has no place on a page without a composer', () => {
    expect(element.bannerAnchor(blankPage())).toBeUndefined();
  });
});

describe('Element Web: its own shields, read as data (the second opinion)', () => {
  const shieldsIn = (doc: Document) =>
    element.findUsers(doc).map((found) => `${found.place} ${found.userId} ${element.shieldOf?.(found).state ?? 'none given'}`);

  it('1.12: reads the member rows’ green and red shields, and a row without one as unknown (Element’s "normal" cannot be told from a removed shield)', () => {
    const shields = shieldsIn(fixturePage('element-web.html')).filter((line) => line.startsWith('member-list'));
    expect(shields).toEqual([
      'member-list @alice:example.org verified',
      'member-list @bob:example.org warning',
      'member-list @mallory:example.org unknown',
      'member-list @eve:example.org unknown',
      'member-list @frank:example.org unknown',
    ]);
  });

  it('1.12: a shield that turns green is read as green, with the element that shows it, so its changes can be watched', () => {
    const doc = fixturePage('element-web.html');
    const bob = element.findUsers(the(doc, '.mx_MemberTileView[aria-label="Bob"]'))[0];
    if (!bob) throw new Error('Bob’s row not found');
    const icon = the(doc, '.mx_MemberTileView[aria-label="Bob"] svg');
    icon.setAttribute('class', 'mx_E2EIconView_verified');
    expect(element.shieldOf?.(bob)).toEqual({ state: 'verified', element: icon });
  });

  it('1.12: the user info says "verified" only with its Verified pill; a Verify button is Element’s "not verified"', () => {
    const doc = fixturePage('element-web.html');
    const info = () => element.findUsers(the(doc, '.mx_UserInfo'))[0] as UserAnchor;
    expect(element.shieldOf?.(info()).state).toBe('none');
    the(doc, '.mx_UserInfo_verification').innerHTML =
      '<span class="mx_UserInfo_verified_badge"><span class="mx_UserInfo_verified_label">Verified</span></span>';
    expect(element.shieldOf?.(info()).state).toBe('verified');
  });

  it('1.12.13: a message’s shield carries no state in its classes, so it is not understood (and never says verified)', () => {
    const shields = shieldsIn(fixturePage('element-web.html')).filter((line) => line.startsWith('timeline'));
    expect(shields.length).toBeGreaterThan(0);
    for (const line of shields) expect(line.endsWith(' unknown')).toBe(true);
  });

  it('older builds: reads the member rows’ E2EIcon, the message shield’s _normal and _warning, and the composer’s shield for the room', () => {
    const doc = fixturePage('element-web-legacy.html');
    const shields = shieldsIn(doc);
    expect(shields).toContain('member-list @alice:example.org verified');
    expect(shields).toContain('member-list @bob:example.org warning');
    // As 1.11.88 renders them (CLIENTS.md): the fixture's events have none of their own.
    const li = the(doc, 'li[data-event-id="$old1"]');
    li.insertAdjacentHTML('beforeend', '<div class="mx_EventTile_e2eIcon mx_EventTile_e2eIcon_normal"></div>');
    const event = the(li, '.mx_EventTile_e2eIcon');
    const composer = the(doc, '.mx_RoomView_body .mx_MessageComposer');
    const sender = element.findUsers(li)[0] as UserAnchor;
    expect(element.shieldOf?.(sender).state).toBe('none');
    event.className = 'mx_EventTile_e2eIcon mx_EventTile_e2eIcon_warning';
    expect(element.shieldOf?.(sender).state).toBe('warning');
    expect(element.roomShield?.(doc).state).toBe('unknown');
    composer.insertAdjacentHTML('afterbegin', '<div class="mx_E2EIcon mx_MessageComposer_e2eIcon mx_E2EIcon_verified"></div>');
    expect(element.roomShield?.(doc).state).toBe('verified');
  });

  it('reads a page whose shields were removed as unknown everywhere: removing them never looks like agreement', () => {
    const doc = fixturePage('element-web.html');
    for (const shield of doc.querySelectorAll('.mx_E2EIconView, .mx_EventTile_e2eIcon, .mx_UserInfo_verification')) shield.remove();
    for (const line of shieldsIn(doc)) expect(line.endsWith(' unknown')).toBe(true);
    expect(element.roomShield?.(doc).state).toBe('unknown');
  });
});
