import { VerificationPhase } from 'matrix-js-sdk/lib/crypto-api/index.js';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { freshSecurityStatus, type NodeBackground, newBrowserProfile, startNodeBackground } from '../support/nodeBackground.ts';
import { Peer } from '../support/peer.ts';
import { connectToSynapse, type RegisteredUser } from '../support/synapse.ts';
import { waitFor } from '../support/waitFor.ts';
import { sdkSessionOf } from '../support/sdkSession';

/** Recovery, verification and identity resets, as the extension's background runs them. */

const server = inject('synapse');
const synapse = connectToSynapse(server);
const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function signedInExtension(user: RegisteredUser): Promise<NodeBackground> {
  const extension = await startNodeBackground(newBrowserProfile());
  cleanups.push(() => extension.stop());
  await extension.account.signIn({ homeserver: server.baseUrl, user: user.userId, password: user.password });
  return extension;
}

async function peer(user: RegisteredUser, deviceName: string): Promise<Peer> {
  const started = await Peer.login(server, user, { deviceName });
  cleanups.push(() => started.stop());
  return started;
}

/** What the server holds for the account: cross-signing keys and the default secret storage key. */
async function serverSide(user: RegisteredUser): Promise<{ identity: boolean; secretStorage: boolean }> {
  const headers = { Authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json' };
  const keys = await fetch(`${server.baseUrl}/_matrix/client/v3/keys/query`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ device_keys: { [user.userId]: [] } }),
  });
  const { master_keys: masterKeys } = (await keys.json()) as { master_keys?: Record<string, unknown> };
  const secret = await fetch(
    `${server.baseUrl}/_matrix/client/v3/user/${encodeURIComponent(user.userId)}/account_data/m.secret_storage.default_key`,
    { headers },
  );
  return { identity: masterKeys?.[user.userId] !== undefined, secretStorage: secret.ok };
}

/** The id of the account's default secret storage key (its recovery key), null when there is none. */
async function recoveryKeyId(user: RegisteredUser): Promise<string | null> {
  const response = await fetch(
    `${server.baseUrl}/_matrix/client/v3/user/${encodeURIComponent(user.userId)}/account_data/m.secret_storage.default_key`,
    {
      headers: { Authorization: `Bearer ${user.accessToken}` },
    },
  );
  return response.ok ? (((await response.json()) as { key?: string }).key ?? null) : null;
}

