import { describe, expect, it } from 'vitest';
import { MAX_BRIDGE_EVENTS, parseBridgeEvent, puppetPrefixes, roomBridging } from '../../../src/trust/roomBridges';
import type { BridgeStateEvent, RoomFacts, RoomMemberFacts } from '../../../src/trust/types';

const BOT = '@telegrambot:bridge.example';

/** A valid `m.bridge` event from the bot, as mautrix-telegram sends it; `content` overrides fields. */
function bridgeEvent(content: Record<string, unknown> = {}, overrides: Partial<BridgeStateEvent> = {}): BridgeStateEvent {
  return {
    type: 'm.bridge',
    stateKey: 'net.maunium.telegram://telegram/123',
    sender: BOT,
    content: {
      bridgebot: BOT,
      creator: BOT,
      protocol: { id: 'telegram', displayname: 'Telegram', avatar_url: 'mxc://x/y', external_url: 'https://telegram.org/' },
      channel: { id: '123', displayname: 'Friends' },
      ...content,
    },
    ...overrides,
  };
}

function joined(...userIds: string[]): RoomMemberFacts[] {
  return userIds.map((userId) => ({ userId, membership: 'join' as const }));
}

function bridgingOf(events: BridgeStateEvent[], members: RoomMemberFacts[] = joined(BOT)): ReturnType<typeof roomBridging> {
  const room: Pick<RoomFacts, 'bridgeEvents' | 'members'> = { bridgeEvents: events, members };
  return roomBridging(room);
}

describe('parseBridgeEvent: what counts as a bridge event', () => {
  const cases: [string, BridgeStateEvent, boolean][] = [
    ['a complete m.bridge event', bridgeEvent(), true],
    ['the older uk.half-shot.bridge type', bridgeEvent({}, { type: 'uk.half-shot.bridge' }), true],
    ['only the required fields', bridgeEvent({ creator: undefined, channel: undefined, protocol: { id: 'telegram' } }), true],
    ['fields MSC2346 does not name (bridges add their own)', bridgeEvent({ 'com.beeper.room_type': 'dm' }), true],
    ['sent by a puppet on the bot’s server (mautrix DM portals)', bridgeEvent({}, { sender: '@telegram_42:bridge.example' }), true],
    ['another event type', bridgeEvent({}, { type: 'm.room.topic' }), false],
    ['content that is not an object', bridgeEvent({}, { content: 'm.bridge' }), false],
    ['content that is an array', bridgeEvent({}, { content: [] }), false],
    ['emptied content (a bridge removed)', bridgeEvent({}, { content: {} }), false],
    ['no bridgebot', bridgeEvent({ bridgebot: undefined }), false],
    ['a bridgebot that is not a user id', bridgeEvent({ bridgebot: 'telegrambot' }), false],
    ['a bridgebot that is not a string', bridgeEvent({ bridgebot: 42 }), false],
    ['a bridgebot longer than a Matrix id may be', bridgeEvent({ bridgebot: `@${'a'.repeat(300)}:bridge.example` }), false],
    ['sent from another server than the bot’s', bridgeEvent({}, { sender: '@mallory:elsewhere.example' }), false],
    ['a sender that is not a user id', bridgeEvent({}, { sender: 'bridge.example' }), false],
    ['a creator that is not a user id', bridgeEvent({ creator: 'someone' }), false],
    ['no protocol', bridgeEvent({ protocol: undefined }), false],
    ['a protocol that is a string', bridgeEvent({ protocol: 'telegram' }), false],
    ['a protocol without id', bridgeEvent({ protocol: { displayname: 'Telegram' } }), false],
    ['a protocol id with spaces', bridgeEvent({ protocol: { id: 'tele gram' } }), false],
    ['a protocol id of 65 characters', bridgeEvent({ protocol: { id: 'a'.repeat(65) } }), false],
    ['a protocol display name that is not a string', bridgeEvent({ protocol: { id: 'telegram', displayname: ['T'] } }), false],
    ['a protocol display name of 256 characters', bridgeEvent({ protocol: { id: 'telegram', displayname: 'T'.repeat(256) } }), false],
    ['a protocol avatar that is not a string', bridgeEvent({ protocol: { id: 'telegram', avatar_url: 1 } }), false],
    ['a network that is not an object', bridgeEvent({ network: 'libera' }), false],
    ['a network with an empty id', bridgeEvent({ network: { id: '' } }), false],
    ['a channel without id', bridgeEvent({ channel: { displayname: 'Friends' } }), false],
    ['a channel external url of 3000 characters', bridgeEvent({ channel: { id: '1', external_url: 'h'.repeat(3000) } }), false],
    ['a state key of 300 characters', bridgeEvent({}, { stateKey: 'k'.repeat(300) }), false],
  ];
  it.each(cases)('%s: valid %s', (_name, event, valid) => {
    expect(parseBridgeEvent(event) !== undefined).toBe(valid);
  });

  it('keeps the labels the popup shows, and nothing of the event it does not need', () => {
    const parsed = parseBridgeEvent(bridgeEvent({ network: { id: 'libera', displayname: 'Libera.Chat' } }));
    expect(parsed).toMatchObject({
      botUserId: BOT,
      protocol: { id: 'telegram', displayName: 'Telegram' },
      network: { id: 'libera', displayName: 'Libera.Chat' },
    });
    expect(parsed).not.toHaveProperty('channel');
    expect(parsed?.protocol).not.toHaveProperty('avatar_url');
  });
});

