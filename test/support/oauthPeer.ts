import { createClient, OAuth2, type ValidatedAuthMetadata } from 'matrix-js-sdk';
import type { OAuthHomeserver, OAuthUser } from './oauthHomeserver.ts';
import { Peer } from './peer.ts';

/** One registered client per stand-in server: what a Matrix app registers once. */
const clients = new WeakMap<OAuthHomeserver, Promise<{ metadata: ValidatedAuthMetadata; clientId: string }>>();

function clientOf(server: OAuthHomeserver): Promise<{ metadata: ValidatedAuthMetadata; clientId: string }> {
  let client = clients.get(server);
  if (!client) {
    client = (async () => {
      const metadata = await createClient({ baseUrl: server.baseUrl }).getAuthMetadata();
      const clientId = await OAuth2.registerClient(metadata, {
        client_name: 'Test peer',
        client_uri: 'http://127.0.0.1:9/',
        redirect_uris: ['http://127.0.0.1:9/callback'],
        application_type: 'native',
      });
      return { metadata, clientId };
    })();
    clients.set(server, client);
  }
  return client;
}

/** Signs `deviceId` of `user` in with the device grant, approved on the stand-in's pages; its access token. */
export async function deviceGrantToken(server: OAuthHomeserver, user: OAuthUser, deviceId: string): Promise<string> {
  const { metadata, clientId } = await clientOf(server);
  const oauth = new OAuth2(metadata, { clientId, deviceId });
  const grant = await oauth.startDeviceAuthorizationGrant();
  const polled = oauth.waitForDeviceAuthorizationGrant(grant);
  await server.approveDeviceCode(user, grant.user_code);
  const tokens = await polled;
  if (!('access_token' in tokens)) throw new Error(`device grant failed: ${JSON.stringify(tokens)}`);
  return tokens.access_token;
}

/**
 * Another Matrix app of `user` on a server with delegated auth (a real matrix-js-sdk client with
 * Rust crypto): signed in with the device grant, approved on the stand-in's pages, as a phone
 * would be. There is no password to log in with on such a server.
 */
export async function oauthPeer(server: OAuthHomeserver, user: OAuthUser, deviceId: string): Promise<Peer> {
  const accessToken = await deviceGrantToken(server, user, deviceId);
  return Peer.resume({ ...server.synapse, baseUrl: server.baseUrl }, { userId: user.userId, deviceId, accessToken });
}
