import fs from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badgeText, disagreeingBadgeText } from '../../src/overlay/warningText';
import { useMessageLookup } from '../../src/text/i18n';
import type { MemberBadge } from '../../src/trust/pageWarnings';
import type { GalleryApi, GalleryBadge, GalleryPanel } from '../support/badgeGallery.entry.ts';
import { CHROMIUM_PATH, REPO_ROOT } from '../support/paths.ts';
import { SCREENSHOTS } from '../support/screenshots.ts';
import { lookupIn, readMessages } from '../unit/chromeI18n.ts';

/**
 * What the badges look like in each state, on each client's light and dark theme, drawn by
 * the content script's own badge code (test/support/badgeGallery.entry.ts) in Chromium. No
 * extension and no server: the four states side by side would take four peers in four
 * conditions (a verified contact's new device, a key query that fails, a page shield), and the
 * drawing does not depend on how a warning came about. Saves docs/screenshots/badges-light.png
 * and badges-dark.png at twice the pixels, with the first badge focused from the keyboard.
 */

declare const badgeGallery: GalleryApi;

const LIGHT: GalleryPanel[] = [
  {
    client: 'Element Web, light (14 px)',
    background: '#ffffff',
    color: '#1b1d22',
    font: '14px/1.4 Inter, system-ui, sans-serif',
    hover: '#f4f6fa',
  },
  {
    client: 'Cinny, light (13 px)',
    background: '#f2f2f2',
    color: '#000000',
    font: '13px/1.4 Inter, system-ui, sans-serif',
    hover: '#e5e5e5',
  },
  {
    client: 'Hydrogen, light (12 px)',
    background: '#ffffff',
    color: '#2e2f32',
    font: '12px/1.4 Inter, system-ui, sans-serif',
    hover: '#e6e6e6',
  },
];
const DARK: GalleryPanel[] = [
  {
    client: 'Element Web, dark (14 px)',
    background: '#101317',
    color: '#ebeef2',
    font: '14px/1.4 Inter, system-ui, sans-serif',
    hover: '#21262c',
  },
  {
    client: 'Cinny, dark (13 px)',
    background: '#1a1a1a',
    color: '#ffffff',
    font: '13px/1.4 Inter, system-ui, sans-serif',
    hover: '#262626',
  },
  {
    client: 'Hydrogen, dark (12 px)',
    background: '#21262b',
    color: '#ffffff',
    font: '12px/1.4 Inter, system-ui, sans-serif',
    hover: '#374048',
  },
];

function warning(
  userId: string,
  severity: MemberBadge['severity'],
  devices: number,
  identity: MemberBadge['identity'] = 'ok',
): MemberBadge {
  return {
    userId,
    displayName: userId.slice(1, userId.indexOf(':')),
    severity,
    identity,
    newDevices: Array.from({ length: devices }, (_, index) => ({ deviceId: `DEVICE${index}`, class: 'unsigned' as const })),
    ...(severity === 'checking' ? { checking: { reason: 'changed' as const, since: 0 } } : {}),
  };
}

function galleryBadges(): GalleryBadge[] {
  const bob = warning('@Bob:example.org', 'warn', 1);
  const carol = warning('@Carol:example.org', 'critical', 2, 'verification-violation');
  const dave = warning('@Dave:example.org', 'warn', 1);
  const erin = warning('@Erin:example.org', 'checking', 0);
  const frank = warning('@Frank:example.org', 'critical', 0, 'identity-changed');
  return [
    { name: 'Bob', caption: 'warning', text: badgeText(bob), severity: 'warn', disagrees: false },
    { name: 'Carol', caption: 'critical', text: badgeText(carol), severity: 'critical', disagrees: false },
    { name: 'Dave', caption: 'page says verified', text: disagreeingBadgeText(dave, 'Element Web'), severity: 'warn', disagrees: true },
    { name: 'Erin', caption: 'checking', text: badgeText(erin), severity: 'checking', disagrees: false },
    { name: 'Frank', caption: 'critical, no count', text: badgeText(frank), severity: 'critical', disagrees: false },
  ];
}

async function galleryScript(): Promise<string> {
  const result = await build({
    entryPoints: [path.join(REPO_ROOT, 'test/support/badgeGallery.entry.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'error',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no gallery script');
  return output.text;
}

interface PillLook {
  label: string;
  hostHeight: number;
  pillHeight: number;
  outline: string;
  boxShadow: string;
  focused: boolean;
}

function pillLooks(page: Page): Promise<PillLook[]> {
  return page.evaluate(() =>
    badgeGallery.pills.map((pill, index) => {
      const style = getComputedStyle(pill);
      const host = badgeGallery.hosts[index] as HTMLElement;
      return {
        label: pill.getAttribute('aria-label') ?? '',
        hostHeight: host.getBoundingClientRect().height,
        pillHeight: pill.getBoundingClientRect().height,
        outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
        boxShadow: style.boxShadow,
        focused: pill.matches(':focus-visible'),
      };
    }),
  );
}

describe('the badges’ look, in Chromium', () => {
  let browser: Browser;
  let script: string;

  beforeAll(async () => {
    useMessageLookup(lookupIn(readMessages()));
    script = await galleryScript();
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  });

  afterAll(async () => {
    await browser.close();
  });

  async function gallery(panels: GalleryPanel[], colorScheme: 'light' | 'dark'): Promise<Page> {
    const page = await browser.newPage({ deviceScaleFactor: 2, viewport: { width: 960, height: 400 }, colorScheme });
    await page.setContent('<!doctype html><html><body></body></html>');
    await page.addScriptTag({ content: script });
    await page.evaluate(([p, b]) => badgeGallery.draw(p, b), [panels, galleryBadges()] as const);
    return page;
  }

  for (const [theme, panels] of [
    ['light', LIGHT],
    ['dark', DARK],
  ] as const) {
    it(`draws every state within a 16 px line, focus seen from the keyboard, on ${theme} pages (docs/screenshots/badges-${theme}.png)`, async () => {
      const page = await gallery(panels, theme);
      const before = await pillLooks(page);
      expect(before.map((look) => look.label).slice(0, 5)).toEqual(galleryBadges().map((badge) => badge.text.label));
      for (const look of before) {
        expect(look.hostHeight).toBeLessThanOrEqual(16);
        expect(look.pillHeight).toBe(16);
        expect(look.focused).toBe(false);
      }

      // Keyboard focus: Tab from the control before the first badge.
      await page.focus('#before');
      await page.keyboard.press('Tab');
      const [focused, unfocused] = await pillLooks(page);
      expect(focused?.focused).toBe(true);
      expect(focused?.outline).toMatch(/^solid 2px /);
      expect(unfocused?.outline.startsWith('solid')).toBe(false);
      // The white band around the blue ring: seen on dark pages, where the blue alone is faint.
      expect(focused?.boxShadow).not.toBe(unfocused?.boxShadow);
      expect(focused?.boxShadow).toContain('0px 0px 0px 4px');

      await fs.mkdir(SCREENSHOTS, { recursive: true });
      await page.locator('#gallery').screenshot({ path: path.join(SCREENSHOTS, `badges-${theme}.png`) });
      await page.close();
    });
  }
});
