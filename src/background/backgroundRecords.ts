import type { StoreIdentityRecord } from '../matrix/storeIdentity';
import type { SecurityStatus } from '../messaging/protocol';
import type { DisagreementRecord } from '../trust/pageDisagreement';
import type { IdentityMemory } from '../trust/identityMemory';
import type { SyncedPin } from '../trust/syncedAcknowledgements';
import type { Policy } from '../trust/types';

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
  /** Identities the user accepted in this browser, shared with their other browsers (public keys, times). */
  'synced-pins': { userId: string; pins: SyncedPin[] };
}
