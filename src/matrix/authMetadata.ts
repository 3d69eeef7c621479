import { createClient, isValidAuthMetadata, MatrixError, Method, OAuth2Error, type ValidatedAuthMetadata } from 'matrix-js-sdk';
import { isSafeWebUrl } from '../validation/webUrl';
import { createSdkLogger } from './sdkLogger';

/** MSC2965's path, still all some homeservers serve. */
const UNSTABLE_PREFIX = '/_matrix/client/unstable/org.matrix.msc2965';

/**
 * The homeserver's OAuth 2.0 provider metadata (`GET /_matrix/client/v1/auth_metadata`, then
 * the unstable path: matrix-js-sdk's getAuthMetadata asks only the stable one). Undefined when
 * the homeserver does not delegate its auth; throws when it cannot be asked.
 */
export async function fetchAuthMetadata(baseUrl: string, fetchFn?: typeof fetch): Promise<ValidatedAuthMetadata | undefined> {
  const client = createClient({ baseUrl, fetchFn, logger: createSdkLogger('sign-in') });
  for (const prefix of [undefined, UNSTABLE_PREFIX]) {
    try {
      const metadata: unknown =
        prefix === undefined
          ? await client.getAuthMetadata()
          : await client.http.request(Method.Get, '/auth_metadata', undefined, undefined, { prefix });
      return isTrustedMetadata(metadata) ? metadata : undefined;
    } catch (error) {
      if (!isNotServed(error)) throw error;
    }
  }
  return undefined;
}

/**
 * The metadata of the provider a session was signed in with. A homeserver that now names another
 * issuer is refused: our refresh token goes to the provider that issued it, and to no other.
 */
export async function providerMetadata(baseUrl: string, issuer: string, fetchFn?: typeof fetch): Promise<ValidatedAuthMetadata> {
  const metadata = await fetchAuthMetadata(baseUrl, fetchFn);
  if (metadata?.issuer !== issuer) throw new Error('the homeserver no longer names the provider this session signed in with');
  return metadata;
}

/** What the sign-in form may offer for this metadata (pure: tested without a server). */
export interface OAuthOffer {
  /** RFC 8628: the user approves on any device; else the authorization code grant in a browser window. */
  deviceGrant: boolean;
}

export function oauthOffer(metadata: ValidatedAuthMetadata | undefined): OAuthOffer | undefined {
  return metadata && { deviceGrant: offersDeviceGrant(metadata) };
}

export function offersDeviceGrant(metadata: ValidatedAuthMetadata): boolean {
  return (
    metadata.device_authorization_endpoint !== undefined &&
    metadata.grant_types_supported.includes('urn:ietf:params:oauth:grant-type:device_code')
  );
}

/** The SDK's check plus ours: every endpoint we would send a secret to is https (http only on this machine). */
export function isTrustedMetadata(value: unknown): value is ValidatedAuthMetadata {
  if (!isValidAuthMetadata(value)) return false;
  const endpoints = [
    value.issuer,
    value.authorization_endpoint,
    value.token_endpoint,
    value.revocation_endpoint,
    value.registration_endpoint,
    ...(value.device_authorization_endpoint === undefined ? [] : [value.device_authorization_endpoint]),
  ];
  return endpoints.every(isSafeWebUrl);
}

/**
 * A homeserver without the endpoint answers 404 / M_UNRECOGNIZED (some say 405 or 400); metadata
 * the SDK finds unusable (its OpSupport error) is no offer either.
 */
function isNotServed(error: unknown): boolean {
  if (error instanceof Error && error.message === (OAuth2Error.OpSupport as string)) return true;
  if (!(error instanceof MatrixError)) return false;
  return error.errcode === 'M_UNRECOGNIZED' || error.errcode === 'M_NOT_FOUND' || [400, 404, 405].includes(error.httpStatus ?? 0);
}
