import { describe, expect, it, vi } from 'vitest';
import type { ExtensionStatus, TrustOverview } from '../../../src/messaging/protocol';
import { UserFacingError } from '../../../src/errors';
import {
  createSubscriptionHub,
  type CurrentValues,
  NO_REASON,
  type SubscriberPort,
  type TopicGate,
} from '../../../src/messaging/subscriptionHub';
import { pageRoomView } from '../../../src/trust/pageWarnings';
import { DEFAULT_ALERT_KINDS } from '../../../src/trust/alertPolicy';
import type { RawSender, SenderPolicy } from '../../../src/messaging/validateSender';
import type { RoomTrustReport } from '../../../src/trust/types';

const policy: SenderPolicy = {
  extensionId: 'ext',
  extensionOrigin: 'chrome-extension://ext',
  isWatchedOrigin: (origin) => origin === 'https://app.element.io',
};

function status(startedAt: number): ExtensionStatus {
  return {
    account: { state: 'signed-out' },
    cryptoEngine: { state: 'starting' },
    policy: 'default',
    backgroundStartedAt: startedAt,
    extensionVersion: '0.1.0',
  };
}

function report(roomId: string, generatedAt = 1): RoomTrustReport {
  const none = { warn: 0, critical: 0 };
  return {
    roomId,
    encrypted: true,
    policy: 'default',
    generatedAt,
    memberCount: 2,
    members: [],
    verifiedUserIds: [],
    checking: [],
    warnings: none,
    newWarnings: none,
  };
}

const overview: TrustOverview = { rooms: [], newWarnings: { warn: 0, critical: 0 } };

function sources(overrides: Partial<CurrentValues> = {}): CurrentValues {
  return {
    status: () => status(1),
    overview: () => overview,
    room: (topic) => {
      if (topic === '!unknown:example.org') throw new UserFacingError("This room is not one of the account's joined rooms.");
      if (topic === '!broken:example.org') throw new TypeError('fetch failed: Failed to fetch');
      return report(topic ?? '');
    },
    pageRoom: (topic) => pageRoomView(report(topic ?? '')),
    security: () => Promise.reject(new Error('Not signed in.')),
    recovery: () => ({ step: 'idle' }),
    verification: () => ({ phase: 'none' }),
    alerts: () => ({ kinds: DEFAULT_ALERT_KINDS, watchedRoomIds: [] }),
    ...overrides,
  };
}

function fakePort(name: string, sender: RawSender | undefined) {
  const disconnectListeners: (() => void)[] = [];
  const messageListeners: ((message: unknown) => void)[] = [];
  const port = {
    name,
    sender,
    postMessage: vi.fn(),
    disconnect: vi.fn(),
    onMessage: { addListener: (callback: (message: unknown) => void) => messageListeners.push(callback) },
    onDisconnect: { addListener: (callback: () => void) => disconnectListeners.push(callback) },
    /** What the page does: post on the port. */
    send: (message: unknown) => {
      for (const listener of messageListeners) listener(message);
    },
    /** What the browser does when the page closes. */
    close: () => {
      for (const listener of disconnectListeners) listener();
    },
  };
  return port satisfies SubscriberPort;
}

const popup = { id: 'ext', url: 'chrome-extension://ext/popup.html' };
const elementTab = { id: 'ext', url: 'https://app.element.io/#/room/!a:example.org', tab: { id: 1 }, frameId: 0 };

