import { describe, expect, it } from 'vitest';
import { deviceGrantView, secondsLeft, type PendingDeviceGrant } from '../../../src/model/deviceGrant';

const grant: PendingDeviceGrant = {
  homeserverUrl: 'https://matrix.example.org',
  issuer: 'https://auth.example.org/',
  clientId: 'client-1',
  deviceId: 'ABCDEFGHIJ',
  deviceCode: 'secret-device-code',
  userCode: 'WDJB-MJHT',
  verificationUri: 'https://auth.example.org/device',
  expiresAt: 1_800_000_600_000,
  intervalSeconds: 5,
};

describe('a device authorization as the sign-in form shows it', () => {
  it('shows the code, the page and the expiry, never the device code', () => {
    const view = deviceGrantView(grant);
    expect(view).toEqual({
      state: 'waiting',
      userCode: 'WDJB-MJHT',
      verificationUri: 'https://auth.example.org/device',
      expiresAt: grant.expiresAt,
    });
    expect(JSON.stringify(view)).not.toContain('secret-device-code');
  });

  it('links the page with the code filled in when the provider gives one', () => {
    const complete = { ...grant, verificationUriComplete: 'https://auth.example.org/device?code=WDJB-MJHT' };
    expect(deviceGrantView(complete)).toMatchObject({ verificationUri: 'https://auth.example.org/device?code=WDJB-MJHT' });
  });

  it('counts the time left down to nothing, never below', () => {
    expect(secondsLeft(grant, grant.expiresAt - 90_500)).toBe(90);
    expect(secondsLeft(grant, grant.expiresAt)).toBe(0);
    expect(secondsLeft(grant, grant.expiresAt + 5_000)).toBe(0);
  });
});
