import { isBoundedString, isPlainObject, userId as isUserId } from '../validation/shape';
import type { BridgeRole, BridgeStateEvent, RoomBridge, RoomFacts, RoomTrustReport } from './types';

/**
 * Which members of a room are a bridge's bot or its puppets, from the room's bridge state
 * events (MSC2346). Everything here comes from the network and is checked field by field; an
 * event that is malformed in any way is ignored, which only ever leaves a device warning.
 *
 * A client cannot read an appservice's registered namespace, so puppets are recognised by a
 * narrow heuristic, the naming real bridges use:
 * - the event was sent from the bot's server (by the bot or a puppet: mautrix sends DM portals'
 *   state as the puppet), so nobody elsewhere can declare another server's users puppets;
 * - the bot is a joined member of the room (a bridge that left bridges nothing);
 * - a puppet is on the bot's server, and its localpart starts with a prefix of the bridge and
 *   has more after it: the bot's localpart without a `bot` suffix (`telegrambot` -> `telegram_`,
 *   mautrix-*; `_discord_bot` -> `_discord_`, matrix-appservice-discord; `_slackpuppet_bot` ->
 *   `_slackpuppet_`, mx-puppet-*), or the protocol id (`irc_`, `_irc_`: matrix-appservice-irc's
 *   default template).
 * Bridges that name puppets otherwise (Libera's `@nick:libera.chat`, Heisenbridge) get no
 * puppets: their devices stay warnings. The bot itself is the event's `bridgebot`.
 */

/**
 * Whether the room has bridged people whose sessions are shown, not warned about (the default
 * policy): nothing there is new, but messages to them leave end-to-end encryption, so the
 * room is never called all clear.
 */
export function hasBridgedPeople(report: Pick<RoomTrustReport, 'members'>): boolean {
  return report.members.some((member) => member.devices.some((device) => device.class === 'bridged' && device.severity === 'neutral'));
}

export const BRIDGE_EVENT_TYPES: readonly string[] = ['m.bridge', 'uk.half-shot.bridge'];

/** At most this many bridge events of a room are looked at: a room of thousands is someone's attack, not a bridge. */
export const MAX_BRIDGE_EVENTS = 32;

const MAX_ID_LENGTH = 255;
const MAX_NAME_LENGTH = 255;
const MAX_URL_LENGTH = 2048;
/** Protocol ids are short machine names ("irc", "telegram", "whatsapp"). */
const PROTOCOL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** A prefix shorter than this (without its underscores) would match too many names to mean anything. */
const MIN_STEM_LENGTH = 2;

/** One valid bridge event, with the prefixes its puppets' localparts start with. */
interface ParsedBridge extends RoomBridge {
  server: string;
  puppetPrefixes: string[];
}

export interface RoomBridging {
  /** The room's bridges whose bot is joined, each once. */
  bridges: RoomBridge[];
  /** What the bridge state says `userId` is, or undefined for anyone else. */
  roleOf(userId: string): BridgeRole | undefined;
}

const NO_BRIDGING: RoomBridging = { bridges: [], roleOf: () => undefined };

export function roomBridging(room: Pick<RoomFacts, 'bridgeEvents' | 'members'>): RoomBridging {
  const events = room.bridgeEvents ?? [];
  if (events.length === 0) return NO_BRIDGING;
  const parsed = firstBridgeEvents(events).flatMap((event) => parseBridgeEvent(event) ?? []);
  if (parsed.length === 0) return NO_BRIDGING;
  const joined = new Set(room.members.filter((member) => member.membership === 'join').map((member) => member.userId));
  const active = dedupe(parsed.filter((bridge) => joined.has(bridge.botUserId)));
  if (active.length === 0) return NO_BRIDGING;
  const bots = new Set(active.map((bridge) => bridge.botUserId));
  return {
    bridges: active.map(({ botUserId, protocol, network }) => ({ botUserId, protocol, ...(network && { network }) })),
    roleOf: (userId) => {
      if (bots.has(userId)) return 'bridge-bot';
      const id = splitUserId(userId);
      if (!id) return undefined;
      const isPuppet = active.some(
        (bridge) =>
          bridge.server === id.server &&
          bridge.puppetPrefixes.some((prefix) => id.localpart.length > prefix.length && id.localpart.startsWith(prefix)),
      );
      return isPuppet ? 'bridge-puppet' : undefined;
    },
  };
}

