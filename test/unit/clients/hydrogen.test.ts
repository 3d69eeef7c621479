// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { hydrogenAdapter as hydrogen } from '../../../src/clients/hydrogen';
import { blankPage, fixturePage, the } from './fixturePage';

const url = (address: string) => new URL(address);
const SESSION = 'https://hydrogen.element.io/#/session/1646528482480255';

describe('Hydrogen: the member list', () => {
  it('reads each tile’s user id from the end of its member link and badges after the name', () => {
    const doc = fixturePage('hydrogen.html');
    const members = hydrogen.findUsers(the(doc, '.MemberListView'));
    expect(members.map(({ userId, place }) => [userId, place])).toEqual([
      ['@alice:example.org', 'member-list'],
      ['@bob:example.org', 'member-list'],
      ['@mallory:example.org', 'member-list'],
      ['@eve:example.org', 'member-list'],
    ]);
    for (const found of members) expect(found.anchor.className).toBe('MemberTileView_name');
  });

  it('finds only the tiles inside the subtree it is given, the subtree’s root included', () => {
    const doc = fixturePage('hydrogen.html');
    const bob = the(doc, 'li.MemberTileView:nth-child(2)');
    expect(hydrogen.findUsers(bob).map((found) => found.userId)).toEqual(['@bob:example.org']);
    expect(hydrogen.findUsers(the(bob, '.avatar'))).toEqual([]);
  });

  it.each([
    ['a javascript: URL', 'javascript:alert(1)//member/%40bob%3Aexample.org'],
    ['another site', 'https://evil.example/#/session/1/member/%40bob%3Aexample.org'],
    ['a link to a non-user', '#/session/1/open-room/!r%3Aexample.org/member/bob'],
    ['a badly encoded id', '#/session/1/open-room/!r%3Aexample.org/member/%40bob%3Aexample.org%E0%A4%A'],
    ['a 10,000-character id', `#/session/1/open-room/!r%3Aexample.org/member/%40${'b'.repeat(10_000)}%3Aexample.org`],
  ])('skips a tile whose link is %s', (_what, href) => {
    const doc = fixturePage('hydrogen.html');
    const bob = the(doc, 'li.MemberTileView:nth-child(2)');
    the(bob, 'a').setAttribute('href', href);
    expect(hydrogen.findUsers(bob)).toEqual([]);
  });
});

