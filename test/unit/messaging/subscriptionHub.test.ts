import { describe, expect, it, vi } from 'vitest';
import type { ExtensionStatus } from '../../../src/messaging/protocol';
import { createSubscriptionHub, type SubscriberPort } from '../../../src/messaging/subscriptionHub';
import type { RawSender, SenderPolicy } from '../../../src/messaging/validateSender';

const policy: SenderPolicy = {
  extensionId: 'ext',
  extensionOrigin: 'chrome-extension://ext',
  isWatchedOrigin: (origin) => origin === 'https://app.element.io',
};

function status(startedAt: number): ExtensionStatus {
  return {
    account: { state: 'signed-out' },
    cryptoEngine: { state: 'starting' },
    backgroundStartedAt: startedAt,
    extensionVersion: '0.1.0',
  };
}

function fakePort(name: string, sender: RawSender | undefined) {
  const disconnectListeners: (() => void)[] = [];
  const port = {
    name,
    sender,
    postMessage: vi.fn(),
    disconnect: vi.fn(),
    onDisconnect: { addListener: (callback: () => void) => disconnectListeners.push(callback) },
    /** What the browser does when the page closes. */
    close: () => {
      for (const listener of disconnectListeners) listener();
    },
  };
  return port satisfies SubscriberPort;
}

const popup = { id: 'ext', url: 'chrome-extension://ext/popup.html' };

describe('the subscription hub', () => {
  it('sends a new subscriber the current value, then every change', () => {
    let current = status(1);
    const hub = createSubscriptionHub({ status: () => current }, policy, vi.fn());
    const port = fakePort('status', popup);
    hub.accept(port);
    expect(port.postMessage).toHaveBeenLastCalledWith({ name: 'status', value: status(1) });
    current = status(2);
    hub.publish('status', current);
    expect(port.postMessage).toHaveBeenLastCalledWith({ name: 'status', value: status(2) });
  });

  it('stops sending to a port once its page has gone', () => {
    const hub = createSubscriptionHub({ status: () => status(1) }, policy, vi.fn());
    const port = fakePort('status', popup);
    hub.accept(port);
    port.close();
    hub.publish('status', status(2));
    expect(port.postMessage).toHaveBeenCalledTimes(1);
  });

  it('disconnects a content script asking for the status, which is for extension pages only', () => {
    const refused = vi.fn();
    const hub = createSubscriptionHub({ status: () => status(1) }, policy, refused);
    const port = fakePort('status', { id: 'ext', url: 'https://app.element.io/', tab: { id: 1 }, frameId: 0 });
    hub.accept(port);
    expect(port.disconnect).toHaveBeenCalled();
    expect(port.postMessage).not.toHaveBeenCalled();
    expect(refused).toHaveBeenCalledWith('subscription not allowed for this sender');
  });

  it('disconnects unknown subscriptions and unknown senders', () => {
    const hub = createSubscriptionHub({ status: () => status(1) }, policy, vi.fn());
    const unknownName = fakePort('secrets', popup);
    const noSender = fakePort('status', undefined);
    const prototypeKey = fakePort('constructor', popup);
    for (const port of [unknownName, noSender, prototypeKey]) {
      hub.accept(port);
      expect(port.disconnect).toHaveBeenCalled();
      expect(port.postMessage).not.toHaveBeenCalled();
    }
  });

  it('keeps serving other subscribers when posting to a dead port throws', () => {
    const hub = createSubscriptionHub({ status: () => status(1) }, policy, vi.fn());
    const dead = fakePort('status', popup);
    const alive = fakePort('status', popup);
    hub.accept(dead);
    hub.accept(alive);
    dead.postMessage.mockImplementation(() => {
      throw new Error('Attempting to use a disconnected port object');
    });
    hub.publish('status', status(3));
    expect(alive.postMessage).toHaveBeenLastCalledWith({ name: 'status', value: status(3) });
  });
});
