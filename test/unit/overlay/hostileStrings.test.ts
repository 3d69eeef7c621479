// @vitest-environment happy-dom
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BadgePainter } from '../../../src/overlay/badgePainter';
import { RoomBanner } from '../../../src/overlay/roomBanner';
import { GLYPH_PATHS, SHIELD_PATH } from '../../../src/overlay/badgeLook';
import { badgeText, bannerText } from '../../../src/overlay/warningText';
import { DISPLAY_TEXT_MAX_CHARS, displayText } from '../../../src/validation/displayText';
import { addFigures } from '../../support/figures';
import { listAdapter, ManualFrames, memberList, recordShadowRoots, warning } from './testPage';

const OUR_PATHS = [SHIELD_PATH, ...Object.values(GLYPH_PATHS)];

/**
 * Names from the network are the attacker's pen: a member picks their display name, and
 * anyone who can add a device picks its name. Every hostile string below goes through every
 * place the in-page half writes names (badge pill and hover text, banner sentence) and the
 * cleaning all UI text gets; none may become markup, reorder the text around it, hide in
 * zero-width characters, or push the rest of a warning off screen.
 */

const BASE = [
  '<img src=x onerror=alert(1)>',
  '<script>alert(1)</script>',
  '<svg onload=alert(1)>',
  '"><iframe src=javascript:alert(1)>',
  '&lt;b&gt;bold&lt;/b&gt;',
  'javascript:alert(1)',
  '{{constructor.constructor("alert(1)")()}}',
  '${alert(1)}',
  'Eve \u202Egnp.exe\u202C',
  '\u2066Mallory\u2069 \u2067ylloraM\u2069',
  '\u202Dforced LTR\u202C \u202Bforced RTL\u202C',
  'Al\u200Bi\u200Dce\uFEFF',
  '\u200B\u200C\u200D\u2060',
  'Bob\u0000\u0007\u001B[31m',
  'line one\nline two\r\ttab',
  'A'.repeat(10_000),
  'é'.repeat(5_000),
  '👩‍👩‍👧‍👦'.repeat(100),
  'Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357\u0358'.repeat(50),
  'x\uD800y',
  '\u3164\u115F\u1160',
  'مرحبا Bob',
  '@alice:example.org',
  ' ',
  '',
];
/** Each base string also inside ordinary text and doubled, as names usually carry them. */
const HOSTILE = [...BASE, ...BASE.map((text) => `Carol ${text} (work)`), ...BASE.map((text) => `${text}${text}`)];

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]/u;

let tried = 0;
afterAll(() => {
  addFigures({ hostile_strings_count: tried });
});

describe('hostile names', () => {
  let shadows: ReturnType<typeof recordShadowRoots>;
  beforeEach(() => {
    shadows = recordShadowRoots(globalThis);
  });
  afterEach(() => {
    shadows.restore();
    document.body.innerHTML = '';
  });

  it.each(HOSTILE.map((text, index) => [index, text]))('#%i comes out as short, plain, inert text', (_index, text) => {
    tried++;
    const shown = displayText(text);
    expect(shown).not.toMatch(FORBIDDEN);
    expect(Array.from(shown).length).toBeLessThanOrEqual(DISPLAY_TEXT_MAX_CHARS);

    // The badge: its hover text names the device.
    const userId = '@bob:x.org';
    const badge = warning(userId, {
      newDevices: [{ deviceId: 'EVILDEVICE', displayName: text, class: 'unsigned' }],
    });
    memberList(document, [userId]);
    const frames = new ManualFrames();
    const painter = new BadgePainter(document, listAdapter, frames);
    painter.start();
    painter.show(new Map([[userId, badge]]));
    frames.run();
    const host = document.querySelector('[data-mtg-badge]');
    const root = host ? shadows.rootOf(host) : undefined;
    const pill = root?.querySelector('.badge');
    expect(pill?.getAttribute('title')).toBe(badgeText(badge).details);
    expect(pill?.getAttribute('title')).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u200b-\u200d]/u);
    // The details a click shows say the same, as text.
    expect(root?.querySelector('.details')?.textContent).toBe(badgeText(badge).details);
    // Nothing but our own pill (its icon, drawn from our paths alone, and its count) and its details
    // (and their style) exist in the shadow root, and the page got no new elements.
    expect(
      [...(root?.querySelectorAll('*') ?? [])].map((element) => element.tagName.toLowerCase()).filter((tag) => tag !== 'style'),
    ).toEqual(['span', 'svg', 'path', 'path', 'span', 'span']);
    for (const path of root?.querySelectorAll('path') ?? []) expect(OUR_PATHS).toContain(path.getAttribute('d'));
    expect(document.querySelectorAll('img, script, svg, iframe')).toHaveLength(0);
    painter.stop();

    // The banner: its sentence names the member.
    const banner = new RoomBanner(
      document,
      () => document.getElementById('composer') ?? undefined,
      () => undefined,
    );
    const summary = { roomId: '!plans:x.org', newWarnings: { warn: 1, critical: 0 }, members: [{ userId, displayName: text }] };
    banner.show(summary);
    const bannerHost = document.querySelector('[data-mtg-banner]');
    const bannerRoot = bannerHost ? shadows.rootOf(bannerHost) : undefined;
    const message = bannerRoot?.querySelector('.message');
    expect(message?.textContent).toBe(bannerText(summary).message);
    expect(message?.textContent).not.toMatch(FORBIDDEN);
    expect(message?.children).toHaveLength(0);
    expect(bannerRoot?.querySelectorAll('img, script, svg, iframe')).toHaveLength(0);
    banner.remove();
  });
});
