import type { AccountStatus, CryptoEngineStatus, SecurityReport, SecurityStatus } from '../messaging/protocol';
import type { RoomSummary, TrustOverview } from '../trust/trustOverview';
import { t } from '../text/i18n';
import { formatDate, formatTime, formatTimeAgo } from '../text/timeText';
import { plural } from '../text/plural';
import { nameOr } from '../validation/displayText';

/**
 * The popup's first line: "am I safe?" answered on its own, with the single most urgent action.
 * Unknown is never clear: "All clear" only when signed in, synced, the crypto engine ready, the
 * encryption setup read and complete, and every room's members checked and none bridged.
 */
export interface Verdict {
  tone: 'ok' | 'warn' | 'bad' | 'neutral' | 'busy';
  headline: string;
  detail?: string;
  action?: VerdictAction;
}

/**
 * Where the action takes the user: the popup scrolls there and, for a room, opens it. Signed out
 * there is none: the sign-in form itself comes right after the verdict.
 */
export type VerdictAction =
  | { target: 'sessions'; label: string }
  | { target: 'own-reset'; label: string }
  | { target: 'room'; roomId: string; label: string }
  | { target: 'tab'; label: string }
  | { target: 'security'; label: string };

export interface VerdictInput {
  account: AccountStatus;
  cryptoEngine: CryptoEngineStatus;
  /** Undefined until the background has sent it. */
  overview?: TrustOverview;
  security?: SecurityReport;
  /** The room of the tab the popup was opened over, when that tab is a watched client. */
  tabRoomId?: string;
  now: number;
}

interface Problem {
  critical: boolean;
  sentence: string;
  action: VerdictAction;
}

export function describeVerdict(input: VerdictInput): Verdict {
  const { account, cryptoEngine, now } = input;
  switch (account.state) {
    case 'signed-out':
      return account.endedByServerAt === undefined
        ? { tone: 'neutral', headline: t('verdictSignedOut'), detail: t('accountNotSignedInDetail') }
        : {
            tone: 'warn',
            headline: t('verdictEndedByServer'),
            detail: t('accountSignedOutByServerDetail', formatDate(account.endedByServerAt)),
          };
    case 'resuming':
      return { tone: 'busy', headline: t('verdictStarting') };
    case 'failed':
      return { tone: 'bad', headline: t('verdictFailed'), detail: account.reason };
    case 'signed-in':
      break;
  }
  if (account.sync.state === 'signed-out-by-server') return { tone: 'bad', headline: t('verdictEndedByServer') };
  if (cryptoEngine.state === 'failed') return { tone: 'bad', headline: t('verdictEngineFailed'), detail: cryptoEngine.reason };

  const { sync } = account;
  const current = sync.state === 'syncing';
  const lastSyncAt = 'lastSyncAt' in sync ? sync.lastSyncAt : undefined;
  const problems = problemsOf(input);
  if (problems.length > 0) {
    const [first] = problems;
    const count = String(problems.length);
    const headline = plural(problems.length, { one: () => t('verdictProblemsOne'), other: () => t('verdictProblemsMany', count) });
    const asOf = current ? undefined : lastSyncAt === undefined ? undefined : t('verdictAsOf', formatTime(lastSyncAt));
    return {
      tone: problems.some((problem) => problem.critical) ? 'bad' : 'warn',
      headline,
      detail: sentences(first?.sentence, asOf),
      ...(first && { action: first.action }),
    };
  }

  if (sync.state === 'offline') {
    return {
      tone: 'neutral',
      headline: t('verdictOffline', formatTime(sync.since)),
      detail: lastSyncAt === undefined ? t('verdictNeverSynced') : t('verdictNoProblemsAsOf', formatTime(lastSyncAt)),
    };
  }
  const { overview, security } = input;
  if (
    !current ||
    cryptoEngine.state !== 'ready' ||
    overview === undefined ||
    security?.status === undefined ||
    account.ownDevices === undefined
  ) {
    if (security !== undefined && security.status === undefined && security.problem === 'failed') {
      return { tone: 'neutral', headline: t('verdictSetupUnreadable') };
    }
    return { tone: 'busy', headline: t('verdictChecking'), detail: syncedAgo(lastSyncAt, now) };
  }
  // The setup shown is an older reading (the last one failed): it cannot vouch for now.
  if (security.problem === 'failed') return { tone: 'neutral', headline: t('verdictSetupUnreadable') };
  const checking = overview.rooms.filter((room) => room.checking > 0).length;
  if (checking > 0) {
    return {
      tone: 'neutral',
      headline: plural(checking, { one: () => t('verdictCheckingRoomsOne'), other: () => t('verdictCheckingRoomsMany', String(checking)) }),
      detail: syncedAgo(lastSyncAt, now),
    };
  }
  const bridged = overview.rooms.filter((room) => room.bridged).length;
  if (bridged > 0) {
    return {
      tone: 'neutral',
      headline: plural(bridged, { one: () => t('verdictBridgedOne'), other: () => t('verdictBridgedMany', String(bridged)) }),
      detail: t('verdictBridgedDetail'),
    };
  }
  const rooms = overview.rooms.length;
  return {
    tone: 'ok',
    headline:
      rooms === 0
        ? t('verdictAllClear')
        : plural(rooms, { one: () => t('verdictAllClearRoomsOne'), other: () => t('verdictAllClearRoomsMany', String(rooms)) }),
    detail: syncedAgo(lastSyncAt, now),
  };
}

