// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { cinnyAdapter as cinny } from '../../../src/clients/cinny';
import { OVERLAY_HOST_ATTRIBUTES } from '../../../src/clients/pageIds';
import { BADGE_HOST_ATTRIBUTE } from '../../../src/overlay/badgeElement';
import { BANNER_HOST_ATTRIBUTE } from '../../../src/overlay/roomBanner';
import { blankPage, fixturePage, the, userIdsIn } from './fixturePage';

const url = (address: string) => new URL(address);

function html(markup: string): Element {
  const doc = new DOMParser().parseFromString(`<!doctype html><body>${markup}</body>`, 'text/html');
  return doc.body;
}

describe('Cinny: the members drawer', () => {
  it('reads each row’s data-user-id and anchors the badge on the name text itself, never by class name', () => {
    const doc = fixturePage('cinny.html');
    const members = cinny.findUsers(doc).filter((found) => found.place === 'member-list');
    expect(members.map((found) => found.userId)).toEqual([
      '@alice:example.org',
      '@bob:example.org',
      '@mallory:example.org',
      '@eve:example.org',
    ]);
    for (const found of members) {
      // v4.2.2: button[data-user-id] > div (grows to fill the row) > p (the name).
      expect(found.anchor.tagName).toBe('P');
      expect(found.anchor.parentElement?.parentElement?.hasAttribute('data-user-id')).toBe(true);
      expect(found.placement ?? 'after').toBe('after');
      expect(found.anchor.textContent.trim()).not.toBe('');
    }
  });

  it('puts Bob’s badge right after his name, inside the box that fills the row, before his typing indicator', () => {
    const doc = fixturePage('cinny.html');
    const row = the(doc, 'button[data-index="3"]');
    const [found] = cinny.findUsers(row);
    expect(found?.anchor.textContent).toBe('Bob');
    expect(found?.anchor.nextElementSibling).toBeNull();
    expect(found?.anchor.parentElement?.nextElementSibling?.textContent).toBe('');
  });

  it('understands rows wrapped in a div that is the virtual row', () => {
    const body = html(
      '<div style="position: relative"><div data-index="1"><button aria-pressed="false" data-user-id="@bob:example.org"><span><svg></svg></span><div><p>Bob</p></div></button></div></div>',
    );
    const found = cinny.findUsers(body);
    expect(found.map(({ userId, place }) => [userId, place])).toEqual([['@bob:example.org', 'member-list']]);
    expect(found[0]?.anchor.tagName).toBe('P');
  });

  it('ignores a data-user-id outside both the members list and the timeline', () => {
    const body = html('<div role="dialog"><button data-user-id="@bob:example.org">Bob</button></div>');
    expect(cinny.findUsers(body)).toEqual([]);
  });

  it('finds only the rows inside the subtree it is given, the subtree’s root included', () => {
    const doc = fixturePage('cinny.html');
    expect(cinny.findUsers(the(doc, 'button[data-index="3"]')).map((found) => found.userId)).toEqual(['@bob:example.org']);
    expect(cinny.findUsers(the(doc, 'button[data-index="1"]')).map((found) => found.userId)).toEqual(['@alice:example.org']);
    expect(cinny.findUsers(the(doc, 'p[data-index="0"]'))).toEqual([]);
  });
});

