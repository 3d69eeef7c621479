import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openExtensionDatabase } from '../../src/storage/extensionDatabase.ts';
import { AccountVault } from '../../src/storage/accountVault.ts';
import { SecretVault } from '../../src/storage/secretVault.ts';
import { newBrowserProfile, startNodeBackground, type NodeBackground } from '../support/nodeBackground.ts';
import { startOAuthHomeserver, type OAuthHomeserver, type OAuthUser } from '../support/oauthHomeserver.ts';
import { deviceGrantToken } from '../support/oauthPeer.ts';
import { sdkSessionOf } from '../support/sdkSession.ts';
import { waitFor } from '../support/waitFor.ts';

/**
 * A homeserver that delegates auth (Synapse + a stand-in MAS): signing another session out and
 * resetting the identity go through its account page, driven here as the user would
 * (`accountAction`). The extension's device is signed in with the device grant, as the test's
 * own step (the extension's own OAuth sign-in has its tests in oauthSignIn.test.ts), and resumed
 * by the background.
 */
describe('on a server with next-generation auth, the account page', () => {
  let server: OAuthHomeserver;
  const running: NodeBackground[] = [];

  beforeAll(async () => {
    server = await startOAuthHomeserver({ accessTokenTtlSeconds: 3_600 });
  });
  afterAll(async () => {
    for (const background of running) background.stop();
    await server.stop();
  });

  const signInDevice = (user: OAuthUser, deviceId: string) => deviceGrantToken(server, user, deviceId);

  /** The extension's background, resuming a device the test signed in. */
  async function extensionFor(user: OAuthUser, network?: typeof fetch): Promise<NodeBackground> {
    const accessToken = await signInDevice(user, 'EXTENSION');
    const profile = newBrowserProfile();
    const db = await openExtensionDatabase(profile.indexedDB);
    await new AccountVault(await SecretVault.open(db)).save({
      homeserverUrl: server.baseUrl,
      userId: user.userId,
      deviceId: 'EXTENSION',
      accessToken,
    });
    db.close();
    const background = await startNodeBackground(profile, network);
    running.push(background);
    expect(background.signedIn()).toMatchObject({ userId: user.userId, deviceId: 'EXTENSION' });
    return background;
  }

  it('signs another session out there: no DELETE is sent, and the extension sees the session gone once the user did it', async () => {
    const user = await server.registerUser();
    await signInDevice(user, 'OLDPHONE');
    const background = await extensionFor(user);
    const security = background.account.security();

    const answer = await security.signOutSession('OLDPHONE');
    expect(answer.needsPassword).toBe(false);
    const link = new URL(answer.accountPage ?? '');
    expect(link.origin + link.pathname).toBe(new URL(server.accountUrl).origin + new URL(server.accountUrl).pathname);
    expect(Object.fromEntries(link.searchParams)).toMatchObject({ action: 'org.matrix.device_delete', device_id: 'OLDPHONE' });
    expect(background.requests.some((url) => url.includes('/devices/OLDPHONE'))).toBe(false);
    expect(await security.accountPageSignOuts()).toMatchObject([{ deviceId: 'OLDPHONE', gone: false }]);

    await server.accountAction(user, { action: 'org.matrix.device_delete', deviceId: 'OLDPHONE' });
    expect(await security.accountPageSignOuts()).toMatchObject([{ deviceId: 'OLDPHONE', gone: true }]);
    expect(await security.accountPageSignOuts()).toEqual([]);
  });

  // The older answer reaches the extension after the reset (NewIdentityKeeper restores the keys
  // it takes), or while the new keys are being uploaded (KeyQueryFence holds it and asks again).
  it.each(['after the reset', 'during the upload'] as const)(
    'approves an identity reset: the reset waits for it, never asks for a password, and once approved the new identity is published and held (an older key query answered %s)',
    async (delivered) => {
      const user = await server.registerUser();
      const observerToken = await signInDevice(user, 'OBSERVER');
      const stale = staleKeyQuery(user.userId, delivered === 'during the upload');
      const background = await extensionFor(user, stale.network);
      const { recovery } = background.account.security();
      const key = await recovery.start({ reset: false });
      expect(await recovery.confirm(key)).toEqual({ step: 'done', what: 'set-up' });
      const published = () => masterKeyOnServer(server.baseUrl, observerToken, user.userId);
      const before = await waitFor('the first identity on the server', published);

      const waiting = await recovery.resetIdentity();
      expect(waiting).toMatchObject({ step: 'needs-approval', again: false });
      if (waiting.step !== 'needs-approval') throw new Error('unreachable');
      expect(waiting.url.startsWith(new URL(server.accountUrl).origin)).toBe(true);
      expect(await published()).toBe(before);

      await server.accountAction(user, { action: 'org.matrix.cross_signing_reset' });
      // A key query about the account, answered before the reset, whose answer reaches the
      // crypto after it (seen under load): the SDK then drops the keys of the new identity.
      stale.arm();
      const newPhoneToken = await signInDevice(user, 'NEWPHONE');
      await uploadDeviceKeys(server.baseUrl, newPhoneToken, user.userId, 'NEWPHONE');
      await stale.held;
      expect(await recovery.resetIdentity()).toEqual({ step: 'done', what: 'identity-reset' });
      const after = await published();
      expect(after).not.toBe(before);
      stale.release();

      const crypto = sdkSessionOf(background.account.device).crypto;
      await waitFor(
        'the extension to hold the new identity',
        async () => ((await crypto.getCrossSigningKeyId()) === after ? true : undefined),
        60_000,
      );
      expect(background.recoveryViews.map((view) => view.step)).not.toContain('needs-password');
    },
    180_000,
  );
});

