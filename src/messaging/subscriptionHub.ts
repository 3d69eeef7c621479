import type { SubscriptionName, SubscriptionTable, SubscriptionValue } from './protocol';
import { type RawSender, type SenderPolicy, validateSender } from './validateSender';

/** The parts of `runtime.Port` the hub uses (the same in Chrome and Firefox). */
export interface SubscriberPort {
  name: string;
  sender?: RawSender;
  postMessage(message: unknown): void;
  disconnect(): void;
  onDisconnect: { addListener(callback: () => void): void };
}

/** What travels on a subscription port, background to page. */
export interface SubscriptionUpdate<N extends SubscriptionName = SubscriptionName> {
  name: N;
  value: SubscriptionValue<N>;
}

const ALLOWED_SENDERS: { [N in SubscriptionName]: SubscriptionTable[N]['from'] } = {
  status: 'extension-page',
};

function isSubscriptionName(name: string): name is SubscriptionName {
  return Object.hasOwn(ALLOWED_SENDERS, name);
}

/**
 * Pushes live values (status now; room reports later) to every page that subscribed.
 * A subscriber gets the current value at once, then every change.
 */
export function createSubscriptionHub(
  current: { [N in SubscriptionName]: () => SubscriptionValue<N> },
  policy: SenderPolicy,
  onRefused: (reason: string) => void,
) {
  const subscribers = new Map<SubscriptionName, Set<SubscriberPort>>();

  function accept(port: SubscriberPort): void {
    const check = validateSender(port.sender ?? {}, policy);
    if (!check.ok || !isSubscriptionName(port.name) || ALLOWED_SENDERS[port.name] !== check.sender.kind) {
      onRefused(check.ok ? 'subscription not allowed for this sender' : check.reason);
      port.disconnect();
      return;
    }
    const name = port.name;
    const ports = subscribers.get(name) ?? new Set();
    subscribers.set(name, ports);
    ports.add(port);
    port.onDisconnect.addListener(() => ports.delete(port));
    post(port, { name, value: current[name]() });
  }

  function publish<N extends SubscriptionName>(name: N, value: SubscriptionValue<N>): void {
    for (const port of subscribers.get(name) ?? []) post(port, { name, value });
  }

  function post(port: SubscriberPort, update: SubscriptionUpdate): void {
    try {
      port.postMessage(update);
    } catch {
      // The page went away between its disconnect and our post; onDisconnect cleans up.
    }
  }

  return { accept, publish };
}
