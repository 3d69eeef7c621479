/**
 * A stand-in for a homeserver's auth service (Matrix Authentication Service, MAS), for tests
 * only: never shipped. A real Synapse runs with `matrix_authentication_service` pointing at an
 * OAuth 2.0 / OpenID provider built on the `oidc-provider` library, both behind a small reverse
 * proxy that plays the deployment's front door. `startSsoHomeserver` reuses the provider as the
 * upstream identity provider of a Synapse with legacy SSO (`oidc_providers`).
 *
 * What the provider does as MAS does: open dynamic client registration, authorization code with
 * PKCE, the device authorization grant, refresh tokens rotated with MAS's grace (the previous
 * refresh token works until the new pair is used), revocation ending the whole session, Matrix
 * scopes (stable and MSC2967 unstable), provisioning the user and device in Synapse through
 * `/_synapse/mas/*` before any token exists and deleting the device when the session ends,
 * introspection for Synapse, MSC4191 account actions (device delete, cross-signing reset).
 *
 * What it does differently, as far as known:
 * - plain http on 127.0.0.1 (cookies not `Secure`, no TLS anywhere; oidc-provider allows http
 *   issuers, and Synapse's `oidc_providers` needs `skip_verification` for one);
 * - users live in memory with plain passwords; no registration page, email, upstream providers,
 *   policy engine, admin API or compatibility (`/login`) sessions;
 * - consent is given at once for the Matrix scopes, openid and profile (MAS asks the user);
 * - introspection answers access tokens only, and only to the shared secret;
 * - every authorization is a new session (grant), even for a client the browser already
 *   approved; the account page has its own sign-in, separate from the OAuth session;
 * - the device display name is the client name; no session inactivity expiry.
 */
import { randomBytes } from 'node:crypto';
import { AuthService } from './oauthHomeserver/authService.ts';
import { FormClient } from './oauthHomeserver/formClient.ts';
import { ReverseProxy } from './oauthHomeserver/proxy.ts';
import { SynapseMas } from './oauthHomeserver/synapseMas.ts';
import { startSynapse, type SynapseServer } from './synapse.ts';

export interface OAuthUser {
  username: string;
  userId: string;
  password: string;
}

export type AccountAction = { action: 'org.matrix.cross_signing_reset' } | { action: 'org.matrix.device_delete'; deviceId: string };

export interface OAuthHomeserver {
  /** What a user types as the homeserver: the reverse proxy. */
  baseUrl: string;
  issuer: string;
  /** account_management_uri */
  accountUrl: string;
  /** The delegated-auth Synapse (admin access for tests). */
  synapse: SynapseServer;
  registerUser(options?: { displayName?: string }): Promise<OAuthUser>;
  /** Logs in on the provider's pages and approves the device code, through the real HTML forms (fetch + cookie jar). */
  approveDeviceCode(user: OAuthUser, userCode: string): Promise<void>;
  /** Drives an authorization-code URL through the login page; resolves with the final redirect URL (carrying code and state). */
  authorize(user: OAuthUser, authorizationUrl: string): Promise<string>;
  /** Acts on the account page as the user would. */
  accountAction(user: OAuthUser, action: AccountAction): Promise<void>;
  introspect(token: string): Promise<{ active: boolean } & Record<string, unknown>>;
  /**
   * The provider stops answering (503 from the proxy for its paths) / answers again; Synapse is
   * unaffected except its own introspection calls.
   */
  providerDown(): void;
  providerUp(): void;
  setAccessTokenTtl(seconds: number): void;
  /** Ends every grant of this user as an admin would (tokens inactive, devices deleted). */
  revokeAllFor(user: OAuthUser): Promise<void>;
  /** What reached the provider, for assertions (method, path, query string with its `?`, at ms). */
  requests: { method: string; path: string; search: string; at: number }[];
  stop(): Promise<void>;
}

