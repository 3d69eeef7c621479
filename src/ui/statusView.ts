import type { AccountStatus, CryptoEngineStatus, OwnDeviceSummary, SyncStatus } from '../messaging/protocol';
import type { DeviceClass } from '../trust/types';

/** How a status line should look: every tone also has a word, never colour alone. */
export type Tone = 'ok' | 'warn' | 'bad' | 'busy' | 'neutral';

export interface StatusLine {
  label: string;
  value: string;
  tone: Tone;
  detail?: string;
}

export interface Fact {
  label: string;
  value: string;
}

/** View models for the popup and options page; components only render these. */
export function describeAccount(account: AccountStatus): StatusLine {
  switch (account.state) {
    case 'signed-out':
      return account.endedByServerAt === undefined
        ? {
            label: 'Account',
            value: 'Not signed in',
            tone: 'neutral',
            detail: 'Matrix Trust Guard needs its own session on your account before it can check your rooms.',
          }
        : {
            label: 'Account',
            value: 'Signed out by the server',
            tone: 'warn',
            detail: `Your homeserver ended this extension's session on ${formatDate(account.endedByServerAt)}. Your warning history is kept; sign in again to continue.`,
          };
    case 'resuming':
      return { label: 'Account', value: 'Opening your session…', tone: 'busy' };
    case 'failed':
      return { label: 'Account', value: 'Not working', tone: 'bad', detail: account.reason };
    case 'signed-in':
      return { label: 'Account', value: account.userId, tone: 'ok', detail: `On ${hostOf(account.homeserverUrl)}, as this browser's session ${account.deviceId}.` };
  }
}

/** How fresh the warnings are: every UI says it next to them. */
export function describeSync(sync: SyncStatus, now: number): StatusLine {
  const label = 'Sync';
  switch (sync.state) {
    case 'starting':
      return { label, value: 'Starting…', tone: 'busy' };
    case 'catching-up':
      return { label, value: 'Catching up…', tone: 'busy', detail: sync.lastSyncAt === undefined ? undefined : `Last up to date ${formatTimeAgo(sync.lastSyncAt, now)}.` };
    case 'syncing':
      return { label, value: 'Up to date', tone: 'ok' };
    case 'offline':
      return {
        label,
        value: `Offline since ${formatTime(sync.since)}`,
        tone: 'warn',
        detail: `Warnings may be out of date${sync.lastSyncAt === undefined ? '' : `: last up to date ${formatTimeAgo(sync.lastSyncAt, now)}`}. Retrying by itself.`,
      };
    case 'signed-out-by-server':
      return { label, value: 'Stopped', tone: 'bad', detail: 'The homeserver ended this session.' };
  }
}

/**
 * The account's other devices that its identity has not signed: the classic sign of a stolen
 * password (someone logged in and uploaded keys). Undefined when there is nothing to say.
 */
export function describeOwnDevices(devices: readonly OwnDeviceSummary[] | undefined): StatusLine | undefined {
  const suspicious = (devices ?? []).filter((device) => device.class === 'unsigned-of-verified');
  if (suspicious.length === 0) return undefined;
  const names = suspicious.map((device) => `${device.displayName ?? 'Unnamed session'} (${device.deviceId})`).join(', ');
  return {
    label: 'Your sessions',
    value: suspicious.length === 1 ? '1 session you did not verify' : `${suspicious.length} sessions you did not verify`,
    tone: 'bad',
    detail: `${names}: your identity has not signed ${suspicious.length === 1 ? 'it' : 'them'}. If this was not you, someone has your password: sign ${suspicious.length === 1 ? 'it' : 'them'} out and change your password.`,
  };
}

const CLASS_WORDS: Record<DeviceClass, string> = {
  verified: 'Verified',
  'owner-signed': 'Not verified by you',
  unsigned: 'Not signed by its owner',
  'unsigned-of-verified': 'Not signed by its owner, whom you verified',
};

/** For the account's own sessions the owner is "your identity". */
const OWN_CLASS_WORDS: Record<DeviceClass, string> = {
  verified: 'Verified',
  'owner-signed': 'Signed by your identity',
  unsigned: 'Not signed by your identity',
  'unsigned-of-verified': 'Not signed by your identity',
};

export function describeDeviceClass(cls: DeviceClass, own = false): string {
  return (own ? OWN_CLASS_WORDS : CLASS_WORDS)[cls];
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function formatTime(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

export function formatTimeAgo(epochMs: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - epochMs) / 1000));
  if (seconds < 60) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  // A clock time alone would mislead after a day away.
  return now - epochMs < 24 * 60 * 60 * 1000 ? `at ${formatTime(epochMs)}` : `on ${formatDate(epochMs)}`;
}

export function describeCryptoEngine(engine: CryptoEngineStatus): StatusLine {
  switch (engine.state) {
    case 'starting':
      return { label: 'Encryption engine', value: 'Starting…', tone: 'busy' };
    case 'ready':
      return {
        label: 'Encryption engine',
        value: 'Ready',
        tone: 'ok',
        detail: `Rust crypto is running in this browser, with its store kept since ${formatDate(engine.storeCreatedAt)}.`,
      };
    case 'failed':
      return { label: 'Encryption engine', value: 'Not working', tone: 'bad', detail: engine.reason };
  }
}

export function cryptoEngineFacts(engine: CryptoEngineStatus): Fact[] {
  if (engine.state !== 'ready') return [];
  return [
    { label: 'Version', value: engine.engineVersion },
    { label: 'Store identity key', value: engine.identityKey },
    { label: 'Store created', value: formatDate(engine.storeCreatedAt) },
    { label: 'Store opened', value: `${engine.storeOpenCount} ${engine.storeOpenCount === 1 ? 'time' : 'times'}` },
    { label: 'Start-up time', value: `${engine.startupMs} ms` },
  ];
}

export function formatDate(epochMs: number): string {
  return new Date(epochMs).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
