import { useEffect, useState } from 'preact/hooks';
import { subscribe } from '../messaging/backgroundClient';
import type { ExtensionStatus } from '../messaging/protocol';

export type StatusState =
  | { phase: 'loading' }
  | { phase: 'live'; status: ExtensionStatus }
  | { phase: 'lost'; message: string };

/** Reconnects this many times in a row without hearing a value before giving up. */
const MAX_SILENT_RECONNECTS = 3;

/**
 * The background's status, live. Chrome stops the service worker when idle, which cuts the
 * port; connecting again wakes it, so a lost port is retried before the page says so.
 */
export function useExtensionStatus(): StatusState {
  const [state, setState] = useState<StatusState>({ phase: 'loading' });

  useEffect(() => {
    let silentReconnects = 0;
    let unsubscribe = connect();

    function connect(): () => void {
      const subscription = subscribe('status', {
        onValue: (status) => {
          silentReconnects = 0;
          setState({ phase: 'live', status });
        },
        onLost: () => {
          if (silentReconnects >= MAX_SILENT_RECONNECTS) {
            setState({ phase: 'lost', message: 'The Matrix Trust Guard background stopped answering. Reopen this page to retry.' });
            return;
          }
          silentReconnects += 1;
          unsubscribe = connect();
        },
      });
      return () => subscription.end();
    }

    return () => unsubscribe();
  }, []);

  return state;
}
