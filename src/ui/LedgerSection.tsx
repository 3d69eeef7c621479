import { useState } from 'preact/hooks';
import { BackgroundError, request } from '../messaging/backgroundClient';
import { t } from '../text/i18n';

/** The warned-device history: download it as JSON, or merge a saved file back in. */
export function LedgerSection() {
  const [message, setMessage] = useState<{ text: string; error: boolean } | undefined>();

  async function exportHistory(): Promise<void> {
    try {
      const { json } = await request('ledger.export', {});
      const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `matrix-trust-guard-history-${new Date().toISOString().slice(0, 10)}.json`;
      link.click();
      URL.revokeObjectURL(url);
    } catch (failure) {
      setMessage({ text: failure instanceof BackgroundError ? failure.message : t('ledgerExportFailed'), error: true });
    }
  }

  async function importHistory(file: File | undefined): Promise<void> {
    if (!file) return;
    try {
      const { entries } = await request('ledger.import', { json: await file.text() });
      setMessage({ text: entries === 1 ? t('ledgerImportedOne', String(entries)) : t('ledgerImportedMany', String(entries)), error: false });
    } catch (failure) {
      setMessage({ text: failure instanceof BackgroundError ? failure.message : t('ledgerImportFailed'), error: true });
    }
  }

  return (
    <section aria-labelledby="ledger-heading">
      <h2 id="ledger-heading">{t('ledgerHeading')}</h2>
      <p class="subtitle">{t('ledgerExplanation')}</p>
      <div class="actions">
        <button class="link" type="button" onClick={() => void exportHistory()}>
          {t('ledgerExport')}
        </button>
        <label class="link file">
          {t('ledgerImport')}
          <input type="file" accept="application/json" class="visually-hidden" onChange={(e) => void importHistory(e.currentTarget.files?.[0])} />
        </label>
      </div>
      {message && (
        <p class={message.error ? 'notice error' : 'notice'} role="status">
          {message.text}
        </p>
      )}
    </section>
  );
}
