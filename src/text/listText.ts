import { uiLanguage } from './i18n';

const formats = new Map<string, Intl.ListFormat>();

/** "Bob, Carol and Dave", in the UI's language. */
export function listOf(items: string[]): string {
  const locale = uiLanguage();
  let format = formats.get(locale);
  if (!format) {
    format = new Intl.ListFormat(locale, { type: 'conjunction' });
    formats.set(locale, format);
  }
  return format.format(items);
}
