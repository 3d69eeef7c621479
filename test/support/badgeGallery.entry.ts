/**
 * The page half of test/e2e/badgeLook.chromium.test.ts: the content script's own badge code
 * (element, style sheet, host style), bundled by esbuild, draws badges after names in panels
 * coloured like each client's light or dark theme. The words come from the test, which works
 * them out with the real warningText in Node; the page keeps each pill for the test to read,
 * since the badges' shadow roots are closed as in the extension.
 */
import { fillBadge, newBadgeElement } from '../../src/overlay/badgeElement';
import { BADGE_HOST_STYLE } from '../../src/overlay/badgeHostStyle';
import { BADGE_CSS } from '../../src/overlay/overlayStyle';
import type { BadgeText } from '../../src/overlay/warningText';
import type { MemberBadge } from '../../src/trust/pageWarnings';

export interface GalleryBadge {
  name: string;
  /** What the row is about, written small after the badge in the screenshot. */
  caption: string;
  text: BadgeText;
  severity: MemberBadge['severity'];
  disagrees: boolean;
}

export interface GalleryPanel {
  client: string;
  background: string;
  color: string;
  font: string;
  /** A row's background under the pointer or selected (drawn on the last row). */
  hover: string;
}

export interface GalleryApi {
  draw(panels: GalleryPanel[], badges: GalleryBadge[]): void;
  pills: HTMLElement[];
  hosts: HTMLElement[];
}

const pills: HTMLElement[] = [];
const hosts: HTMLElement[] = [];

function draw(panels: GalleryPanel[], badges: GalleryBadge[]): void {
  const gallery = document.createElement('div');
  gallery.id = 'gallery';
  // Something to Tab from, so the first badge gets keyboard focus as a user's would.
  const before = document.createElement('button');
  before.id = 'before';
  before.textContent = 'before';
  before.style.cssText = 'position:absolute;top:-100px';
  document.body.append(before);
  for (const panel of panels) {
    const box = document.createElement('section');
    box.style.cssText = `background:${panel.background};color:${panel.color};font:${panel.font};padding:6px 12px 8px;width:300px`;
    const title = document.createElement('h2');
    title.textContent = panel.client;
    title.style.cssText = 'font:600 11px/1.6 system-ui, sans-serif;margin:0 0 2px;opacity:0.7';
    box.append(title);
    badges.forEach((badge, index) => {
      const row = document.createElement('div');
      row.className = 'row';
      row.style.cssText = `display:flex;align-items:center;padding:3px 6px;border-radius:4px${index === badges.length - 1 ? `;background:${panel.hover}` : ''}`;
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = badge.name;
      const { host, pill } = newBadgeElement(document, BADGE_HOST_STYLE, (shadow) => {
        const style = document.createElement('style');
        style.textContent = BADGE_CSS;
        shadow.append(style);
      });
      fillBadge(pill, badge.text, badge.severity, badge.disagrees);
      const caption = document.createElement('small');
      caption.textContent = badge.caption;
      caption.style.cssText = 'margin-inline-start:auto;font:11px system-ui, sans-serif;opacity:0.6';
      row.append(name, host, caption);
      box.append(row);
      pills.push(pill);
      hosts.push(host);
    });
    gallery.append(box);
  }
  gallery.style.cssText = 'display:inline-flex;gap:0;align-items:stretch';
  document.body.style.margin = '0';
  document.body.append(gallery);
}

(window as unknown as { badgeGallery: GalleryApi }).badgeGallery = { draw, pills, hosts };
