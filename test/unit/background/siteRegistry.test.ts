import { describe, expect, it } from 'vitest';
import { scriptIdFor, SiteRegistry } from '../../../src/background/siteRegistry';

const CHAT = 'https://chat.example.org';
const TEAM = 'https://team.example.net';

/** The browser's side: stored list, registered scripts, granted permissions, all inspectable. */
function browserState(initial: { stored?: unknown; registered?: string[]; granted?: string[] } = {}) {
  const state = {
    stored: initial.stored,
    registered: new Set(initial.registered ?? []),
    granted: new Set(initial.granted ?? []),
    registerCalls: 0,
  };
  const errors: unknown[] = [];
  const registry = () =>
    new SiteRegistry({
      store: {
        load: () => Promise.resolve(state.stored),
        save: (origins) => {
          state.stored = origins;
          return Promise.resolve();
        },
      },
      scripts: {
        registeredIds: () => Promise.resolve([...state.registered]),
        register: (scripts) => {
          state.registerCalls += 1;
          for (const { id } of scripts) {
            if (state.registered.has(id)) return Promise.reject(new Error(`Duplicate script ID '${id}'`));
            state.registered.add(id);
          }
          return Promise.resolve();
        },
        unregister: (ids) => {
          ids.forEach((id) => state.registered.delete(id));
          return Promise.resolve();
        },
      },
      permissions: {
        has: (origin) => Promise.resolve(state.granted.has(origin)),
        release: (origin) => {
          state.granted.delete(origin);
          return Promise.resolve();
        },
      },
      builtIn: (origin) => origin === 'https://app.element.io',
      onError: (error) => errors.push(error),
    });
  return { state, registry, errors };
}

describe('SiteRegistry', () => {
  it('adds a site the user granted: stored, script registered, its pages listened to', async () => {
    const { state, registry } = browserState({ granted: [CHAT] });
    const sites = registry();
    await expect(sites.add('chat.example.org/#/home')).resolves.toEqual([{ origin: CHAT, granted: true }]);
    expect(state.stored).toEqual([CHAT]);
    expect([...state.registered]).toEqual([scriptIdFor(CHAT)]);
    expect(sites.watches(CHAT)).toBe(true);
    expect(sites.watches(TEAM)).toBe(false);
  });

  it('refuses a site without the permission, a clear-text one and a built-in one, changing nothing', async () => {
    const { state, registry } = browserState({ granted: ['http://chat.example.org'] });
    const sites = registry();
    await expect(sites.add(TEAM)).rejects.toMatchObject({ code: 'not-granted' });
    await expect(sites.add('http://chat.example.org')).rejects.toMatchObject({ code: 'invalid' });
    await expect(sites.add('https://app.element.io/#/room/x')).rejects.toMatchObject({ code: 'built-in' });
    expect(state.stored).toBeUndefined();
    expect(state.registered.size).toBe(0);
  });

  it('removes a site: unregistered, forgotten, permission released', async () => {
    const { state, registry } = browserState({ granted: [CHAT, TEAM] });
    const sites = registry();
    await sites.add(CHAT);
    await sites.add(TEAM);
    await expect(sites.remove(CHAT)).resolves.toEqual([{ origin: TEAM, granted: true }]);
    expect(state.stored).toEqual([TEAM]);
    expect([...state.registered]).toEqual([scriptIdFor(TEAM)]);
    expect([...state.granted]).toEqual([TEAM]);
    expect(sites.watches(CHAT)).toBe(false);
    await expect(sites.remove(CHAT)).rejects.toMatchObject({ code: 'unknown' });
  });

  it('registers the stored sites again after a browser restart (registrations do not persist)', async () => {
    const { state, registry } = browserState({ stored: [CHAT, TEAM], granted: [CHAT, TEAM] });
    const sites = registry();
    await sites.ready;
    expect([...state.registered].sort()).toEqual([scriptIdFor(CHAT), scriptIdFor(TEAM)]);
    expect(sites.watches(TEAM)).toBe(true);
  });

  it('does not register twice when the worker restarts within a browser session', async () => {
    const { state, registry } = browserState({ stored: [CHAT], granted: [CHAT], registered: [scriptIdFor(CHAT)] });
    await registry().ready;
    expect(state.registerCalls).toBe(0);
  });

  it('stops running on a site whose permission the user revoked in the browser, and lists it as such', async () => {
    const { state, registry } = browserState({ granted: [CHAT] });
    const sites = registry();
    await sites.add(CHAT);
    state.granted.delete(CHAT);
    await sites.reconcile();
    expect(state.registered.size).toBe(0);
    expect(sites.list()).toEqual([{ origin: CHAT, granted: false }]);
    expect(sites.watches(CHAT)).toBe(false);
  });

  it('unregisters scripts of ours it has no record of, and leaves other ids alone', async () => {
    const { state, registry } = browserState({ registered: [scriptIdFor(TEAM), 'someone-else'] });
    await registry().ready;
    expect([...state.registered]).toEqual(['someone-else']);
  });

  it('ignores a stored list it did not write (wrong types, clear-text or duplicate origins)', async () => {
    const { registry } = browserState({
      stored: [CHAT, CHAT, 'http://evil.example', 42, { origin: TEAM }],
      granted: [CHAT, 'http://evil.example'],
    });
    const sites = registry();
    await sites.ready;
    expect(sites.list()).toEqual([{ origin: CHAT, granted: true }]);
  });

  it('runs overlapping changes one after another, so no script is registered twice', async () => {
    const { state, registry, errors } = browserState({ granted: [CHAT, TEAM] });
    const sites = registry();
    await Promise.all([sites.add(CHAT), sites.reconcile(), sites.add(TEAM), sites.reconcile()]);
    expect([...state.registered].sort()).toEqual([scriptIdFor(CHAT), scriptIdFor(TEAM)]);
    expect(errors).toEqual([]);
  });
});