export interface SsoHomeserver {
  /** What a user types as the homeserver: the reverse proxy. */
  baseUrl: string;
  issuer: string;
  synapse: SynapseServer;
  /** A user of the identity provider; Synapse creates the Matrix account at the first SSO login. */
  registerUser(options?: { displayName?: string }): Promise<OAuthUser>;
  /** Drives the provider login for an SSO redirect URL, returning the final URL with loginToken. */
  completeSso(user: OAuthUser, ssoRedirectUrl: string): Promise<string>;
  stop(): Promise<void>;
}

const AUTH_PREFIX = '/auth';

export async function startOAuthHomeserver(
  options: { accessTokenTtlSeconds?: number; deviceGrant?: boolean } = {},
): Promise<OAuthHomeserver> {
  const proxy = await ReverseProxy.start();
  const issuer = `${proxy.baseUrl}${AUTH_PREFIX}`;
  const secret = randomBytes(24).toString('hex');
  let synapse: SynapseServer;
  try {
    synapse = await startSynapse({
      name: 'oauth',
      extraConfig: {
        public_baseurl: `${proxy.baseUrl}/`,
        // Synapse reaches the auth service through the proxy, so providerDown() reaches it too.
        matrix_authentication_service: { enabled: true, endpoint: `${issuer}/`, secret },
        password_config: { enabled: false },
      },
    });
  } catch (error) {
    await proxy.stop();
    throw error;
  }
  const mas = new SynapseMas(synapse.baseUrl, secret);
  const service = new AuthService({
    issuer,
    secret,
    mas,
    deviceGrant: options.deviceGrant ?? true,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 300,
  });
  proxy.routes.synapseUrl = synapse.baseUrl;
  proxy.routes.auth = (req, res, path) => service.handle(req, res, path);

  const addUser = async (displayName?: string): Promise<OAuthUser> => {
    const user = newUser(synapse.serverName);
    service.accounts.set(user.username, { username: user.username, password: user.password, displayName });
    // MAS provisions at sign-up; tests can then invite the user before it signs in.
    await mas.provisionUser(user.username, displayName);
    return user;
  };

  return {
    baseUrl: proxy.baseUrl,
    issuer,
    accountUrl: service.accountUrl,
    synapse,
    registerUser: (opts) => addUser(opts?.displayName),
    async approveDeviceCode(user, userCode) {
      const browser = new FormClient();
      let page = await browser.navigate(`${issuer}/device`);
      page = await browser.submit(page.url, page.html, 'op.deviceInputForm', { user_code: userCode });
      page = await browser.submit(page.url, page.html, 'op.deviceConfirmForm');
      if (page.html.includes('id="login-form"')) {
        page = await browser.submit(page.url, page.html, 'login-form', { username: user.username, password: user.password });
      }
      if (!page.html.includes('Device connected')) throw new Error(`Device approval ended on ${page.url}: ${page.html.slice(0, 300)}`);
    },
    async authorize(user, authorizationUrl) {
      const redirectUri = new URL(authorizationUrl).searchParams.get('redirect_uri');
      if (!redirectUri) throw new Error('The authorization URL has no redirect_uri');
      const done = (url: string) => url.startsWith(redirectUri);
      const browser = new FormClient();
      let page = await browser.navigate(authorizationUrl, {}, done);
      if (!done(page.url)) {
        page = await browser.submit(page.url, page.html, 'login-form', { username: user.username, password: user.password }, done);
      }
      if (!done(page.url)) throw new Error(`Authorization ended on ${page.url}: ${page.html.slice(0, 300)}`);
      return page.url;
    },
    async accountAction(user, action) {
      const browser = new FormClient();
      const target = new URL(service.accountUrl);
      target.searchParams.set('action', action.action);
      if (action.action === 'org.matrix.device_delete') target.searchParams.set('device_id', action.deviceId);
      let page = await browser.navigate(target.href);
      page = await browser.submit(page.url, page.html, 'login-form', { username: user.username, password: user.password });
      const formId = action.action === 'org.matrix.device_delete' ? 'device-delete-form' : 'cross-signing-reset-form';
      await browser.submit(page.url, page.html, formId);
    },
    async introspect(token) {
      const response = await fetch(`${issuer}/oauth2/introspect`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
      });
      if (!response.ok) throw new Error(`Introspection answered ${response.status}`);
      return (await response.json()) as { active: boolean } & Record<string, unknown>;
    },
    providerDown: () => void (proxy.authDown = true),
    providerUp: () => void (proxy.authDown = false),
    setAccessTokenTtl: (seconds) => void (service.accessTokenTtlSeconds = seconds),
    async revokeAllFor(user) {
      await service.endGrants((grant) => grant.accountId === user.username);
    },
    requests: proxy.authRequests,
    async stop() {
      await proxy.stop();
      await synapse.stop();
    },
  };
}

