// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import {
  decodeSegment,
  elementsWithin,
  hashSegments,
  roomRefFrom,
  userIdFrom,
  userIdInParentheses,
  userIdInText,
} from '../../../src/clients/pageIds';

describe('reading Matrix ids out of page text', () => {
  it('accepts a user id of up to 255 characters and nothing longer', () => {
    const longest = `@${'a'.repeat(242)}:example.org`;
    expect(longest).toHaveLength(255);
    expect(userIdFrom(longest)).toBe(longest);
    expect(userIdFrom(`@a${longest.slice(1)}`)).toBeUndefined();
  });

  it('rejects user ids with whitespace around or inside them unless the text is trimmed on purpose', () => {
    expect(userIdFrom(' @bob:example.org')).toBeUndefined();
    expect(userIdFrom('@bob :example.org')).toBeUndefined();
    const shown = new DOMParser().parseFromString('<p>\n  @bob:example.org\n</p>', 'text/html').body.firstElementChild;
    expect(userIdInText(shown)).toBe('@bob:example.org');
  });

  it('reads the user id in the last parentheses of a label', () => {
    expect(userIdInParentheses('Bob (@bob:example.org)')).toBe('@bob:example.org');
    expect(userIdInParentheses('(@alice:example.org) Bob (@bob:example.org)')).toBe('@bob:example.org');
    expect(userIdInParentheses('Bob (bob)')).toBeUndefined();
    expect(userIdInParentheses('Bob @bob:example.org')).toBeUndefined();
    expect(userIdInParentheses(null)).toBeUndefined();
  });

  it('tells room ids, version 12 room ids and aliases apart, and nothing else is a room', () => {
    expect(roomRefFrom('!abc:example.org')).toEqual({ kind: 'id', roomId: '!abc:example.org' });
    expect(roomRefFrom('!31hneApxJ_1o-63DmFrpeqnkFfWppnzWso1JvH3ogLM')).toEqual({
      kind: 'id',
      roomId: '!31hneApxJ_1o-63DmFrpeqnkFfWppnzWso1JvH3ogLM',
    });
    expect(roomRefFrom('#room:example.org')).toEqual({ kind: 'alias', alias: '#room:example.org' });
    for (const text of ['room', '#room', '@bob:example.org', '!', `!${'a'.repeat(255)}`, '! spaced', undefined])
      expect(roomRefFrom(text)).toBeUndefined();
  });

  it('decodes URL segments and gives nothing for a badly encoded one', () => {
    expect(decodeSegment('%23room%3Aexample.org')).toBe('#room:example.org');
    expect(decodeSegment('%E0%A4%A')).toBeUndefined();
    expect(decodeSegment(undefined)).toBeUndefined();
  });

  it('splits a hash route into segments without its query string', () => {
    expect(hashSegments(new URL('https://a.example/#/room/!a:b/$e?via=c'))).toEqual(['room', '!a:b', '$e']);
    expect(hashSegments(new URL('https://a.example/'))).toEqual([]);
  });
});

describe('finding items in a subtree', () => {
  it('includes the subtree’s root when it matches', () => {
    const body = new DOMParser().parseFromString('<ul><li class="item"><span class="item"></span></li></ul>', 'text/html').body;
    const item = body.querySelector('li') as Element;
    expect(elementsWithin(item, '.item')).toEqual([item, item.firstElementChild]);
    expect(elementsWithin(item.ownerDocument, '.item')).toHaveLength(2);
  });
});
