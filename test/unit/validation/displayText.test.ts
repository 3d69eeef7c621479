import { describe, expect, it } from 'vitest';
import { DISPLAY_TEXT_MAX_CHARS, displayText, memberName } from '../../../src/validation/displayText';

describe('displayText', () => {
  it('leaves ordinary names alone, in any script', () => {
    for (const name of ['Bob', 'Zoë Ångström', 'Дмитрий', 'محمد', '李小龍', 'Bob 🦊']) expect(displayText(name)).toBe(name);
  });

  it('keeps markup as the characters it is (it is shown as text, never parsed)', () => {
    expect(displayText('<img src=x onerror=alert(1)>')).toBe('<img src=x onerror=alert(1)>');
  });

  it.each([
    ['a right-to-left override', 'Bob\u202Egnp.exe', 'Bobgnp.exe'],
    ['a left-to-right embedding and pop', '\u202AAlice\u202C', 'Alice'],
    ['isolates', '\u2066Mallory\u2069', 'Mallory'],
    ['marks', 'Eve\u200F\u200E', 'Eve'],
    ['zero-width spaces and joiners', 'Al\u200Bi\u200Dce\uFEFF', 'Alice'],
    ['an Arabic letter mark', 'Bob\u061C', 'Bob'],
    ['control characters, with a new line as a space', 'Bob\u0000\u0007\nSmith', 'Bob Smith'],
  ])('removes %s', (_label, raw, shown) => {
    expect(displayText(raw)).toBe(shown);
  });

  it('folds runs of white space', () => {
    expect(displayText('  Bob \t  Smith  ')).toBe('Bob Smith');
  });

  it('shortens a 10,000-character name to the limit, ending with an ellipsis', () => {
    const shown = displayText('A'.repeat(10_000));
    expect(Array.from(shown)).toHaveLength(DISPLAY_TEXT_MAX_CHARS);
    expect(shown.endsWith('…')).toBe(true);
  });

  it('never cuts an emoji in half', () => {
    const shown = displayText('🦊'.repeat(100), 5);
    expect(shown).toBe('🦊🦊🦊🦊…');
  });
});

describe('memberName', () => {
  it('prefers the display name, and falls back to the user id when it is missing or only invisible characters', () => {
    expect(memberName('@bob:example.org', 'Bob')).toBe('Bob');
    expect(memberName('@bob:example.org')).toBe('@bob:example.org');
    expect(memberName('@bob:example.org', '\u200B\u202E ')).toBe('@bob:example.org');
  });
});
