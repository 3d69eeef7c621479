import { describe, expect, it, vi } from 'vitest';
import type { AccountService } from '../../../src/background/accountService';
import { createPageHandlers } from '../../../src/background/pageHandlers';
import { createStatusStore } from '../../../src/background/statusStore';
import { TabRegistry } from '../../../src/background/tabRegistry';

const PLANS = '!plans:example.org';
const SECRET = '!secret:example.org';
const TAB = 7;
const sender = { kind: 'content-script' as const, tabId: TAB, origin: 'https://app.element.io', url: 'https://app.element.io/' };

/** The page handlers over a tab on Plans, recording what the account was told was shown. */
function setup(onScreen: boolean) {
  const noted: { roomId: string; userIds?: string[] }[] = [];
  const account = {
    noteShown: vi.fn((roomId: string, userIds?: ReadonlySet<string>) => {
      noted.push({ roomId, ...(userIds && { userIds: [...userIds] }) });
      return Promise.resolve();
    }),
  } as unknown as AccountService;
  const tabs = new TabRegistry({ paint: () => undefined });
  tabs.showRoom(TAB, { origin: sender.origin }, PLANS);
  const status = createStatusStore({ account: { state: 'signed-out' }, cryptoEngine: { state: 'starting' }, policy: 'default', backgroundStartedAt: 0, extensionVersion: 'test' });
  const handlers = createPageHandlers({ status, tabs, account: () => Promise.resolve(account), onScreen: () => Promise.resolve(onScreen) });
  return { shown: handlers['page.shown'], noted };
}

describe('page.shown: what counts as shown to the user', () => {
  it("stamps the room's warnings when a tab on screen placed the banner", async () => {
    const { shown, noted } = setup(true);
    await shown({ roomId: PLANS, banner: true, userIds: [] }, sender);
    expect(noted).toEqual([{ roomId: PLANS }]);
  });

  it('stamps only the badged members when there was no banner', async () => {
    const { shown, noted } = setup(true);
    await shown({ roomId: PLANS, banner: false, userIds: ['@bob:example.org'] }, sender);
    expect(noted).toEqual([{ roomId: PLANS, userIds: ['@bob:example.org'] }]);
  });

  it('stamps nothing for a room the tab is not on, whatever the page claims', async () => {
    const { shown, noted } = setup(true);
    await shown({ roomId: SECRET, banner: true, userIds: ['@bob:example.org'] }, sender);
    expect(noted).toEqual([]);
  });

  it('stamps nothing while the tab is not the one on screen', async () => {
    const { shown, noted } = setup(false);
    await shown({ roomId: PLANS, banner: true, userIds: [] }, sender);
    expect(noted).toEqual([]);
  });
});
