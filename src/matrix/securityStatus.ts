import type { SecurityStatus } from '../model/deviceStatus';
import type { MatrixSession } from './matrixSession';

/**
 * Where this account's encryption setup stands, from this device: the answers the popup needs
 * to say "is my encryption set up right, and is this extension trusted".
 */
export async function readSecurityStatus(session: MatrixSession, keysRemaining: number | null): Promise<SecurityStatus> {
  const { crypto, userId, deviceId } = session;
  const [identityOnServer, crossSigning, crossSigningReady, secretStorage, ownDevice, serverBackup, activeVersion] = await Promise.all([
    crypto.userHasCrossSigningKeys(userId, true),
    crypto.getCrossSigningStatus(),
    crypto.isCrossSigningReady(),
    crypto.getSecretStorageStatus(),
    crypto.getDeviceVerificationStatus(userId, deviceId),
    crypto.getKeyBackupInfo(),
    crypto.getActiveSessionBackupVersion(),
  ]);
  const trust = serverBackup ? await crypto.isKeyBackupTrusted(serverBackup) : undefined;
  const defaultKey = secretStorage.defaultKeyId === null ? null : await session.client.secretStorage.getKey(secretStorage.defaultKeyId);
  return {
    identityOnServer,
    thisDeviceVerified: ownDevice?.crossSigningVerified ?? false,
    crossSigning: {
      ready: crossSigningReady,
      publicKeysOnDevice: crossSigning.publicKeysOnDevice,
      privateKeysInSecretStorage: crossSigning.privateKeysInSecretStorage,
      privateKeysCachedLocally: { ...crossSigning.privateKeysCachedLocally },
    },
    secretStorage: {
      ready: secretStorage.ready,
      defaultKeyId: secretStorage.defaultKeyId,
      passphraseBased: defaultKey?.[1].passphrase !== undefined,
    },
    keyBackup: {
      serverVersion: serverBackup?.version ?? null,
      activeVersion,
      trusted: trust?.trusted ?? false,
      keysRemaining,
    },
  };
}
