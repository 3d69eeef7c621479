import { describe, expect, it } from 'vitest';
import { AlertCoalescer, BURST_MS, RATE_WINDOW_MS } from '../../../src/trust/alertCoalescer';
import type { Alert } from '../../../src/trust/alertPolicy';

const T0 = Date.UTC(2026, 0, 5, 9, 0);

function alert(roomId: string, key: string): Alert {
  return { key, kind: 'watched-room', roomId, roomName: `Room ${roomId}`, userId: '@bob:example.org' };
}

describe('alert coalescer (test clock)', () => {
  it('shows one room’s news once the burst has gathered, as one notice', () => {
    const coalescer = new AlertCoalescer();
    coalescer.add([alert('!a:x', 'k1'), alert('!a:x', 'k2')], T0);
    expect(coalescer.take(T0)).toEqual({ notices: [], nextAt: T0 + BURST_MS });
    const due = coalescer.take(T0 + BURST_MS);
    expect(due.notices).toEqual([
      { kind: 'room', roomId: '!a:x', roomName: 'Room !a:x', alerts: [alert('!a:x', 'k1'), alert('!a:x', 'k2')] },
    ]);
    expect(due.nextAt).toBeUndefined();
  });

  it('holds later news in the rate window and delivers all of it together when the window ends', () => {
    const coalescer = new AlertCoalescer();
    coalescer.add([alert('!a:x', 'k1')], T0);
    expect(coalescer.take(T0 + BURST_MS).notices).toHaveLength(1);
    coalescer.add([alert('!a:x', 'k2')], T0 + 60_000);
    coalescer.add([alert('!a:x', 'k3')], T0 + 120_000);
    const held = coalescer.take(T0 + 120_000 + BURST_MS);
    expect(held.notices).toEqual([]);
    expect(held.nextAt).toBe(T0 + BURST_MS + RATE_WINDOW_MS);
    expect(coalescer.take(T0 + BURST_MS + RATE_WINDOW_MS - 1).notices).toEqual([]);
    const released = coalescer.take(T0 + BURST_MS + RATE_WINDOW_MS);
    expect(released.notices).toEqual([
      { kind: 'room', roomId: '!a:x', roomName: 'Room !a:x', alerts: [alert('!a:x', 'k2'), alert('!a:x', 'k3')] },
    ]);
  });

  it('limits each room on its own: another room’s news is not held by the first', () => {
    const coalescer = new AlertCoalescer();
    coalescer.add([alert('!a:x', 'k1')], T0);
    coalescer.take(T0 + BURST_MS);
    coalescer.add([alert('!b:x', 'k2')], T0 + 1_000);
    expect(coalescer.take(T0 + 1_000 + BURST_MS).notices.map((notice) => notice.kind === 'room' && notice.roomId)).toEqual(['!b:x']);
  });

  it('turns news in more than three rooms at once into one summary', () => {
    const coalescer = new AlertCoalescer();
    for (const room of ['!a:x', '!b:x', '!c:x', '!d:x', '!e:x']) coalescer.add([alert(room, `k-${room}`)], T0 + 10);
    const due = coalescer.take(T0 + 10 + BURST_MS);
    expect(due.notices).toHaveLength(1);
    expect(due.notices[0]).toMatchObject({ kind: 'summary' });
    expect(due.notices[0]?.kind === 'summary' && due.notices[0].rooms.map((room) => room.roomId)).toEqual([
      '!a:x',
      '!b:x',
      '!c:x',
      '!d:x',
      '!e:x',
    ]);
    // The summary counts as shown for each of its rooms.
    coalescer.add([alert('!a:x', 'later')], T0 + 20_000);
    expect(coalescer.take(T0 + 20_000 + BURST_MS).notices).toEqual([]);
  });

  it('three rooms at once are still told one by one', () => {
    const coalescer = new AlertCoalescer();
    for (const room of ['!a:x', '!b:x', '!c:x']) coalescer.add([alert(room, `k-${room}`)], T0);
    expect(coalescer.take(T0 + BURST_MS).notices.map((notice) => notice.kind)).toEqual(['room', 'room', 'room']);
  });

  it('keeps one pending alert per key, whatever room repeats it', () => {
    const coalescer = new AlertCoalescer();
    coalescer.add([alert('!a:x', 'same')], T0);
    coalescer.add([alert('!b:x', 'same')], T0);
    expect(coalescer.isPending('same')).toBe(true);
    expect(coalescer.take(T0 + BURST_MS).notices).toHaveLength(1);
  });

  it('drops news held for a room the user settled, and ends its window: the next news is told at once', () => {
    const coalescer = new AlertCoalescer();
    coalescer.add([alert('!a:x', 'k1')], T0);
    coalescer.take(T0 + BURST_MS);
    coalescer.add([alert('!a:x', 'k2')], T0 + 1_000);
    coalescer.settled('!a:x');
    expect(coalescer.take(T0 + 2_000)).toEqual({ notices: [] });
    coalescer.add([alert('!a:x', 'k3')], T0 + 3_000);
    expect(coalescer.take(T0 + 3_000 + BURST_MS).notices).toEqual([
      { kind: 'room', roomId: '!a:x', roomName: 'Room !a:x', alerts: [alert('!a:x', 'k3')] },
    ]);
  });
});
