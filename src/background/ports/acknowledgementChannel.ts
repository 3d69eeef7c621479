/**
 * Where the user's acknowledgements travel between their browsers: one account data event of
 * ours, and one secret of ours in the account's secret storage (the sync key). Implemented over
 * matrix-js-sdk in `src/matrix/sdkAcknowledgementChannel.ts`; what goes through it is already
 * sealed (src/storage/acknowledgementSeal.ts), the server sees only ciphertext.
 */

/** The account data event type holding the sealed acknowledgements. */
export const ACKNOWLEDGEMENTS_EVENT_TYPE = 'org.matrixtrustguard.acknowledgements';
/** The secret storage name of the sync key (base64 of 32 random bytes). */
export const SYNC_KEY_SECRET_NAME = 'org.matrixtrustguard.sync_key';

/** The sync key's entry in secret storage, while a recovery flow has it open. */
export interface OpenSecret {
  /** The stored value; undefined when not stored under the current recovery key. Throws when stored but unreadable (a bad MAC). */
  get(): Promise<string | undefined>;
  store(value: string): Promise<void>;
}

export interface AcknowledgementChannel {
  /** The event's content as the server holds it now (null: none), unchecked. */
  read(): Promise<unknown>;
  write(content: Record<string, unknown>): Promise<void>;
  /** The event changed (another browser wrote it, or the server changed it); returns a stop function. */
  onChange(listener: () => void): () => void;
  /**
   * Called while a recovery flow (set up, or unlock with the recovery key) has secret storage
   * open, with our secret in it. The flow waits for the listener; a listener that throws does
   * not fail the flow.
   */
  onSecretStorageOpen(listener: (secret: OpenSecret) => Promise<void>): void;
}
