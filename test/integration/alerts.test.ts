import { afterEach, describe, expect, inject, it } from 'vitest';
import { type AlertMemory, Notifier, type NotificationsPort, roomNoticeId } from '../../src/background/notifier';
import type { AlertSettings } from '../../src/messaging/protocol';
import type { NoticeText } from '../../src/text/alertText';
import { RATE_WINDOW_MS } from '../../src/trust/alertCoalescer';
import { DEFAULT_ALERT_KINDS } from '../../src/trust/alertPolicy';
import { type NodeBackground, newBrowserProfile, startNodeBackground } from '../support/nodeBackground.ts';
import { Peer, verifyBySas } from '../support/peer.ts';
import { sdkSessionOf } from '../support/sdkSession';
import { connectToSynapse, type RegisteredUser } from '../support/synapse.ts';
import { waitFor } from '../support/waitFor.ts';

/**
 * Notifications from real facts: the extension (signed in as Alice, owning her identity) with
 * real peers on a real Synapse, its reports fed to the Notifier as the service worker feeds
 * them, over an in-memory notifications port.
 */

const server = inject('synapse');
const synapse = connectToSynapse(server);
const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

class RecordedNotifications implements NotificationsPort {
  readonly shown = new Map<string, NoticeText>();
  create(id: string, text: NoticeText): Promise<void> {
    this.shown.set(id, text);
    return Promise.resolve();
  }
  clear(id: string): Promise<void> {
    this.shown.delete(id);
    return Promise.resolve();
  }
  getAll(): Promise<string[]> {
    return Promise.resolve([...this.shown.keys()]);
  }
}

async function peer(user: RegisteredUser, deviceName: string): Promise<Peer> {
  const started = await Peer.login(server, user, { deviceName });
  cleanups.push(() => started.stop());
  return started;
}

async function aliceWithExtension(): Promise<{ alice: RegisteredUser; extension: NodeBackground; phone: Peer }> {
  const alice = await synapse.registerUser({ displayName: 'Alice' });
  const extension = await startNodeBackground(newBrowserProfile());
  cleanups.push(() => extension.stop());
  await extension.account.signIn({ homeserver: server.baseUrl, user: alice.userId, password: alice.password });
  const session = sdkSessionOf(extension.account.device);
  await session.crypto.bootstrapCrossSigning({});
  const phone = await peer(alice, "Alice's phone");
  await waitFor(
    "the extension to see Alice's phone",
    async () => (await session.crypto.getUserDeviceInfo([alice.userId])).get(alice.userId)?.has(phone.deviceId) || undefined,
  );
  await session.crypto.crossSignDevice(phone.deviceId);
  return { alice, extension, phone };
}

describe('alerts from a real homeserver', () => {
  it('a watched room’s new unsigned device, an own unsigned session, a verified contact’s reset: each notified once, with its room and person', async () => {
    const { alice, extension, phone } = await aliceWithExtension();
    const [bobUser, carolUser] = await Promise.all([
      synapse.registerUser({ displayName: 'Bob' }),
      synapse.registerUser({ displayName: 'Carol' }),
    ]);
    const [bob, carol] = await Promise.all([peer(bobUser, "Bob's laptop"), peer(carolUser, "Carol's laptop")]);
    await Promise.all([bob.bootstrapCrossSigning(), carol.bootstrapCrossSigning()]);
    const watchedRoom = await phone.shareRoomWith(carol);
    const bobRoom = await phone.shareRoomWith(bob);
    await verifyBySas(extension.device(), bob);
    await extension.reportWhere(bobRoom, (report) => report.verifiedUserIds.includes(bob.userId), 'Bob shown as verified');
    await extension.reportWhere(watchedRoom, (report) => report.checking.length === 0 && report.memberCount === 2, 'Carol known');

    // The rate limit is per room and 5 minutes: each step moves this clock past it.
    let skew = 0;
    const notifications = new RecordedNotifications();
    let memory: AlertMemory = { keys: [], shownAt: {} };
    const settings: AlertSettings = { kinds: { ...DEFAULT_ALERT_KINDS, 'watched-room': true }, watchedRoomIds: [watchedRoom] };
    const notifier = new Notifier({
      notifications,
      openReview: () => Promise.resolve(),
      settings: () => Promise.resolve(settings),
      alerted: {
        load: () => Promise.resolve(memory),
        save: (kept) => Promise.resolve(void (memory = kept)),
        clear: () => Promise.resolve(void (memory = { keys: [], shownAt: {} })),
      },
      now: () => Date.now() + skew,
      onNotified: (roomId, userIds) => void extension.account.rooms.noteNotified(roomId, userIds),
    });
    cleanups.push(() => notifier.stop());
    extension.onReport((report) => void notifier.report(report));
    const roomName = async (roomId: string) => (await extension.account.rooms.report(roomId)).name ?? roomId;
    const messageIn = (roomId: string, what: string, check: (message: string) => boolean) =>
      waitFor(what, () => {
        const message = notifications.shown.get(roomNoticeId(roomId))?.message;
        return message !== undefined && check(message) ? message : undefined;
      });

    // Carol signs in somewhere new and never signs that session: the watched room says so.
    await carol.addUnsignedDevice({ deviceName: 'Kiosk' }).then((device) => cleanups.push(() => device.stop()));
    expect(await messageIn(watchedRoom, 'the watched room’s notification', (m) => m.includes('Kiosk'))).toMatch(
      /^New warning about Carol \(@.+\): session Kiosk\. Room: .+\.$/,
    );
    expect(notifications.shown.has(roomNoticeId(bobRoom))).toBe(false);
    // The history says Carol's Kiosk was first put in front of the user by that notification.
    const warned = await waitFor('the notification in the history', async () =>
      (await extension.history.all()).find(
        (event) => event.kind === 'warned' && event.roomId === watchedRoom && event.userId === carol.userId,
      ),
    );
    expect(warned).toMatchObject({ where: 'notification', deviceName: 'Kiosk' });
    skew += RATE_WINDOW_MS;

    // Bob resets the identity Alice verified.
    await bob.resetIdentity();
    expect(await messageIn(bobRoom, 'Bob’s reset notified', (m) => m.includes('whom you verified'))).toBe(
      `Bob (${bob.userId}), whom you verified, has a new identity that you have not verified. Room: ${await roomName(bobRoom)}.`,
    );
    skew += RATE_WINDOW_MS;

    // Someone signs in as Alice without her identity signing the session: once, in one of her rooms.
    notifications.shown.clear();
    const intruder = await peer(alice, 'Unknown laptop');
    const ownMessage = await waitFor('the own unsigned session notified', () =>
      [...notifications.shown.values()].find((text) => text.message.includes('Unknown laptop')),
    );
    expect(ownMessage).toEqual({
      title: 'Matrix Trust Guard',
      message: expect.stringMatching(
        /^Your account has a session your identity never signed: Unknown laptop\. Someone else may hold your account\. Room: (Carol|Bob)\.$/,
      ) as string,
    });
    await waitFor(
      'both rooms to report the intruder',
      () =>
        [watchedRoom, bobRoom].every((roomId) =>
          extension.reports.some(
            (r) => r.roomId === roomId && r.members.some((m) => m.devices.some((d) => d.deviceId === intruder.deviceId)),
          ),
        ) || undefined,
    );
    skew += RATE_WINDOW_MS;
    // A re-sync reports the same facts again: nothing new is notified.
    notifications.shown.clear();
    for (const roomId of [watchedRoom, bobRoom]) await notifier.report(await extension.account.rooms.report(roomId));
    expect([...notifications.shown.keys()]).toEqual([]);
  });
});