describe('setting up recovery on a fresh account', () => {
  it('uploads nothing until the new key is typed back, then makes the account and this extension ready', async () => {
    const alice = await synapse.registerUser();
    const extension = await signedInExtension(alice);
    const security = extension.account.security();
    const key = await security.recovery.start({ reset: false });
    expect(key.split(' ')).toHaveLength(12);
    expect(await serverSide(alice)).toEqual({ identity: false, secretStorage: false });

    await expect(security.recovery.confirm('EsTc LW2K PGiF wKEA')).rejects.toThrow('That is not the recovery key shown above.');
    expect(await serverSide(alice)).toEqual({ identity: false, secretStorage: false });

    // Typed without the spaces it was shown with, as people paste it.
    await expect(security.recovery.confirm(key.replace(/ /g, ''))).resolves.toEqual({ step: 'done', what: 'set-up' });
    expect(await serverSide(alice)).toEqual({ identity: true, secretStorage: true });
    const status = await freshSecurityStatus(security);
    expect(status).toMatchObject({
      identityOnServer: true,
      thisDeviceVerified: true,
      crossSigning: { ready: true, privateKeysInSecretStorage: true },
      secretStorage: { ready: true, passphraseBased: false },
    });
    expect(status.keyBackup.activeVersion).toBe(status.keyBackup.serverVersion);
    expect(status.keyBackup.trusted).toBe(true);
    expect(() => security.recovery.shownKey()).toThrow('No recovery key is waiting');
  });

  it('verifies a second browser with the recovery key; a wrong key first changes nothing', async () => {
    const alice = await synapse.registerUser();
    const first = await signedInExtension(alice);
    const key = await first.account.security().recovery.start({ reset: false });
    await first.account.security().recovery.confirm(key);
    first.stop();

    const second = await signedInExtension(alice);
    const security = second.account.security();
    expect((await freshSecurityStatus(security)).thisDeviceVerified).toBe(false);
    await expect(security.recovery.unlock('EsTc LW2K PGiF wKEA 5L2Y ArUB 7ivx s4Ht Dhpc 3Xxp 2fCA 1EAY')).rejects.toThrow(
      'That key does not match.',
    );
    await expect(security.recovery.unlock('not even a key')).rejects.toThrow('That key does not match.');
    expect((await freshSecurityStatus(security)).thisDeviceVerified).toBe(false);
    await security.recovery.unlock(key);
    const status = await waitFor('the second browser to be verified', async () => {
      const now = await freshSecurityStatus(security);
      return now.thisDeviceVerified ? now : undefined;
    });
    expect(status.crossSigning.privateKeysCachedLocally).toEqual({ masterKey: true, selfSigningKey: true, userSigningKey: true });
  });

  it('sets up with a passphrase, which then unlocks another browser', async () => {
    const alice = await synapse.registerUser();
    const first = await signedInExtension(alice);
    await first.account.security().recovery.start({ passphrase: 'correct horse battery staple', reset: false });
    await expect(first.account.security().recovery.confirm('correct horse battery')).rejects.toThrow(
      'That is not the passphrase you chose.',
    );
    await first.account.security().recovery.confirm('correct horse battery staple');
    expect((await freshSecurityStatus(first.account.security())).secretStorage.passphraseBased).toBe(true);
    first.stop();

    const second = await signedInExtension(alice);
    await second.account.security().recovery.unlock('correct horse battery staple');
    await waitFor(
      'the passphrase to verify the second browser',
      async () => (await freshSecurityStatus(second.account.security())).thisDeviceVerified || undefined,
    );
  });

  it('resets the recovery key: the old key no longer unlocks another browser, the new one does', async () => {
    const alice = await synapse.registerUser();
    const first = await signedInExtension(alice);
    const oldKey = await first.account.security().recovery.start({ reset: false });
    await first.account.security().recovery.confirm(oldKey);
    const newKey = await first.account.security().recovery.start({ reset: true });
    expect(newKey).not.toBe(oldKey);
    await first.account.security().recovery.confirm(newKey);
    const status = await freshSecurityStatus(first.account.security());
    expect(status).toMatchObject({ thisDeviceVerified: true, crossSigning: { ready: true }, secretStorage: { ready: true } });
    first.stop();

    const second = await signedInExtension(alice);
    const security = second.account.security();
    await expect(security.recovery.unlock(oldKey)).rejects.toThrow('That key does not match.');
    expect((await freshSecurityStatus(security)).thisDeviceVerified).toBe(false);
    await security.recovery.unlock(newKey);
    await waitFor(
      'the new key to verify the second browser',
      async () => (await freshSecurityStatus(security)).thisDeviceVerified || undefined,
    );
  });
});

describe('verifying with another device', () => {
  it('compares emoji with a device of the same account, and both end verified', async () => {
    const alice = await synapse.registerUser();
    const phone = await peer(alice, "Alice's phone");
    await phone.bootstrapCrossSigning();
    const extension = await signedInExtension(alice);
    const { verification } = extension.account.security();
    await waitFor(
      'the extension to know the phone',
      async () =>
        (await sdkSessionOf(extension.account.device).crypto.getUserDeviceInfo([alice.userId])).get(alice.userId)?.has(phone.deviceId) ||
        undefined,
    );

    await verification.start({});
    const incoming = await waitFor(
      'the phone to receive the request',
      () => phone.crypto.getVerificationRequestsToDeviceInProgress(alice.userId)[0],
    );
    await incoming.accept();
    // The extension asked, so it starts the emoji exchange once the phone accepted.
    const phoneVerifier = await waitFor('the phone to have a verifier', () => incoming.verifier);
    const phoneVerified = phoneVerifier.verify();
    const shown = await waitFor('the extension to show emoji', () =>
      verification.current.phase === 'emoji' ? verification.current : undefined,
    );
    const phoneSas = await waitFor('the phone to show emoji', () => phoneVerifier.getShowSasCallbacks() ?? undefined);
    // The phone's owner compares and confirms only when they match, as a person would.
    expect(phoneSas.sas.emoji?.map(([symbol]) => symbol)).toEqual(shown.emoji.map(([symbol]) => symbol));
    expect(shown.emoji).toHaveLength(7);
    await Promise.all([phoneSas.confirm(), verification.confirm()]);
    await phoneVerified;
    await waitFor('the extension to finish', () => (verification.current.phase === 'done' ? true : undefined));
    await waitFor(
      'the extension to be verified',
      async () => (await freshSecurityStatus(extension.account.security())).thisDeviceVerified || undefined,
    );
  });

  it('accepts a request started from another device, and reports a mismatch as cancelled', async () => {
    const alice = await synapse.registerUser();
    const phone = await peer(alice, "Alice's phone");
    await phone.bootstrapCrossSigning();
    const extension = await signedInExtension(alice);
    const { verification } = extension.account.security();
    const deviceId = extension.signedIn().deviceId;
    await waitFor(
      'the extension to know the phone',
      async () =>
        (await sdkSessionOf(extension.account.device).crypto.getUserDeviceInfo([alice.userId])).get(alice.userId)?.has(phone.deviceId) ||
        undefined,
    );
    await waitFor(
      'the phone to know the extension',
      async () => (await phone.crypto.getUserDeviceInfo([alice.userId])).get(alice.userId)?.has(deviceId) || undefined,
    );
    const request = await phone.crypto.requestDeviceVerification(alice.userId, deviceId);
    await waitFor('the extension to see the request', () => (verification.current.phase === 'incoming' ? true : undefined));
    await verification.accept();
    await waitFor('the phone to see it accepted', () => (request.phase === VerificationPhase.Ready ? true : undefined));
    const phoneVerifier = await request.startVerification('m.sas.v1');
    phoneVerifier.verify().catch(() => undefined);
    await waitFor('the extension to show emoji', () => (verification.current.phase === 'emoji' ? true : undefined));
    verification.mismatch();
    const cancelled = await waitFor('the cancellation', () =>
      verification.current.phase === 'cancelled' ? verification.current : undefined,
    );
    expect(cancelled.reason).toContain('did not match');
    expect((await freshSecurityStatus(extension.account.security())).thisDeviceVerified).toBe(false);
  });
});

