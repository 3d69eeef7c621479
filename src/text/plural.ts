import { uiLanguage } from './i18n';

const rules = new Map<string, Intl.PluralRules>();

/**
 * The form of a message for `count`, chosen by the UI language's plural rules (CLDR, through
 * Intl.PluralRules: chrome.i18n has none). Messages come in two forms, "one" and "other",
 * which covers English and German; a language with more forms needs more messages.
 */
export function plural(count: number, forms: { one: () => string; other: () => string }): string {
  const locale = uiLanguage();
  let rule = rules.get(locale);
  if (!rule) {
    rule = new Intl.PluralRules(locale);
    rules.set(locale, rule);
  }
  return rule.select(count) === 'one' ? forms.one() : forms.other();
}
