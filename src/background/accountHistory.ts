import { UserFacingError } from '../errors';
import type { HistoryPage, HistoryQuery } from '../messaging/protocol';
import type { HistoryStore } from '../storage/historyStore';
import type { RecordStore } from '../storage/recordStore';
import { t } from '../text/i18n';
import { exportHistoryCsv, exportHistoryJson, type HistoryRefusal, parseHistoryDocument } from '../trust/historyDocument';
import { DEFAULT_RETENTION_DAYS, type HistoryEvent, matchesFilter, type RetentionDays, withKnownNames } from '../trust/trustHistory';
import type { BackgroundRecords } from './backgroundRecords';

/**
 * The trust history as the options page asks for it: a filtered page of events with what the
 * filters can choose from, export (JSON or CSV, only when the user asks), import (merged,
 * never losing an event) and the retention period. Local data only: it works signed out too.
 */
export class AccountHistory {
  constructor(
    private readonly store: HistoryStore,
    private readonly records: RecordStore<BackgroundRecords>,
    private readonly now: () => number,
  ) {}

  async retentionDays(): Promise<RetentionDays> {
    const settings = await this.records.get('history-settings');
    return settings === undefined ? DEFAULT_RETENTION_DAYS : settings.retentionDays;
  }

  async setRetention(retentionDays: RetentionDays): Promise<{ retentionDays: RetentionDays }> {
    await this.records.put('history-settings', { retentionDays });
    // A shorter period applies at once, not at the next hourly compaction.
    await this.store.compact();
    return { retentionDays };
  }

  async query({ limit, ...filter }: HistoryQuery): Promise<HistoryPage> {
    const all = await this.store.all();
    const events = all.filter((event) => matchesFilter(event, filter));
    return {
      // The newest `limit` (the page asks for more with each "Show more"), or all of them.
      events: withKnownNames(events.slice(0, limit), all),
      total: events.length,
      rooms: choices(all, (event) => (event.roomId === undefined ? undefined : [event.roomId, event.roomName])),
      users: choices(all, (event) => (event.userId === undefined ? undefined : [event.userId, event.userName])),
      kinds: [...new Set(all.map((event) => event.kind))],
      retentionDays: await this.retentionDays(),
      setAside: await this.store.setAsideCount(),
    };
  }

  async export(format: 'json' | 'csv'): Promise<{ text: string }> {
    const events = await this.store.all();
    return { text: format === 'json' ? exportHistoryJson(events, this.now()) : exportHistoryCsv(events) };
  }

  /** Merges a history file in; answers how many of its events were new here. */
  async import(json: string): Promise<{ added: number }> {
    const parsed = parseHistoryDocument(json);
    if (!parsed.ok) throw new UserFacingError(t('errLedgerImport', describeRefusal(parsed.refusal)));
    return { added: await this.store.importEvents(parsed.events) };
  }
}

/** Each id once, with the newest name it was seen with (events come newest first). */
function choices(events: readonly HistoryEvent[], pick: (event: HistoryEvent) => [string, string | undefined] | undefined) {
  const named = new Map<string, string | undefined>();
  for (const event of events) {
    const picked = pick(event);
    if (picked !== undefined && named.get(picked[0]) === undefined) named.set(picked[0], picked[1]);
  }
  return [...named].map(([id, name]) => (name === undefined ? { id } : { id, name }));
}

function describeRefusal(refusal: HistoryRefusal): string {
  switch (refusal.code) {
    case 'not-json':
      return t('ledgerRefusedNotJson');
    case 'not-an-export':
      return t('historyRefusedNotAnExport');
    case 'no-version':
    case 'bad-document':
      return t('ledgerRefusedDamaged');
    case 'newer-version':
      return t('ledgerRefusedNewer');
    case 'too-many-events':
      return t('ledgerRefusedTooMany', String(refusal.max));
    case 'bad-event':
      return t('ledgerRefusedBadEntry', String(refusal.event));
  }
}
