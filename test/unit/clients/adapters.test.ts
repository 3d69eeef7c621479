// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { ADAPTERS, adapterFor } from '../../../src/clients/adapters';
import { BUILT_IN_SITES } from '../../../src/clients/builtInSites';
import { userId } from '../../../src/validation/shape';
import { blankPage, fixturePage } from './fixturePage';

const FIXTURES = ['element-web.html', 'element-web-legacy.html', 'element-web-virtual.html', 'cinny.html', 'hydrogen.html'];

describe('choosing the adapter for a page', () => {
  const FIXTURE_OF = {
    'Element Web': ['element-web.html', '#/room/!abc:example.org'],
    Cinny: ['cinny.html', 'home/'],
    Hydrogen: ['hydrogen.html', '#/session/1'],
  } as const;

  it.each(BUILT_IN_SITES.map((site) => [site.origin, site.client]))(
    '%s is %s once its page shows it, and nothing else',
    (origin, client) => {
      const [fixture, route] = FIXTURE_OF[client];
      expect(adapterFor(fixturePage(fixture), new URL(`${origin}/${route}`))?.family).toBe(client);
      // Still loading, or markup changed beyond recognition: not understood, rather than guessed.
      expect(adapterFor(blankPage(), new URL(`${origin}/${route}`))).toBeUndefined();
      // Another client's markup on this site is not this client.
      for (const [other, [otherFixture]] of Object.entries(FIXTURE_OF)) {
        if (other !== client) expect(adapterFor(fixturePage(otherFixture), new URL(`${origin}/${route}`))).toBeUndefined();
      }
    },
  );

  it.each([
    ['element-web.html', 'https://chat.example.org/#/room/!abc:example.org', 'Element Web'],
    ['element-web-legacy.html', 'https://element.example.org/#/room/#legacy:example.org', 'Element Web'],
    ['cinny.html', 'https://cinny.example.org/home/%23fixture%3Aexample.org/', 'Cinny'],
    ['hydrogen.html', 'https://hydrogen.example.org/#/session/1/room/!hydroRoom%3Aexample.org', 'Hydrogen'],
  ])('on a site the user added, the page decides: %s at %s is %s', (fixture, address, client) => {
    expect(adapterFor(fixturePage(fixture), new URL(address))?.family).toBe(client);
  });

  it('on a site the user added, a page no client recognises gets no adapter', () => {
    expect(adapterFor(blankPage(), new URL('https://example.org/#/room/!abc:example.org'))).toBeUndefined();
  });

  it('has one adapter per client family, covering every built-in site', () => {
    const families = ADAPTERS.map((adapter) => adapter.family);
    expect(new Set(families).size).toBe(families.length);
    for (const site of BUILT_IN_SITES) expect(families).toContain(site.client);
  });

  it('recognises each fixture as exactly one client', () => {
    const address = new URL('https://chat.example.org/#/session/1');
    for (const fixture of FIXTURES) {
      const recognisedBy = ADAPTERS.filter((adapter) => adapter.detect(fixturePage(fixture), address)).map((adapter) => adapter.family);
      expect(recognisedBy, fixture).toHaveLength(1);
    }
  });
});

describe('what every adapter hands on', () => {
  it.each(FIXTURES)('only valid Matrix user ids, whatever %s holds', (fixture) => {
    for (const adapter of ADAPTERS) {
      for (const found of adapter.findUsers(fixturePage(fixture)))
        expect(userId(found.userId), `${adapter.family}: ${found.userId}`).toBe(true);
    }
  });

  it('nothing at all from a page that is no client', () => {
    for (const adapter of ADAPTERS) expect(adapter.findUsers(blankPage())).toEqual([]);
  });

  it('nothing of one client’s markup to another client’s adapter', () => {
    const pages = { 'Element Web': 'element-web.html', Cinny: 'cinny.html', Hydrogen: 'hydrogen.html' } as const;
    for (const adapter of ADAPTERS) {
      for (const [family, fixture] of Object.entries(pages)) {
        if (family !== adapter.family) expect(adapter.findUsers(fixturePage(fixture)), `${adapter.family} on ${fixture}`).toEqual([]);
      }
    }
  });

  it('anchors that are in the page, so a badge can go right after them', () => {
    for (const fixture of FIXTURES) {
      const doc = fixturePage(fixture);
      for (const adapter of ADAPTERS) {
        for (const found of adapter.findUsers(doc)) expect(found.anchor.ownerDocument === doc && doc.contains(found.anchor)).toBe(true);
      }
    }
  });
});
