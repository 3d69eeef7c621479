import browser from 'webextension-polyfill';
import type { WarningCounts } from '../trust/types';

const CRITICAL_RED = '#c4271b';
const WARNING_AMBER = '#a35a00';

/**
 * The toolbar badge counts new warnings across the account: red when any is critical, amber
 * otherwise, empty when there are none. (Per-tab icons arrive with the in-page warnings.)
 */
export async function showNewWarnings(counts: WarningCounts): Promise<void> {
  const total = counts.warn + counts.critical;
  await browser.action.setBadgeText({ text: total === 0 ? '' : String(Math.min(total, 999)) });
  if (total > 0) await browser.action.setBadgeBackgroundColor({ color: counts.critical > 0 ? CRITICAL_RED : WARNING_AMBER });
}
