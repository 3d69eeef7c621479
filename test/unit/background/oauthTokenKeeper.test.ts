import { describe, expect, it } from 'vitest';
import { OAuthTokenKeeper } from '../../../src/background/oauthTokenKeeper';
import type { AccountCredentials } from '../../../src/model/accountCredentials';
import type { AccountVault } from '../../../src/storage/accountVault';

const start: AccountCredentials = {
  homeserverUrl: 'https://matrix.example.org',
  userId: '@alice:example.org',
  deviceId: 'ABCDEFGHIJ',
  accessToken: 'access-0',
  oauth: { issuer: 'https://auth.example.org/', clientId: 'client-1', refreshToken: 'refresh-0' },
};

/** A vault that records every write, and can be made to fail. */
function recordingVault() {
  const writes: AccountCredentials[] = [];
  let failing = false;
  const vault = {
    save: (credentials: AccountCredentials) => {
      if (failing) return Promise.reject(new Error('disk full'));
      writes.push(credentials);
      return Promise.resolve();
    },
  } as unknown as AccountVault;
  return { vault, writes, fail: (on: boolean) => (failing = on) };
}

describe('the OAuth token keeper', () => {
  it('seals rotated tokens, with the refresh token they replace kept, before the refresh completes', async () => {
    const { vault, writes } = recordingVault();
    const keeper = new OAuthTokenKeeper(start, vault);
    await keeper.refreshed({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresAt: 1_800_000_000_000 });
    expect(writes).toHaveLength(1);
    expect(writes[0]?.accessToken).toBe('access-1');
    expect(writes[0]?.oauth).toMatchObject({
      refreshToken: 'refresh-1',
      previousRefreshToken: 'refresh-0',
      accessTokenExpiresAt: 1_800_000_000_000,
    });
    expect(keeper.current).toBe(writes[0]);
  });

  it('lets the previous refresh token go once the new tokens worked, and writes nothing more after that', async () => {
    const { vault, writes } = recordingVault();
    const keeper = new OAuthTokenKeeper(start, vault);
    await keeper.refreshed({ accessToken: 'access-1', refreshToken: 'refresh-1' });
    await keeper.worked();
    await keeper.worked();
    expect(writes).toHaveLength(2);
    expect(writes[1]?.oauth?.previousRefreshToken).toBeUndefined();
    expect(writes[1]?.oauth?.refreshToken).toBe('refresh-1');
  });

  it('writes nothing when tokens that were never rotated work', async () => {
    const { vault, writes } = recordingVault();
    await new OAuthTokenKeeper(start, vault).worked();
    expect(writes).toEqual([]);
  });

  it('keeps the tokens it had when sealing fails, so the SDK does not use tokens that are not stored', async () => {
    const { vault, fail } = recordingVault();
    const keeper = new OAuthTokenKeeper(start, vault);
    fail(true);
    await expect(keeper.refreshed({ accessToken: 'access-1', refreshToken: 'refresh-1' })).rejects.toThrow('disk full');
    expect(keeper.current).toBe(start);
    fail(false);
    await keeper.refreshed({ accessToken: 'access-2', refreshToken: 'refresh-2' });
    expect(keeper.current.oauth?.previousRefreshToken).toBe('refresh-0');
  });

  it('chains a second rotation on the first one, in order', async () => {
    const { vault, writes } = recordingVault();
    const keeper = new OAuthTokenKeeper(start, vault);
    await Promise.all([
      keeper.refreshed({ accessToken: 'access-1', refreshToken: 'refresh-1' }),
      keeper.refreshed({ accessToken: 'access-2', refreshToken: 'refresh-2' }),
    ]);
    expect(writes.map((write) => write.oauth?.previousRefreshToken)).toEqual(['refresh-0', 'refresh-1']);
  });
});
