import { describe, expect, it } from 'vitest';
import { TabRegistry } from '../../../src/background/tabRegistry';
import { toolbarTitle } from '../../../src/background/toolbar';
import { formatTime } from '../../../src/text/timeText';
import type { TabState } from '../../../src/messaging/protocol';
import type { RoomTrustReport } from '../../../src/trust/types';

const HYDROGEN = { origin: 'https://hydrogen.element.io', client: 'Hydrogen' as const };
const PLANS = '!plans:example.org';

function report(roomId: string, newWarnings = { warn: 0, critical: 0 }): RoomTrustReport {
  return {
    roomId,
    encrypted: true,
    policy: 'default',
    generatedAt: 1,
    memberCount: 2,
    members: [],
    verifiedUserIds: [],
    checking: [],
    warnings: newWarnings,
    newWarnings,
  };
}

/** A registry whose toolbar and rechecks are recorded. */
function setup() {
  const painted: TabState[] = [];
  const rechecked: number[] = [];
  const tabs = new TabRegistry({ paint: (_tabId, state) => painted.push(state) }, (tabId) => rechecked.push(tabId));
  return { tabs, painted, rechecked, last: () => painted.at(-1) };
}

describe('TabRegistry', () => {
  it('paints a tab as soon as its page says hello, and again for each room and report', () => {
    const { tabs, last } = setup();
    tabs.setSignedIn(true);
    tabs.hello(7, { ...HYDROGEN, understood: true });
    expect(last()).toMatchObject({ tabId: 7, trust: 'unknown', reason: 'no-room', client: 'Hydrogen' });
    tabs.showRoom(7, HYDROGEN, PLANS);
    expect(last()).toMatchObject({ reason: 'checking', roomId: PLANS });
    tabs.report(report(PLANS, { warn: 1, critical: 0 }));
    expect(last()).toMatchObject({ trust: 'warn', newWarnings: 1 });
    tabs.report(report(PLANS));
    expect(last()).toMatchObject({ trust: 'ok', reason: 'clear' });
  });

  it('speaks of no room from the moment the page moves, and drops a lookup the page has moved past', () => {
    const { tabs, painted, last } = setup();
    const SIDE = '!side:example.org';
    tabs.setSignedIn(true);
    tabs.showRoom(7, HYDROGEN, PLANS);
    tabs.report(report(PLANS, { warn: 1, critical: 0 }));
    tabs.report(report(SIDE));
    expect(last()).toMatchObject({ trust: 'warn', roomId: PLANS });
    // Plans -> Side: at once "checking", not Plans' warning and not Side's all clear.
    const toSide = tabs.navigating(7, HYDROGEN);
    expect(last()).toMatchObject({ trust: 'unknown', reason: 'checking', newWarnings: 0 });
    expect(last()?.roomId).toBeUndefined();
    expect(tabs.roomOf(7)).toBeUndefined();
    // Side -> Plans before Side was looked up: Side's late answer is dropped.
    const toPlans = tabs.navigating(7, HYDROGEN);
    painted.length = 0;
    tabs.showRoom(7, HYDROGEN, SIDE, { navigation: toSide });
    expect(painted).toEqual([]);
    expect(tabs.isCurrent(7, toSide)).toBe(false);
    tabs.showRoom(7, HYDROGEN, PLANS, { navigation: toPlans });
    expect(last()).toMatchObject({ trust: 'warn', roomId: PLANS });
    expect(tabs.roomOf(7)).toBe(PLANS);
  });

  it('repaints only the tabs showing the reported room', () => {
    const { tabs, painted } = setup();
    tabs.setSignedIn(true);
    tabs.showRoom(1, HYDROGEN, PLANS);
    tabs.showRoom(2, HYDROGEN, '!other:example.org');
    painted.length = 0;
    tabs.report(report(PLANS, { warn: 0, critical: 1 }));
    expect(painted.map((state) => state.tabId)).toEqual([1]);
  });

  it('keeps a room that arrives before its hello (the messages can overtake each other)', () => {
    const { tabs } = setup();
    tabs.setSignedIn(true);
    tabs.showRoom(3, HYDROGEN, PLANS);
    tabs.report(report(PLANS, { warn: 2, critical: 0 }));
    expect(tabs.state(3)).toMatchObject({ trust: 'warn', newWarnings: 2, origin: HYDROGEN.origin });
  });

  it('says the page is not understood when no adapter understood it', () => {
    const { tabs } = setup();
    tabs.setSignedIn(true);
    tabs.hello(4, { origin: 'https://app.element.io', client: 'Element Web', understood: false });
    expect(tabs.state(4)).toMatchObject({ trust: 'unknown', reason: 'not-understood' });
  });

  it('on sign-out, shows every tab as unknown, forgets reports, and asks each page to say its room again', () => {
    const { tabs, rechecked } = setup();
    tabs.setSignedIn(true);
    tabs.showRoom(5, HYDROGEN, PLANS);
    tabs.showRoom(6, HYDROGEN, PLANS);
    tabs.report(report(PLANS, { warn: 1, critical: 0 }));
    tabs.setSignedIn(false);
    expect(tabs.state(5)).toMatchObject({ trust: 'unknown', reason: 'signed-out' });
    expect(rechecked).toEqual([5, 6]);
    tabs.setSignedIn(true);
    // The old report is gone: nothing is said about the room until a new one comes.
    expect(tabs.state(5)).toMatchObject({ reason: 'checking' });
  });

  it('forgets a tab when the last port of its page closes, not before', () => {
    const { tabs } = setup();
    tabs.hello(8, { ...HYDROGEN, understood: true });
    tabs.attach(8);
    tabs.attach(8);
    tabs.detach(8);
    expect(tabs.state(8)).toBeDefined();
    tabs.detach(8);
    expect(tabs.state(8)).toBeUndefined();
  });

  it('while the sync is offline, keeps warnings but not "ok", says since when, and repaints when it is back', () => {
    const { tabs, painted } = setup();
    tabs.setSignedIn(true);
    tabs.showRoom(1, HYDROGEN, PLANS);
    tabs.showRoom(2, HYDROGEN, '!other:example.org');
    tabs.report(report(PLANS, { warn: 2, critical: 0 }));
    tabs.report(report('!other:example.org'));
    painted.length = 0;
    tabs.setStale({ lastSyncAt: 1_000 });
    expect(painted.map((state) => state.tabId)).toEqual([1, 2]);
    expect(tabs.state(1)).toMatchObject({ trust: 'warn', newWarnings: 2, stale: { lastSyncAt: 1_000 } });
    expect(tabs.state(2)).toMatchObject({ trust: 'unknown', reason: 'clear', stale: { lastSyncAt: 1_000 } });
    // The same staleness again paints nothing.
    tabs.setStale({ lastSyncAt: 1_000 });
    expect(painted).toHaveLength(2);
    tabs.setStale(undefined);
    expect(painted).toHaveLength(4);
    expect(tabs.state(2)).toEqual(expect.objectContaining({ trust: 'ok', reason: 'clear' }));
    expect(tabs.state(2)).not.toHaveProperty('stale');
  });

  it('forgets a closed tab', () => {
    const { tabs } = setup();
    tabs.hello(9, { ...HYDROGEN, understood: true });
    tabs.forget(9);
    expect(tabs.state(9)).toBeUndefined();
  });
});

