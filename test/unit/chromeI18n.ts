import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MessageLookup } from '../../src/text/i18n';

/**
 * The extension's messages as the browser reads them, for code running in Node: the same
 * file, and the substitution rules of `chrome.i18n.getMessage` (which Firefox follows).
 */

export interface Placeholder {
  content: string;
  example?: string;
}

export interface MessageEntry {
  message: string;
  description?: string;
  placeholders?: Record<string, Placeholder>;
}

export type Messages = Record<string, MessageEntry>;

export const ENGLISH_MESSAGES_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public/_locales/en/messages.json');

/** A named placeholder in a message: `$NAME$`, matched without regard to case. */
export const NAMED_PLACEHOLDER = /\$([A-Za-z0-9_@]+)\$/g;

export function readMessages(file = ENGLISH_MESSAGES_PATH): Messages {
  return JSON.parse(readFileSync(file, 'utf8')) as Messages;
}

/**
 * One message with its substitutions, as Chrome does it: each `$NAME$` becomes its
 * placeholder's content (a `$NAME$` without a placeholder is an error, as when Chrome loads
 * the extension), then `$1`…`$9` become the substitutions (missing ones become nothing) and
 * `$$` becomes `$`, in one pass, so a substitution that contains `$1` stays as written.
 */
export function formatMessage(entry: MessageEntry, substitutions: readonly string[]): string {
  if (substitutions.length > 9) throw new Error('getMessage takes at most 9 substitutions');
  const contents = new Map(
    Object.entries(entry.placeholders ?? {}).map(([name, placeholder]) => [name.toLowerCase(), placeholder.content]),
  );
  const expanded = entry.message.replace(NAMED_PLACEHOLDER, (_whole, name: string) => {
    const content = contents.get(name.toLowerCase());
    if (content === undefined) throw new Error(`Variable $${name}$ used but not defined.`);
    return content;
  });
  return expanded.replace(/\$(\$+|[1-9])/g, (_whole, what: string) =>
    what.startsWith('$') ? what : (substitutions[Number(what) - 1] ?? ''),
  );
}

/** A lookup over `messages` for `useMessageLookup`: keys are case-insensitive, as in Chrome. */
export function lookupIn(messages: Messages): MessageLookup {
  const byKey = new Map(Object.entries(messages).map(([key, entry]) => [key.toLowerCase(), entry]));
  return (key, substitutions) => {
    const entry = byKey.get(key.toLowerCase());
    return entry === undefined ? '' : formatMessage(entry, substitutions);
  };
}