describe('Cinny: timeline senders', () => {
  it('badges each message once, after the sender’s name rather than the avatar, in the header’s row and outside the name button', () => {
    const doc = fixturePage('cinny.html');
    const senders = cinny.findUsers(doc).filter((found) => found.place === 'timeline');
    expect(senders.map((found) => found.userId)).toEqual(['@alice:example.org', '@bob:example.org', '@mallory:example.org']);
    for (const found of senders) {
      expect(found.anchor.hasAttribute('data-user-id')).toBe(true);
      expect(found.anchor.querySelector('b')).not.toBeNull();
      // The name button's click mentions the sender: the badge is its sibling, never its child.
      expect(found.placement).toBe('in-row');
      expect(found.anchor.nextElementSibling?.querySelector('time')).not.toBeNull();
    }
  });

  it('finds nothing in collapsed messages (the same sender again) or in state events', () => {
    const doc = fixturePage('cinny.html');
    expect(cinny.findUsers(the(doc, '[data-message-id="$c2"]'))).toEqual([]);
    expect(cinny.findUsers(the(doc, '[data-message-id="$c3"]'))).toEqual([]);
  });

  it('badges only the sender of a message that quotes another', () => {
    const doc = fixturePage('cinny.html');
    expect(cinny.findUsers(the(doc, '[data-message-id="$c4"]')).map((found) => found.userId)).toEqual(['@bob:example.org']);
  });

  it('falls back to the avatar when a layout shows no name', () => {
    const doc = fixturePage('cinny.html');
    const message = the(doc, '[data-message-id="$c1"]');
    message.querySelector('button[data-user-id] b')?.closest('button')?.remove();
    const [found] = cinny.findUsers(message);
    expect(found?.userId).toBe('@alice:example.org');
    expect(found?.anchor.querySelector('svg')).not.toBeNull();
    expect(found?.placement).toBeUndefined();
  });

  it('treats a whole message as an item, so a change anywhere in it rereads its sender', () => {
    const doc = fixturePage('cinny.html');
    const name = the(doc, '[data-message-id="$c1"] b');
    expect(name.closest(cinny.itemSelector ?? '')).toBe(the(doc, '[data-message-id="$c1"]'));
  });

  it('never counts a sender as a member, nor a member as a sender', () => {
    const found = cinny.findUsers(fixturePage('cinny.html'));
    expect(userIdsIn(found, 'member-list')).toHaveLength(4);
    expect(found.filter((anchor) => anchor.place === 'timeline').every((anchor) => anchor.anchor.closest('[data-message-id]'))).toBe(true);
    expect(found.filter((anchor) => anchor.place === 'member-list').every((anchor) => !anchor.anchor.closest('[data-message-id]'))).toBe(
      true,
    );
  });
});

