import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider, { type AdapterPayload, type ClientMetadata, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { cookieValue, readBody, readForm, redirect, sendHtml, sendJson } from './http.ts';
import * as pages from './pages.ts';
import providerState from 'oidc-provider/lib/helpers/weak_cache.js';
import { MATRIX_API_SCOPES, deviceIdOf, deviceScopesIn, grantsMatrixApi } from './scopes.ts';
import { TokenStore } from './store.ts';
import type { SynapseMas } from './synapseMas.ts';

export interface Account {
  username: string;
  password: string;
  displayName?: string;
}

export interface AuthServiceOptions {
  /** Where it is reached, through the proxy; its path is where the proxy mounts it. */
  issuer: string;
  /** Secret shared with Synapse: its introspection calls and our `/_synapse/mas` calls. */
  secret: string;
  /** Synapse's side of delegated auth; without it this is only an OpenID provider (legacy SSO). */
  mas?: SynapseMas;
  deviceGrant: boolean;
  accessTokenTtlSeconds: number;
  /** Statically registered clients (Synapse as an OIDC relying party). */
  clients?: ClientMetadata[];
}

/** MSC4191 actions the account page handles (the `session_*` names are MSC4191's earlier ones). */
const ACCOUNT_ACTIONS = ['org.matrix.device_delete', 'org.matrix.session_end', 'org.matrix.cross_signing_reset'];
const ACCOUNT_COOKIE = 'mtg_account';

/** oidc-provider configured as a homeserver's auth service, plus the pages and endpoints it lacks. */
export class AuthService {
  readonly accounts = new Map<string, Account>();
  readonly store = new TokenStore();
  readonly provider: Provider;
  readonly accountUrl: string;
  accessTokenTtlSeconds: number;
  private readonly mountPath: string;
  private readonly providerCallback: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** Account page sessions: cookie value → username (the OAuth session is oidc-provider's own). */
  private readonly accountSessions = new Map<string, string>();
  private readonly staticScopes = ['openid', 'profile', ...MATRIX_API_SCOPES];
  /**
   * The scopes oidc-provider knows (it drops others): the static ones, and each device scope once
   * a request named it. A device scope names an id the client picked, so no fixed list holds
   * them; oidc-provider once had `dynamicScopes` for this, 9.x keeps a copy of `scopes` and
   * checks it through `Set.prototype.has`, hence its internal set, learnt into.
   */
  private readonly scopes: Set<string>;

  constructor(private readonly options: AuthServiceOptions) {
    this.accessTokenTtlSeconds = options.accessTokenTtlSeconds;
    this.mountPath = new URL(options.issuer).pathname.replace(/\/$/, '');
    this.accountUrl = `${options.issuer}/account`;
    this.store.onGrantEnded = (grant) => this.grantEnded(grant);
    this.provider = new Provider(options.issuer, this.configuration());
    this.provider.use(async (ctx, next) => {
      await next();
      // Learnt device scopes are not for the world to see.
      if ((ctx as Partial<KoaContextWithOIDC>).oidc?.route === 'discovery')
        (ctx.body as Record<string, unknown>).scopes_supported = this.staticScopes;
    });
    this.provider.on('grant.success', (ctx: KoaContextWithOIDC) => this.tokensIssued(ctx));
    this.provider.on('server_error', (_ctx: unknown, error: Error) => console.error('auth service stand-in:', error.message));
    this.scopes = providerState(this.provider).configuration.scopes;
    this.providerCallback = this.provider.callback();
  }

  private configuration(): Configuration {
    const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    return {
      adapter: this.store.adapter(),
      clients: this.options.clients ?? [],
      jwks: { keys: [{ ...signingKey, kid: 'stand-in', use: 'sig', alg: 'RS256' }] },
      cookies: { keys: [randomBytes(16).toString('hex')] },
      findAccount: (_ctx, id) => {
        const account = this.accounts.get(id);
        if (!account) return undefined;
        return {
          accountId: id,
          claims: () => ({ sub: id, preferred_username: id, name: account.displayName ?? id }),
        };
      },
      claims: { openid: ['sub'], profile: ['name', 'preferred_username'] },
      scopes: this.staticScopes,
      responseTypes: ['code'],
      features: {
        devInteractions: { enabled: false },
        // Open dynamic registration, as MAS offers to Matrix clients.
        registration: { enabled: true },
        revocation: { enabled: true },
        deviceFlow: {
          enabled: this.options.deviceGrant,
          userCodeInputSource: (ctx, form, _out, err) => {
            ctx.body = pages.deviceCodePage(form, err ? 'That code is not valid.' : undefined);
          },
          userCodeConfirmSource: (ctx, form, client, _deviceInfo, userCode) => {
            ctx.body = pages.deviceConfirmPage(form, client.clientName ?? client.clientId, userCode);
          },
          successSource: (ctx) => {
            ctx.body = pages.messagePage('Device connected', 'You can go back to your device.');
          },
        },
      },
      // Every authorization is a new session with its own device, as with MAS: only the grant just
      // approved counts. The default would also reuse the browser session's grant for the same
      // client, mixing two devices in one grant.
      loadExistingGrant: async (ctx) => {
        const grantId = ctx.oidc.result?.consent?.grantId;
        return grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      },
      // Matrix clients never ask for offline_access; MAS issues refresh tokens regardless.
      issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
      rotateRefreshToken: true,
      // Revoking any token of a session ends the session (and its device), as with MAS.
      revokeGrantPolicy: () => true,
      // The extension's pages and test pages have origins no redirect URI names.
      clientBasedCORS: () => true,
      ttl: {
        AccessToken: () => this.accessTokenTtlSeconds,
        RefreshToken: () => 24 * 60 * 60,
        Grant: () => 24 * 60 * 60,
        Session: () => 24 * 60 * 60,
        Interaction: () => 60 * 60,
        DeviceCode: () => 10 * 60,
        IdToken: () => 60 * 60,
      },
      interactions: { url: (_ctx, interaction) => `${this.mountPath}/interaction/${interaction.uid}` },
      discovery: {
        account_management_uri: this.accountUrl,
        account_management_actions_supported: ACCOUNT_ACTIONS,
      },
      renderError: (ctx, out) => {
        ctx.type = 'html';
        ctx.body = pages.messagePage('Error', `${out.error}: ${out.error_description ?? ''}`);
      },
    };
  }

  /** Requests under the issuer's path; `path` is relative to it. */
  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const url = new URL(path, 'http://unused');
    const interaction = /^\/interaction\/([^/]+)(\/login)?$/.exec(url.pathname);
    try {
      if (interaction?.[1] && req.method === 'GET' && !interaction[2]) return await this.interaction(req, res);
      if (interaction?.[1] && req.method === 'POST' && interaction[2]) return await this.login(req, res, interaction[1]);
      if (url.pathname === '/oauth2/introspect' && req.method === 'POST') return await this.introspection(req, res);
      if (url.pathname.startsWith('/account')) return await this.accountPage(req, res, url);
    } catch (error) {
      console.error('auth service stand-in:', (error as Error).message);
      return sendHtml(res, pages.messagePage('Error', (error as Error).message), 500);
    }
    await this.learnDeviceScopes(req, url);
    // Mounted as under a framework: oidc-provider reads its mount path from originalUrl.
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = req.url;
    req.url = path;
    await this.providerCallback(req, res);
  }

  /** Device scopes reach oidc-provider in the authorization request and the device authorization request. */
  private async learnDeviceScopes(req: IncomingMessage, url: URL): Promise<void> {
    const learn = (scope: string | null) => deviceScopesIn(scope).forEach((token) => this.scopes.add(token));
    learn(url.searchParams.get('scope'));
    if (req.method === 'POST' && url.pathname === '/device/auth') {
      // Read here, so handed over already parsed (oidc-provider takes `req.body` then).
      const body = await readBody(req);
      (req as IncomingMessage & { body?: string }).body = body;
      learn(new URLSearchParams(body).get('scope'));
    }
  }

  private async interaction(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await this.provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      return sendHtml(res, pages.loginPage(`${this.mountPath}/interaction/${details.uid}/login`));
    }
    // Consent is given at once for what we grant (Matrix scopes, openid, profile); MAS asks.
    const accountId = details.session?.accountId;
    if (!accountId) throw new Error('consent without a signed-in account');
    const grantId = await this.approve(
      accountId,
      String(details.params.client_id),
      typeof details.params.scope === 'string' ? details.params.scope : '',
    );
    await this.provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  private async login(req: IncomingMessage, res: ServerResponse, uid: string): Promise<void> {
    const form = await readForm(req);
    const account = this.accounts.get(form.get('username') ?? '');
    if (!account || account.password !== form.get('password')) {
      return sendHtml(res, pages.loginPage(`${this.mountPath}/interaction/${uid}/login`, 'Wrong username or password.'));
    }
    await this.provider.interactionFinished(req, res, { login: { accountId: account.username } }, { mergeWithLastSubmission: false });
  }

  /** A grant is approved: as MAS, make the user and the device exist in Synapse before any token. */
  private async approve(accountId: string, clientId: string, requested: string): Promise<string> {
    const scope = requested
      .split(' ')
      .filter((token) => this.scopes.has(token))
      .join(' ');
    const grant = new this.provider.Grant({ accountId, clientId });
    grant.addOIDCScope(scope);
    const { mas } = this.options;
    if (mas && grantsMatrixApi(scope)) {
      await mas.provisionUser(accountId, this.accounts.get(accountId)?.displayName);
      const deviceId = deviceIdOf(scope);
      const client = await this.provider.Client.find(clientId);
      if (deviceId) await mas.upsertDevice(accountId, deviceId, client?.clientName);
    }
    return grant.save();
  }

  /** Ends (as an admin or the user would) every grant matching, devices included. */
  async endGrants(matches: (grant: { accountId: string; deviceId: string | undefined }) => boolean): Promise<number> {
    const ended = this.store
      .grants()
      .filter((grant) => matches({ accountId: String(grant.accountId), deviceId: deviceIdOf(grantScope(grant)) }));
    for (const grant of ended) await this.store.endGrant(String(grant.jti));
    return ended.length;
  }

  private async grantEnded(grant: AdapterPayload): Promise<void> {
    const deviceId = deviceIdOf(grantScope(grant));
    if (this.options.mas && grant.accountId && deviceId) await this.options.mas.deleteDevice(grant.accountId, deviceId);
  }

  /** MAS rotation bookkeeping (see TokenStore): which refresh token each new pair replaced. */
  private tokensIssued(ctx: KoaContextWithOIDC): void {
    const { RotatedRefreshToken: rotated, RefreshToken: refreshToken, AccessToken: accessToken } = ctx.oidc.entities;
    if (!rotated) return;
    this.store.used(rotated.jti);
    if (refreshToken && accessToken) this.store.rotated(rotated.jti, refreshToken.jti, accessToken.jti);
  }

  /** Introspection in the shape Synapse reads (synapse/api/auth/mas.py), only for Synapse. */
  private async introspection(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers.authorization !== `Bearer ${this.options.secret}`) {
      return sendJson(res, { error: 'invalid_client' }, 401);
    }
    const token = (await readForm(req)).get('token') ?? '';
    const accessToken = token ? await this.provider.AccessToken.find(token) : undefined;
    if (!accessToken || accessToken.isExpired || !(await this.provider.Grant.find(accessToken.grantId))) {
      return sendJson(res, { active: false });
    }
    this.store.used(accessToken.jti);
    const scope = accessToken.scope ?? '';
    return sendJson(res, {
      active: true,
      scope,
      client_id: accessToken.clientId,
      username: accessToken.accountId,
      sub: accessToken.accountId,
      token_type: 'access_token',
      iat: accessToken.iat,
      exp: accessToken.exp,
      expires_in: Math.max(0, (accessToken.exp ?? 0) - Math.floor(Date.now() / 1000)),
      device_id: deviceIdOf(scope),
    });
  }

  /** `account_management_uri`: MSC4191 actions, behind its own small sign-in. */
  private async accountPage(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const base = `${this.mountPath}/account`;
    if (url.pathname === '/account/login' && req.method === 'POST') {
      const form = await readForm(req);
      const account = this.accounts.get(form.get('username') ?? '');
      const back = url.searchParams.get('return') ?? base;
      if (!account || account.password !== form.get('password')) {
        return sendHtml(res, pages.loginPage(`${base}/login?return=${encodeURIComponent(back)}`, 'Wrong username or password.'));
      }
      const session = randomBytes(16).toString('hex');
      this.accountSessions.set(session, account.username);
      res.setHeader('Set-Cookie', `${ACCOUNT_COOKIE}=${session}; Path=${base}; HttpOnly; SameSite=Lax`);
      return redirect(res, back.startsWith(base) ? back : base);
    }
    const username = this.accountSessions.get(cookieValue(req, ACCOUNT_COOKIE) ?? '');
    if (!username) {
      const back = `${base}${url.search}`;
      return sendHtml(res, pages.loginPage(`${base}/login?return=${encodeURIComponent(back)}`));
    }
    const mas = this.options.mas;
    if (!mas) return sendHtml(res, pages.messagePage('Account', 'No homeserver behind this provider.'), 404);
    if (url.pathname === '/account/device_delete' && req.method === 'POST') {
      const deviceId = (await readForm(req)).get('device_id') ?? '';
      const ended = await this.endGrants((grant) => grant.accountId === username && grant.deviceId === deviceId);
      // A device with no live session (tokens already gone) is still deleted.
      if (ended === 0) await mas.deleteDevice(username, deviceId);
      return sendHtml(res, pages.messagePage('Device signed out', `Device ${deviceId} is signed out.`));
    }
    if (url.pathname === '/account/cross_signing_reset' && req.method === 'POST') {
      await mas.allowCrossSigningReset(username);
      return sendHtml(res, pages.messagePage('Reset allowed', 'You can reset your identity for the next 10 minutes.'));
    }
    const action = url.searchParams.get('action');
    if (action === 'org.matrix.cross_signing_reset') {
      return sendHtml(res, pages.crossSigningResetPage(`${base}/cross_signing_reset`));
    }
    const deviceId = url.searchParams.get('device_id');
    if ((action === 'org.matrix.device_delete' || action === 'org.matrix.session_end') && deviceId) {
      const known = this.store.grants().some((grant) => grant.accountId === username && deviceIdOf(grantScope(grant)) === deviceId);
      return sendHtml(res, pages.deviceDeletePage(`${base}/device_delete`, deviceId, known));
    }
    return sendHtml(res, pages.messagePage('Account', `Signed in as ${username}.`));
  }
}

function grantScope(grant: AdapterPayload): string {
  return (grant as { openid?: { scope?: string } }).openid?.scope ?? '';
}
