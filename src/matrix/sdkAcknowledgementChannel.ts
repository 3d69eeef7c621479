import { ClientEvent, type MatrixClient, type MatrixEvent, Method } from 'matrix-js-sdk';
import type { SecretInfo, ServerSideSecretStorage } from 'matrix-js-sdk/lib/secret-storage.js';
import {
  ACKNOWLEDGEMENTS_EVENT_TYPE,
  type AcknowledgementChannel,
  type OpenSecret,
  SYNC_KEY_SECRET_NAME,
} from '../background/ports/acknowledgementChannel';
import { createLogger, errorSummary } from '../log';

const log = createLogger('ack-sync');

// Our event type and secret name, for matrix-js-sdk's typed account data.
declare module 'matrix-js-sdk/lib/@types/event.js' {
  interface AccountDataEvents {
    [ACKNOWLEDGEMENTS_EVENT_TYPE]: Record<string, unknown>;
  }
  interface SecretStorageAccountDataEvents {
    [SYNC_KEY_SECRET_NAME]: SecretInfo;
  }
}

/** Secret storage as the recovery flow has it open. */
export type OpenSecretStorage = Pick<ServerSideSecretStorage, 'get' | 'store' | 'isStored' | 'getDefaultKeyId'>;

/** The account data event and the sync key over matrix-js-sdk. */
export class SdkAcknowledgementChannel implements AcknowledgementChannel {
  private secretListener: ((secret: OpenSecret) => Promise<void>) | undefined;

  constructor(private readonly client: MatrixClient) {}

  /** Straight from the server, not the sync cache: a merge before a write must see the latest. */
  async read(): Promise<unknown> {
    const path = `/user/${encodeURIComponent(this.client.getSafeUserId())}/account_data/${encodeURIComponent(ACKNOWLEDGEMENTS_EVENT_TYPE)}`;
    try {
      return await this.client.http.authedRequest<unknown>(Method.Get, path);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async write(content: Record<string, unknown>): Promise<void> {
    await this.client.setAccountDataRaw(ACKNOWLEDGEMENTS_EVENT_TYPE, content);
  }

  onChange(listener: () => void): () => void {
    const onAccountData = (event: MatrixEvent) => {
      if (event.getType() === ACKNOWLEDGEMENTS_EVENT_TYPE) listener();
    };
    this.client.on(ClientEvent.AccountData, onAccountData);
    return () => this.client.off(ClientEvent.AccountData, onAccountData);
  }

  onSecretStorageOpen(listener: (secret: OpenSecret) => Promise<void>): void {
    this.secretListener = listener;
  }

  /**
   * Called by the recovery flow while it holds the secret storage key. A failure here never
   * fails the recovery itself: acknowledgements then stay in this browser, and the status says so.
   */
  async secretStorageOpen(secrets: OpenSecretStorage): Promise<void> {
    const listener = this.secretListener;
    if (!listener) return;
    const secret: OpenSecret = {
      // Stored only under another key (before a new recovery was set up) counts as not stored:
      // that key is gone for whoever unlocks from now on.
      get: async () => {
        const [storedUnder, current] = await Promise.all([secrets.isStored(SYNC_KEY_SECRET_NAME), secrets.getDefaultKeyId()]);
        return current !== null && storedUnder !== null && Object.hasOwn(storedUnder, current)
          ? secrets.get(SYNC_KEY_SECRET_NAME)
          : undefined;
      },
      store: (value) => secrets.store(SYNC_KEY_SECRET_NAME, value),
    };
    try {
      await listener(secret);
    } catch (error) {
      log.warn('sync key not available', { error: errorSummary(error) });
    }
  }
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'errcode' in error && error.errcode === 'M_NOT_FOUND';
}