describe('puppetPrefixes: the naming of real bridges', () => {
  const cases: [string, string, string, string[]][] = [
    ['mautrix-telegram', 'telegrambot', 'telegram', ['telegram_', '_telegram_']],
    ['mautrix-whatsapp', 'whatsappbot', 'whatsapp', ['whatsapp_', '_whatsapp_']],
    ['matrix-appservice-discord', '_discord_bot', 'discord', ['_discord_', 'discord_']],
    ['mx-puppet-slack', '_slackpuppet_bot', 'slack', ['_slackpuppet_', 'slack_', '_slack_']],
    ['a bot with a dash', 'signal-bot', 'signal', ['signal_', '_signal_']],
    ['matrix-appservice-irc (no bot suffix)', 'appservice-irc', 'irc', ['irc_', '_irc_']],
    ['Heisenbridge (no bot suffix)', 'heisenbridge', 'irc', ['irc_', '_irc_']],
    ['a bot called just "bot"', 'bot', 'x', []],
    ['a one-letter stem', '_x_bot', 'y', []],
    ['an upper-case protocol id', 'matrixbot', 'IRC', ['matrix_', 'irc_', '_irc_']],
  ];
  it.each(cases)('%s: @%s with protocol %s', (_name, bot, protocol, prefixes) => {
    expect(puppetPrefixes(bot, protocol).toSorted()).toEqual(prefixes.toSorted());
  });
});

describe('roomBridging: who is the bot, who is a puppet', () => {
  const room = joined(BOT, '@telegram_42:bridge.example', '@bob:example.org');
  const cases: [string, string, 'bridge-bot' | 'bridge-puppet' | undefined][] = [
    ['the bridgebot', BOT, 'bridge-bot'],
    ['a puppet named after the bot', '@telegram_42:bridge.example', 'bridge-puppet'],
    ['a puppet named after the protocol, with a leading underscore', '@_telegram_42:bridge.example', 'bridge-puppet'],
    ['the bare prefix, with nothing after it', '@telegram_:bridge.example', undefined],
    ['the prefix on another server', '@telegram_42:example.org', undefined],
    ['the prefix in the middle of a name', '@my_telegram_42:bridge.example', undefined],
    ['a prefix without its underscore', '@telegram42:bridge.example', undefined],
    ['someone else on the bot’s server', '@alice:bridge.example', undefined],
    ['someone on another server', '@bob:example.org', undefined],
    ['a server that merely ends like the bot’s', '@telegram_42:evilbridge.example', undefined],
    ['a server that extends the bot’s', '@telegram_42:bridge.example.evil', undefined],
  ];
  it.each(cases)('%s (%s): %s', (_name, userId, role) => {
    expect(bridgingOf([bridgeEvent()], room).roleOf(userId)).toBe(role);
  });

  it('labels the bridge once when m.bridge and uk.half-shot.bridge say the same', () => {
    const bridging = bridgingOf([bridgeEvent({}, { type: 'uk.half-shot.bridge' }), bridgeEvent()]);
    expect(bridging.bridges).toEqual([{ botUserId: BOT, protocol: { id: 'telegram', displayName: 'Telegram' } }]);
  });

  it('knows several bridges in one room (different state keys), each with its own puppets', () => {
    const whatsapp = bridgeEvent(
      { bridgebot: '@whatsappbot:wa.example', protocol: { id: 'whatsapp' } },
      { sender: '@whatsappbot:wa.example', stateKey: 'wa' },
    );
    const bridging = bridgingOf([bridgeEvent(), whatsapp], joined(BOT, '@whatsappbot:wa.example'));
    expect(bridging.bridges.map((bridge) => bridge.botUserId)).toEqual([BOT, '@whatsappbot:wa.example']);
    expect(bridging.roleOf('@whatsapp_1:wa.example')).toBe('bridge-puppet');
    expect(bridging.roleOf('@telegram_1:bridge.example')).toBe('bridge-puppet');
    expect(bridging.roleOf('@whatsapp_1:bridge.example')).toBe(undefined);
  });

  it('knows no bridge whose bot is not a joined member: invited, or gone', () => {
    expect(bridgingOf([bridgeEvent()], joined('@bob:example.org')).bridges).toEqual([]);
    expect(bridgingOf([bridgeEvent()], [{ userId: BOT, membership: 'invite' }]).roleOf('@telegram_42:bridge.example')).toBe(undefined);
  });

  it('ignores a malformed event next to a valid one', () => {
    const bridging = bridgingOf([bridgeEvent({}, { stateKey: 'broken', content: { bridgebot: BOT } }), bridgeEvent()]);
    expect(bridging.bridges).toHaveLength(1);
  });

  it('knows no bridge in a room without bridge events', () => {
    expect(roomBridging({ members: joined(BOT) }).bridges).toEqual([]);
    expect(roomBridging({ members: joined(BOT) }).roleOf(BOT)).toBe(undefined);
  });

  it(`looks at no more than ${MAX_BRIDGE_EVENTS} bridge events, in a fixed order`, () => {
    const flood = Array.from({ length: MAX_BRIDGE_EVENTS }, (_, i) =>
      bridgeEvent({}, { stateKey: `a${String(i).padStart(3, '0')}`, content: {} }),
    );
    // Sorted by state key, the valid event comes after the flood: it is not looked at.
    expect(bridgingOf([bridgeEvent({}, { stateKey: 'z' }), ...flood]).bridges).toEqual([]);
    expect(bridgingOf([bridgeEvent({}, { stateKey: '0' }), ...flood]).bridges).toHaveLength(1);
  });
});