describe('resetting and signing out sessions', () => {
  it('resets the identity without the recovery key: asks for the password first, keeps recovery until the reset happens; others see the identity change', async () => {
    const alice = await synapse.registerUser();
    const extension = await signedInExtension(alice);
    const security = extension.account.security();
    // The setup is over: no recovery key is held in memory any more, as after any lapse of time.
    await security.recovery.confirm(await security.recovery.start({ reset: false }));
    const oldKeyId = await recoveryKeyId(alice);
    expect(oldKeyId).not.toBeNull();
    const bob = await peer(await synapse.registerUser(), "Bob's laptop");
    const phone = await peer(alice, "Alice's phone");
    await phone.shareRoomWith(bob);
    await waitFor(
      "Bob to know Alice's identity",
      async () => (await bob.crypto.getUserVerificationStatus(alice.userId)).known || undefined,
    );

    await expect(security.recovery.resetIdentity()).resolves.toEqual({ step: 'needs-password', for: 'identity-reset' });
    // Nothing was reset yet: recovery stays as it was.
    expect(await recoveryKeyId(alice)).toBe(oldKeyId);
    await expect(security.recovery.resetIdentity('wrong')).rejects.toThrow('That password is not right.');
    expect(await recoveryKeyId(alice)).toBe(oldKeyId);
    await expect(security.recovery.resetIdentity(alice.password)).resolves.toEqual({ step: 'done', what: 'identity-reset' });
    await waitFor(
      "Bob to see Alice's identity change",
      async () => (await bob.crypto.getUserVerificationStatus(alice.userId)).needsUserApproval || undefined,
    );

    // The old recovery key no longer stands for the account (the done message asks for a new one).
    expect(await recoveryKeyId(alice)).toBeNull();
  });

  it('signs out another session, with the password when the server asks for it', async () => {
    const alice = await synapse.registerUser();
    const extension = await signedInExtension(alice);
    const stale = await peer(alice, 'Old laptop');
    const security = extension.account.security();
    await expect(security.signOutSession(stale.deviceId)).resolves.toEqual({ needsPassword: true });
    await expect(security.signOutSession(stale.deviceId, 'wrong')).rejects.toThrow('That password is not right.');
    await expect(security.signOutSession(stale.deviceId, alice.password)).resolves.toEqual({ needsPassword: false });
    const response = await fetch(`${server.baseUrl}/_matrix/client/v3/devices`, {
      headers: { Authorization: `Bearer ${alice.accessToken}` },
    });
    const { devices } = (await response.json()) as { devices: { device_id: string }[] };
    expect(devices.map((d) => d.device_id)).not.toContain(stale.deviceId);
    await expect(security.signOutSession(extension.signedIn().deviceId)).rejects.toThrow('use "Sign out"');
  });
});