describe('Hydrogen: timeline senders', () => {
  it('badges the sender of the first message of each group, after the sender', () => {
    const doc = fixturePage('hydrogen.html');
    const senders = hydrogen.findUsers(the(doc, '.Timeline'));
    expect(senders.map(({ userId, place }) => [userId, place])).toEqual([
      ['@alice:example.org', 'timeline'],
      ['@bob:example.org', 'timeline'],
      ['@mallory:example.org', 'timeline'],
    ]);
    for (const found of senders) expect(found.anchor.classList.contains('Timeline_messageSender')).toBe(true);
  });

  it('finds nothing in continuation messages, nor in the sender-less message a reply quotes', () => {
    const doc = fixturePage('hydrogen.html');
    expect(hydrogen.findUsers(the(doc, 'li.continuation[data-event-id="$h2"]'))).toEqual([]);
    expect(hydrogen.findUsers(the(doc, '.ReplyPreviewView'))).toEqual([]);
    expect(hydrogen.findUsers(the(doc, 'li[data-event-id="$h3"]')).map((found) => found.userId)).toEqual(['@bob:example.org']);
  });

  it.each([
    ['a display name', 'Bob'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a 10,000-character id', `@${'b'.repeat(10_000)}:example.org`],
  ])('skips a sender whose title is %s', (_what, title) => {
    const doc = fixturePage('hydrogen.html');
    const message = the(doc, 'li[data-event-id="$h3"]');
    the(message, '.Timeline_messageSender').setAttribute('title', title);
    expect(hydrogen.findUsers(message)).toEqual([]);
  });
});

describe('Hydrogen: member details', () => {
  it('reads the shown user id and badges after it', () => {
    const doc = fixturePage('hydrogen.html');
    const found = hydrogen.findUsers(the(doc, '.MemberDetailsView'));
    expect(found.map(({ userId, place }) => [userId, place])).toEqual([['@bob:example.org', 'user-info']]);
    expect(found[0]?.anchor.className).toBe('MemberDetailsView_id');
  });

  it('skips details whose shown id is not a user id', () => {
    const doc = fixturePage('hydrogen.html');
    const panel = the(doc, '.MemberDetailsView');
    the(panel, '.MemberDetailsView_id').textContent = `@${'b'.repeat(10_000)}:example.org`;
    expect(hydrogen.findUsers(panel)).toEqual([]);
  });
});

describe('Hydrogen: the room grid', () => {
  function grid(): Document {
    const doc = fixturePage('hydrogen.html');
    const room = the(doc, 'main.RoomView');
    const gridView = doc.createElement('div');
    gridView.className = 'RoomGridView middle layout3x2';
    const other = doc.createElement('div');
    other.className = 'container tile0';
    other.append(room.cloneNode(true));
    const focused = doc.createElement('div');
    focused.className = 'container tile1 focused';
    room.replaceWith(gridView);
    focused.append(room);
    gridView.append(other, focused);
    return doc;
  }

  it('reads only the focused tile, the room the URL names', () => {
    const doc = grid();
    const senders = hydrogen.findUsers(doc).filter((found) => found.place === 'timeline');
    expect(senders).toHaveLength(3);
    for (const found of senders) expect(found.anchor.closest('.container')?.classList.contains('focused')).toBe(true);
  });

  it('puts the banner above the focused tile’s composer', () => {
    const doc = grid();
    expect(hydrogen.bannerAnchor(doc)).toBe(the(doc, '.container.focused .MessageComposer'));
  });
});

describe('Hydrogen: the room in the URL', () => {
  it.each([
    ['/room/!hydroRoom%3Aexample.org', { kind: 'id', roomId: '!hydroRoom:example.org' }],
    ['/room/!hydroRoom:example.org', { kind: 'id', roomId: '!hydroRoom:example.org' }],
    ['/room/!31hneApxJ_1o-63DmFrpeqnkFfWppnzWso1JvH3ogLM', { kind: 'id', roomId: '!31hneApxJ_1o-63DmFrpeqnkFfWppnzWso1JvH3ogLM' }],
    ['/room/!hydroRoom%3Aexample.org/members', { kind: 'id', roomId: '!hydroRoom:example.org' }],
    ['/room/!hydroRoom%3Aexample.org/member/%40bob%3Aexample.org', { kind: 'id', roomId: '!hydroRoom:example.org' }],
    ['/room/!hydroRoom%3Aexample.org/details', { kind: 'id', roomId: '!hydroRoom:example.org' }],
    ['/room/!hydroRoom%3Aexample.org/lightbox/%24event', { kind: 'id', roomId: '!hydroRoom:example.org' }],
    ['/open-room/!hydroRoom%3Aexample.org', { kind: 'id', roomId: '!hydroRoom:example.org' }],
    ['/rooms/!a%3Aexample.org,!b%3Aexample.org/1', { kind: 'id', roomId: '!b:example.org' }],
    ['/rooms/!a%3Aexample.org,!b%3Aexample.org/0/members', { kind: 'id', roomId: '!a:example.org' }],
    ['/rooms/!a%3Aexample.org,!b%3Aexample.org', { kind: 'id', roomId: '!a:example.org' }],
  ])('#/session/<sid>%s names %o', (route, room) => {
    expect(hydrogen.roomFromUrl(url(`${SESSION}${route}`))).toEqual(room);
  });

  it.each([
    '',
    '/settings',
    '/create-room',
    '/rooms/!a%3Aexample.org,,!c%3Aexample.org/1',
    '/rooms/!a%3Aexample.org,!b%3Aexample.org/7',
    '/room/',
    '/room/general',
    '/room/%E0%A4%A',
  ])('#/session/<sid>%s names no room', (route) => {
    expect(hydrogen.roomFromUrl(url(`${SESSION}${route}`))).toBeUndefined();
  });

  it('names no room outside a session', () => {
    expect(hydrogen.roomFromUrl(url('https://hydrogen.element.io/#/login'))).toBeUndefined();
    expect(hydrogen.roomFromUrl(url('https://hydrogen.element.io/'))).toBeUndefined();
    expect(hydrogen.roomFromUrl(url('https://hydrogen.element.io/#/room/!a%3Aexample.org'))).toBeUndefined();
  });
});

describe('Hydrogen: recognising the page', () => {
  it('recognises Hydrogen by its views and its routes', () => {
    expect(hydrogen.detect(fixturePage('hydrogen.html'), url(`${SESSION}/room/!hydroRoom%3Aexample.org`))).toBe(true);
    expect(hydrogen.detect(fixturePage('hydrogen.html'), url('https://chat.example.org/#/login'))).toBe(true);
  });

  it('does not take Element, Cinny, a random page, or a page merely styled "hydrogen" for Hydrogen', () => {
    expect(hydrogen.detect(fixturePage('element-web.html'), url('https://chat.example.org/#/session/1'))).toBe(false);
    expect(hydrogen.detect(fixturePage('cinny.html'), url('https://chat.example.org/#/session/1'))).toBe(false);
    expect(hydrogen.detect(blankPage(), url(`${SESSION}/room/!a%3Ab`))).toBe(false);
    const chemistry = new DOMParser().parseFromString('<body class="hydrogen"><h1>H</h1></body>', 'text/html');
    expect(hydrogen.detect(chemistry, url('https://example.org/elements#/hydrogen'))).toBe(false);
  });
});

describe('Hydrogen: where the banner goes', () => {
  it('goes before the composer', () => {
    const doc = fixturePage('hydrogen.html');
    expect(hydrogen.bannerAnchor(doc)).toBe(the(doc, '.MessageComposer'));
  });

  it('has no place on a page without one', () => {
    expect(hydrogen.bannerAnchor(blankPage())).toBeUndefined();
  });
});

describe('Hydrogen: its own shield, read as data (the second opinion)', () => {
  /** The member details' security section as Hydrogen renders it with its cross-signing feature on. */
  function withShield(color: string): Document {
    const doc = fixturePage('hydrogen.html');
    doc
      .querySelector('.MemberDetailsView_id')
      ?.insertAdjacentHTML(
        'afterend',
        `<div class="MemberDetailsView_section"><div class="MemberDetailsView_value"><div class="MemberDetailsView_shield_container"><span class="MemberDetailsView_shield_${color}"></span><p class="MemberDetailsView_shield_description">…</p></div></div></div>`,
      );
    return doc;
  }
  const detailsShield = (doc: Document) => {
    const found = hydrogen.findUsers(doc).find((anchor) => anchor.place === 'user-info');
    return found && hydrogen.shieldOf?.(found).state;
  };

  it.each([
    ['green', 'verified'],
    ['red', 'warning'],
    ['black', 'none'],
    ['', 'unknown'],
  ])('reads the member details’ %s shield as %s', (color, state) => {
    expect(detailsShield(withShield(color))).toBe(state);
  });

  it('reads no shield (the feature off, as by default) as unknown, and member rows and messages as unknown: it shows none there', () => {
    const doc = fixturePage('hydrogen.html');
    expect(detailsShield(doc)).toBe('unknown');
    for (const found of hydrogen.findUsers(doc).filter((anchor) => anchor.place !== 'user-info'))
      expect(hydrogen.shieldOf?.(found).state).toBe('unknown');
  });
});
