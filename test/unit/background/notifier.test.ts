import { describe, expect, it } from 'vitest';
import type { AlertSettings } from '../../../src/messaging/protocol';
import { type AlertMemory, Notifier, type NotificationsPort, parseNoticeId, roomNoticeId } from '../../../src/background/notifier';
import { BURST_MS, RATE_WINDOW_MS } from '../../../src/trust/alertCoalescer';
import { DEFAULT_ALERT_KINDS } from '../../../src/trust/alertPolicy';
import type { NoticeText } from '../../../src/text/alertText';
import type { MemberReport, RoomTrustReport } from '../../../src/trust/types';

const T0 = Date.UTC(2026, 0, 5, 9, 0);
const ROOM = '!plans:example.org';

/** The browser's notifications, in memory. */
class FakeNotifications implements NotificationsPort {
  readonly shown = new Map<string, NoticeText>();
  readonly created: string[] = [];
  create(id: string, text: NoticeText): Promise<void> {
    this.shown.set(id, text);
    this.created.push(id);
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

/** A clock and timers that move only when the test says. */
class TestClock {
  now = T0;
  private timers: { at: number; work: () => void }[] = [];
  later = (work: () => void, ms: number) => {
    const timer = { at: this.now + ms, work };
    this.timers.push(timer);
    return () => (this.timers = this.timers.filter((other) => other !== timer));
  };
  async advance(ms: number): Promise<void> {
    this.now += ms;
    const due = this.timers.filter((timer) => timer.at <= this.now);
    this.timers = this.timers.filter((timer) => timer.at > this.now);
    for (const timer of due) timer.work();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

function setup(options: { settings?: AlertSettings; memory?: AlertMemory; now?: number } = {}) {
  const notifications = new FakeNotifications();
  const clock = new TestClock();
  const opened: (string | undefined)[] = [];
  const notified: [string, string[]][] = [];
  if (options.now !== undefined) clock.now = options.now;
  let store: AlertMemory = options.memory ?? { keys: [], shownAt: {} };
  const deps = {
    notifications,
    openReview: (roomId: string | undefined) => {
      opened.push(roomId);
      return Promise.resolve();
    },
    settings: () => Promise.resolve(options.settings ?? { kinds: DEFAULT_ALERT_KINDS, watchedRoomIds: [] }),
    alerted: {
      load: () => Promise.resolve(store),
      save: (memory: AlertMemory) => {
        store = memory;
        return Promise.resolve();
      },
      clear: () => {
        store = { keys: [], shownAt: {} };
        return Promise.resolve();
      },
    },
    now: () => clock.now,
    later: clock.later,
    onNotified: (roomId: string, userIds: string[]) => void notified.push([roomId, userIds]),
  };
  return { notifier: new Notifier(deps), notifications, clock, opened, notified, memory: () => store };
}

function reportWith(members: MemberReport[], roomId = ROOM): RoomTrustReport {
  return {
    roomId,
    name: 'Plans <b>',
    encrypted: true,
    policy: 'default',
    generatedAt: T0,
    memberCount: 3,
    members,
    verifiedUserIds: [],
    checking: [],
    warnings: { warn: 0, critical: 1 },
    newWarnings: { warn: 0, critical: 1 },
  };
}

const strangerSession: MemberReport = {
  userId: '@me:example.org',
  isOwnUser: true,
  membership: 'join',
  identity: 'ok',
  severity: 'critical',
  devices: [
    {
      deviceId: 'STRANGER',
      ed25519Key: 'k1',
      displayName: 'Firefox on Linux',
      class: 'unsigned-of-verified',
      severity: 'critical',
      isNew: true,
      firstSeenAt: T0,
    },
  ],
};
const bobReset: MemberReport = {
  userId: '@bob:example.org',
  displayName: 'Bob',
  membership: 'join',
  identity: 'verification-violation',
  masterKey: 'MK2',
  severity: 'critical',
  devices: [],
};

describe('Notifier', () => {
  it('notifies an own unsigned session once the burst has gathered, naming the room and the session', async () => {
    const { notifier, notifications, clock, notified } = setup();
    await notifier.report(reportWith([strangerSession]));
    expect(notifications.shown.size).toBe(0);
    await clock.advance(BURST_MS);
    expect([...notifications.shown]).toEqual([
      [
        roomNoticeId(ROOM),
        {
          title: 'Matrix Trust Guard',
          message:
            'Your account has a session your identity never signed: Firefox on Linux. Someone else may hold your account. Room: Plans <b>.',
        },
      ],
    ]);
    expect(notified).toEqual([[ROOM, ['@me:example.org']]]);
  });

  it('names a verified contact whose identity changed by name and id, with the other news in the room counted', async () => {
    const { notifier, notifications, clock } = setup();
    await notifier.report(reportWith([bobReset, strangerSession]));
    await clock.advance(BURST_MS);
    expect(notifications.shown.get(roomNoticeId(ROOM))?.message).toBe(
      'Bob (@bob:example.org), whom you verified, has a new identity that you have not verified. Room: Plans <b>. (+1 more in this room)',
    );
  });

  it('a report repeated (a re-sync) or seen by a restarted worker notifies nothing again', async () => {
    const first = setup();
    await first.notifier.report(reportWith([strangerSession]));
    await first.clock.advance(BURST_MS);
    await first.notifier.report(reportWith([strangerSession]));
    await first.clock.advance(RATE_WINDOW_MS * 2);
    expect(first.notifications.created).toHaveLength(1);

    const restarted = setup({ memory: first.memory() });
    await restarted.notifier.report(reportWith([strangerSession]));
    await restarted.clock.advance(RATE_WINDOW_MS * 2);
    expect(restarted.notifications.created).toEqual([]);
  });

  it('a restarted worker keeps the room’s rate window: news in it waits until the window ends', async () => {
    const first = setup();
    await first.notifier.report(reportWith([strangerSession]));
    await first.clock.advance(BURST_MS);
    expect(first.memory().shownAt).toEqual({ [ROOM]: T0 + BURST_MS });

    const restarted = setup({ memory: first.memory(), now: T0 + 60_000 });
    await restarted.notifier.report(reportWith([bobReset]));
    await restarted.clock.advance(BURST_MS);
    expect(restarted.notifications.created).toEqual([]);
    await restarted.clock.advance(RATE_WINDOW_MS);
    expect(restarted.notifications.created).toEqual([roomNoticeId(ROOM)]);
  });

  it('news in the rate window comes when it ends, in the same notification', async () => {
    const { notifier, notifications, clock } = setup();
    await notifier.report(reportWith([strangerSession]));
    await clock.advance(BURST_MS);
    await notifier.report(reportWith([bobReset]));
    await clock.advance(60_000);
    expect(notifications.created).toHaveLength(1);
    await clock.advance(RATE_WINDOW_MS);
    expect(notifications.created).toEqual([roomNoticeId(ROOM), roomNoticeId(ROOM)]);
    expect(notifications.shown.get(roomNoticeId(ROOM))?.message).toContain('Bob (@bob:example.org)');
  });

  it('a watched room notifies plain warnings only with that kind on', async () => {
    const carol: MemberReport = {
      userId: '@carol:example.org',
      membership: 'join',
      identity: 'ok',
      severity: 'warn',
      devices: [{ deviceId: 'CAROLNEW', ed25519Key: 'k', class: 'unsigned', severity: 'warn', isNew: true, firstSeenAt: T0 }],
    };
    const kinds = { ...DEFAULT_ALERT_KINDS, 'watched-room': true };
    const { notifier, notifications, clock } = setup({ settings: { kinds, watchedRoomIds: [ROOM] } });
    await notifier.report(reportWith([carol], '!other:example.org'));
    await notifier.report(reportWith([carol]));
    await clock.advance(BURST_MS);
    expect([...notifications.shown.keys()]).toEqual([roomNoticeId(ROOM)]);
    expect(notifications.shown.get(roomNoticeId(ROOM))?.message).toBe(
      'New warning about @carol:example.org: session CAROLNEW. Room: Plans <b>.',
    );
  });

  it('a click opens the room’s review and takes the notification away; a foreign id does nothing', async () => {
    const { notifier, notifications, clock, opened } = setup();
    await notifier.report(reportWith([strangerSession]));
    await clock.advance(BURST_MS);
    await notifier.clicked('someone-else:!plans:example.org');
    await notifier.clicked('mtg-alert:room:%E0%A4%A');
    expect(opened).toEqual([]);
    await notifier.clicked(roomNoticeId(ROOM));
    expect(opened).toEqual([ROOM]);
    expect(notifications.shown.size).toBe(0);
  });

  it('acknowledging the room in the review takes its notification away and drops news held for it', async () => {
    const { notifier, notifications, clock } = setup();
    await notifier.report(reportWith([strangerSession]));
    await clock.advance(BURST_MS);
    await notifier.report(reportWith([bobReset]));
    await notifier.acknowledged(ROOM);
    expect(notifications.shown.size).toBe(0);
    await clock.advance(RATE_WINDOW_MS * 2);
    expect(notifications.created).toHaveLength(1);
    // Bob's change, held, was in the review the user settled: not notified afterwards either.
    await notifier.report(reportWith([bobReset]));
    await clock.advance(BURST_MS);
    expect(notifications.created).toHaveLength(1);
    // The room's window ended with the acknowledgement: the next news is told at once.
    await notifier.report(reportWith([{ ...bobReset, masterKey: 'MK3' }]));
    await clock.advance(BURST_MS);
    expect(notifications.created).toHaveLength(2);
  });

  it('many rooms at once make one summary, whose click opens the overview', async () => {
    const { notifier, notifications, clock, opened } = setup();
    for (const room of ['!a:x', '!b:x', '!c:x', '!d:x']) {
      await notifier.report(reportWith([{ ...bobReset, masterKey: room }], room));
    }
    await clock.advance(BURST_MS);
    expect([...notifications.shown.values()]).toEqual([
      { title: 'Matrix Trust Guard', message: 'New warnings in 4 rooms. Click to review them.' },
    ]);
    await notifier.clicked('mtg-alert:summary');
    expect(opened).toEqual([undefined]);
    expect(notifications.shown.size).toBe(0);
  });

  it('a room with nothing new left (acknowledged in another browser) takes its notification away', async () => {
    const { notifier, notifications, clock } = setup();
    await notifier.report(reportWith([strangerSession]));
    await clock.advance(BURST_MS);
    expect([...notifications.shown.keys()]).toEqual([roomNoticeId(ROOM)]);
    const quiet = { ...reportWith([{ ...strangerSession, devices: strangerSession.devices.map((d) => ({ ...d, isNew: false })) }]) };
    await notifier.report({ ...quiet, newWarnings: { warn: 0, critical: 0 } });
    expect(notifications.shown.size).toBe(0);
  });

  it('a summary tells its facts once: the same reports after the rooms’ windows notify nothing', async () => {
    const { notifier, notifications, clock } = setup();
    const rooms = ['!a:x', '!b:x', '!c:x', '!d:x'];
    for (const room of rooms) await notifier.report(reportWith([{ ...bobReset, masterKey: room }], room));
    await clock.advance(BURST_MS);
    expect(notifications.created).toEqual(['mtg-alert:summary']);
    await clock.advance(RATE_WINDOW_MS);
    for (const room of rooms) await notifier.report(reportWith([{ ...bobReset, masterKey: room }], room));
    await clock.advance(BURST_MS);
    expect(notifications.created).toEqual(['mtg-alert:summary']);
  });

  it('signing out takes every notification away and forgets what was alerted', async () => {
    const { notifier, notifications, clock, memory } = setup();
    await notifier.report(reportWith([strangerSession]));
    await clock.advance(BURST_MS);
    await notifications.create('not-ours', { title: 't', message: 'm' });
    await notifier.signedOut();
    expect([...notifications.shown.keys()]).toEqual(['not-ours']);
    expect(memory()).toEqual({ keys: [], shownAt: {} });
    await notifier.report(reportWith([strangerSession]));
    await clock.advance(BURST_MS);
    expect(notifications.shown.has(roomNoticeId(ROOM))).toBe(true);
  });

  it('reads back only the ids it made', () => {
    expect(parseNoticeId(roomNoticeId('!a/b:x'))).toEqual({ kind: 'room', roomId: '!a/b:x' });
    expect(parseNoticeId('mtg-alert:room:%23alias%3Ax')).toBeUndefined();
    expect(parseNoticeId('mtg-alert:summary')).toEqual({ kind: 'summary' });
  });
});