export async function startSsoHomeserver(options: { name?: string } = {}): Promise<SsoHomeserver> {
  const proxy = await ReverseProxy.start();
  const issuer = `${proxy.baseUrl}${AUTH_PREFIX}`;
  const clientSecret = randomBytes(24).toString('hex');
  const service = new AuthService({
    issuer,
    secret: randomBytes(24).toString('hex'),
    deviceGrant: false,
    accessTokenTtlSeconds: 300,
    clients: [
      {
        client_id: 'synapse',
        client_secret: clientSecret,
        redirect_uris: [`${proxy.baseUrl}/_synapse/client/oidc/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
  });
  // Up before Synapse: it reads the provider's metadata as it starts.
  proxy.routes.auth = (req, res, path) => service.handle(req, res, path);
  let synapse: SynapseServer;
  try {
    synapse = await startSynapse({
      name: options.name ?? 'sso',
      extraConfig: {
        public_baseurl: `${proxy.baseUrl}/`,
        // Accounts of a social login have no password: the server takes none.
        password_config: { enabled: false },
        oidc_providers: [
          {
            idp_id: 'standin',
            idp_name: 'Stand-in identity provider',
            issuer,
            client_id: 'synapse',
            client_secret: clientSecret,
            scopes: ['openid', 'profile'],
            // Synapse insists on https issuers unless told not to check.
            skip_verification: true,
            user_profile_method: 'userinfo_endpoint',
            user_mapping_provider: {
              config: { localpart_template: '{{ user.preferred_username }}', display_name_template: '{{ user.name }}' },
            },
          },
        ],
        // Test and extension pages: no "continue to this site?" page before the redirect.
        sso: { client_whitelist: ['http://', 'https://', 'chrome-extension://', 'moz-extension://'] },
      },
    });
  } catch (error) {
    await proxy.stop();
    throw error;
  }
  proxy.routes.synapseUrl = synapse.baseUrl;
  return {
    baseUrl: proxy.baseUrl,
    issuer,
    synapse,
    registerUser(opts) {
      const user = newUser(synapse.serverName);
      service.accounts.set(user.username, { username: user.username, password: user.password, displayName: opts?.displayName });
      return Promise.resolve(user);
    },
    async completeSso(user, ssoRedirectUrl) {
      const done = (url: string) => new URL(url).searchParams.has('loginToken');
      const browser = new FormClient();
      let page = await browser.navigate(ssoRedirectUrl, {}, done);
      if (!done(page.url)) {
        page = await browser.submit(page.url, page.html, 'login-form', { username: user.username, password: user.password }, done);
      }
      if (!done(page.url)) throw new Error(`SSO ended on ${page.url}: ${page.html.slice(0, 300)}`);
      return page.url;
    },
    async stop() {
      await proxy.stop();
      await synapse.stop();
    },
  };
}

function newUser(serverName: string): OAuthUser {
  const username = `user-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  return { username, userId: `@${username}:${serverName}`, password: randomBytes(12).toString('hex') };
}