describe('toolbarTitle', () => {
  const base = { tabId: 1, origin: HYDROGEN.origin, client: 'Hydrogen' as const, trust: 'unknown' as const, newWarnings: 0 };

  it.each([
    ['signed-out', 'Matrix Trust Guard: Hydrogen detected. Sign in to see warnings for this page.'],
    ['not-understood', 'Matrix Trust Guard does not understand this page, so it shows no warnings here.'],
    ['no-room', 'Matrix Trust Guard: watching Hydrogen. Open a room to see its warnings.'],
    ['checking', 'Matrix Trust Guard: checking this room…'],
    ['clear', 'Matrix Trust Guard: no new warnings in this room.'],
  ] as const)('says what %s means', (reason, title) => {
    expect(toolbarTitle({ ...base, reason })).toBe(title);
  });

  it('says since when the warnings are old while offline', () => {
    const lastSyncAt = new Date(2026, 10, 24, 14, 5).getTime();
    expect(toolbarTitle({ ...base, reason: 'clear', stale: { lastSyncAt } })).toBe(
      `Matrix Trust Guard: no new warnings in this room. Not up to date: the homeserver last answered at ${formatTime(lastSyncAt)}.`,
    );
    expect(toolbarTitle({ ...base, trust: 'warn', reason: 'warnings', newWarnings: 1, stale: {} })).toBe(
      'Matrix Trust Guard: 1 new warning in this room. Open to review. Not up to date: the homeserver has not answered yet.',
    );
  });

  it('counts the new warnings, in the singular and the plural', () => {
    expect(toolbarTitle({ ...base, trust: 'warn', reason: 'warnings', newWarnings: 1 })).toBe(
      'Matrix Trust Guard: 1 new warning in this room. Open to review.',
    );
    expect(toolbarTitle({ ...base, trust: 'critical', reason: 'warnings', newWarnings: 4 })).toBe(
      'Matrix Trust Guard: 4 new warnings in this room. Open to review.',
    );
  });
});
