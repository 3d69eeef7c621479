import type { RecordStore } from '../storage/recordStore';
import type { BackgroundRecords } from './backgroundRecords';

/** At most this many providers remembered; the oldest is forgotten first. */
const MAX_CLIENTS = 20;

/**
 * This extension's client id at each OAuth provider it registered with, by issuer and redirect
 * URI: a client id is public, so a plain background record. Read like anything stored.
 */
export function oauthClientIds(records: RecordStore<BackgroundRecords>) {
  const all = async () => {
    const record = await records.get('oauth-clients');
    return Array.isArray(record?.clients) ? record.clients.filter(isClient) : [];
  };
  return {
    get: async (issuer: string, redirectUri: string) =>
      (await all()).find((client) => client.issuer === issuer && client.redirectUri === redirectUri)?.clientId,
    put: async (issuer: string, redirectUri: string, clientId: string) => {
      const others = (await all()).filter((client) => client.issuer !== issuer || client.redirectUri !== redirectUri);
      await records.put('oauth-clients', { clients: [...others, { issuer, redirectUri, clientId }].slice(-MAX_CLIENTS) });
    },
  };
}

export interface OAuthClientRecord {
  issuer: string;
  redirectUri: string;
  clientId: string;
}

function isClient(value: unknown): value is OAuthClientRecord {
  if (typeof value !== 'object' || value === null) return false;
  const { issuer, redirectUri, clientId } = value as Record<string, unknown>;
  return [issuer, redirectUri, clientId].every((field) => typeof field === 'string' && field.length > 0 && field.length <= 2048);
}
