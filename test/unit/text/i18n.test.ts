import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { t, useMessageLookup } from '../../../src/text/i18n';
import { ENGLISH_MESSAGES_PATH, formatMessage, lookupIn, type MessageEntry, NAMED_PLACEHOLDER, readMessages } from '../chromeI18n';

const REPO_ROOT = path.resolve(path.dirname(ENGLISH_MESSAGES_PATH), '../../..');
const messages = readMessages();
const keys = Object.keys(messages);

/** Files whose text the UI shows: the pages' code and HTML. i18n.ts itself only defines t. */
function uiSources(): { file: string; text: string }[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true })) {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(relative);
      else if (/\.(ts|tsx|html)$/.test(entry.name) && relative !== path.join('src', 'text', 'i18n.ts')) files.push(relative);
    }
  };
  walk('src');
  walk('entrypoints');
  return files.map((file) => ({ file, text: readFileSync(path.join(REPO_ROOT, file), 'utf8') }));
}

const sources = uiSources();
const manifestSource = readFileSync(path.join(REPO_ROOT, 'wxt.config.ts'), 'utf8');

/** `t('key'` with a quoted key; `t(` preceded by a letter, digit, `$`, `_` or `.` is another function. */
const T_CALL = /(?<![\w$.])t\(\s*(['"`])([^'"`]*)\1/g;
const T_CALL_ANY = /(?<![\w$.])t\(\s*(\S)/g;
/** How the manifest and other browser-localized files name a message. */
const MSG_REFERENCE = /__MSG_(\w+)__/g;

function usedKeys(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  const note = (key: string, file: string) => used.set(key, [...(used.get(key) ?? []), file]);
  for (const { file, text } of sources) {
    for (const match of text.matchAll(T_CALL)) note(match[2] ?? '', file);
    for (const match of text.matchAll(MSG_REFERENCE)) note(match[1] ?? '', file);
  }
  for (const match of manifestSource.matchAll(MSG_REFERENCE)) note(match[1] ?? '', 'wxt.config.ts');
  return used;
}

function placeholderNamesIn(message: string): string[] {
  return [...message.matchAll(NAMED_PLACEHOLDER)].map((match) => (match[1] ?? '').toLowerCase());
}

describe('messages.json against the code', () => {
  it('finds the UI sources it scans, and t() calls in them', () => {
    expect(sources.some(({ file }) => file.endsWith('PopupApp.tsx'))).toBe(true);
    expect(usedKeys().size).toBeGreaterThan(50);
  });

  it('names every message with a quoted key, so this test sees every key the UI uses', () => {
    const dynamic = sources.flatMap(({ file, text }) =>
      [...text.matchAll(T_CALL_ANY)].filter((match) => !/['"`]/.test(match[1] ?? '')).map((match) => `${file}: ${match[0]}`),
    );
    expect(dynamic).toEqual([]);
  });

  it('has every key used in src/, entrypoints/ and the manifest', () => {
    const known = new Set(keys);
    const missing = [...usedKeys()].filter(([key]) => !known.has(key)).map(([key, files]) => `${key} (${files.join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('has no key that nothing uses', () => {
    const used = usedKeys();
    expect(keys.filter((key) => !used.has(key))).toEqual([]);
  });

  it('names the manifest texts and the default locale', () => {
    expect(manifestSource).toContain("default_locale: 'en'");
    for (const key of ['extName', 'extDescription', 'extActionTitle']) expect(manifestSource).toContain(`__MSG_${key}__`);
    // Chrome refuses longer ones in the Web Store; Firefox's linter warns.
    expect(messages.extName?.message.length).toBeLessThanOrEqual(45);
    expect(messages.extDescription?.message.length).toBeLessThanOrEqual(132);
  });
});

describe("messages.json follows the browsers' rules", () => {
  /** Each rule lists what breaks it, as "key: what", so a failure names every offender. */
  const offenders = (check: (key: string, entry: MessageEntry) => string[]) =>
    keys.flatMap((key) => check(key, messages[key] as MessageEntry).map((problem) => `${key}: ${problem}`));

  it('has keys of ASCII letters, digits and underscores, none reserved, unique regardless of case', () => {
    expect(
      offenders((key) => [
        ...(/^[A-Za-z0-9_]+$/.test(key) ? [] : ['not [A-Za-z0-9_]']),
        ...(key.startsWith('@@') ? ['reserved'] : []),
        ...(keys.filter((other) => other.toLowerCase() === key.toLowerCase()).length > 1 ? ['differs from another key only by case'] : []),
      ]),
    ).toEqual([]);
  });

  it('gives every message a text and a description for translators, and nothing else', () => {
    expect(
      offenders((_key, entry) => [
        ...Object.keys(entry)
          .filter((field) => !['message', 'description', 'placeholders'].includes(field))
          .map((field) => `unknown field ${field}`),
        ...(typeof entry.message === 'string' && entry.message.trim() !== '' ? [] : ['empty message']),
        ...(entry.message === entry.message.trim() ? [] : ['message starts or ends with blanks']),
        ...(typeof entry.description === 'string' && entry.description.trim() !== '' ? [] : ['no description']),
      ]),
    ).toEqual([]);
  });

  it('uses every placeholder it declares, declares every one it uses, each mapped to the next $n', () => {
    expect(
      offenders((_key, entry) => {
        const declared = Object.keys(entry.placeholders ?? {});
        const declaredLower = declared.map((name) => name.toLowerCase());
        const used = placeholderNamesIn(entry.message);
        // Named placeholders only: no bare $1, and no lone $ (a literal dollar is $$).
        const rest = entry.message.replace(NAMED_PLACEHOLDER, '').replaceAll('$$', '');
        const contents = declared.map((name) => entry.placeholders?.[name]?.content).sort();
        return [
          ...declared.filter((name) => !/^[A-Za-z0-9_]+$/.test(name)).map((name) => `placeholder ${name} is not [A-Za-z0-9_]`),
          ...declared
            .filter((name) => !used.includes(name.toLowerCase()))
            .map((name) => `placeholder ${name} declared but not in the message`),
          ...used.filter((name) => !declaredLower.includes(name)).map((name) => `$${name.toUpperCase()}$ used but not declared`),
          ...(new Set(declaredLower).size === declared.length ? [] : ['placeholders differ only by case']),
          ...(rest.includes('$') ? ['a $ outside a named placeholder'] : []),
          ...(JSON.stringify(contents) === JSON.stringify(declared.map((_, i) => `$${i + 1}`))
            ? []
            : [`placeholder contents ${contents.join(' ')} are not $1..$${declared.length}`]),
          ...(declared.length <= 9 ? [] : ['more than 9 placeholders']),
        ];
      }),
    ).toEqual([]);
  });
});

describe('Chrome substitution rules (the unit tests lookup)', () => {
  const entry = {
    message: 'Hello $WHO$, you owe $$5 to $Whom$; $$$$ stays',
    placeholders: { who: { content: '$1' }, whom: { content: '$2' } },
  };

  it('fills named placeholders in order, case-insensitively, and turns $$ into $', () => {
    expect(formatMessage(entry, ['Alice', 'Bob'])).toBe('Hello Alice, you owe $5 to Bob; $$$ stays');
  });

  it('leaves a substitution as written, even when it looks like a placeholder', () => {
    expect(formatMessage(entry, ['$2', '$$'])).toBe('Hello $2, you owe $5 to $$; $$$ stays');
  });

  it('fills a missing substitution with nothing, and refuses an undeclared placeholder', () => {
    expect(formatMessage(entry, ['Alice'])).toBe('Hello Alice, you owe $5 to ; $$$ stays');
    expect(() => formatMessage({ message: 'Hi $NAME$' }, [])).toThrow(/\$NAME\$ used but not defined/);
  });

  it('finds keys regardless of case, and answers an unknown key with nothing, like getMessage', () => {
    const lookup = lookupIn({ Greeting: entry });
    expect(lookup('greeting' as never, ['A', 'B'])).toBe('Hello A, you owe $5 to B; $$$ stays');
    expect(lookup('nothing' as never, [])).toBe('');
  });
});

describe('t', () => {
  afterEach(() => vi.restoreAllMocks());

  it('gives the English text in unit tests, with substitutions', () => {
    expect(t('signInSubmit')).toBe('Sign in');
    expect(t('syncOffline', '14:05')).toBe('Offline since 14:05');
    expect(t('accountSignedInDetail', 'matrix.example.org', 'GUARDDEVICE')).toBe(
      "On matrix.example.org, as this browser's session GUARDDEVICE.",
    );
    expect(t('roomCounts', '2 new', '1 critical', '3 warnings')).toBe('2 new · 1 critical, 3 warnings');
  });

  it('shows names from the network as written', () => {
    expect(t('ownDevicesSession', 'Rogue $1 <b>$$</b>', 'DEV')).toBe('Rogue $1 <b>$$</b> (DEV)');
  });

  it('falls back to the key when a message is missing, and warns once, naming the key but never the substitutions', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const restore = useMessageLookup(() => '');
    try {
      expect(t('syncOffline', 'secret-name')).toBe('syncOffline');
      expect(t('syncOffline', 'secret-name')).toBe('syncOffline');
      expect(warn).toHaveBeenCalledTimes(1);
      const logged = String(warn.mock.calls[0]?.[0]);
      expect(logged).toContain('syncOffline');
      expect(logged).not.toContain('secret-name');
    } finally {
      restore();
    }
    expect(t('syncOffline', '14:05')).toBe('Offline since 14:05');
  });

  it('passes the key and substitutions to the installed lookup', () => {
    const lookup = vi.fn((key: string, substitutions: readonly string[]) => `${key}:${substitutions.join('|')}`);
    const restore = useMessageLookup(lookup);
    try {
      expect(t('deviceDetail', 'Verified', 'today')).toBe('deviceDetail:Verified|today');
      expect(lookup).toHaveBeenCalledWith('deviceDetail', ['Verified', 'today']);
    } finally {
      restore();
    }
  });
});
