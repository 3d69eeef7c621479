import { describe, expect, it } from 'vitest';
import { noticeText } from '../../../src/text/alertText';
import type { Alert } from '../../../src/trust/alertPolicy';

const ROOM = '!plans:example.org';

function notice(alert: Partial<Alert>, roomName?: string) {
  const full: Alert = { key: 'k', kind: 'critical-any-room', roomId: ROOM, userId: '@mallory:example.org', ...alert };
  return noticeText({ kind: 'room', roomId: ROOM, ...(roomName !== undefined && { roomName }), alerts: [full] });
}

describe('notification text', () => {
  it('names the room by its id when it has no name, and the person by id alone without a display name', () => {
    expect(notice({ device: { deviceId: 'EVIL' } }).message).toBe(
      'New warning about @mallory:example.org: session EVIL. Room: !plans:example.org.',
    );
  });

  it('an identity change names the person only', () => {
    expect(notice({ displayName: 'Mallory' }, 'Plans').message).toBe(
      'New warning about Mallory (@mallory:example.org): their identity changed. Room: Plans.',
    );
  });

  it('hostile names lose line breaks, bidi overrides and zero-width characters, and long ones are shortened', () => {
    const message = notice(
      { displayName: 'Bob\u202E\n\u200Bthe admin', device: { deviceId: 'D', displayName: 'x'.repeat(500) } },
      'Room\u2066 name',
    ).message;
    expect(message).toBe(`New warning about Bob the admin (@mallory:example.org): session ${'x'.repeat(63)}…. Room: Room name.`);
  });

  it('a summary counts the rooms', () => {
    const rooms = ['!a:x', '!b:x', '!c:x', '!d:x'].map((roomId) => ({ roomId }));
    expect(noticeText({ kind: 'summary', rooms, alerts: [] })).toEqual({
      title: 'Matrix Trust Guard',
      message: 'New warnings in 4 rooms. Click to review them.',
    });
  });
});
