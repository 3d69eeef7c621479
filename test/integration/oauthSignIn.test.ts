import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AccountStatus } from '../../src/messaging/protocol';
import { AccountVault } from '../../src/storage/accountVault';
import { openExtensionDatabase } from '../../src/storage/extensionDatabase';
import { SecretVault } from '../../src/storage/secretVault';
import { type BrowserProfile, type NodeBackground, newBrowserProfile, startNodeBackground } from '../support/nodeBackground.ts';
import { startOAuthHomeserver, type OAuthHomeserver, type OAuthUser } from '../support/oauthHomeserver.ts';
import { oauthPeer } from '../support/oauthPeer.ts';
import { waitFor } from '../support/waitFor.ts';

/** Signing in through a homeserver's OAuth 2.0 provider (a MAS stand-in), and keeping the session alive. */

let server: OAuthHomeserver;
const realFetch = globalThis.fetch;
const cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  server = await startOAuthHomeserver({ accessTokenTtlSeconds: 300 });
});
afterAll(async () => {
  await server.stop();
});
afterEach(async () => {
  globalThis.fetch = realFetch;
  server.providerUp();
  server.setAccessTokenTtl(300);
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function background(profile: BrowserProfile = newBrowserProfile()): Promise<NodeBackground & { profile: BrowserProfile }> {
  const started = await startNodeBackground(profile);
  cleanups.push(() => started.stop());
  return { ...started, profile };
}

function waitingCode(status: AccountStatus): string {
  if (status.state !== 'signed-out' || status.deviceGrant?.state !== 'waiting')
    throw new Error(`no code to confirm: ${JSON.stringify(status)}`);
  return status.deviceGrant.userCode;
}

function signedInAgain(extension: NodeBackground) {
  return waitFor('signed in', () => (extension.status.get().account.state === 'signed-in' ? extension.signedIn() : undefined));
}

function syncedAfter(extension: NodeBackground, since: number) {
  return waitFor('a sync after that', () => {
    const account = extension.status.get().account;
    return account.state === 'signed-in' && account.sync.state === 'syncing' && account.sync.lastSyncAt > since ? account : undefined;
  });
}

/** The sealed credentials, as the next start reads them (also of a background that hangs). */
async function sealedIn(profile: BrowserProfile) {
  const credentials = await new AccountVault(await SecretVault.open(await openExtensionDatabase(profile.indexedDB))).load();
  if (!credentials?.oauth) throw new Error('no OAuth session sealed');
  return { accessToken: credentials.accessToken, ...credentials.oauth };
}

/** Waits, with the worker stopped, until the provider says the access token it held has expired. */
function expired(accessToken: string) {
  return waitFor('the access token to expire', async () => ((await server.introspect(accessToken)).active ? undefined : true), 30_000);
}

/** A refresh at the provider's token endpoint (OAuth2 uses the global fetch). */
function isRefresh(input: RequestInfo | URL, init?: RequestInit): boolean {
  const url = input instanceof Request ? input.url : String(input);
  return (
    url.startsWith(server.issuer) &&
    url.includes('token') &&
    init?.body instanceof URLSearchParams &&
    init.body.get('grant_type') === 'refresh_token'
  );
}

/** What a stopped worker does with a request: never anything more. */
const never = () => new Promise<Response>(() => undefined);

async function signedInByDeviceGrant(user: OAuthUser, profile?: BrowserProfile) {
  const extension = await background(profile);
  const code = waitingCode(await extension.account.signInWithOAuth(server.baseUrl));
  await server.approveDeviceCode(user, code);
  const account = await signedInAgain(extension);
  return { extension, account };
}

describe('signing in with OAuth 2.0', () => {
  it('by device authorization: the code shown, approved on the provider, the device started like after a password', async () => {
    const user = await server.registerUser();
    const { extension, account } = await signedInByDeviceGrant(user);
    expect(account).toMatchObject({ userId: user.userId, homeserverUrl: server.baseUrl });
    const grant = await sealedIn(extension.profile);
    expect(grant).toMatchObject({ issuer: server.issuer });
    expect((await server.introspect(grant.accessToken)).active).toBe(true);
  });

  it('a waiting device authorization survives a worker stop and completes after the next start', async () => {
    const user = await server.registerUser();
    const first = await background();
    const code = waitingCode(await first.account.signInWithOAuth(server.baseUrl));
    first.stop();
    await server.approveDeviceCode(user, code);
    const second = await background(first.profile);
    waitingCode(second.status.get().account);
    expect((await signedInAgain(second)).userId).toBe(user.userId);
  });

  it('cancelled, the device authorization ends and nothing is left waiting after a restart', async () => {
    const first = await background();
    waitingCode(await first.account.signInWithOAuth(server.baseUrl));
    expect(await first.account.cancelSignIn()).toEqual({ state: 'signed-out' });
    first.stop();
    const second = await background(first.profile);
    expect(second.status.get().account).toEqual({ state: 'signed-out' });
  });
});

describe('keeping an OAuth session alive', () => {
  it('refreshes the access token when it expires, and lets the previous refresh token go once the new tokens worked', async () => {
    server.setAccessTokenTtl(4);
    const { extension } = await signedInByDeviceGrant(await server.registerUser());
    const before = await sealedIn(extension.profile);
    await waitFor(
      'a refreshed token',
      async () => ((await sealedIn(extension.profile)).refreshToken !== before.refreshToken ? true : undefined),
      60_000,
    );
    // Tokens that live long enough to be seen at rest.
    server.setAccessTokenTtl(300);
    await waitFor(
      'the previous refresh token let go',
      async () => ((await sealedIn(extension.profile)).previousRefreshToken === undefined ? true : undefined),
      60_000,
    );
    await syncedAfter(extension, Date.now());
    expect((await server.introspect((await sealedIn(extension.profile)).accessToken)).active).toBe(true);
  });

  it('refreshes at the next start tokens that expired while the worker was stopped', async () => {
    server.setAccessTokenTtl(3);
    const { extension } = await signedInByDeviceGrant(await server.registerUser());
    const before = await sealedIn(extension.profile);
    extension.stop();
    await expired(before.accessToken);
    const again = await background(extension.profile);
    await syncedAfter(again, Date.now());
    const after = await sealedIn(again.profile);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect((await server.introspect(after.accessToken)).active).toBe(true);
  });

  it('a worker stopped after the provider answered a refresh but before it was sealed refreshes again with the old token', async () => {
    server.setAccessTokenTtl(3);
    const { extension } = await signedInByDeviceGrant(await server.registerUser());
    const before = await sealedIn(extension.profile);
    extension.stop();
    await expired(before.accessToken);
    let answered = false;
    globalThis.fetch = async (input, init) => {
      if (!isRefresh(input, init)) return realFetch(input, init);
      await realFetch(input, init);
      answered = true;
      return never();
    };
    void startNodeBackground(extension.profile);
    await waitFor('the token endpoint answered', () => answered || undefined);
    expect((await sealedIn(extension.profile)).refreshToken).toBe(before.refreshToken);
    globalThis.fetch = realFetch;
    const again = await background(extension.profile);
    await syncedAfter(again, Date.now());
    expect((await sealedIn(again.profile)).refreshToken).not.toBe(before.refreshToken);
  });

  it('a worker stopped after sealing new tokens but before using them keeps the old refresh token until they worked', async () => {
    server.setAccessTokenTtl(3);
    const { extension } = await signedInByDeviceGrant(await server.registerUser());
    const before = await sealedIn(extension.profile);
    extension.stop();
    await expired(before.accessToken);
    // The new tokens live on after the restart: the same ones must be used, not refreshed again.
    server.setAccessTokenTtl(300);
    let stoppedAtUse = false;
    // The Matrix requests of this worker only: once it is about to use the new token, it is dead for good.
    const dyingWorker: typeof fetch = async (input, init) => {
      if (stoppedAtUse) return never();
      const sealedNow = await sealedIn(extension.profile);
      if (sealedNow.accessToken !== before.accessToken && JSON.stringify(init?.headers ?? {}).includes(sealedNow.accessToken)) {
        stoppedAtUse = true;
        return never();
      }
      return realFetch(input, init);
    };
    void startNodeBackground(extension.profile, dyingWorker);
    await waitFor('the new token about to be used', () => stoppedAtUse || undefined);
    const between = await sealedIn(extension.profile);
    expect(between.previousRefreshToken).toBe(before.refreshToken);
    const again = await background(extension.profile);
    await syncedAfter(again, Date.now());
    await waitFor('the previous refresh token let go', async () =>
      (await sealedIn(again.profile)).previousRefreshToken === undefined ? true : undefined,
    );
    expect((await sealedIn(again.profile)).accessToken).toBe(between.accessToken);
  });

  it('says offline while the provider is down, stays signed in, and syncs again when it is back', async () => {
    server.setAccessTokenTtl(3);
    const { extension } = await signedInByDeviceGrant(await server.registerUser());
    server.providerDown();
    await waitFor(
      'offline',
      () => {
        const account = extension.status.get().account;
        return account.state === 'signed-in' && account.sync.state === 'offline' ? true : undefined;
      },
      90_000,
    );
    expect(extension.status.get().account.state).toBe('signed-in');
    server.providerUp();
    await syncedAfter(extension, Date.now());
  });

  it('a refresh token revoked by the provider is "signed out by the server", the ledger kept', async () => {
    const user = await server.registerUser();
    const bobUser = await server.registerUser({ displayName: 'Bob' });
    const bob = await oauthPeer(server, bobUser, 'BOBLAPTOP');
    cleanups.push(() => bob.stop());
    await bob.bootstrapCrossSigning();
    const { extension } = await signedInByDeviceGrant(user);
    const phone = await oauthPeer(server, user, 'USERPHONE');
    cleanups.push(() => phone.stop());
    const roomId = await phone.shareRoomWith(bob);
    // A device Bob never signed: something the ledger holds, and must keep.
    const rogue = await oauthPeer(server, bobUser, 'BOBROGUE');
    cleanups.push(() => rogue.stop());
    await extension.reportWhere(
      roomId,
      (report) => report.members.some((m) => m.userId === bobUser.userId && m.devices.some((d) => d.deviceId === 'BOBROGUE')),
      "Bob's unsigned device in the report",
    );
    const ledger = await waitFor('the ledger to hold it', async () => {
      const entries = await extension.ledger.allEntries();
      return entries.some((entry) => entry.deviceId === 'BOBROGUE') ? entries : undefined;
    });

    await server.revokeAllFor(user);
    // Synapse keeps a token's introspection for 2 minutes (synapse/api/auth/mas.py), so a revoked
    // access token goes on working that long; then a /sync is refused, the refresh is too, and
    // the session ends. Up to 2 minutes plus a long poll: a wait of 90 s failed once.
    const ended = await waitFor(
      'signed out by the server',
      () => {
        const account = extension.status.get().account;
        return account.state === 'signed-out' && account.endedByServerAt !== undefined ? account : undefined;
      },
      180_000,
    );
    expect(ended.state).toBe('signed-out');
    expect(await extension.account.storedCredentials()).toBeUndefined();
    expect(await extension.ledger.allEntries()).toEqual(ledger);
  }, 300_000);

  it('signing out revokes the tokens at the provider', async () => {
    const { extension } = await signedInByDeviceGrant(await server.registerUser());
    const tokens = await sealedIn(extension.profile);
    expect(await extension.account.signOut()).toEqual({ removedFromServer: true });
    expect((await server.introspect(tokens.accessToken)).active).toBe(false);
    expect(server.requests.some((request) => request.path.includes('revo'))).toBe(true);
  });

  it('signing out while the provider is down signs out here all the same, and says so', async () => {
    const { extension } = await signedInByDeviceGrant(await server.registerUser());
    server.providerDown();
    expect(await extension.account.signOut()).toEqual({ removedFromServer: false });
    expect(extension.status.get().account).toEqual({ state: 'signed-out' });
    expect(await extension.account.storedCredentials()).toBeUndefined();
  });
});
