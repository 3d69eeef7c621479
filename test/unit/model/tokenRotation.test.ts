import { describe, expect, it } from 'vitest';
import type { AccountCredentials } from '../../../src/model/accountCredentials';
import { confirmed, needsRefresh, refreshCandidates, REFRESH_MARGIN_MS, rotated } from '../../../src/model/tokenRotation';

const NOW = 1_800_000_000_000;

const grant = { issuer: 'https://auth.example.org/', clientId: 'client-1', refreshToken: 'refresh-0', accessTokenExpiresAt: NOW + 300_000 };

const signedIn: AccountCredentials = {
  homeserverUrl: 'https://matrix.example.org',
  userId: '@alice:example.org',
  deviceId: 'ABCDEFGHIJ',
  accessToken: 'access-0',
  oauth: grant,
};

describe('token rotation', () => {
  it('a refresh that returns a new refresh token keeps the one it used as the previous one', () => {
    const next = rotated(signedIn, { accessToken: 'access-1', refreshToken: 'refresh-1', expiresAt: NOW + 600_000 }, 'refresh-0');
    expect(next.accessToken).toBe('access-1');
    expect(next.oauth).toEqual({
      issuer: 'https://auth.example.org/',
      clientId: 'client-1',
      refreshToken: 'refresh-1',
      accessTokenExpiresAt: NOW + 600_000,
      previousRefreshToken: 'refresh-0',
    });
  });

  it('a refresh without a new refresh token keeps using the old one, with nothing kept as previous', () => {
    const next = rotated(signedIn, { accessToken: 'access-1' }, 'refresh-0');
    expect(next.oauth?.refreshToken).toBe('refresh-0');
    expect(next.oauth?.previousRefreshToken).toBeUndefined();
    expect(next.oauth?.accessTokenExpiresAt).toBeUndefined();
  });

  it('a refresh made with the kept previous token keeps that one, not the token the provider refused', () => {
    const cutShort = rotated(signedIn, { accessToken: 'access-1', refreshToken: 'refresh-1' }, 'refresh-0');
    const redone = rotated(cutShort, { accessToken: 'access-2', refreshToken: 'refresh-2' }, 'refresh-0');
    expect(redone.oauth?.refreshToken).toBe('refresh-2');
    expect(redone.oauth?.previousRefreshToken).toBe('refresh-0');
  });

  it('tokens that worked let the previous refresh token go, and nothing else', () => {
    const next = rotated(signedIn, { accessToken: 'access-1', refreshToken: 'refresh-1' }, 'refresh-0');
    const done = confirmed(next);
    expect(done.oauth?.previousRefreshToken).toBeUndefined();
    expect(done.oauth?.refreshToken).toBe('refresh-1');
    expect(done.accessToken).toBe('access-1');
  });

  it('confirming tokens with no previous refresh token changes nothing (no write needed)', () => {
    expect(confirmed(signedIn)).toBe(signedIn);
  });

  it('tries the stored refresh token first, then the kept previous one', () => {
    const next = rotated(signedIn, { accessToken: 'access-1', refreshToken: 'refresh-1' }, 'refresh-0');
    expect(refreshCandidates(next.oauth ?? grant)).toEqual(['refresh-1', 'refresh-0']);
    expect(refreshCandidates(grant)).toEqual(['refresh-0']);
  });

  it('refreshes a token about to expire, not one with time left, and never one of unknown expiry', () => {
    expect(needsRefresh(grant, NOW)).toBe(false);
    expect(needsRefresh(grant, NOW + 300_000 - REFRESH_MARGIN_MS + 1)).toBe(true);
    expect(needsRefresh(grant, NOW + 400_000)).toBe(true);
    expect(needsRefresh({ ...grant, accessTokenExpiresAt: undefined }, NOW + 10 ** 9)).toBe(false);
  });

  it('a password session is no OAuth session', () => {
    const { oauth: _none, ...password } = signedIn;
    expect(() => rotated(password, { accessToken: 'x' }, 'refresh-0')).toThrow('not an OAuth session');
  });
});
