import { afterEach, describe, expect, it } from 'vitest';
import { useMessageLookup } from '../../../src/text/i18n';
import { listOf } from '../../../src/text/listText';
import { plural } from '../../../src/text/plural';
import { formatDate, formatTime } from '../../../src/text/timeText';
import { lookupIn, readMessages } from '../chromeI18n';

/** Dates, times and lists follow the extension's UI language, not the system's default locale. */
const AT = Date.UTC(2030, 2, 5, 14, 7);
let restore: () => void = () => undefined;

afterEach(() => restore());

describe('text in the UI language', () => {
  it("lists with the UI language's conjunction", () => {
    restore = useMessageLookup(lookupIn(readMessages()), 'de');
    expect(listOf(['Bob', 'Carol', 'Dave'])).toBe('Bob, Carol und Dave');
    restore();
    restore = useMessageLookup(lookupIn(readMessages()), 'en');
    expect(listOf(['Bob', 'Carol', 'Dave'])).toBe('Bob, Carol, and Dave');
  });

  it("writes dates and times the UI language's way", () => {
    restore = useMessageLookup(lookupIn(readMessages()), 'de');
    const german = { date: formatDate(AT), time: formatTime(AT) };
    restore();
    restore = useMessageLookup(lookupIn(readMessages()), 'en-US');
    const american = { date: formatDate(AT), time: formatTime(AT) };
    expect(german.date).toMatch(/05\.03\.2030|5\. März 2030/);
    expect(american.date).toMatch(/Mar 5, 2030/);
    expect(german.time).not.toMatch(/AM|PM/);
  });

  it('picks the plural form by the UI language\'s rules, not by "count is 1"', () => {
    const form = (count: number) => plural(count, { one: () => 'one', other: () => 'other' });
    restore = useMessageLookup(lookupIn(readMessages()), 'en');
    expect([0, 1, 2].map(form)).toEqual(['other', 'one', 'other']);
    restore();
    // French says "0 appareil", like "1 appareil": the rules, not a comparison with 1, decide.
    restore = useMessageLookup(lookupIn(readMessages()), 'fr');
    expect([0, 1, 2].map(form)).toEqual(['one', 'one', 'other']);
  });
});
