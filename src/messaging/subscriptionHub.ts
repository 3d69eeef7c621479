import type { SenderKind, SubscriptionName, SubscriptionTable, SubscriptionValue } from './protocol';
import { type Check, isPlainObject, roomId } from '../validation/shape';
import { UserFacingError } from '../errors';
import { type RawSender, type SenderPolicy, type ValidSender, validateSender } from './validateSender';

/** The parts of `runtime.Port` the hub uses (the same in Chrome and Firefox). */
export interface SubscriberPort {
  name: string;
  sender?: RawSender;
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: { addListener(callback: (message: unknown) => void): void };
  onDisconnect: { addListener(callback: () => void): void };
}

/**
 * What travels on a subscription port, background to page: the value, or why there is none
 * (signed out, not a room of this account), so a page never waits on silence. The reason is a
 * sentence for the user, or empty when the failure has none (the page says it in its words).
 */
export type SubscriptionUpdate<N extends SubscriptionName = SubscriptionName> =
  { name: N; topic?: string; value: SubscriptionValue<N> } | { name: N; topic?: string; unavailable: string };

/** The reason sent for failures that carry no sentence for the user (never an internal message). */
export const NO_REASON = '';

interface SubscriptionRule {
  from: readonly SenderKind[];
  /** Subscriptions with a topic wait for the page to post `{ topic }`; this checks it. */
  topic?: Check;
}

const RULES: { [N in SubscriptionName]: SubscriptionRule & { from: readonly SubscriptionTable[N]['from'][] } } = {
  status: { from: ['extension-page'] },
  overview: { from: ['extension-page'] },
  room: { from: ['extension-page'], topic: roomId },
  pageRoom: { from: ['content-script'], topic: roomId },
  security: { from: ['extension-page'] },
  recovery: { from: ['extension-page'] },
  verification: { from: ['extension-page'] },
  alerts: { from: ['extension-page'] },
};

function isSubscriptionName(name: string): name is SubscriptionName {
  return Object.hasOwn(RULES, name);
}

/** The current value of a subscription; throwing says why there is none. */
export type CurrentValues = {
  [N in SubscriptionName]: (topic: string | undefined) => Promise<SubscriptionValue<N>> | SubscriptionValue<N>;
};

interface Subscriber {
  port: SubscriberPort;
  sender: ValidSender;
  topic?: string;
  /** How many changes were published to it: a current value read before the last one is stale. */
  published: number;
}

/**
 * Whether `sender` may follow `topic` now. Asked when the topic is named and again before every
 * value is sent, so a tab that moved to another room stops hearing about the one it left.
 */
export type TopicGate = (name: SubscriptionName, sender: ValidSender, topic: string) => boolean;

/**
 * Pushes live values (status, the overview, room reports) to every page that subscribed. A
 * subscriber gets the current value as soon as it is subscribed (for a topic: as soon as it
 * names one), then every change.
 */
// Long on purpose: a factory whose closures are the hub's private state, read top to bottom.
export function createSubscriptionHub(
  current: CurrentValues,
  policy: SenderPolicy,
  onRefused: (reason: string) => void,
  topicAllowed: TopicGate = () => true,
) {
  const subscribers = new Map<SubscriptionName, Set<Subscriber>>();

  function accept(port: SubscriberPort): void {
    const check = validateSender(port.sender ?? {}, policy);
    const rule: SubscriptionRule | undefined = isSubscriptionName(port.name) ? RULES[port.name] : undefined;
    if (!check.ok || !rule || !rule.from.includes(check.sender.kind)) {
      onRefused(check.ok ? 'subscription not allowed for this sender' : check.reason);
      port.disconnect();
      return;
    }
    const name = port.name as SubscriptionName;
    const subscriber: Subscriber = { port, sender: check.sender, published: 0 };
    const set = subscribers.get(name) ?? new Set();
    subscribers.set(name, set);
    set.add(subscriber);
    port.onDisconnect.addListener(() => set.delete(subscriber));
    if (rule.topic === undefined) {
      void sendCurrent(name, subscriber);
      return;
    }
    const topicCheck = rule.topic;
    port.onMessage.addListener((message) => {
      const topic = isPlainObject(message) ? message.topic : undefined;
      if (!topicCheck(topic)) {
        onRefused('malformed subscription topic');
        set.delete(subscriber);
        port.disconnect();
        return;
      }
      if (!topicAllowed(name, check.sender, topic as string)) {
        // A content script may follow only the room its tab shows: say so, and log no topic.
        onRefused('subscription topic not allowed for this sender');
        subscriber.topic = undefined;
        post(port, { name, topic, unavailable: NO_REASON });
        return;
      }
      subscriber.topic = topic as string;
      void sendCurrent(name, subscriber);
    });
  }

  function publish<N extends SubscriptionName>(name: N, value: SubscriptionValue<N>, topic?: string): void {
    for (const subscriber of subscribers.get(name) ?? []) {
      if (RULES[name].topic !== undefined && (subscriber.topic !== topic || !allowed(name, subscriber))) continue;
      subscriber.published += 1;
      post(subscriber.port, { name, topic, value });
    }
  }

  function hasSubscribers(name: SubscriptionName, topic?: string): boolean {
    return [...(subscribers.get(name) ?? [])].some((s) => topic === undefined || s.topic === topic);
  }

  async function sendCurrent(name: SubscriptionName, subscriber: Subscriber): Promise<void> {
    const topic = subscriber.topic;
    const published = subscriber.published;
    // The page may have moved on to another topic (or its tab to another room) meanwhile; and a
    // change published while the current value was read is newer: posting this after it would
    // leave the page on the older value until the next change (seen: a room review stuck on
    // "checking" because reading the room waited for the recompute that published the answer).
    const stillCurrent = () => subscriber.topic === topic && subscriber.published === published;
    try {
      const value = await (current[name] as (topic: string | undefined) => unknown)(topic);
      if (stillCurrent() && allowed(name, subscriber)) post(subscriber.port, { name, topic, value });
    } catch (error) {
      // Only messages written for users reach a page: "fetch failed" means nothing to them.
      const unavailable = error instanceof UserFacingError ? error.message : NO_REASON;
      if (stillCurrent()) post(subscriber.port, { name, topic, unavailable });
    }
  }

  function allowed(name: SubscriptionName, subscriber: Subscriber): boolean {
    return subscriber.topic === undefined || topicAllowed(name, subscriber.sender, subscriber.topic);
  }

  function post(port: SubscriberPort, update: unknown): void {
    try {
      port.postMessage(update);
    } catch {
      // The page went away between its disconnect and our post; onDisconnect cleans up.
    }
  }

  return { accept, publish, hasSubscribers };
}

export type SubscriptionHub = ReturnType<typeof createSubscriptionHub>;
