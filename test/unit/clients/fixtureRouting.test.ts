import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Browser, type BrowserPage } from 'happy-dom';
import { afterEach, describe, expect, it } from 'vitest';
import { cinnyAdapter } from '../../../src/clients/cinny';
import type { ClientAdapter } from '../../../src/clients/clientAdapter';
import { elementWebAdapter } from '../../../src/clients/element';
import { hydrogenAdapter } from '../../../src/clients/hydrogen';
import { type FixtureRoom, withFixtureRooms } from '../../support/fixtureRooms';
import { REPO_ROOT } from '../../support/paths';

/**
 * The client fixtures' routing scripts, run in happy-dom with the real adapters reading the
 * result: a click in the room list and back/forward change the address the way the client
 * does, in the client's order (Cinny and Hydrogen: the URL, then the page; Element: the page,
 * then the URL), and the page then shows the new room's people, from rooms a test chose.
 */

const PLANS: FixtureRoom = {
  id: '!plans:hs.test',
  name: 'Plans',
  members: [
    { userId: '@alice:hs.test', name: 'Alice' },
    { userId: '@bob:hs.test', name: 'Bob' },
  ],
  timeline: [{ sender: '@bob:hs.test', body: 'Hello from Bob' }],
};
const SIDE: FixtureRoom = {
  id: '!side:hs.test',
  alias: '#side:hs.test',
  name: 'Side room',
  members: [
    { userId: '@alice:hs.test', name: 'Alice' },
    { userId: '@carol:hs.test', name: 'Carol </script><img src=x>' },
  ],
  timeline: [{ sender: '@carol:hs.test', body: 'Anyone around?' }],
};

interface Client {
  fixture: string;
  adapter: ClientAdapter;
  /** Where the page lands with no room open. */
  home: string;
  /** The room list's entry for a room. */
  link: (room: FixtureRoom) => string;
  /** Which changes first when a room is clicked. */
  first: 'url' | 'page';
}

const CLIENTS: Record<string, Client> = {
  Cinny: {
    fixture: 'cinny.html',
    adapter: cinnyAdapter,
    home: 'https://app.cinny.in/home/',
    link: (room) => `[data-fixture-room-list] a[href="/home/${encodeURIComponent(room.alias ?? room.id)}/"]`,
    first: 'url',
  },
  Element: {
    fixture: 'element-web.html',
    adapter: elementWebAdapter,
    home: 'https://app.element.io/#/home',
    link: (room) => `button.mx_RoomListItemView[aria-label="Open room ${room.name}"]`,
    first: 'page',
  },
  Hydrogen: {
    fixture: 'hydrogen.html',
    adapter: hydrogenAdapter,
    home: 'https://hydrogen.element.io/#/session/7',
    link: (room) => `.RoomList a[href$="/open-room/${encodeURIComponent(room.id)}"]`,
    first: 'url',
  },
};

let browser: Browser | undefined;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

function open(client: Client, rooms?: FixtureRoom[], url = client.home): BrowserPage {
  browser = new Browser({
    settings: {
      enableJavaScriptEvaluation: true,
      suppressInsecureJavaScriptEnvironmentWarning: true,
      disableJavaScriptFileLoading: true,
      disableCSSFileLoading: true,
    },
  });
  const page = browser.newPage();
  page.url = url;
  const html = readFileSync(path.join(REPO_ROOT, 'test/fixtures', client.fixture), 'utf8');
  page.content = rooms ? withFixtureRooms(html, rooms) : html;
  return page;
}

function roomOf(client: Client, page: BrowserPage): string | undefined {
  const room = client.adapter.roomFromUrl(new URL(page.url));
  return room?.kind === 'id' ? room.roomId : room?.alias;
}

function peopleOf(client: Client, page: BrowserPage): string[] {
  const doc = page.mainFrame.document as unknown as Document;
  return [...new Set(client.adapter.findUsers(doc).map((found) => found.userId))].sort();
}

/**
 * Clicks the room's entry and resolves once the page shows it, with what had changed first:
 * the page script's own URL changes are caught as they are made (they may share a task with
 * the render), a link's navigation by the first DOM change seeing the new URL already.
 */