function syncedAgo(lastSyncAt: number | undefined, now: number): string | undefined {
  return lastSyncAt === undefined ? undefined : t('verdictSynced', formatTimeAgo(lastSyncAt, now));
}

/** Sentences that are there, one after the other. */
function sentences(...parts: (string | undefined)[]): string | undefined {
  const said = parts.filter((part): part is string => part !== undefined && part !== '');
  return said.length === 0 ? undefined : said.join(' ');
}

/** What needs the user, most urgent first: someone in the account, then rooms, then the setup. */
function problemsOf({ account, overview, security, tabRoomId }: VerdictInput): Problem[] {
  const problems: Problem[] = [];
  const own = account.state === 'signed-in' ? (account.ownDevices ?? []) : [];
  for (const device of own.filter((session) => session.class === 'unsigned-of-verified')) {
    const name = nameOr(device.displayName, t('unnamedSession'));
    problems.push({
      critical: true,
      sentence: t('verdictOwnSession', name, device.deviceId),
      action: { target: 'sessions', label: t('verdictActionReviewSessions') },
    });
  }
  if (overview?.ownReset !== undefined && overview.ownReset.contacts.length > 0) {
    problems.push({
      critical: true,
      sentence: t('verdictOwnReset'),
      action: { target: 'own-reset', label: t('verdictActionVerifyContacts') },
    });
  }
  const withNews = (overview?.rooms ?? [])
    .filter((room) => room.newWarnings.critical + room.newWarnings.warn > 0)
    .sort(byUrgency(tabRoomId));
  for (const room of withNews) {
    const name = nameOr(room.name, room.roomId);
    problems.push({
      critical: room.newWarnings.critical > 0,
      sentence: t('verdictRoomNews', name),
      action:
        room.roomId === tabRoomId
          ? { target: 'tab', label: t('verdictActionReviewRoom', name) }
          : { target: 'room', roomId: room.roomId, label: t('verdictActionReviewRoom', name) },
    });
  }
  const setup = security?.status === undefined ? undefined : setupProblem(security.status);
  if (setup) problems.push(setup);
  return problems;
}

/** Critical before warnings; at the same level, the room in the tab the popup was opened over first. */
function byUrgency(tabRoomId: string | undefined): (a: RoomSummary, b: RoomSummary) => number {
  return (a, b) =>
    Number(b.newWarnings.critical > 0) - Number(a.newWarnings.critical > 0) ||
    Number(b.roomId === tabRoomId) - Number(a.roomId === tabRoomId) ||
    b.newWarnings.critical + b.newWarnings.warn - (a.newWarnings.critical + a.newWarnings.warn);
}

/** The encryption setup as one problem, with the step that comes first. */
function setupProblem(status: SecurityStatus): Problem | undefined {
  if (isSetupComplete(status)) return undefined;
  const label =
    status.identityOnServer && !status.thisDeviceVerified
      ? t('verdictActionVerifyExtension')
      : !status.identityOnServer || !status.secretStorage.ready || status.keyBackup.serverVersion === null
        ? t('verdictActionSetUpRecovery')
        : t('verdictActionFinishSetup');
  return { critical: false, sentence: t('verdictSetupIncomplete'), action: { target: 'security', label } };
}

/** Everything the encryption setup shows is in place: it can be folded to one line. */
export function isSetupComplete(status: SecurityStatus): boolean {
  return (
    status.identityOnServer &&
    status.thisDeviceVerified &&
    status.crossSigning.ready &&
    status.secretStorage.ready &&
    status.keyBackup.serverVersion !== null &&
    status.keyBackup.trusted &&
    status.keyBackup.activeVersion !== null
  );
}
