import type { TabState } from '../messaging/protocol';
import { t } from '../text/i18n';

/** What the popup learned of the tab it was opened over. */
export type TabLookup =
  | { phase: 'loading' }
  /** Not a watched page; `suggest` is its origin when it looks like a Matrix web client. */
  | { phase: 'none'; suggest?: string }
  | { phase: 'known'; state: TabState };

/** What the popup's "this tab" section shows: a sentence, or the room to review. */
export type TabView = { kind: 'notice'; text: string; suggest?: string } | { kind: 'room'; roomId: string; client: string };

export function describeTab(lookup: TabLookup): TabView {
  switch (lookup.phase) {
    case 'loading':
      return { kind: 'notice', text: t('currentTabLoading') };
    case 'none':
      return { kind: 'notice', text: t('currentTabNotWatched'), ...(lookup.suggest !== undefined && { suggest: lookup.suggest }) };
    case 'known': {
      const { state } = lookup;
      const client = state.client ?? t('toolbarSomeClient');
      if (state.reason === 'not-understood') return { kind: 'notice', text: t('currentTabNotUnderstood', client) };
      if (state.roomId === undefined) return { kind: 'notice', text: t('currentTabNoRoom', client) };
      if (state.reason === 'not-joined') return { kind: 'notice', text: t('currentTabNotJoined', client) };
      return { kind: 'room', roomId: state.roomId, client };
    }
  }
}
