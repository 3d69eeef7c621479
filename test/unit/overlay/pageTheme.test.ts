// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { pageIsDarkBehind } from '../../../src/overlay/pageTheme';

function page(html: string): Document {
  document.body.innerHTML = html;
  return document;
}

describe('pageIsDarkBehind', () => {
  it("reads the page's own theme from the first opaque background behind the element", () => {
    const doc = page(`
      <div style="background-color: #101317"><div><span id="dark">composer</span></div></div>
      <div style="background-color: rgb(255, 255, 255)"><span id="light">composer</span></div>
      <div style="background-color: #21262b"><div style="background-color: rgba(255, 255, 255, 0.05)"><span id="tinted">x</span></div></div>`);
    expect(pageIsDarkBehind(doc.getElementById('dark'))).toBe(true);
    expect(pageIsDarkBehind(doc.getElementById('light'))).toBe(false);
    // A faint overlay (Hydrogen's hover tints) is looked through.
    expect(pageIsDarkBehind(doc.getElementById('tinted'))).toBe(true);
  });

  it('knows nothing where no background is painted (the canvas follows the system)', () => {
    const doc = page('<div><span id="bare">x</span></div>');
    document.body.style.backgroundColor = '';
    expect(pageIsDarkBehind(doc.getElementById('bare'))).toBeUndefined();
    expect(pageIsDarkBehind(undefined)).toBeUndefined();
  });
});