/** The bridge events looked at: the first MAX_BRIDGE_EVENTS by type and state key, whatever order they came in. */
export function firstBridgeEvents(events: readonly BridgeStateEvent[]): BridgeStateEvent[] {
  return events.toSorted((a, b) => compare(`${a.type}\n${a.stateKey}`, `${b.type}\n${b.stateKey}`)).slice(0, MAX_BRIDGE_EVENTS);
}

/** The bridge an event declares, or undefined when anything about it is not as MSC2346 says. */
export function parseBridgeEvent(event: BridgeStateEvent): ParsedBridge | undefined {
  if (!BRIDGE_EVENT_TYPES.includes(event.type) || !isBoundedString(event.stateKey, MAX_ID_LENGTH)) return undefined;
  const { content } = event;
  if (!isPlainObject(content)) return undefined;
  const bot = typeof content.bridgebot === 'string' && isUserId(content.bridgebot) ? splitUserId(content.bridgebot) : undefined;
  const sender = isUserId(event.sender) ? splitUserId(event.sender) : undefined;
  if (!bot || !sender || sender.server !== bot.server) return undefined;
  if (content.creator !== undefined && !isUserId(content.creator)) return undefined;
  const protocol = describedThing(content.protocol);
  if (!protocol || !PROTOCOL_ID.test(protocol.id)) return undefined;
  const network = content.network === undefined ? undefined : describedThing(content.network);
  const channel = content.channel === undefined ? undefined : describedThing(content.channel);
  if ((content.network !== undefined && !network) || (content.channel !== undefined && !channel)) return undefined;
  return {
    botUserId: `@${bot.localpart}:${bot.server}`,
    protocol,
    ...(network && { network }),
    server: bot.server,
    puppetPrefixes: puppetPrefixes(bot.localpart, protocol.id),
  };
}

/** MSC2346's `{ id, displayname?, avatar_url?, external_url? }`, as id and display name. */
function describedThing(value: unknown): { id: string; displayName?: string } | undefined {
  if (!isPlainObject(value)) return undefined;
  const { id, displayname, avatar_url: avatarUrl, external_url: externalUrl } = value;
  if (!isBoundedString(id, MAX_ID_LENGTH) || id.length === 0) return undefined;
  if (displayname !== undefined && !isBoundedString(displayname, MAX_NAME_LENGTH)) return undefined;
  if (avatarUrl !== undefined && !isBoundedString(avatarUrl, MAX_URL_LENGTH)) return undefined;
  if (externalUrl !== undefined && !isBoundedString(externalUrl, MAX_URL_LENGTH)) return undefined;
  return { id, ...(displayname === undefined ? {} : { displayName: displayname }) };
}

/** The localpart prefixes of the bridge's puppets (see the module comment). */
export function puppetPrefixes(botLocalpart: string, protocolId: string): string[] {
  const prefixes = new Set<string>();
  const stem = /^(.*?)[_-]?bot$/.exec(botLocalpart)?.[1]?.replace(/[_-]+$/, '');
  if (stem !== undefined && stem.replace(/^[_-]+/, '').length >= MIN_STEM_LENGTH) prefixes.add(`${stem}_`);
  const protocol = protocolId.toLowerCase();
  if (protocol.length >= MIN_STEM_LENGTH) {
    prefixes.add(`${protocol}_`);
    prefixes.add(`_${protocol}_`);
  }
  return [...prefixes];
}

function splitUserId(userId: string): { localpart: string; server: string } | undefined {
  const colon = userId.indexOf(':');
  if (!userId.startsWith('@') || colon < 2 || colon === userId.length - 1) return undefined;
  return { localpart: userId.slice(1, colon), server: userId.slice(colon + 1) };
}

/** `m.bridge` and `uk.half-shot.bridge` usually come in pairs saying the same: one label each. */
function dedupe(bridges: readonly ParsedBridge[]): ParsedBridge[] {
  const seen = new Set<string>();
  return bridges.filter((bridge) => {
    const key = JSON.stringify([bridge.botUserId, bridge.protocol.id, bridge.network?.id]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
