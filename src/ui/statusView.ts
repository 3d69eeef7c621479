import type { AccountStatus, CryptoEngineStatus, OwnDeviceSummary, SyncStatus } from '../messaging/protocol';
import { t } from '../text/i18n';
import { formatDate, formatTime, formatTimeAgo } from '../text/timeText';
import { nameOr } from '../validation/displayText';
import { plural } from '../text/plural';

/** How a status line should look: every tone also has a word, never colour alone. */
export type Tone = 'ok' | 'warn' | 'bad' | 'busy' | 'neutral';

export interface StatusLine {
  /** Stable, untranslated name of the line (pages and tests find it by this). */
  id:
    | 'account'
    | 'sync'
    | 'own-sessions'
    | 'engine'
    | 'this-device'
    | 'cross-signing'
    | 'recovery'
    | 'key-backup'
    | 'acknowledgement-sync'
    | 'ledger';
  label: string;
  value: string;
  tone: Tone;
  detail?: string;
}

export interface Fact {
  /** Stable, untranslated name of the fact. */
  id: string;
  label: string;
  value: string;
}

/** View models for the popup and options page; components only render these. */
export function describeAccount(account: AccountStatus): StatusLine {
  switch (account.state) {
    case 'signed-out':
      return account.endedByServerAt === undefined
        ? {
            id: 'account',
            label: t('accountLabel'),
            value: t('accountNotSignedIn'),
            tone: 'neutral',
            detail: t('accountNotSignedInDetail'),
          }
        : {
            id: 'account',
            label: t('accountLabel'),
            value: t('accountSignedOutByServer'),
            tone: 'warn',
            detail: t('accountSignedOutByServerDetail', formatDate(account.endedByServerAt)),
          };
    case 'resuming':
      return { id: 'account', label: t('accountLabel'), value: t('accountResuming'), tone: 'busy' };
    case 'failed':
      return { id: 'account', label: t('accountLabel'), value: t('accountFailed'), tone: 'bad', detail: account.reason };
    case 'signed-in':
      return {
        id: 'account',
        label: t('accountLabel'),
        value: account.userId,
        tone: 'ok',
        detail: t('accountSignedInDetail', hostOf(account.homeserverUrl), account.deviceId),
      };
  }
}

/** How fresh the warnings are: every UI says it next to them. */
export function describeSync(sync: SyncStatus, now: number): StatusLine {
  const id = 'sync' as const;
  const label = t('syncLabel');
  switch (sync.state) {
    case 'starting':
      return { id, label, value: t('syncStarting'), tone: 'busy' };
    case 'catching-up':
      return {
        id,
        label,
        value: t('syncCatchingUp'),
        tone: 'busy',
        detail: sync.lastSyncAt === undefined ? undefined : t('syncCatchingUpDetail', formatTimeAgo(sync.lastSyncAt, now)),
      };
    case 'syncing':
      return { id, label, value: t('syncUpToDate'), tone: 'ok' };
    case 'offline':
      return {
        id,
        label,
        value: t('syncOffline', formatTime(sync.since)),
        tone: 'warn',
        detail:
          sync.lastSyncAt === undefined ? t('syncOfflineDetailNeverSynced') : t('syncOfflineDetail', formatTimeAgo(sync.lastSyncAt, now)),
      };
    case 'signed-out-by-server':
      return { id, label, value: t('syncStopped'), tone: 'bad', detail: t('syncStoppedDetail') };
  }
}

/**
 * The account's other devices that its identity has not signed: the classic sign of a stolen
 * password (someone logged in and uploaded keys). Undefined when there is nothing to say.
 */
export function describeOwnDevices(devices: readonly OwnDeviceSummary[] | undefined): StatusLine | undefined {
  const suspicious = (devices ?? []).filter((device) => device.class === 'unsigned-of-verified');
  if (suspicious.length === 0) return undefined;
  const names = suspicious
    .map((device) => t('ownDevicesSession', nameOr(device.displayName, t('unnamedSession')), device.deviceId))
    .join(', ');
  const count = String(suspicious.length);
  return {
    id: 'own-sessions',
    label: t('ownDevicesLabel'),
    value: plural(suspicious.length, { one: () => t('ownDevicesValueOne', count), other: () => t('ownDevicesValueMany', count) }),
    tone: 'bad',
    detail: plural(suspicious.length, { one: () => t('ownDevicesDetailOne', names), other: () => t('ownDevicesDetailMany', names) }),
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** A notice, shown while any damaged ledger record has been set aside; nothing otherwise. */
export function describeLedgerSetAside(count: number | undefined): StatusLine | undefined {
  if (count === undefined || count <= 0) return undefined;
  return {
    id: 'ledger',
    label: t('ledgerSetAsideLabel'),
    value: plural(count, { one: () => t('ledgerSetAsideOne'), other: () => t('ledgerSetAsideMany', String(count)) }),
    tone: 'warn',
    detail: t('ledgerSetAsideDetail'),
  };
}

export function describeCryptoEngine(engine: CryptoEngineStatus): StatusLine {
  switch (engine.state) {
    case 'starting':
      return { id: 'engine', label: t('engineLabel'), value: t('engineStarting'), tone: 'busy' };
    case 'ready':
      return {
        id: 'engine',
        label: t('engineLabel'),
        value: t('engineReady'),
        tone: 'ok',
        detail: t('engineReadyDetail', formatDate(engine.storeCreatedAt)),
      };
    case 'failed':
      return { id: 'engine', label: t('engineLabel'), value: t('engineFailed'), tone: 'bad', detail: engine.reason };
  }
}

export function cryptoEngineFacts(engine: CryptoEngineStatus): Fact[] {
  if (engine.state !== 'ready') return [];
  return [
    { id: 'engine-version', label: t('factVersion'), value: engine.engineVersion },
    { id: 'identity-key', label: t('factStoreIdentityKey'), value: engine.identityKey },
    { id: 'store-created', label: t('factStoreCreated'), value: formatDate(engine.storeCreatedAt) },
    {
      id: 'store-opened',
      label: t('factStoreOpened'),
      value: plural(engine.storeOpenCount, {
        one: () => t('factStoreOpenedOne', String(engine.storeOpenCount)),
        other: () => t('factStoreOpenedMany', String(engine.storeOpenCount)),
      }),
    },
    { id: 'startup-ms', label: t('factStartupTime'), value: t('factStartupMs', String(engine.startupMs)) },
  ];
}