describe('Cinny: hostile or malformed attributes', () => {
  it.each([
    ['a bare name', 'bob'],
    ['an id without its sigil', 'bob:example.org'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['markup', '<img src=x onerror=alert(1)>'],
    ['a 10,000-character id', `@${'b'.repeat(10_000)}:example.org`],
  ])('skips a member row and a sender whose data-user-id holds %s', (_what, value) => {
    const doc = fixturePage('cinny.html');
    for (const node of doc.querySelectorAll('[data-user-id="@bob:example.org"]')) node.setAttribute('data-user-id', value);
    expect(cinny.findUsers(doc).map((found) => found.userId)).not.toContain(value);
    expect(cinny.findUsers(the(doc, 'button[data-index="3"]'))).toEqual([]);
    expect(cinny.findUsers(the(doc, '[data-message-id="$c4"]'))).toEqual([]);
  });
});

describe('Cinny: the room in the URL', () => {
  it.each([
    ['https://app.cinny.in/home/%23cinny%3Amatrix.org/', { kind: 'alias', alias: '#cinny:matrix.org' }],
    ['https://app.cinny.in/home/!abc%3Aexample.org/', { kind: 'id', roomId: '!abc:example.org' }],
    ['https://app.cinny.in/home/!abc%3Aexample.org/%24event%3Aexample.org/', { kind: 'id', roomId: '!abc:example.org' }],
    [
      'https://app.cinny.in/home/!31hneApxJ_1o-63DmFrpeqnkFfWppnzWso1JvH3ogLM/',
      { kind: 'id', roomId: '!31hneApxJ_1o-63DmFrpeqnkFfWppnzWso1JvH3ogLM' },
    ],
    ['https://app.cinny.in/home/%23cinny%3Amatrix.org/?viaServers=matrix.org', { kind: 'alias', alias: '#cinny:matrix.org' }],
    ['https://app.cinny.in/direct/!dm%3Aexample.org/', { kind: 'id', roomId: '!dm:example.org' }],
    ['https://app.cinny.in/direct/!dm%3Aexample.org/%24event/', { kind: 'id', roomId: '!dm:example.org' }],
    ['https://app.cinny.in/%23space%3Aexample.org/%23room%3Aexample.org/', { kind: 'alias', alias: '#room:example.org' }],
    ['https://app.cinny.in/!space%3Aexample.org/!room%3Aexample.org/%24event/', { kind: 'id', roomId: '!room:example.org' }],
    ['https://chat.example.org/cinny/home/%23team%3Aexample.org/', { kind: 'alias', alias: '#team:example.org' }],
  ])('%s names %o', (address, room) => {
    expect(cinny.roomFromUrl(url(address))).toEqual(room);
  });

  it.each([
    ['https://chat.example.org/#/home/%23team%3Aexample.org/', { kind: 'alias', alias: '#team:example.org' }],
    ['https://chat.example.org/#/direct/!dm%3Aexample.org/?viaServers=example.org', { kind: 'id', roomId: '!dm:example.org' }],
    ['https://chat.example.org/#/%23space%3Aexample.org/!room%3Aexample.org/', { kind: 'id', roomId: '!room:example.org' }],
    ['https://chat.example.org/app/#/cinny/home/!abc%3Aexample.org/%24event/', { kind: 'id', roomId: '!abc:example.org' }],
  ])('under the hash router, %s names %o', (address, room) => {
    expect(cinny.roomFromUrl(url(address))).toEqual(room);
  });

  it.each([
    'https://app.cinny.in/',
    'https://app.cinny.in/home/',
    'https://app.cinny.in/home/search/',
    'https://app.cinny.in/home/create/',
    'https://app.cinny.in/home/join/',
    'https://app.cinny.in/direct/create/?userId=%40bob%3Aexample.org',
    'https://app.cinny.in/%23space%3Aexample.org/',
    'https://app.cinny.in/%23space%3Aexample.org/lobby/',
    'https://app.cinny.in/%23space%3Aexample.org/search/',
    'https://app.cinny.in/inbox/notifications/',
    'https://app.cinny.in/explore/featured/',
    'https://app.cinny.in/login/matrix.org/',
    'https://app.cinny.in/home/%E0%A4%A/',
    'https://chat.example.org/#/home/',
  ])('%s names no room', (address) => {
    expect(cinny.roomFromUrl(url(address))).toBeUndefined();
  });
});

describe('Cinny: recognising the page', () => {
  it('recognises Cinny by its application-name', () => {
    expect(cinny.detect(fixturePage('cinny.html'), url('https://chat.example.org/home/'))).toBe(true);
  });

  it('does not take Element, Hydrogen or a random page for Cinny', () => {
    expect(cinny.detect(fixturePage('element-web.html'), url('https://app.element.io/#/room/!a:b'))).toBe(false);
    expect(cinny.detect(fixturePage('hydrogen.html'), url('https://hydrogen.element.io/#/session/1'))).toBe(false);
    expect(cinny.detect(blankPage(), url('https://example.org/home/%23team%3Aexample.org/'))).toBe(false);
  });
});

describe('Cinny: where the banner goes', () => {
  it('goes before the whole message editor, found by its stable data-editable-name', () => {
    const doc = fixturePage('cinny.html');
    const anchor = cinny.bannerAnchor(doc);
    expect(anchor?.contains(the(doc, '[data-editable-name="RoomInput"]'))).toBe(true);
    expect(anchor?.querySelector('button[aria-label="Upload"]')).not.toBeNull();
    expect(anchor?.parentElement?.children).toHaveLength(1);
  });

  it('has no place when the editor is missing or no longer sits in its editor', () => {
    expect(cinny.bannerAnchor(blankPage())).toBeUndefined();
    const body = html('<div data-editable-name="RoomInput"></div>');
    expect(cinny.bannerAnchor(body.ownerDocument)).toBeUndefined();
  });
});

describe('Cinny: its own trust indicators', () => {
  it('has none to read: its members drawer and timeline show no per-user shield (docs/clients/shields.md)', () => {
    expect('shieldOf' in cinny).toBe(false);
    expect('roomShield' in cinny).toBe(false);
  });
});

describe('Cinny: looking at a badged row again', () => {
  it('finds the same name once our badge sits after it: the badge never moves out of the name’s box', () => {
    const doc = fixturePage('cinny.html');
    const bobInList = () => cinny.findUsers(doc).find((found) => found.place === 'member-list' && found.userId === '@bob:example.org');
    const before = bobInList();
    if (!before) throw new Error('Bob’s member row yields no anchor');
    // What the painter leaves there: an empty host (its content is in a closed shadow root).
    const host = doc.createElement('span');
    host.setAttribute(BADGE_HOST_ATTRIBUTE, '');
    before.anchor.after(host);
    expect(bobInList()?.anchor).toBe(before.anchor);
  });

  it('knows the overlay’s own attributes', () => {
    expect([...OVERLAY_HOST_ATTRIBUTES].sort()).toEqual([BADGE_HOST_ATTRIBUTE, BANNER_HOST_ATTRIBUTE].sort());
  });
});
