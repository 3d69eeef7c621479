import type { AccountStatus, AcknowledgementSyncStatus, CryptoEngineStatus, ExtensionStatus } from '../messaging/protocol';
import type { Policy } from '../trust/types';

/**
 * The background's current status, one value for every UI: popup, options, and (later)
 * the page overlay. Listeners hear every change.
 */
export function createStatusStore(initial: ExtensionStatus) {
  let status = initial;
  const listeners = new Set<(status: ExtensionStatus) => void>();

  function set(next: ExtensionStatus): void {
    status = next;
    for (const listener of listeners) listener(status);
  }

  return {
    get: (): ExtensionStatus => status,
    setCryptoEngine: (cryptoEngine: CryptoEngineStatus) => set({ ...status, cryptoEngine }),
    setAccount: (account: AccountStatus) => set({ ...status, account }),
    setPolicy: (policy: Policy) => set({ ...status, policy }),
    setLedgerSetAside: (ledgerSetAside: number) => set({ ...status, ledgerSetAside }),
    setAcknowledgementSync: (acknowledgementSync: AcknowledgementSyncStatus | undefined) => {
      const { acknowledgementSync: _previous, ...rest } = status;
      set(acknowledgementSync === undefined ? rest : { ...rest, acknowledgementSync });
    },
    onChange(listener: (status: ExtensionStatus) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type StatusStore = ReturnType<typeof createStatusStore>;
