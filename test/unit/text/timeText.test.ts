import { afterEach, describe, expect, it } from 'vitest';
import { useMessageLookup } from '../../../src/text/i18n';
import { formatDate, formatTime } from '../../../src/text/timeText';

const MORNING = new Date(2026, 10, 23, 7, 5).getTime();

describe('clock times', () => {
  let restore: (() => void) | undefined;
  afterEach(() => restore?.());

  // A history line reads "Nov 23, 2026, 7:05 AM — …; you acknowledged it at 7:05 AM": one style, not "07:05 AM" beside "7:05 AM".
  it.each(['en', 'de'])('a clock time is written as the dates show it (%s)', (language) => {
    restore = useMessageLookup((key) => key, language);
    expect(formatDate(MORNING).endsWith(formatTime(MORNING))).toBe(true);
  });
});
