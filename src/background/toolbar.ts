import browser from 'webextension-polyfill';
import type { TabState } from '../messaging/protocol';
import type { TabTrust } from '../trust/tabTrust';
import { describeChecking } from '../text/checkingText';
import { t } from '../text/i18n';
import { formatTime } from '../text/timeText';
import type { ToolbarPainter } from './tabRegistry';
import { plural } from '../text/plural';

const BADGE_COLOURS: Record<TabTrust, string> = {
  unknown: '#7a818c',
  ok: '#1f7a45',
  warn: '#a35a00',
  critical: '#c4271b',
};

function iconPaths(trust: TabTrust): Record<string, string> {
  return { 16: `/icon/state/${trust}-16.png`, 32: `/icon/state/${trust}-32.png`, 48: `/icon/state/${trust}-48.png` };
}

/** The tooltip of a tab's toolbar button, saying since when its warnings are old when they are. */
export function toolbarTitle(state: TabState): string {
  const parts = [reasonTitle(state)];
  // A room that is not clear only because someone is being checked says so in its title already.
  if (state.unchecked && state.reason !== 'unchecked') parts.push(describeChecking(state.unchecked));
  if (state.stale)
    parts.push(state.stale.lastSyncAt === undefined ? t('toolbarStaleNeverSynced') : t('toolbarStale', formatTime(state.stale.lastSyncAt)));
  return parts.join(' ');
}

function reasonTitle(state: TabState): string {
  const client = state.client ?? t('toolbarSomeClient');
  switch (state.reason) {
    case 'signed-out':
      return t('toolbarSignedOut', client);
    case 'not-understood':
      return t('toolbarNotUnderstood');
    case 'no-room':
      return t('toolbarNoRoom', client);
    case 'not-joined':
      return t('toolbarNotJoined');
    case 'checking':
      return t('toolbarChecking');
    case 'unencrypted':
      return t('toolbarUnencrypted');
    case 'clear':
      return t('toolbarClear');
    case 'bridged':
      return t('toolbarBridged');
    case 'warnings':
      return plural(state.newWarnings, {
        one: () => t('toolbarWarningsOne'),
        other: () => t('toolbarWarningsMany', String(state.newWarnings)),
      });
    case 'unchecked':
      return t('toolbarUnchecked', state.unchecked ? describeChecking(state.unchecked) : t('toolbarChecking'));
  }
}

/** Paints a tab's state on the toolbar button: its own icon per state, a count, a tooltip. */
export const browserToolbar: ToolbarPainter = {
  paint(tabId, state) {
    const text = state.newWarnings === 0 ? '' : String(Math.min(state.newWarnings, 999));
    // A tab that closed meanwhile makes these calls fail; there is nothing left to paint.
    const ignore = () => undefined;
    browser.action.setIcon({ tabId, path: iconPaths(state.trust) }).catch(ignore);
    browser.action.setBadgeText({ tabId, text }).catch(ignore);
    browser.action.setBadgeBackgroundColor({ tabId, color: BADGE_COLOURS[state.trust] }).catch(ignore);
    browser.action.setTitle({ tabId, title: toolbarTitle(state) }).catch(ignore);
  },
};
