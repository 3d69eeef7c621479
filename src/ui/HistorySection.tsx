import { useEffect, useRef, useState } from 'preact/hooks';
import { request } from '../messaging/backgroundClient';
import type { HistoryPage } from '../messaging/protocol';
import { historyLines } from '../text/historyText';
import { t } from '../text/i18n';
import { plural } from '../text/plural';
import type { HistoryFilter, HistoryKind, RetentionDays } from '../trust/trustHistory';
import { displayText } from '../validation/displayText';
import { downloadText, fileDate } from './download';
import { ErrorNotice, useAction } from './useAction';

/** Events shown at first and added by each "Show more": light enough to render at once. */
export const HISTORY_PAGE_SIZE = 200;

/** Functions, so each message is looked up when shown, not when this module loads. */
const KIND_WORDS: Record<HistoryKind, () => string> = {
  'device-appeared': () => t('historyKindDeviceAppeared'),
  warned: () => t('historyKindWarned'),
  acknowledged: () => t('historyKindAcknowledged'),
  'got-worse': () => t('historyKindGotWorse'),
  departed: () => t('historyKindDeparted'),
  'identity-changed': () => t('historyKindIdentityChanged'),
  'identity-pinned': () => t('historyKindIdentityPinned'),
  'verification-withdrawn': () => t('historyKindVerificationWithdrawn'),
  'page-disagreed': () => t('historyKindPageDisagreed'),
  'own-identity-reset': () => t('historyKindOwnIdentityReset'),
};

const RETENTION_CHOICES: RetentionDays[] = [30, 90, 365, null];

/**
 * The trust history in the options page: readable lines newest first, filters by room, person
 * and kind, "Show more", export (JSON, CSV) and import, and the retention period. The lines
 * come from historyLines; this only renders them.
 */
