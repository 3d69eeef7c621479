import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AccountCredentials } from '../../../src/model/accountCredentials';
import type { PendingDeviceGrant } from '../../../src/model/deviceGrant';
import { AccountVault } from '../../../src/storage/accountVault';
import { openExtensionDatabase } from '../../../src/storage/extensionDatabase';
import { SecretVault } from '../../../src/storage/secretVault';

const oauthSession: AccountCredentials = {
  homeserverUrl: 'https://matrix.example.org',
  userId: '@alice:example.org',
  deviceId: 'ABCDEFGHIJ',
  accessToken: 'mat_access',
  oauth: {
    issuer: 'https://auth.example.org/',
    clientId: 'client-1',
    refreshToken: 'mar_refresh',
    accessTokenExpiresAt: 1_800_000_000_000,
    previousRefreshToken: 'mar_previous',
  },
};

const grant: PendingDeviceGrant = {
  homeserverUrl: 'https://matrix.example.org',
  issuer: 'https://auth.example.org/',
  clientId: 'client-1',
  deviceId: 'ABCDEFGHIJ',
  deviceCode: 'device-code',
  userCode: 'WDJB-MJHT',
  verificationUri: 'https://auth.example.org/device',
  expiresAt: 1_800_000_600_000,
  intervalSeconds: 5,
};

describe('the account vault', () => {
  let secrets: SecretVault;
  let vault: AccountVault;
  beforeEach(async () => {
    secrets = await SecretVault.open(await openExtensionDatabase(new IDBFactory()));
    vault = new AccountVault(secrets);
  });

  it('gives back an OAuth session whole: both refresh tokens and the expiry', async () => {
    await vault.save(oauthSession);
    expect(await vault.load()).toEqual(oauthSession);
  });

  it('still reads a password session stored before OAuth existed', async () => {
    const { oauth: _none, ...password } = oauthSession;
    await vault.save(password);
    expect(await vault.load()).toEqual(password);
  });

  it.each([
    ['an empty refresh token', { ...oauthSession.oauth, refreshToken: '' }],
    ['an expiry that is no time', { ...oauthSession.oauth, accessTokenExpiresAt: 'soon' }],
    ['an unknown field', { ...oauthSession.oauth, idToken: 'x' }],
    ['no client id', { issuer: 'https://auth.example.org/', refreshToken: 'r' }],
  ])('refuses stored credentials with %s', async (_what, oauth) => {
    await secrets.seal('account-credentials', new TextEncoder().encode(JSON.stringify({ ...oauthSession, oauth })));
    await expect(vault.load()).rejects.toThrow('damaged');
  });

  it('keeps a waiting device authorization until it is cleared, and clears it with the account', async () => {
    await vault.savePendingDeviceGrant(grant);
    expect(await vault.pendingDeviceGrant()).toEqual(grant);
    await vault.clearPendingDeviceGrant();
    expect(await vault.pendingDeviceGrant()).toBeUndefined();
    await vault.savePendingDeviceGrant(grant);
    await vault.clear();
    expect(await vault.pendingDeviceGrant()).toBeUndefined();
  });

  it('drops a damaged device authorization (the user starts again) rather than failing', async () => {
    await secrets.seal('oauth-device-grant', new TextEncoder().encode(JSON.stringify({ ...grant, expiresAt: -1 })));
    expect(await vault.pendingDeviceGrant()).toBeUndefined();
    await secrets.seal('oauth-device-grant', new TextEncoder().encode('{not json'));
    expect(await vault.pendingDeviceGrant()).toBeUndefined();
  });
});
