import { describe, expect, it } from 'vitest';
import type { TabState } from '../../../src/messaging/protocol';
import { describeTab } from '../../../src/ui/tabView';

function known(overrides: Partial<TabState>): { phase: 'known'; state: TabState } {
  return {
    phase: 'known',
    state: {
      tabId: 1,
      origin: 'https://app.element.io',
      client: 'Element Web',
      trust: 'ok',
      newWarnings: 0,
      reason: 'clear',
      ...overrides,
    },
  };
}

describe('the popup\'s "this tab" section', () => {
  it('says it is looking while the lookup runs', () => {
    expect(describeTab({ phase: 'loading' })).toEqual({ kind: 'notice', text: 'Looking at this tab…' });
  });

  it('says a page is not watched, and suggests watching one that looks like a Matrix client', () => {
    expect(describeTab({ phase: 'none' })).toMatchObject({ kind: 'notice' });
    expect(describeTab({ phase: 'none' })).not.toHaveProperty('suggest');
    expect(describeTab({ phase: 'none', suggest: 'https://chat.example.org' })).toMatchObject({
      kind: 'notice',
      suggest: 'https://chat.example.org',
    });
  });

  it('names the client when it could not read the page, shows no room, or a room the account is not in', () => {
    const texts = [
      describeTab(known({ reason: 'not-understood', trust: 'unknown' })),
      describeTab(known({ reason: 'no-room', trust: 'unknown' })),
      describeTab(known({ reason: 'not-joined', trust: 'unknown', roomId: '!other' })),
    ];
    for (const view of texts) expect(view).toMatchObject({ kind: 'notice', text: expect.stringContaining('Element Web') as string });
    expect(new Set(texts.map((view) => (view.kind === 'notice' ? view.text : '')))).toHaveProperty('size', 3);
  });

  it('reviews the room of a tab on a joined room, naming some client when the page did not say which', () => {
    expect(describeTab(known({ roomId: '!plans' }))).toEqual({ kind: 'room', roomId: '!plans', client: 'Element Web' });
    expect(describeTab(known({ roomId: '!plans', client: undefined }))).toMatchObject({ kind: 'room', roomId: '!plans' });
  });
});
