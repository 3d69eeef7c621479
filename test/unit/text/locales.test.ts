import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENGLISH_MESSAGES_PATH, NAMED_PLACEHOLDER, readMessages } from '../chromeI18n';

/** Every locale besides English is complete: the same messages, the same placeholders, and its own words. */
const LOCALES_DIR = path.dirname(path.dirname(ENGLISH_MESSAGES_PATH));
const english = readMessages();
const others = readdirSync(LOCALES_DIR).filter((locale) => locale !== 'en');

/** Messages that read the same in every language: names, codes and layouts of other messages. */
const SAME_EVERYWHERE = new Set([
  'extName',
  'extActionTitle',
  'ownDevicesSession',
  'factStartupMs',
  'signInHomeserverPlaceholder',
  'signInUserPlaceholder',
  'roomCounts',
  'badgeLabel',
  'badgeDeviceLine',
  'bannerMessage',
  'bannerMessageSerious',
  'toolbarUnchecked',
]);

function placeholdersOf(message: string): string[] {
  return [...message.matchAll(NAMED_PLACEHOLDER)].map((match) => (match[1] ?? '').toLowerCase()).sort();
}

describe('the locales', () => {
  it('include German', () => {
    expect(others).toContain('de');
  });

  describe.each(others)('%s', (locale) => {
    const messages = readMessages(path.join(LOCALES_DIR, locale, 'messages.json'));

    it('has exactly the English keys', () => {
      expect(Object.keys(messages).sort()).toEqual(Object.keys(english).sort());
    });

    it('uses the same placeholders as English in every message, declared the same way', () => {
      for (const [key, entry] of Object.entries(english)) {
        const translated = messages[key];
        expect(translated && placeholdersOf(translated.message), key).toEqual(placeholdersOf(entry.message));
        expect(translated?.placeholders, key).toEqual(entry.placeholders);
      }
    });

    it('says every sentence in its own words', () => {
      const untranslated = Object.keys(english).filter(
        (key) => !SAME_EVERYWHERE.has(key) && messages[key]?.message === english[key]?.message,
      );
      // Words German shares with English ("Version", "Homeserver", "Problem:") are checked by hand once here.
      expect(untranslated).toEqual(
        locale === 'de' ? ['toneBad', 'aboutVersion', 'factVersion', 'signInHomeserver', 'currentTabIn', 'badgeInRoom'] : [],
      );
    });
  });
});