async function click(client: Client, page: BrowserPage, room: FixtureRoom): Promise<'url' | 'page'> {
  const win = page.mainFrame.window as unknown as typeof globalThis & Window;
  const doc = win.document;
  const before = page.url;
  const shows = () => room.members.every((member) => peopleOf(client, page).includes(member.userId));
  let first: 'url' | 'page' | undefined;
  const note =
    <A extends unknown[]>(change: (...args: A) => void) =>
    (...args: A) => {
      if (page.url === before) first ??= shows() ? 'page' : 'url';
      change(...args);
    };
  const { history, location } = win;
  const restore = {
    pushState: history.pushState.bind(history),
    replaceState: history.replaceState.bind(history),
    assign: location.assign.bind(location),
  };
  history.pushState = note(restore.pushState);
  history.replaceState = note(restore.replaceState);
  location.assign = note(restore.assign);
  const observer = new win.MutationObserver(() => {
    first ??= page.url === before ? 'page' : 'url';
  });
  observer.observe(doc.body, { childList: true, subtree: true });
  const entry = doc.querySelector<HTMLElement>(client.link(room));
  if (!entry) throw new Error(`no room list entry for ${room.name}`);
  entry.click();
  await settle(page);
  observer.disconnect();
  Object.assign(history, { pushState: restore.pushState, replaceState: restore.replaceState });
  location.assign = restore.assign;
  return first ?? 'url';
}

/** Lets the page's timers and microtasks run (Element delivers its actions on the next task). */
async function settle(page: BrowserPage): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await page.waitUntilComplete();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe.each(Object.entries(CLIENTS))('the %s fixture routes like the client', (_name, client) => {
  it('switches rooms from its room list and with back and forward, in the client’s order, showing each room’s people', async () => {
    const page = open(client, [PLANS, SIDE]);
    await settle(page);
    expect(roomOf(client, page)).toBeUndefined();
    expect(peopleOf(client, page)).toEqual([]);

    expect(await click(client, page, PLANS)).toBe(client.first);
    expect(roomOf(client, page)).toBe(PLANS.id);
    expect(peopleOf(client, page)).toEqual(['@alice:hs.test', '@bob:hs.test']);

    expect(await click(client, page, SIDE)).toBe(client.first);
    // Element and Cinny put the alias in the address when the room has one; Hydrogen the id.
    expect(roomOf(client, page)).toBe(client === CLIENTS.Hydrogen ? SIDE.id : SIDE.alias);
    expect(peopleOf(client, page)).toEqual(['@alice:hs.test', '@carol:hs.test']);
    // A name is text, never markup, and cannot end the data block.
    expect((page.mainFrame.document as unknown as Document).querySelector('img[src="x"]')).toBeNull();

    page.mainFrame.window.history.back();
    await settle(page);
    expect(roomOf(client, page)).toBe(PLANS.id);
    expect(peopleOf(client, page)).toEqual(['@alice:hs.test', '@bob:hs.test']);

    page.mainFrame.window.history.forward();
    await settle(page);
    expect(peopleOf(client, page)).toEqual(['@alice:hs.test', '@carol:hs.test']);
  });
});

describe('the fixtures with their default rooms', () => {
  it('leave the static markup as it is at the static room’s address, and route to their second room', async () => {
    const page = open(CLIENTS.Hydrogen as Client, undefined, 'https://hydrogen.element.io/#/session/1/room/!hydroRoom:example.org');
    await settle(page);
    const doc = page.mainFrame.document as unknown as Document;
    expect(doc.querySelector('.MemberDetailsView')).not.toBeNull();
    expect(peopleOf(CLIENTS.Hydrogen as Client, page)).toEqual([
      '@alice:example.org',
      '@bob:example.org',
      '@eve:example.org',
      '@mallory:example.org',
    ]);
    (doc.querySelector('.RoomList a[href$="/open-room/!hydroSide%3Aexample.org"]') as HTMLElement).click();
    await settle(page);
    expect(page.url).toBe('https://hydrogen.element.io/#/session/1/room/!hydroSide%3Aexample.org/members');
    expect(peopleOf(CLIENTS.Hydrogen as Client, page)).toEqual(['@alice:example.org', '@carol:example.org']);
  });
});
