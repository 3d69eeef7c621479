import { describe, expect, it } from 'vitest';
import { historyLines } from '../../../src/text/historyText';
import { formatDate, formatTime } from '../../../src/text/timeText';
import { type HistoryEvent, type HistoryEventContent, historyEvent } from '../../../src/trust/trustHistory';

const PLANS = '!plans:example.org';
const BOB = '@bob:example.org';
const T0 = new Date(2026, 10, 23, 20, 22).getTime();
const MINUTE = 60_000;

function laptop(kind: HistoryEvent['kind'], at: number, rest: Partial<HistoryEventContent> = {}): HistoryEvent {
  return historyEvent({
    kind,
    at,
    roomId: PLANS,
    roomName: 'Plans',
    userId: BOB,
    userName: 'Bob',
    deviceId: 'ZMFQWERTYU',
    deviceName: 'new laptop',
    ed25519Key: 'a2V5',
    ...rest,
  });
}

describe('the history in sentences', () => {
  it("tells a device's story in one line: appeared, warned where, acknowledged", () => {
    const lines = historyLines([
      laptop('acknowledged', T0 + 9 * MINUTE),
      laptop('warned', T0, { where: 'banner', client: 'Element Web' }),
      laptop('device-appeared', T0),
    ]);
    expect(lines.map((line) => line.text)).toEqual([
      `${formatDate(T0)} — Bob's new laptop (ZMFQWERTYU) appeared in Plans; you were warned in Element Web at ${formatTime(T0)}; you acknowledged it at ${formatTime(T0 + 9 * MINUTE)}`,
    ]);
    expect(lines[0]?.kinds).toEqual(['device-appeared', 'warned', 'acknowledged']);
  });

  it('names where a warning was shown when no client is known', () => {
    const [popup, notification] = [
      historyLines([laptop('warned', T0, { where: 'popup' })]),
      historyLines([laptop('warned', T0, { where: 'notification' })]),
    ];
    expect(popup[0]?.text).toContain('Plans: you were warned in the extension at');
    expect(notification[0]?.text).toContain('you were warned by a notification at');
  });

  it('starts a new line when the device appears again, and orders lines by their newest event', () => {
    const lines = historyLines([
      laptop('device-appeared', T0),
      laptop('departed', T0 + MINUTE),
      laptop('device-appeared', T0 + 2 * MINUTE),
      historyEvent({ kind: 'identity-pinned', at: T0 + MINUTE / 2, userId: BOB, masterKey: 'bWFzdGVya2V5bWFzdGVy' }),
    ]);
    expect(lines.map((line) => line.kinds)).toEqual([['device-appeared'], ['device-appeared', 'departed'], ['identity-pinned']]);
    expect(lines[1]?.text).toContain('appeared in Plans; it left at');
    expect(lines[2]?.text).toContain("You accepted @bob:example.org's new identity (bWFzdGVy…)");
  });

  it('says the date, not only the clock, for a later day', () => {
    const nextDay = T0 + 24 * 60 * MINUTE;
    const [line] = historyLines([laptop('device-appeared', T0), laptop('departed', nextDay)]);
    expect(line?.text).toContain(`it left at ${formatDate(nextDay)}`);
  });

  it("tells of a class getting worse in the class's words", () => {
    const [line] = historyLines([laptop('got-worse', T0, { class: 'unsigned', previousClass: 'owner-signed' })]);
    expect(line?.text).toMatch(/Plans: it became .+ at /);
  });

  it('falls back to ids without names, and shows hostile names as plain, bounded text', () => {
    const [plain] = historyLines([historyEvent({ kind: 'device-appeared', at: T0, roomId: PLANS, userId: BOB, deviceId: 'ZMF' })]);
    expect(plain?.text).toContain(`@bob:example.org's device ZMF appeared in ${PLANS}`);
    const [hostile] = historyLines([laptop('device-appeared', T0, { deviceName: `evil\u202Egnp.exe${'x'.repeat(200)}` })]);
    expect(hostile?.text).not.toContain('\u202E');
    expect(hostile?.text.length).toBeLessThan(200);
  });

  it('tells of identities and page disagreements in lines of their own', () => {
    const lines = historyLines([
      historyEvent({ kind: 'own-identity-reset', at: T0, masterKey: 'bmV3a2V5bmV3a2V5' }),
      historyEvent({ kind: 'page-disagreed', at: T0 + 1, roomId: PLANS, roomName: 'Plans', userId: BOB, client: 'Element Web' }),
      historyEvent({ kind: 'identity-changed', at: T0 + 2, userId: BOB, masterKey: 'bmV3a2V5bmV3a2V5' }),
      historyEvent({ kind: 'verification-withdrawn', at: T0 + 3, userId: BOB, masterKey: 'bmV3a2V5bmV3a2V5' }),
    ]);
    expect(lines.map((line) => line.text.split(' — ')[1])).toEqual([
      "You stopped requiring @bob:example.org's verified identity (new key bmV3a2V5…)",
      "@bob:example.org's identity changed (new key bmV3a2V5…)",
      'Element Web showed @bob:example.org as trusted in Plans while the extension warned about them',
      'Your own identity was reset (new key bmV3a2V5…)',
    ]);
  });
});
