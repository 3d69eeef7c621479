import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AccountStatus } from '../../src/messaging/protocol';
import { type BrowserProfile, type NodeBackground, newBrowserProfile, startNodeBackground } from '../support/nodeBackground.ts';
import { startOAuthHomeserver, type OAuthHomeserver, type OAuthUser } from '../support/oauthHomeserver.ts';
import { waitFor } from '../support/waitFor.ts';

/** Signing in through a homeserver's OAuth 2.0 provider (a MAS stand-in), and keeping the session alive. */

let server: OAuthHomeserver;
const cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  server = await startOAuthHomeserver({ accessTokenTtlSeconds: 300 });
});
afterAll(async () => {
  await server.stop();
});
afterEach(async () => {
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

/** The sealed credentials, as the next start reads them. */
async function sealed(extension: NodeBackground) {
  return (await extension.account.storedCredentials())?.oauth;
}

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
    const grant = await sealed(extension);
    expect(grant).toMatchObject({ issuer: server.issuer });
    expect((await server.introspect((await extension.account.storedCredentials())!.accessToken)).active).toBe(true);
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