export function HistorySection() {
  const [filter, setFilter] = useState<HistoryFilter>({});
  const [limit, setLimit] = useState(HISTORY_PAGE_SIZE);
  const [page, setPage] = useState<HistoryPage | undefined>();
  const [reloads, setReloads] = useState(0);
  const [imported, setImported] = useState<number | undefined>();
  const loading = useAction(() => t('historyLoadFailed'));
  const exporting = useAction(() => t('historyExportFailed'));
  const importing = useAction(() => t('historyImportFailed'));
  const saving = useAction(() => t('historyRetentionFailed'));
  const list = useRef<HTMLOListElement>(null);

  useEffect(() => {
    void loading.run(async () => setPage(await request('history.query', { ...filter, limit })));
    // Asked again when the filters, the page size or the history (import, retention) change.
  }, [filter, limit, reloads]);

  useEffect(() => {
    // Back on the page (from the popup, a web client): read again, as more may have happened.
    const onVisible = () => {
      if (document.visibilityState === 'visible') setReloads((n) => n + 1);
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, []);

  function choose(change: HistoryFilter): void {
    setFilter((current) => withoutEmpty({ ...current, ...change }));
    setLimit(HISTORY_PAGE_SIZE);
  }

  function showMore(): void {
    setLimit((current) => current + HISTORY_PAGE_SIZE);
    // The button goes away once everything is shown: focus stays in the list, not on the page's top.
    list.current?.focus();
  }

  async function exportAs(format: 'json' | 'csv'): Promise<void> {
    setImported(undefined);
    await exporting.run(async () => {
      const { text } = await request('history.export', { format });
      const type = format === 'json' ? 'application/json' : 'text/csv';
      downloadText(text, type, `matrix-trust-guard-trust-history-${fileDate()}.${format}`);
    });
  }

  async function importFile(file: File | undefined): Promise<void> {
    if (!file) return;
    setImported(undefined);
    await importing.run(async () => {
      setImported((await request('history.import', { json: await file.text() })).added);
      setReloads((n) => n + 1);
    });
  }

  async function setRetention(retentionDays: RetentionDays): Promise<void> {
    await saving.run(async () => {
      await request('history.setRetention', { retentionDays });
      setReloads((n) => n + 1);
    });
  }

  const lines = page ? historyLines(page.events) : [];
  const filtered = filter.roomId !== undefined || filter.userId !== undefined || filter.kind !== undefined;
  return (
    <section aria-labelledby="history-heading" data-testid="history">
      <h2 id="history-heading">{t('historyHeading')}</h2>
      <p class="subtitle">{t('historyExplanation')}</p>
      {page && (
        <div class="history-filters">
          <FilterSelect
            label={t('historyFilterRoom')}
            name="room"
            value={filter.roomId}
            options={page.rooms.map((room) => ({ value: room.id, label: displayText(room.name ?? room.id) }))}
            onChoose={(roomId) => choose({ roomId })}
          />
          <FilterSelect
            label={t('historyFilterPerson')}
            name="person"
            value={filter.userId}
            options={page.users.map((user) => ({ value: user.id, label: displayText(user.name ?? user.id) }))}
            onChoose={(userId) => choose({ userId })}
          />
          <FilterSelect
            label={t('historyFilterKind')}
            name="kind"
            value={filter.kind}
            options={page.kinds.map((kind) => ({ value: kind, label: KIND_WORDS[kind]() }))}
            onChoose={(kind) => choose({ kind: kind as HistoryKind | undefined })}
          />
        </div>
      )}
      {page && (
        <p class="history-count" role="status" data-testid="history-count">
          {page.total === 0
            ? filtered
              ? t('historyEmptyFiltered')
              : t('historyEmpty')
            : plural(page.total, { one: () => t('historyCountOne'), other: () => t('historyCountMany', String(page.total)) })}
        </p>
      )}
      <ol class="history-list" ref={list} tabIndex={-1} aria-labelledby="history-heading" data-testid="history-list">
        {lines.map((line) => (
          <li key={line.key} data-kinds={line.kinds.join(' ')}>
            {line.text}
          </li>
        ))}
      </ol>
      {page && page.events.length < page.total && (
        <button class="link" type="button" onClick={showMore}>
          {t('historyShowMore')}
        </button>
      )}
      <div class="actions">
        <button class="link" type="button" disabled={exporting.busy} onClick={() => void exportAs('json')}>
          {t('historyExportJson')}
        </button>
        <button class="link" type="button" disabled={exporting.busy} onClick={() => void exportAs('csv')}>
          {t('historyExportCsv')}
        </button>
        <label class="link file">
          {t('historyImport')}
          <input
            type="file"
            accept="application/json"
            class="visually-hidden"
            data-testid="history-import"
            onChange={(e) => void importFile(e.currentTarget.files?.[0])}
          />
        </label>
      </div>
      {page && <RetentionSelect value={page.retentionDays} disabled={saving.busy} onChoose={(days) => void setRetention(days)} />}
      {page && page.setAside > 0 && <p class="notice">{t('historySetAside', String(page.setAside))}</p>}
      {imported !== undefined && (
        <p class="notice" role="status">
          {plural(imported, { one: () => t('historyImportedOne'), other: () => t('historyImportedMany', String(imported)) })}
        </p>
      )}
      <ErrorNotice error={loading.error ?? exporting.error ?? importing.error ?? saving.error} />
    </section>
  );
}

function FilterSelect(props: {
  label: string;
  name: string;
  value: string | undefined;
  options: { value: string; label: string }[];
  onChoose: (value: string | undefined) => void;
}) {
  // A label apart from its select (for/id): a label around it would name it with its options too.
  const id = `history-filter-${props.name}`;
  return (
    <div class="history-field">
      <label for={id}>{props.label}</label>
      <select
        id={id}
        name={props.name}
        value={props.value ?? ''}
        onChange={(event) => props.onChoose(event.currentTarget.value === '' ? undefined : event.currentTarget.value)}
      >
        <option value="">{t('historyFilterAll')}</option>
        {props.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

function RetentionSelect(props: { value: RetentionDays; disabled: boolean; onChoose: (days: RetentionDays) => void }) {
  // A period set some other way (an older version, a future one) is shown as it is.
  const choices = RETENTION_CHOICES.includes(props.value) ? RETENTION_CHOICES : [...RETENTION_CHOICES, props.value];
  return (
    <div class="history-field history-retention">
      <label for="history-retention">{t('historyRetentionLabel')}</label>
      <select
        id="history-retention"
        name="retention"
        value={String(props.value)}
        disabled={props.disabled}
        onChange={(event) => props.onChoose(event.currentTarget.value === 'null' ? null : Number(event.currentTarget.value))}
      >
        {choices.map((days) => (
          <option key={String(days)} value={String(days)}>
            {describeRetention(days)}
          </option>
        ))}
      </select>
    </div>
  );
}

function describeRetention(days: RetentionDays): string {
  if (days === null) return t('historyRetentionForever');
  return days === 365 ? t('historyRetentionYear') : t('historyRetentionDays', String(days));
}

function withoutEmpty(filter: HistoryFilter): HistoryFilter {
  return Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined));
}
