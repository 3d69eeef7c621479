import { useState } from 'preact/hooks';
import { request } from '../messaging/backgroundClient';
import { t } from '../text/i18n';
import { ErrorNotice, useAction } from './useAction';
import { plural } from '../text/plural';
import { downloadText, fileDate } from './download';

/** The warned-device history: download it as JSON, or merge a saved file back in. */
export function LedgerSection() {
  const exporting = useAction(() => t('ledgerExportFailed'));
  const importing = useAction(() => t('ledgerImportFailed'));
  const [imported, setImported] = useState<number | undefined>();

  async function exportHistory(): Promise<void> {
    setImported(undefined);
    importing.clearError();
    await exporting.run(async () => {
      const { json } = await request('ledger.export', {});
      downloadText(json, 'application/json', `matrix-trust-guard-history-${fileDate()}.json`);
    });
  }

  async function importHistory(file: File | undefined): Promise<void> {
    if (!file) return;
    setImported(undefined);
    exporting.clearError();
    await importing.run(async () => {
      setImported((await request('ledger.import', { json: await file.text() })).entries);
    });
  }

  return (
    <section aria-labelledby="ledger-heading">
      <h2 id="ledger-heading">{t('ledgerHeading')}</h2>
      <p class="subtitle">{t('ledgerExplanation')}</p>
      <div class="actions">
        <button class="link" type="button" disabled={exporting.busy} onClick={() => void exportHistory()}>
          {t('ledgerExport')}
        </button>
        <label class="link file">
          {t('ledgerImport')}
          <input
            type="file"
            accept="application/json"
            class="visually-hidden"
            onChange={(e) => void importHistory(e.currentTarget.files?.[0])}
          />
        </label>
      </div>
      {imported !== undefined && (
        <p class="notice" role="status">
          {plural(imported, {
            one: () => t('ledgerImportedOne', String(imported)),
            other: () => t('ledgerImportedMany', String(imported)),
          })}
        </p>
      )}
      <ErrorNotice error={exporting.error ?? importing.error} />
    </section>
  );
}
