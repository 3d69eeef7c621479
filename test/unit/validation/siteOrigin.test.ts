import { describe, expect, it } from 'vitest';
import { originPattern, siteOriginFrom } from '../../../src/validation/siteOrigin';

describe('siteOriginFrom', () => {
  it.each([
    ['chat.example.org', 'https://chat.example.org'],
    ['https://chat.example.org', 'https://chat.example.org'],
    ['https://chat.example.org/#/room/!abc:example.org', 'https://chat.example.org'],
    ['HTTPS://Chat.Example.ORG:443/', 'https://chat.example.org'],
    ['  https://chat.example.org:8448/element/  ', 'https://chat.example.org:8448'],
    ['https://[2001:db8::1]/', 'https://[2001:db8::1]'],
    ['bücher.example', 'https://xn--bcher-kva.example'],
  ])('reads %s as %s', (input, origin) => {
    expect(siteOriginFrom(input)).toBe(origin);
  });

  it.each([
    ['clear-text http', 'http://chat.example.org'],
    ['another scheme', 'ftp://chat.example.org'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['credentials', 'https://user:pass@chat.example.org'],
    ['a wildcard', 'https://*.example.org'],
    ['a host without a dot', 'https://chat'],
    ['white space inside', 'chat example.org'],
    ['nothing', '   '],
    ['an over-long host', `${'a'.repeat(250)}.example.org`],
    ['an extension page', 'chrome-extension://abcdef/popup.html'],
  ])('refuses %s', (_label, input) => {
    expect(siteOriginFrom(input)).toBeUndefined();
  });
});

describe('originPattern', () => {
  it('covers every page of the origin, on any port (Firefox match patterns cannot name one)', () => {
    expect(originPattern('https://chat.example.org')).toBe('https://chat.example.org/*');
    expect(originPattern('https://chat.example.org:8443')).toBe('https://chat.example.org/*');
    expect(originPattern('https://[2001:db8::1]')).toBe('https://[2001:db8::1]/*');
  });
});
