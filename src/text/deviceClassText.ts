import type { DeviceClass } from '../trust/types';
import { t } from './i18n';

/** Functions, so each message is looked up when shown, not when this module loads. */
const CLASS_WORDS: Record<DeviceClass, () => string> = {
  verified: () => t('deviceClassVerified'),
  'owner-signed': () => t('deviceClassOwnerSigned'),
  bridged: () => t('deviceClassBridged'),
  unsigned: () => t('deviceClassUnsigned'),
  'unsigned-of-verified': () => t('deviceClassUnsignedOfVerified'),
  'conflicting-key': () => t('deviceClassConflictingKey'),
};

/** For the account's own sessions the owner is "your identity". */
const OWN_CLASS_WORDS: Record<DeviceClass, () => string> = {
  verified: () => t('ownDeviceClassVerified'),
  'owner-signed': () => t('ownDeviceClassOwnerSigned'),
  // Never shown: our own account is never a bridge's (classifyDevice); said as what it would be.
  bridged: () => t('ownDeviceClassUnsigned'),
  unsigned: () => t('ownDeviceClassUnsigned'),
  'unsigned-of-verified': () => t('ownDeviceClassUnsigned'),
  'conflicting-key': () => t('deviceClassConflictingKey'),
};

export function describeDeviceClass(cls: DeviceClass, own = false): string {
  return (own ? OWN_CLASS_WORDS : CLASS_WORDS)[cls]();
}
