import { useEffect, useState } from 'preact/hooks';
import { subscribe } from '../messaging/backgroundClient';
import type { SubscriptionName, SubscriptionValue } from '../messaging/protocol';
import { t } from '../text/i18n';

export type LiveState<T> =
  | { phase: 'loading' }
  | { phase: 'live'; value: T }
  /** The background has nothing for this (signed out, unknown room) and says why. */
  | { phase: 'unavailable'; reason: string }
  | { phase: 'lost'; message: string };

/** Reconnects this many times in a row without hearing a value before giving up. */
const MAX_SILENT_RECONNECTS = 3;

/**
 * A live value from the background. Chrome stops the service worker when idle, which cuts the
 * port; connecting again wakes it, so a lost port is retried before the page says so.
 */
export function useLive<N extends SubscriptionName>(name: N, topic?: string): LiveState<SubscriptionValue<N>> {
  const [state, setState] = useState<LiveState<SubscriptionValue<N>>>({ phase: 'loading' });

  useEffect(() => {
    let silentReconnects = 0;
    let end = connect();

    function connect(): () => void {
      const subscription = subscribe(name, {
        onValue: (value) => {
          silentReconnects = 0;
          setState({ phase: 'live', value });
        },
        onUnavailable: (reason) => setState({ phase: 'unavailable', reason: reason === '' ? t('liveUnavailable') : reason }),
        onLost: () => {
          if (silentReconnects >= MAX_SILENT_RECONNECTS) {
            setState({ phase: 'lost', message: t('backgroundLost') });
            return;
          }
          silentReconnects += 1;
          end = connect();
        },
      });
      if (topic !== undefined) subscription.follow(topic);
      return () => subscription.end();
    }

    return () => end();
  }, [name, topic]);

  return state;
}
