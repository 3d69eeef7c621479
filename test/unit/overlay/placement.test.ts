// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cinnyAdapter } from '../../../src/clients/cinny';
import type { ClientAdapter } from '../../../src/clients/clientAdapter';
import { elementWebAdapter } from '../../../src/clients/element';
import { BadgePainter } from '../../../src/overlay/badgePainter';
import { fixturePage } from '../clients/fixturePage';
import { ManualFrames, recordShadowRoots, warning } from './testPage';

/**
 * Where the badges land on the clients' fixture pages, painted by the real painter with the
 * real adapters: next to the name, outside the page's clickable names and outside what the
 * page hides from screen readers. (Geometry needs a real browser: test/e2e/placement.chromium.test.ts.)
 */

let painter: BadgePainter | undefined;
let shadows: ReturnType<typeof recordShadowRoots>;

beforeEach(() => {
  shadows = recordShadowRoots(globalThis);
});

afterEach(() => {
  painter?.stop();
  painter = undefined;
  shadows.restore();
  document.head.innerHTML = '';
  document.body.innerHTML = '';
});

/** Loads `fixture` into the test's document (styles included) and badges `userIds`. */
function paint(fixture: string, adapter: ClientAdapter, userIds: string[]): HTMLElement[] {
  const page = fixturePage(fixture);
  document.head.replaceChildren(...[...page.head.childNodes].map((node) => document.importNode(node, true)));
  document.body.replaceChildren(...[...page.body.childNodes].map((node) => document.importNode(node, true)));
  const frames = new ManualFrames();
  painter = new BadgePainter(document, adapter, frames);
  painter.start();
  painter.show(new Map(userIds.map((userId) => [userId, warning(userId)])));
  frames.run();
  return [...document.querySelectorAll<HTMLElement>('[data-mtg-badge]')];
}

function only(hosts: HTMLElement[], within: string): HTMLElement {
  const found = hosts.filter((host) => host.closest(within));
  if (found.length !== 1) throw new Error(`expected one badge in ${within}, found ${found.length}`);
  return found[0] as HTMLElement;
}

describe('Cinny v4.2.2: badges right after the name', () => {
  it('in the members drawer: right after the name <p>, inside the box that fills the row, so the row keeps its layout', () => {
    const host = only(paint('cinny.html', cinnyAdapter, ['@bob:example.org']), 'button[data-index]');
    expect(host.previousElementSibling?.tagName).toBe('P');
    expect(host.previousElementSibling?.textContent).toBe('Bob');
    // The growing box, not the row: the typing indicator stays at the row's end, after it.
    expect(host.parentElement?.parentElement?.getAttribute('data-user-id')).toBe('@bob:example.org');
    expect(host.parentElement?.nextElementSibling?.querySelector('span')).not.toBeNull();
  });

  it('in the timeline: right after the name button, outside it (its click mentions the sender), before the time', () => {
    const host = only(paint('cinny.html', cinnyAdapter, ['@bob:example.org']), '[data-message-id="$c4"]');
    expect(host.previousElementSibling?.getAttribute('data-user-id')).toBe('@bob:example.org');
    expect(host.closest('button')).toBeNull();
    expect(host.nextElementSibling?.querySelector('time')?.textContent).toBe('12:03');
  });
});

describe('Element Web 1.12: badges the page’s controls do not swallow and screen readers reach', () => {
  it('in the timeline: after the sender’s name, a role=button that mentions the sender, never inside it', () => {
    const hosts = paint('element-web.html', elementWebAdapter, ['@bob:example.org']);
    const host = only(hosts, 'li[data-event-id="$ev3"]');
    expect(host.previousElementSibling?.classList.contains('mx_DisambiguatedProfile')).toBe(true);
    expect(host.closest('.mx_DisambiguatedProfile, [role="button"]')).toBeNull();
  });

  it('in the timeline: as tall as the name’s 20 px line and aligned with its top, the pill centred in it (the name’s baseline is its bottom edge)', () => {
    const host = only(paint('element-web.html', elementWebAdapter, ['@bob:example.org']), 'li[data-event-id="$ev3"]');
    const style = host.getAttribute('style') ?? '';
    expect(style).toContain('display: inline-flex !important');
    expect(style).toContain('align-items: center !important');
    expect(style).toContain('vertical-align: top !important');
    expect(style).toContain('height: 20px !important');
    expect(style).toContain('margin-inline-start: 4px !important');
  });

  it('in the IRC layout’s flex row, where the name is ordered second: next to the name in that order too', () => {
    const page = fixturePage('element-web.html');
    const style = page.createElement('style');
    style.textContent =
      '.mx_EventTile[data-layout="irc"] { display: flex; } .mx_EventTile[data-layout="irc"] > .mx_DisambiguatedProfile { order: 2; }';
    page.head.append(style);
    for (const event of page.querySelectorAll('li[data-event-id]')) event.setAttribute('data-layout', 'irc');
    document.head.replaceChildren(...[...page.head.childNodes].map((node) => document.importNode(node, true)));
    document.body.replaceChildren(...[...page.body.childNodes].map((node) => document.importNode(node, true)));
    const frames = new ManualFrames();
    painter = new BadgePainter(document, elementWebAdapter, frames);
    painter.start();
    painter.show(new Map([['@bob:example.org', warning('@bob:example.org')]]));
    frames.run();
    const host = only([...document.querySelectorAll<HTMLElement>('[data-mtg-badge]')], 'li[data-event-id="$ev3"]');
    expect(host.getAttribute('style')).toContain('order: 2 !important');
  });

  it('nowhere in an info event or a membership summary, though Bob sent the one and is in the other', () => {
    const hosts = paint('element-web.html', elementWebAdapter, ['@bob:example.org']);
    expect(hosts.filter((host) => host.closest('.mx_EventTile_info, .mx_GenericEventListSummary'))).toEqual([]);
    expect(hosts.filter((host) => host.closest('li[data-event-id]'))).toHaveLength(1);
  });

  it('in the member list: a child of the role=option row, outside its aria-hidden parts, labelled with what is wrong', () => {
    const host = only(paint('element-web.html', elementWebAdapter, ['@bob:example.org']), '.mx_MemberTileView');
    expect(host.parentElement?.getAttribute('role')).toBe('option');
    expect(host.closest('[aria-hidden="true"]')).toBeNull();
    expect(host.previousElementSibling?.classList.contains('mx_MemberTileView_left')).toBe(true);
    const pill = shadows.rootOf(host)?.querySelector('.badge');
    expect(pill?.getAttribute('aria-label')).toBe('Matrix Trust Guard: 1 unverified device');
  });

  it('in the user info: inside the name’s line, shown after the name, not on a line of its own', () => {
    const host = only(paint('element-web.html', elementWebAdapter, ['@bob:example.org']), '.mx_UserInfo');
    expect(host.parentElement?.classList.contains('mx_UserInfo_profile_name')).toBe(true);
    expect(host.closest('.mx_UserInfo_profile_mxid')).toBeNull();
  });

  it('still badges the builds before 2025 (v1.11.88): after the name, the sender’s name and the user id', () => {
    const hosts = paint('element-web-legacy.html', elementWebAdapter, ['@carol:example.org']);
    expect(only(hosts, '.mx_EntityTile').previousElementSibling?.classList.contains('mx_EntityTile_name')).toBe(true);
    expect(only(hosts, 'li[data-event-id]').previousElementSibling?.classList.contains('mx_DisambiguatedProfile')).toBe(true);
    expect(only(hosts, '.mx_UserInfo').previousElementSibling?.classList.contains('mx_UserInfo_profile_mxid')).toBe(true);
  });
});
