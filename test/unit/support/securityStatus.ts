import type { SecurityStatus } from '../../../src/model/deviceStatus';

/** An encryption setup with every part in place: this extension verified, cross-signing, recovery and key backup. */
export const READY_SECURITY: SecurityStatus = {
  identityOnServer: true,
  thisDeviceVerified: true,
  crossSigning: {
    ready: true,
    publicKeysOnDevice: true,
    privateKeysInSecretStorage: true,
    privateKeysCachedLocally: { masterKey: true, selfSigningKey: true, userSigningKey: true },
  },
  secretStorage: { ready: true, defaultKeyId: 'k', passphraseBased: false },
  keyBackup: { serverVersion: '1', activeVersion: '1', trusted: true, keysRemaining: 0 },
};
