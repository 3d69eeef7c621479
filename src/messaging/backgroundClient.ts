import browser from 'webextension-polyfill';
import type { ErrorCode, RequestKind, RequestParams, RequestResult, SubscriptionName, SubscriptionValue } from './protocol';
import { isPlainObject } from '../validation/shape';

/**
 * A request the background refused or could not complete. `message` is the background's
 * sentence for the user, in their language, or '' when it has none (the page then uses its
 * own words: the background unreachable, or the action failed).
 */
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
    throw new BackgroundError('unreachable', '');
  }
  if (!isPlainObject(response) || typeof response.ok !== 'boolean') {
    throw new BackgroundError('unreachable', '');
  }
  if (response.ok) return response.result as RequestResult<K>;
  const error = isPlainObject(response.error) ? response.error : {};
  throw new BackgroundError(
    (typeof error.code === 'string' ? error.code : 'failed') as ErrorCode,
    typeof error.message === 'string' ? error.message : '',
  );
}

export interface SubscriptionHandlers<N extends SubscriptionName> {
  onValue: (value: SubscriptionValue<N>) => void;
  /** The background has no value for this subscription (signed out, unknown room); says why. */
  onUnavailable?: (reason: string) => void;
  /** The background went away (the caller may subscribe again). */
  onLost: () => void;
}

export interface Subscription {
  /** For subscriptions with a topic (a room id): what to follow from now on. */
  follow(topic: string): void;
  end(): void;
}

/**
 * Subscribes to a live value: the current one at once (for a topic, once `follow` names it),
 * then every change.
 */
export function subscribe<N extends SubscriptionName>(name: N, handlers: SubscriptionHandlers<N>): Subscription {
  const port = browser.runtime.connect({ name });
  let ended = false;
  let topic: string | undefined;
  port.onMessage.addListener((message: unknown) => {
    // Only the background posts on this port; the checks guard against our own mistakes.
    if (!isPlainObject(message) || message.name !== name || message.topic !== topic) return;
    if (typeof message.unavailable === 'string') handlers.onUnavailable?.(message.unavailable);
    else onValueOf(message, handlers);
  });
  port.onDisconnect.addListener(() => {
    if (!ended) handlers.onLost();
  });
  return {
    follow(next) {
      topic = next;
      port.postMessage({ topic: next });
    },
    end() {
      ended = true;
      port.disconnect();
    },
  };
}

function onValueOf<N extends SubscriptionName>(message: Record<string, unknown>, handlers: SubscriptionHandlers<N>): void {
  handlers.onValue(message.value as SubscriptionValue<N>);
}
