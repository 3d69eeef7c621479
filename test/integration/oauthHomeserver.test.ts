import { randomBytes } from 'node:crypto';
import { createClient, OAuth2, type ValidatedAuthMetadata } from 'matrix-js-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startOAuthHomeserver,
  startSsoHomeserver,
  type OAuthHomeserver,
  type OAuthUser,
  type SsoHomeserver,
} from '../support/oauthHomeserver.ts';
import { waitFor } from '../support/waitFor.ts';

const REDIRECT_URI = 'http://127.0.0.1:9/callback';

async function matrix(baseUrl: string, path: string, accessToken: string, init: RequestInit = {}) {
  const response = await fetch(`${baseUrl}/_matrix/client${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the stand-in auth service (MAS) in front of Synapse', () => {
  let server: OAuthHomeserver;
  let metadata: ValidatedAuthMetadata;
  let clientId: string;

  beforeAll(async () => {
    server = await startOAuthHomeserver({ accessTokenTtlSeconds: 60 });
  });
  afterAll(async () => {
    await server.stop();
  });

  async function signIn(user: OAuthUser, deviceId: string) {
    const oauth = new OAuth2(metadata, { clientId, deviceId });
    const url = await oauth.generateAuthorizationCodeGrantUrl('state-1', REDIRECT_URI, 'query');
    const landed = new URL(await server.authorize(user, url));
    expect(landed.searchParams.get('state')).toBe('state-1');
    const tokens = await oauth.completeAuthorizationCodeGrant(landed.searchParams.get('code') ?? '', REDIRECT_URI);
    return { oauth, tokens };
  }

  it('is discovered through the proxy: well-known, auth_metadata, dynamic registration', async () => {
    const wellKnown = (await (await fetch(`${server.baseUrl}/.well-known/matrix/client`)).json()) as Record<string, { base_url: string }>;
    expect(wellKnown['m.homeserver']?.base_url).toBe(server.baseUrl);
    metadata = await createClient({ baseUrl: server.baseUrl }).getAuthMetadata();
    expect(metadata).toMatchObject({
      issuer: server.issuer,
      account_management_uri: server.accountUrl,
    });
    expect(metadata.device_authorization_endpoint).toBe(`${server.issuer}/device/auth`);
    expect(metadata.account_management_actions_supported).toEqual(
      expect.arrayContaining(['org.matrix.device_delete', 'org.matrix.cross_signing_reset']),
    );
    expect(metadata.grant_types_supported).toContain('urn:ietf:params:oauth:grant-type:device_code');
    clientId = await OAuth2.registerClient(metadata, {
      client_name: 'Matrix Trust Guard tests',
      client_uri: 'http://127.0.0.1:9/',
      redirect_uris: [REDIRECT_URI],
      application_type: 'native',
    });
    expect(clientId).toBeTruthy();
  });

  it('signs a device in with the device grant', async () => {
    const user = await server.registerUser({ displayName: 'Device Dora' });
    const oauth = new OAuth2(metadata, { clientId, deviceId: 'DEVICEGRANT' });
    const session = await oauth.startDeviceAuthorizationGrant();
    const polled = oauth.waitForDeviceAuthorizationGrant(session);
    await server.approveDeviceCode(user, session.user_code);
    const tokens = await polled;
    if (!('access_token' in tokens)) throw new Error(`Device grant failed: ${JSON.stringify(tokens)}`);
    const whoami = await matrix(server.baseUrl, '/v3/account/whoami', tokens.access_token);
    expect(whoami.body).toMatchObject({ user_id: user.userId, device_id: 'DEVICEGRANT' });
  });

  it('signs in with authorization code + PKCE; refresh rotation keeps the old token until the new one is used', async () => {
    const user = await server.registerUser();
    const { oauth, tokens } = await signIn(user, 'CODEGRANT');
    expect((await matrix(server.baseUrl, '/v3/account/whoami', tokens.access_token)).body).toMatchObject({
      user_id: user.userId,
      device_id: 'CODEGRANT',
    });
    const old = tokens.refresh_token ?? '';
    const first = await oauth.performRefreshTokenGrant(old);
    expect(first.refresh_token).not.toBe(old);
    // The client "crashed" before storing the new pair: the old refresh token still works.
    const retry = await oauth.performRefreshTokenGrant(old);
    expect((await matrix(server.baseUrl, '/v3/account/whoami', retry.access_token)).status).toBe(200);
    await expect(oauth.performRefreshTokenGrant(old)).rejects.toMatchObject({ error: 'invalid_grant' });
    // The new chain goes on.
    const next = await oauth.performRefreshTokenGrant(retry.refresh_token ?? '');
    expect((await server.introspect(next.access_token)).active).toBe(true);
  });

  it('revocation ends the session: introspection inactive, Synapse says M_UNKNOWN_TOKEN', async () => {
    const user = await server.registerUser();
    const { oauth, tokens } = await signIn(user, 'REVOKED');
    expect((await matrix(server.baseUrl, '/v3/account/whoami', tokens.access_token)).status).toBe(200);
    await oauth.revokeToken(tokens.access_token, 'access_token');
    expect((await server.introspect(tokens.access_token)).active).toBe(false);
    const whoami = await matrix(server.baseUrl, '/v3/account/whoami', tokens.access_token);
    expect(whoami).toMatchObject({ status: 401, body: { errcode: 'M_UNKNOWN_TOKEN' } });
  });

  it('the account page signs a device out of Synapse', async () => {
    const user = await server.registerUser();
    const first = await signIn(user, 'KEEPER');
    await signIn(user, 'LEAVER');
    const devices = async () =>
      ((await matrix(server.baseUrl, '/v3/devices', first.tokens.access_token)).body.devices as { device_id: string }[]).map(
        (device) => device.device_id,
      );
    expect((await devices()).sort()).toEqual(['KEEPER', 'LEAVER']);
    await server.accountAction(user, { action: 'org.matrix.device_delete', deviceId: 'LEAVER' });
    expect(await devices()).toEqual(['KEEPER']);
  });

  it('a cross-signing reset needs approval on the account page', async () => {
    const user = await server.registerUser();
    const { tokens } = await signIn(user, 'RESETTER');
    // Synapse checks only that the master key is an ed25519 public key (32 bytes, unpadded base64).
    const masterKey = () => {
      const publicKey = randomBytes(32).toString('base64').replace(/=+$/, '');
      return { master_key: { user_id: user.userId, usage: ['master'], keys: { [`ed25519:${publicKey}`]: publicKey } } };
    };
    const upload = (keys: unknown) =>
      matrix(server.baseUrl, '/v3/keys/device_signing/upload', tokens.access_token, { method: 'POST', body: JSON.stringify(keys) });
    expect((await upload(masterKey())).status).toBe(200);
    const replacement = masterKey();
    const refused = await upload(replacement);
    expect(refused.status).toBe(401);
    expect(JSON.stringify(refused.body.flows)).toMatch(/m\.oauth|org\.matrix\.cross_signing_reset/);
    await server.accountAction(user, { action: 'org.matrix.cross_signing_reset' });
    expect((await upload(replacement)).status).toBe(200);
  });

  it('revokeAllFor ends every session of a user', async () => {
    const user = await server.registerUser();
    const { tokens } = await signIn(user, 'ADMINENDED');
    await server.revokeAllFor(user);
    expect((await server.introspect(tokens.access_token)).active).toBe(false);
    expect((await matrix(server.baseUrl, '/v3/account/whoami', tokens.access_token)).status).toBe(401);
  });

  it('providerDown makes Synapse unable to check new tokens, providerUp recovers', async () => {
    const user = await server.registerUser();
    const { tokens } = await signIn(user, 'OUTAGE');
    server.providerDown();
    try {
      expect((await matrix(server.baseUrl, '/v3/account/whoami', tokens.access_token)).status).toBe(503);
      expect(server.requests.at(-1)?.path).toBe('/auth/oauth2/introspect');
    } finally {
      server.providerUp();
    }
    await waitFor('whoami after the outage', async () =>
      (await matrix(server.baseUrl, '/v3/account/whoami', tokens.access_token)).status === 200 ? true : undefined,
    );
  });
});

describe('the stand-in without the device grant', () => {
  let server: OAuthHomeserver;
  beforeAll(async () => {
    server = await startOAuthHomeserver({ deviceGrant: false });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('leaves the device grant out of the metadata', async () => {
    const metadata = await createClient({ baseUrl: server.baseUrl }).getAuthMetadata();
    expect(metadata.grant_types_supported).not.toContain('urn:ietf:params:oauth:grant-type:device_code');
    expect(metadata.device_authorization_endpoint).toBeUndefined();
  });
});

describe('the stand-in as a legacy SSO identity provider', () => {
  let server: SsoHomeserver;
  beforeAll(async () => {
    server = await startSsoHomeserver();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('offers m.login.sso and its loginToken logs in', async () => {
    const flows = (await (await fetch(`${server.baseUrl}/_matrix/client/v3/login`)).json()) as { flows: { type: string }[] };
    expect(flows.flows.map((flow) => flow.type)).toContain('m.login.sso');
    const user = await server.registerUser({ displayName: 'Sso Sam' });
    const redirectUrl = 'http://127.0.0.1:9/sso-done';
    const landed = new URL(
      await server.completeSso(
        user,
        `${server.baseUrl}/_matrix/client/v3/login/sso/redirect?redirectUrl=${encodeURIComponent(redirectUrl)}`,
      ),
    );
    expect(`${landed.origin}${landed.pathname}`).toBe(redirectUrl);
    const response = await fetch(`${server.baseUrl}/_matrix/client/v3/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'm.login.token', token: landed.searchParams.get('loginToken') }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { user_id: string }).user_id).toBe(user.userId);
  });
});
