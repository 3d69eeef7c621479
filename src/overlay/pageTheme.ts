/**
 * Whether the page is dark where we draw: the first opaque background behind `element`
 * (itself, then its ancestors), by its luminance. Web clients have themes of their own, set in
 * their settings rather than by the system's preference, so the banner follows the page, not
 * `prefers-color-scheme`. Undefined when nothing behind it paints a background (the browser's
 * canvas, which follows the system's preference: the sheet's media query decides then).
 */
export function pageIsDarkBehind(element: Element | null | undefined): boolean | undefined {
  const view = element?.ownerDocument.defaultView;
  for (let node = element; node && view; node = node.parentElement) {
    const rgba = parseColour(view.getComputedStyle(node).backgroundColor);
    if (rgba && rgba[3] >= 0.5) return relativeLuminance(rgba) < 0.2;
  }
  return undefined;
}

/** `rgb(r, g, b)` / `rgba(r, g, b, a)` as browsers compute them, or `#rrggbb`; anything else is unknown. */
function parseColour(value: string): [number, number, number, number] | undefined {
  const hex = /^#([\da-f]{2})([\da-f]{2})([\da-f]{2})$/i.exec(value.trim());
  if (hex) return [Number.parseInt(hex[1] ?? '', 16), Number.parseInt(hex[2] ?? '', 16), Number.parseInt(hex[3] ?? '', 16), 1];
  const match = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/.exec(value.trim());
  if (!match) return undefined;
  const alphaText = match[4];
  const alpha = alphaText === undefined ? 1 : alphaText.endsWith('%') ? Number.parseFloat(alphaText) / 100 : Number(alphaText);
  return [Number(match[1]), Number(match[2]), Number(match[3]), alpha];
}

/** WCAG relative luminance of an sRGB colour (0 black, 1 white). */
function relativeLuminance([r, g, b]: readonly number[]): number {
  const channel = (value = 0) => {
    const c = value / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}
