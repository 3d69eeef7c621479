import type { AcknowledgementSyncStatus, SecurityStatus } from '../messaging/protocol';
import { formatTime } from '../text/timeText';
import { t } from '../text/i18n';
import type { StatusLine } from './statusView';
import { plural } from '../text/plural';

/** One item of the cross-signing breakdown: what it is, whether it is in place, and the fix. */
export interface Check {
  id: string;
  ok: boolean;
  text: string;
}

/** Is this extension trusted by the account's identity? The fix is verifying it. */
export function describeThisDevice(status: SecurityStatus): StatusLine {
  return status.thisDeviceVerified
    ? { id: 'this-device', label: t('thisDeviceLabel'), value: t('thisDeviceVerified'), tone: 'ok' }
    : {
        id: 'this-device',
        label: t('thisDeviceLabel'),
        value: t('thisDeviceNotVerified'),
        tone: 'warn',
        detail: status.identityOnServer ? t('thisDeviceNotVerifiedDetail') : t('thisDeviceNoIdentityDetail'),
      };
}

export function describeCrossSigning(status: SecurityStatus): StatusLine {
  if (!status.identityOnServer) {
    return {
      id: 'cross-signing',
      label: t('crossSigningLabel'),
      value: t('crossSigningNotSetUp'),
      tone: 'warn',
      detail: t('crossSigningNotSetUpDetail'),
    };
  }
  return status.crossSigning.ready
    ? { id: 'cross-signing', label: t('crossSigningLabel'), value: t('crossSigningReady'), tone: 'ok' }
    : { id: 'cross-signing', label: t('crossSigningLabel'), value: t('crossSigningIncomplete'), tone: 'warn' };
}

/** The parts of cross-signing (getCrossSigningStatus), each in plain words with what fixes it. */
export function crossSigningBreakdown(status: SecurityStatus): Check[] {
  const { crossSigning } = status;
  const cached = crossSigning.privateKeysCachedLocally;
  return [
    {
      id: 'public-keys',
      ok: crossSigning.publicKeysOnDevice,
      text: crossSigning.publicKeysOnDevice ? t('checkPublicKeysOk') : t('checkPublicKeysMissing'),
    },
    {
      id: 'secret-storage',
      ok: crossSigning.privateKeysInSecretStorage,
      text: crossSigning.privateKeysInSecretStorage ? t('checkKeysInRecoveryOk') : t('checkKeysInRecoveryMissing'),
    },
    { id: 'master', ok: cached.masterKey, text: cached.masterKey ? t('checkMasterKeyOk') : t('checkMasterKeyMissing') },
    {
      id: 'self-signing',
      ok: cached.selfSigningKey,
      text: cached.selfSigningKey ? t('checkSelfSigningKeyOk') : t('checkSelfSigningKeyMissing'),
    },
    {
      id: 'user-signing',
      ok: cached.userSigningKey,
      text: cached.userSigningKey ? t('checkUserSigningKeyOk') : t('checkUserSigningKeyMissing'),
    },
  ];
}

export function describeRecovery(status: SecurityStatus): StatusLine {
  return status.secretStorage.ready
    ? {
        id: 'recovery',
        label: t('recoveryLabel'),
        value: t('recoverySetUp'),
        tone: 'ok',
        detail: status.secretStorage.passphraseBased ? t('recoverySetUpPassphraseDetail') : undefined,
      }
    : { id: 'recovery', label: t('recoveryLabel'), value: t('recoveryNotSetUp'), tone: 'warn', detail: t('recoveryNotSetUpDetail') };
}

export function describeKeyBackup(status: SecurityStatus): StatusLine {
  const { keyBackup } = status;
  if (keyBackup.serverVersion === null) {
    return { id: 'key-backup', label: t('keyBackupLabel'), value: t('keyBackupNone'), tone: 'warn', detail: t('keyBackupNoneDetail') };
  }
  if (!keyBackup.trusted || keyBackup.activeVersion === null) {
    return {
      id: 'key-backup',
      label: t('keyBackupLabel'),
      value: t('keyBackupNotTrusted', keyBackup.serverVersion),
      tone: 'warn',
      detail: t('keyBackupNotTrustedDetail'),
    };
  }
  const remaining = keyBackup.keysRemaining;
  return {
    id: 'key-backup',
    label: t('keyBackupLabel'),
    value: t('keyBackupActive', keyBackup.activeVersion),
    tone: 'ok',
    detail:
      remaining === null || remaining === 0
        ? t('keyBackupAllSaved')
        : plural(remaining, { one: () => t('keyBackupRemainingOne'), other: () => t('keyBackupRemainingMany', String(remaining)) }),
  };
}

/**
 * Whether "Set up recovery" is offered: on an account without an identity; or, on a verified
 * extension that holds the identity's private keys, when recovery or the key backup is missing
 * (a setup cut short, e.g. by the browser stopping the worker between its uploads, or another
 * client that never made a backup). The key backup's own line tells the user setting up
 * recovery creates it, so the button must be there.
 */
export function canSetUpRecovery(status: SecurityStatus): boolean {
  if (!status.identityOnServer) return true;
  const holdsIdentity = Object.values(status.crossSigning.privateKeysCachedLocally).every(Boolean);
  return status.thisDeviceVerified && holdsIdentity && (!status.secretStorage.ready || status.keyBackup.serverVersion === null);
}

/** Which way to verify this extension is offered first. */
export function canUseRecoveryKey(status: SecurityStatus): boolean {
  return status.identityOnServer && status.secretStorage.defaultKeyId !== null;
}

/** The recovery key as shown: groups of four, as matrix-js-sdk encodes it. */
export function keyGroups(key: string): string[] {
  return key.replace(/\s+/g, '').match(/.{1,4}/g) ?? [];
}

/**
 * Do the user's acknowledgements follow them to their other browsers? Off says why (this browser
 * was never unlocked with the recovery key) and that they stay here; a refused copy is never
 * shown as synced.
 */
export function describeAcknowledgementSync(sync: AcknowledgementSyncStatus): StatusLine {
  const line = { id: 'acknowledgement-sync' as const, label: t('ackSyncLabel') };
  switch (sync.state) {
    case 'off':
      return { ...line, value: t('ackSyncOff'), tone: 'neutral', detail: t('ackSyncOffDetail') };
    case 'syncing':
      return { ...line, value: t('ackSyncSyncing'), tone: 'busy' };
    case 'synced':
      return {
        ...line,
        value: t('ackSyncSynced', formatTime(sync.at)),
        tone: 'ok',
        detail: plural(sync.acknowledgements, {
          one: () => t('ackSyncCountOne'),
          other: () => t('ackSyncCountMany', String(sync.acknowledgements)),
        }),
      };
    case 'rejected':
      return { ...line, value: t('ackSyncRejected'), tone: 'bad', detail: t('ackSyncRejectedDetail', formatTime(sync.at)) };
    case 'other-key':
      return { ...line, value: t('ackSyncOtherKey'), tone: 'warn', detail: t('ackSyncOtherKeyDetail') };
    case 'error':
      return { ...line, value: t('ackSyncError'), tone: 'warn', detail: t('ackSyncErrorDetail', formatTime(sync.at)) };
  }
}

/** This browser's sync key is missing or outdated: unlocking with the recovery key (again) shares its acknowledgements. */
export function needsSyncKey(sync: AcknowledgementSyncStatus | undefined): boolean {
  return sync?.state === 'off' || sync?.state === 'other-key';
}
