// Types only: the messages reach the pages through the browser, not through the bundle.
import type messages from '../../public/_locales/en/messages.json';
import { createLogger } from '../log';

/**
 * The name of a message in `public/_locales/en/messages.json`. English is the complete
 * locale, so every key the UI may ask for is one of its keys.
 */
export type MessageKey = keyof typeof messages;

/**
 * Finds a message's text with its substitutions filled in, or '' when there is no such
 * message (what `browser.i18n.getMessage` answers for an unknown key).
 */
export type MessageLookup = (key: MessageKey, substitutions: readonly string[]) => string;

const log = createLogger('i18n');

/** The browser's i18n API: in extension pages, content scripts and the background alike. */
interface I18nApi {
  getMessage(key: string, substitutions?: string[]): string;
  getUILanguage?(): string;
}

/**
 * Read from the global rather than through webextension-polyfill, which throws when imported
 * outside an extension: the background's code also runs in Node (integration tests, benches),
 * where there is no i18n API and `useMessageLookup` provides one.
 */
function platformI18n(): I18nApi | undefined {
  const scope = globalThis as { browser?: { i18n?: I18nApi }; chrome?: { i18n?: I18nApi } };
  return scope.browser?.i18n ?? scope.chrome?.i18n;
}

const browserLookup: MessageLookup = (key, substitutions) =>
  platformI18n()?.getMessage(key, substitutions.length === 0 ? undefined : [...substitutions]) ?? '';

let lookup: MessageLookup = browserLookup;
let language: () => string = () => platformI18n()?.getUILanguage?.() ?? 'en';

/**
 * The language the extension's UI is shown in (the browser's UI language): dates, times and
 * lists are formatted for it too, so a German sentence gets a German date, whatever the
 * system's default locale.
 */
export function uiLanguage(): string {
  return language();
}
const reportedMissing = new Set<string>();

/**
 * The UI text for `key` in the browser's language (English when the extension has no
 * translation for it). `substitutions` fill the message's placeholders in order: the first
 * is `$1`, the second `$2`, and so on (see the message's `placeholders`). They are text, so a
 * name from the network is shown as written, never as markup or another placeholder.
 *
 * A message that cannot be found shows as its key, so a gap is visible rather than blank,
 * and is logged once (by key only: substitutions may hold names from the network).
 */
export function t(key: MessageKey, ...substitutions: string[]): string {
  const text = lookup(key, substitutions);
  if (text !== '') return text;
  if (!reportedMissing.has(key)) {
    reportedMissing.add(key);
    log.warn('missing message', { key });
  }
  return key;
}

/**
 * Replaces where messages come from, and returns a function that puts the previous source
 * back. This is the seam for code running outside an extension (Node, unit tests), where
 * `browser.i18n` does not exist: `test/unit/setup.ts` installs a lookup that reads the
 * English messages.json with the browser's substitution rules. Pages never call it.
 */
export function useMessageLookup(next: MessageLookup, nextLanguage = 'en'): () => void {
  const previous = { lookup, language };
  lookup = next;
  language = () => nextLanguage;
  reportedMissing.clear();
  return () => {
    ({ lookup, language } = previous);
    reportedMissing.clear();
  };
}
