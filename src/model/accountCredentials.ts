/** What it takes to be this extension's Matrix device again after any restart. */
export interface AccountCredentials {
  homeserverUrl: string;
  userId: string;
  deviceId: string;
  accessToken: string;
  /** Set when the account signed in through its server's OAuth 2.0 provider (next-generation auth). */
  oauth?: OAuthGrant;
}

/** An OAuth 2.0 session's own secrets and bookkeeping, sealed with the access token. */
export interface OAuthGrant {
  /** The provider's issuer, as its metadata named it. */
  issuer: string;
  /** This extension's client id at that provider (registered dynamically; not a secret). */
  clientId: string;
  refreshToken: string;
  /** When the access token expires (ms since epoch), if the provider said. */
  accessTokenExpiresAt?: number;
  /**
   * The refresh token that obtained the current tokens, kept until they have worked once: a
   * provider like Matrix Authentication Service accepts it again until then, so a rotation cut
   * short (the new tokens refused, or lost) can be done again with it.
   */
  previousRefreshToken?: string;
}
