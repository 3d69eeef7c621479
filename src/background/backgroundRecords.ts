import type { StoreIdentityRecord } from '../matrix/storeIdentity';
import type { SecurityStatus } from '../messaging/protocol';
import type { DisagreementRecord } from '../trust/pageDisagreement';
import type { IdentityMemory } from '../trust/identityMemory';
import type { RetentionDays } from '../trust/trustHistory';
import type { SyncedPin } from '../trust/syncedAcknowledgements';
import type { Policy } from '../trust/types';
import type { AlertKinds } from '../trust/alertPolicy';
import type { AlertMemory } from './notifier';
import type { OAuthClientRecord } from './oauthClientIds';

/** The small records the background keeps (non-secret), by name. */
export interface BackgroundRecords {
  'crypto-engine-check': StoreIdentityRecord;
  'account-crypto-store': StoreIdentityRecord;
  settings: { policy: Policy };
  /** The server ended the last session: said once in the UI, kept until the next sign-in. */
  'account-ended': { byServerAt: number };
  /** Self-hosted web clients the user added (origins; checked again when read). */
  sites: { origins: string[] };
  /** The account's encryption setup as last read (public facts only), shown while it cannot be read. */
  'security-status': { status: SecurityStatus; checkedAt: number };
  /** Pages that showed people as trusted whom we warned about (public facts only; cleared at sign-out). */
  disagreements: { entries: DisagreementRecord[] };
  /** Cross-signing identities as last seen (public keys, times), for the account signed in as `userId`. */
  'identity-memory': { userId: string; memory: IdentityMemory };
  /** How long the trust history keeps events (days; null: as long as its size bound allows). */
  'history-settings': { retentionDays: RetentionDays };
  /** Which warnings become browser notifications (a kind missing takes its default). */
  'alert-settings': { kinds: Partial<AlertKinds> };
  /** Rooms whose new warnings notify (room ids; cleared at sign-out). */
  'watched-rooms': { roomIds: string[] };
  /** Facts already notified (keys from alertPolicy.ts, bounded) and the rooms' rate windows; cleared at sign-out. */
  'alerted-facts': AlertMemory;
  /** Identities the user accepted in this browser, shared with their other browsers (public keys, times). */
  'synced-pins': { userId: string; pins: SyncedPin[] };
  /** This extension's client ids at OAuth providers (public; kept across sign-outs). */
  'oauth-clients': { clients: OAuthClientRecord[] };
}
