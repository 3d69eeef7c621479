import { describe, expect, it } from 'vitest';
import { isRequestKind, parseRequest } from '../../../src/messaging/parseRequest';

describe('parseRequest', () => {
  it('accepts a known kind from the sender kind allowed to send it', () => {
    expect(parseRequest({ kind: 'status.get', params: {} }, 'extension-page')).toEqual({
      ok: true,
      request: { kind: 'status.get', params: {} },
    });
  });

  it('treats missing params of a parameterless kind as empty', () => {
    expect(parseRequest({ kind: 'page.hello' }, 'content-script')).toEqual({
      ok: true,
      request: { kind: 'page.hello', params: {} },
    });
  });

  it.each([
    ['a string', 'status.get'],
    ['null', null],
    ['an array', [{ kind: 'status.get' }]],
    ['a number', 42],
    ['an object with a prototype other than Object', Object.assign(Object.create({ inherited: true }) as object, { kind: 'status.get', params: {} })],
    ['an object with extra fields', { kind: 'status.get', params: {}, token: 'x' }],
    ['a non-string kind', { kind: 7, params: {} }],
  ])('refuses %s as malformed', (_label, raw) => {
    expect(parseRequest(raw, 'extension-page')).toMatchObject({ ok: false, error: { code: 'malformed' } });
  });

  it('refuses parameters a kind does not take', () => {
    const parsed = parseRequest({ kind: 'status.get', params: { secret: 'x' } }, 'extension-page');
    expect(parsed).toMatchObject({ ok: false, kind: 'status.get', error: { code: 'malformed' } });
  });

  it('refuses parameters that are not an object', () => {
    expect(parseRequest({ kind: 'status.get', params: 'all' }, 'extension-page')).toMatchObject({
      ok: false,
      error: { code: 'malformed' },
    });
  });

  it('refuses unknown kinds without echoing them', () => {
    const parsed = parseRequest({ kind: '<img src=x onerror=alert(1)>', params: {} }, 'extension-page');
    expect(parsed).toEqual({ ok: false, error: { code: 'unknown-kind', message: 'unknown request kind' } });
  });

  it('does not mistake inherited object keys for request kinds', () => {
    for (const kind of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(isRequestKind(kind)).toBe(false);
      expect(parseRequest({ kind, params: {} }, 'extension-page')).toMatchObject({ error: { code: 'unknown-kind' } });
    }
  });

  it('refuses a page-only request from a content script', () => {
    expect(parseRequest({ kind: 'status.get', params: {} }, 'content-script')).toMatchObject({
      ok: false,
      kind: 'status.get',
      error: { code: 'forbidden', message: '"status.get" may only be sent by the extension\'s own pages' },
    });
  });

  it('refuses a content-script request from an extension page', () => {
    expect(parseRequest({ kind: 'page.hello', params: {} }, 'extension-page')).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });
});
