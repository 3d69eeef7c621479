import { t, uiLanguage } from './i18n';
import { plural } from './plural';

/** Clock times and dates as every part of the extension shows them, in the UI's language. */

export function formatTime(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString(uiLanguage(), { timeStyle: 'short' });
}

export function formatTimeAgo(epochMs: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - epochMs) / 1000));
  if (seconds < 60) return t('timeJustNow');
  const minutes = Math.round(seconds / 60);
  if (minutes < 60)
    return plural(minutes, { one: () => t('timeMinutesAgoOne', String(minutes)), other: () => t('timeMinutesAgoMany', String(minutes)) });
  // A clock time alone would mislead after a day away.
  return now - epochMs < 24 * 60 * 60 * 1000 ? t('timeAtClock', formatTime(epochMs)) : t('timeOnDate', formatDate(epochMs));
}

export function formatDate(epochMs: number): string {
  return new Date(epochMs).toLocaleString(uiLanguage(), { dateStyle: 'medium', timeStyle: 'short' });
}
