import browser from 'webextension-polyfill';
import type { ErrorCode, RequestKind, RequestParams, RequestResult, SubscriptionName, SubscriptionValue } from './protocol';
import { isPlainObject } from './shape';

/** A request the background refused or could not complete; `message` is safe to show. */
export class BackgroundError extends Error {
  override name = 'BackgroundError';
  constructor(
    readonly code: ErrorCode | 'unreachable',
    message: string,
  ) {
    super(message);
  }
}

/** Sends a typed request to the background (from an extension page or a content script). */
export async function request<K extends RequestKind>(kind: K, params: RequestParams<K>): Promise<RequestResult<K>> {
  let response: unknown;
  try {
    response = await browser.runtime.sendMessage({ kind, params });
  } catch {
    throw new BackgroundError('unreachable', 'The Matrix Trust Guard background is not responding');
  }
  if (!isPlainObject(response) || typeof response.ok !== 'boolean') {
    throw new BackgroundError('unreachable', 'The Matrix Trust Guard background gave no answer');
  }
  if (response.ok) return response.result as RequestResult<K>;
  const error = isPlainObject(response.error) ? response.error : {};
  throw new BackgroundError(
    (typeof error.code === 'string' ? error.code : 'failed') as ErrorCode,
    typeof error.message === 'string' ? error.message : 'The request failed',
  );
}

/**
 * Subscribes to a live value. `onValue` gets the current value at once and every change;
 * `onLost` fires if the background goes away (the caller may subscribe again).
 * Returns a function that ends the subscription.
 */
export function subscribe<N extends SubscriptionName>(
  name: N,
  onValue: (value: SubscriptionValue<N>) => void,
  onLost: () => void,
): () => void {
  const port = browser.runtime.connect({ name });
  let ended = false;
  port.onMessage.addListener((message: unknown) => {
    // Only the background posts on this port; the check guards against our own mistakes.
    if (isPlainObject(message) && message.name === name) onValue(message.value as SubscriptionValue<N>);
  });
  port.onDisconnect.addListener(() => {
    if (!ended) onLost();
  });
  return () => {
    ended = true;
    port.disconnect();
  };
}
