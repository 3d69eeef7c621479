import { type HistoryEvent, type HistoryKind, HISTORY_KINDS } from '../trust/trustHistory';
import { displayText, memberName, nameOr } from '../validation/displayText';
import { describeDeviceClass } from './deviceClassText';
import { t } from './i18n';
import { formatDate, formatTime } from './timeText';

/** One line of the History view: a device's story in a room, or one event. */
export interface HistoryLine {
  /** The first event's id: stable while more of the story arrives. */
  key: string;
  /** When the story began, and its newest event (lines are ordered by it, newest first). */
  at: number;
  latest: number;
  kinds: HistoryKind[];
  text: string;
}

/** What happens to one device in one room, told together in one line. */
const DEVICE_KINDS: ReadonlySet<HistoryKind> = new Set(['device-appeared', 'warned', 'acknowledged', 'got-worse', 'departed']);

/**
 * The events as readable lines, newest first: a device's story in a room (it appeared, you were
 * warned, you acknowledged it, it left) is one line until it appears again; everything else is
 * a line of its own. Names come from the network and go through displayText.
 */
export function historyLines(events: readonly HistoryEvent[]): HistoryLine[] {
  const stories: HistoryEvent[][] = [];
  const open = new Map<string, HistoryEvent[]>();
  // Oldest first; at the same time in the order a story goes (appeared before warned before …).
  const rank = (event: HistoryEvent) => HISTORY_KINDS.indexOf(event.kind);
  for (const event of [...events].sort((a, b) => a.at - b.at || rank(a) - rank(b))) {
    const key = deviceStoryKey(event);
    if (key === undefined) {
      stories.push([event]);
      continue;
    }
    const story = open.get(key);
    if (story === undefined || event.kind === 'device-appeared') {
      const started = [event];
      open.set(key, started);
      stories.push(started);
    } else story.push(event);
  }
  return stories
    .map((story) => {
      const first = story[0] as HistoryEvent;
      const latest = (story.at(-1) as HistoryEvent).at;
      const text = deviceStoryKey(first) === undefined ? eventSentence(first) : deviceStory(story);
      return { key: first.id, at: first.at, latest, kinds: story.map((event) => event.kind), text: `${formatDate(first.at)} — ${text}` };
    })
    .sort((a, b) => b.latest - a.latest);
}

function deviceStoryKey(event: HistoryEvent): string | undefined {
  const { roomId, userId, deviceId, ed25519Key } = event;
  if (!DEVICE_KINDS.has(event.kind) || roomId === undefined || userId === undefined || deviceId === undefined) return undefined;
  return JSON.stringify([roomId, userId, deviceId, ed25519Key]);
}

function deviceStory(story: readonly HistoryEvent[]): string {
  const first = story[0] as HistoryEvent;
  const device = deviceLabel(first);
  const room = roomLabel(first);
  const clauses = story.filter((event) => event.kind !== 'device-appeared').map((event) => clause(event, first.at));
  if (first.kind === 'device-appeared') {
    const head = t('historyAppeared', device, room);
    return clauses.length === 0 ? head : `${head}; ${clauses.join('; ')}`;
  }
  return `${t('historyAbout', device, room)}: ${clauses.join('; ')}`;
}

function clause(event: HistoryEvent, storyAt: number): string {
  // The clock time when on the story's first day, the date when later.
  const when = new Date(event.at).toDateString() === new Date(storyAt).toDateString() ? formatTime(event.at) : formatDate(event.at);
  switch (event.kind) {
    case 'warned':
      return warnedClause(event, when);
    case 'acknowledged':
      return t('historyClauseAcknowledged', when);
    case 'got-worse':
      return t('historyClauseGotWorse', event.class === undefined ? '?' : describeDeviceClass(event.class), when);
    default:
      return t('historyClauseDeparted', when);
  }
}

function warnedClause(event: HistoryEvent, when: string): string {
  if ((event.where === 'banner' || event.where === 'badge') && event.client !== undefined)
    return t('historyClauseWarnedInClient', displayText(event.client), when);
  switch (event.where) {
    case 'banner':
    case 'badge':
      return t('historyClauseWarnedInPage', when);
    case 'popup':
    case 'review':
      return t('historyClauseWarnedInExtension', when);
    case 'notification':
      return t('historyClauseWarnedByNotification', when);
    case undefined:
      return t('historyClauseWarned', when);
  }
}

function eventSentence(event: HistoryEvent): string {
  const user = event.userId === undefined ? '' : memberName(event.userId, event.userName);
  const key = shortKey(event.masterKey);
  switch (event.kind) {
    case 'identity-changed':
      return t('historyIdentityChanged', user, key);
    case 'identity-pinned':
      return t('historyIdentityPinned', user, key);
    case 'verification-withdrawn':
      return t('historyVerificationWithdrawn', user, key);
    case 'page-disagreed':
      return t('historyPageDisagreed', displayText(event.client ?? ''), user, roomLabel(event));
    case 'own-identity-reset':
      return t('historyOwnIdentityReset', key);
    default:
      // A device event without its device (never written so): said as plainly as it can be.
      return t('historyAbout', displayText(event.deviceId ?? ''), roomLabel(event));
  }
}

/** "Bob's new laptop (ZMFQWERTYU)": the owner's and the device's names, and the device id. */
function deviceLabel(event: HistoryEvent): string {
  const owner = memberName(event.userId ?? '', event.userName);
  const id = shortId(event.deviceId ?? '');
  const name = event.deviceName === undefined ? '' : displayText(event.deviceName);
  return name === '' ? t('historyDeviceUnnamed', owner, id) : t('historyDeviceNamed', owner, name, id);
}

function roomLabel(event: HistoryEvent): string {
  return nameOr(event.roomName, displayText(event.roomId ?? ''));
}

/** Device ids are about ten characters; a longer one (any string a server sends) is cut. */
function shortId(id: string): string {
  return displayText(id, 12);
}

function shortKey(key: string | undefined): string {
  return key === undefined ? '?' : `${key.slice(0, 8)}…`;
}