/**
 * The extension's network, with one key query about `userId` (the first after `arm`) answered
 * by the server at once but handed to the extension only on `release`, or when the reset's
 * upload of its new keys goes out (`releaseAtUpload`).
 */
function staleKeyQuery(userId: string, releaseAtUpload: boolean) {
  let armed = false;
  let holding = false;
  const { promise: held, resolve: markHeld } = Promise.withResolvers<undefined>();
  const { promise: released, resolve: release } = Promise.withResolvers<undefined>();
  const network: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    // The reset's own upload, once an older answer is held (the first attempt, before approval, uploads nothing).
    if (releaseAtUpload && holding && url.includes('/keys/device_signing/upload')) release(undefined);
    if (!armed || !url.includes('/keys/query') || typeof init?.body !== 'string' || !init.body.includes(userId)) return fetch(input, init);
    armed = false;
    const answer = await fetch(input, init);
    const body = await answer.text();
    holding = true;
    markHeld(undefined);
    await released;
    return new Response(body, { status: answer.status, headers: answer.headers });
  };
  return { network, held, release: () => release(undefined), arm: () => (armed = true) };
}

/** Gives a session device keys, as a client does at sign-in: the account's device list changes. */
async function uploadDeviceKeys(baseUrl: string, accessToken: string, userId: string, deviceId: string): Promise<void> {
  const response = await fetch(`${baseUrl}/_matrix/client/v3/keys/upload`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      device_keys: {
        user_id: userId,
        device_id: deviceId,
        algorithms: ['m.olm.v1.curve25519-aes-sha2', 'm.megolm.v1.aes-sha2'],
        keys: { [`curve25519:${deviceId}`]: 'c'.repeat(43), [`ed25519:${deviceId}`]: 'e'.repeat(43) },
        signatures: {},
      },
    }),
  });
  if (!response.ok) throw new Error(`keys/upload answered ${response.status}`);
}

/** The user's master key as another of their sessions gets it from the server. */
async function masterKeyOnServer(baseUrl: string, accessToken: string, userId: string): Promise<string | undefined> {
  const response = await fetch(`${baseUrl}/_matrix/client/v3/keys/query`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ device_keys: { [userId]: [] } }),
  });
  const body = (await response.json()) as { master_keys?: Record<string, { keys: Record<string, string> }> };
  const keys = body.master_keys?.[userId]?.keys;
  return keys && Object.values(keys)[0];
}
