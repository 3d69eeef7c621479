/**
 * Names from the network (display names, device names) shown in text the extension composes.
 * They are always inserted as text, never markup; this also removes the characters that can
 * make text lie about itself when it sits inside our sentences: bidi embeddings, overrides and
 * isolates (which can reverse the words around them, "Trojan Source" style), zero-width
 * characters (which can make two names look alike or hide one) and control characters. Very
 * long names are shortened so one member cannot push the rest of a warning off screen.
 */
const REMOVED_RANGES: readonly (readonly [number, number])[] = [
  [0x0000, 0x001f], // C0 controls (new lines included)
  [0x007f, 0x009f], // DEL and C1 controls
  [0x061c, 0x061c], // Arabic letter mark
  [0x115f, 0x1160], // Hangul fillers, which render as nothing
  [0x180e, 0x180e], // Mongolian vowel separator
  [0x200b, 0x200f], // zero-width space, non-joiner, joiner; LRM, RLM
  [0x202a, 0x202e], // bidi embeddings and overrides
  [0x2060, 0x206f], // word joiner, invisible operators, bidi isolates
  [0x3164, 0x3164], // Hangul filler
  [0xfe00, 0xfe0f], // variation selectors
  [0xfeff, 0xfeff], // zero-width no-break space
  [0xffa0, 0xffa0], // half-width Hangul filler
];

const hex = (codePoint: number) => `\\u{${codePoint.toString(16)}}`;
/** The ranges above as one character class: names are cleaned on every badge a page shows. */
const REMOVED = new RegExp(
  `[${REMOVED_RANGES.map(([first, last]) => (first === last ? hex(first) : `${hex(first)}-${hex(last)}`)).join('')}]`,
  'gu',
);

export const DISPLAY_TEXT_MAX_CHARS = 64;

export function displayText(text: string, maxChars = DISPLAY_TEXT_MAX_CHARS): string {
  const cleaned = text
    .replace(/[\t\n\r]+/gu, ' ')
    .replace(REMOVED, '')
    .replace(/\s+/gu, ' ')
    .trim();
  // UTF-16 length bounds the count of characters: most names need no counting at all.
  if (cleaned.length <= maxChars) return cleaned;
  const chars = Array.from(cleaned);
  return chars.length <= maxChars ? cleaned : `${chars.slice(0, maxChars - 1).join('')}…`;
}

/** A member's name for a sentence: their display name when it says something, else their id. */
export function memberName(userId: string, displayName?: string): string {
  const name = displayName === undefined ? '' : displayText(displayName);
  return name === '' ? displayText(userId) : name;
}

/** A name from the network made safe to show, or `fallback` when it is missing or shows nothing. */
export function nameOr(name: string | undefined, fallback: string): string {
  const shown = name === undefined ? '' : displayText(name);
  return shown === '' ? fallback : shown;
}
