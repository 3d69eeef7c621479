// @vitest-environment happy-dom
import { render } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceReport, MemberReport, RoomTrustReport } from '../../../src/trust/types';
import { RoomWarnings } from '../../../src/ui/RoomWarnings';
import { bridgeLabelParts, memberActions } from '../../../src/ui/roomView';

const BOT = '@telegrambot:bridge.example';
const PUPPET = '@telegram_42:bridge.example';

function bridgedDevice(deviceId: string, overrides: Partial<DeviceReport> = {}): DeviceReport {
  return { deviceId, ed25519Key: `key-of-${deviceId}`, class: 'bridged', severity: 'neutral', isNew: false, firstSeenAt: 1, ...overrides };
}

function member(userId: string, overrides: Partial<MemberReport> = {}): MemberReport {
  return { userId, membership: 'join', identity: 'ok', severity: 'neutral', devices: [bridgedDevice('D')], ...overrides };
}

/** A bridged room under the default policy: the bot and a puppet shown, nothing counted. */
const report: RoomTrustReport = {
  roomId: '!chat:example.org',
  encrypted: true,
  policy: 'default',
  generatedAt: 1,
  memberCount: 3,
  members: [member(PUPPET, { bridgeRole: 'bridge-puppet' }), member(BOT, { bridgeRole: 'bridge-bot' })],
  bridges: [{ botUserId: BOT, protocol: { id: 'telegram', displayName: 'Telegram' } }],
  verifiedUserIds: [],
  checking: [],
  warnings: { warn: 0, critical: 0 },
  newWarnings: { warn: 0, critical: 0 },
};

const host = () => document.body;

afterEach(() => render(null, host()));

describe('the popup’s room view of a bridged room', () => {
  it('labels the room as bridged, naming the protocol and the bot', () => {
    render(<RoomWarnings report={report} />, host());
    const notice = host().querySelector('.notice.bridge');
    expect(notice?.getAttribute('data-bridge-bot')).toBe(BOT);
    expect(notice?.textContent).toBe(
      `Bridged to Telegram by ${BOT}: messages to people on the other side leave Matrix's end-to-end encryption at the bridge.`,
    );
  });

  it('tags the bot and the puppet, and says what their devices are, neutrally and with nothing to acknowledge', () => {
    render(<RoomWarnings report={report} />, host());
    const tagOf = (userId: string) => host().querySelector(`li.member[data-user="${userId}"] .tag.neutral`)?.textContent;
    expect(tagOf(BOT)).toBe('Bridge bot');
    expect(tagOf(PUPPET)).toBe('Bridged');
    const devices = [...host().querySelectorAll('li.device')];
    expect(devices.map((li) => li.className)).toEqual(['device severity-neutral', 'device severity-neutral']);
    expect(devices[0]?.querySelector('.device-detail')?.textContent).toMatch(
      /^Bridged: messages leave Matrix's end-to-end encryption at the bridge · first seen /,
    );
    expect(host().querySelectorAll('button')).toHaveLength(0);
  });

  it('names the network when the bridge event names one, and shows its words only as clean text', () => {
    const irc = { botUserId: '@ircbot:x.org', protocol: { id: 'irc' }, network: { id: 'libera', displayName: 'Libera\u202E.Chat' } };
    expect(bridgeLabelParts(irc)).toEqual({ protocol: 'irc', network: 'Libera.Chat', bot: '@ircbot:x.org' });
    render(<RoomWarnings report={{ ...report, bridges: [irc] }} />, host());
    expect(host().querySelector('.notice.bridge')?.textContent).toMatch(/^Bridged to irc \(Libera\.Chat\) by @ircbot:x\.org: /);
  });

  it('offers no verification for a member whose bridged device warns (strict policy): there is no identity to verify', () => {
    const strict = member(PUPPET, { severity: 'warn', devices: [bridgedDevice('D', { severity: 'warn', isNew: true })] });
    expect(memberActions(strict, false)).toMatchObject({
      verify: false,
      newDevices: [{ userId: PUPPET, deviceId: 'D', ed25519Key: 'key-of-D' }],
    });
  });

  it('draws no bridge label in a room without bridges', () => {
    const { bridges: _bridges, ...plain } = report;
    render(<RoomWarnings report={{ ...plain, members: [] }} />, host());
    expect(host().querySelector('.notice.bridge')).toBeNull();
  });
});