/** Lets the hub's async sends complete. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the subscription hub', () => {
  it('sends a new subscriber the current value, then every change', async () => {
    let current = status(1);
    const hub = createSubscriptionHub(sources({ status: () => current }), policy, vi.fn());
    const port = fakePort('status', popup);
    hub.accept(port);
    await settle();
    expect(port.postMessage).toHaveBeenLastCalledWith({ name: 'status', value: status(1) });
    current = status(2);
    hub.publish('status', current);
    expect(port.postMessage).toHaveBeenLastCalledWith({ name: 'status', value: status(2) });
  });

  it('stops sending to a port once its page has gone', async () => {
    const hub = createSubscriptionHub(sources(), policy, vi.fn());
    const port = fakePort('status', popup);
    hub.accept(port);
    await settle();
    port.close();
    hub.publish('status', status(2));
    expect(port.postMessage).toHaveBeenCalledTimes(1);
  });

  it('sends a room subscriber nothing until it names a room, then that room only', async () => {
    const hub = createSubscriptionHub(sources(), policy, vi.fn());
    const port = fakePort('room', popup);
    hub.accept(port);
    await settle();
    expect(port.postMessage).not.toHaveBeenCalled();
    port.send({ topic: '!a:example.org' });
    await settle();
    expect(port.postMessage).toHaveBeenLastCalledWith({ name: 'room', topic: '!a:example.org', value: report('!a:example.org') });
    hub.publish('room', report('!b:example.org', 2), '!b:example.org');
    expect(port.postMessage).toHaveBeenCalledTimes(1);
    hub.publish('room', report('!a:example.org', 3), '!a:example.org');
    expect(port.postMessage).toHaveBeenLastCalledWith({ name: 'room', topic: '!a:example.org', value: report('!a:example.org', 3) });
  });

  it('never follows a change published while the current value was read with that older value', async () => {
    // The room's current value waits on its room queue, where a recompute with newer news runs
    // and publishes first: the page must end on the published report, not the one read before.
    let release: () => void = () => undefined;
    const hub = createSubscriptionHub(
      sources({
        room: async (topic) => {
          const read = report(topic ?? '', 1);
          await new Promise<void>((resolve) => (release = resolve));
          return read;
        },
      }),
      policy,
      vi.fn(),
    );
    const port = fakePort('room', popup);
    hub.accept(port);
    port.send({ topic: '!a:example.org' });
    hub.publish('room', report('!a:example.org', 2), '!a:example.org');
    release();
    await settle();
    expect(port.postMessage).toHaveBeenCalledTimes(1);
    expect(port.postMessage).toHaveBeenLastCalledWith({ name: 'room', topic: '!a:example.org', value: report('!a:example.org', 2) });
  });

  it('follows a page that switches rooms on the same port', async () => {
    const hub = createSubscriptionHub(sources(), policy, vi.fn());
    const port = fakePort('room', popup);
    hub.accept(port);
    port.send({ topic: '!a:example.org' });
    port.send({ topic: '!b:example.org' });
    await settle();
    hub.publish('room', report('!a:example.org', 5), '!a:example.org');
    expect(port.postMessage).toHaveBeenLastCalledWith({ name: 'room', topic: '!b:example.org', value: report('!b:example.org') });
  });

  it('says why a room has no report instead of staying silent', async () => {
    const hub = createSubscriptionHub(sources(), policy, vi.fn());
    const port = fakePort('room', popup);
    hub.accept(port);
    port.send({ topic: '!unknown:example.org' });
    await settle();
    expect(port.postMessage).toHaveBeenLastCalledWith({
      name: 'room',
      topic: '!unknown:example.org',
      unavailable: "This room is not one of the account's joined rooms.",
    });
  });

  it('never passes on an internal error message, only sentences written for the user', async () => {
    const hub = createSubscriptionHub(sources(), policy, vi.fn());
    const port = fakePort('room', popup);
    hub.accept(port);
    port.send({ topic: '!broken:example.org' });
    await settle();
    expect(port.postMessage).toHaveBeenLastCalledWith({ name: 'room', topic: '!broken:example.org', unavailable: NO_REASON });
  });

  it('disconnects a port that names a malformed topic', () => {
    const refused = vi.fn();
    const hub = createSubscriptionHub(sources(), policy, refused);
    const port = fakePort('pageRoom', elementTab);
    hub.accept(port);
    port.send({ topic: 'not a room id <script>' });
    expect(port.disconnect).toHaveBeenCalled();
    expect(refused).toHaveBeenCalledWith('malformed subscription topic');
  });

  it('disconnects a content script asking for the status, the overview or full room reports, which are for extension pages only', () => {
    const refused = vi.fn();
    const hub = createSubscriptionHub(sources(), policy, refused);
    for (const name of ['status', 'overview', 'room', 'security']) {
      const port = fakePort(name, elementTab);
      hub.accept(port);
      expect(port.disconnect).toHaveBeenCalled();
      expect(port.postMessage).not.toHaveBeenCalled();
    }
    expect(refused).toHaveBeenCalledWith('subscription not allowed for this sender');
  });

  describe("a content script's page view", () => {
    /** The tab's room, as the background keeps it from the page's last page.room. */
    let tabRoom: string | undefined;
    const gate: TopicGate = (name, sender, topic) =>
      name !== 'pageRoom' || (sender.kind === 'content-script' && sender.tabId === 1 && tabRoom === topic);

    it('follows the room its tab is on, and gets only what the page shows of it', async () => {
      tabRoom = '!a:example.org';
      const hub = createSubscriptionHub(sources(), policy, vi.fn(), gate);
      const port = fakePort('pageRoom', elementTab);
      hub.accept(port);
      port.send({ topic: '!a:example.org' });
      await settle();
      expect(port.postMessage).toHaveBeenLastCalledWith({
        name: 'pageRoom',
        topic: '!a:example.org',
        value: pageRoomView(report('!a:example.org')),
      });
    });

    it('is refused another room, says so without the room in the log, and hears nothing of it', async () => {
      tabRoom = '!a:example.org';
      const refused = vi.fn();
      const hub = createSubscriptionHub(sources(), policy, refused, gate);
      const port = fakePort('pageRoom', elementTab);
      hub.accept(port);
      port.send({ topic: '!secret:example.org' });
      await settle();
      expect(port.postMessage).toHaveBeenCalledExactlyOnceWith({ name: 'pageRoom', topic: '!secret:example.org', unavailable: NO_REASON });
      expect(refused).toHaveBeenCalledWith('subscription topic not allowed for this sender');
      expect(JSON.stringify(refused.mock.calls)).not.toContain('secret');
      hub.publish('pageRoom', pageRoomView(report('!secret:example.org', 2)), '!secret:example.org');
      expect(port.postMessage).toHaveBeenCalledTimes(1);
    });

    it('stops hearing about a room once its tab moved to another', async () => {
      tabRoom = '!a:example.org';
      const hub = createSubscriptionHub(sources(), policy, vi.fn(), gate);
      const port = fakePort('pageRoom', elementTab);
      hub.accept(port);
      port.send({ topic: '!a:example.org' });
      await settle();
      tabRoom = '!b:example.org';
      hub.publish('pageRoom', pageRoomView(report('!a:example.org', 2)), '!a:example.org');
      expect(port.postMessage).toHaveBeenCalledTimes(1);
    });
  });

  it('disconnects unknown subscriptions and unknown senders', () => {
    const hub = createSubscriptionHub(sources(), policy, vi.fn());
    for (const port of [fakePort('secrets', popup), fakePort('status', undefined), fakePort('constructor', popup)]) {
      hub.accept(port);
      expect(port.disconnect).toHaveBeenCalled();
      expect(port.postMessage).not.toHaveBeenCalled();
    }
  });

  it('keeps serving other subscribers when posting to a dead port throws', async () => {
    const hub = createSubscriptionHub(sources(), policy, vi.fn());
    const dead = fakePort('status', popup);
    const alive = fakePort('status', popup);
    hub.accept(dead);
    hub.accept(alive);
    await settle();
    dead.postMessage.mockImplementation(() => {
      throw new Error('Attempting to use a disconnected port object');
    });
    hub.publish('status', status(3));
    expect(alive.postMessage).toHaveBeenLastCalledWith({ name: 'status', value: status(3) });
  });
});
