import type { AlertSettings } from '../messaging/protocol';
import type { RecordStore } from '../storage/recordStore';
import { ALERT_KINDS, type AlertKind, type AlertKinds, DEFAULT_ALERT_KINDS, MAX_WATCHED_ROOMS } from '../trust/alertPolicy';
import { isNonNegativeInteger, isPlainObject, roomId as isRoomId } from '../validation/shape';
import { UserFacingError } from '../errors';
import { t } from '../text/i18n';
import type { BackgroundRecords } from './backgroundRecords';
import type { AlertMemory, NotifierDeps } from './notifier';

/**
 * Which warnings become notifications, and the rooms the user watches, in their own records
 * ('alert-settings', 'watched-rooms'). Every change is published so open pages stay live.
 */
export class AlertSettingsStore {
  /** Read once and kept: every room report asks for the settings. */
  private cached: Promise<AlertSettings> | undefined;

  constructor(
    private readonly records: RecordStore<BackgroundRecords>,
    private readonly onChange: (settings: AlertSettings) => void,
  ) {}

  get(): Promise<AlertSettings> {
    this.cached ??= this.read();
    // A failed read is not kept: the next report reads again.
    this.cached.catch(() => (this.cached = undefined));
    return this.cached;
  }

  private async read(): Promise<AlertSettings> {
    const [stored, watched] = await Promise.all([this.records.get('alert-settings'), this.records.get('watched-rooms')]);
    return { kinds: kindsFrom(stored?.kinds), watchedRoomIds: (watched?.roomIds ?? []).filter((id) => isRoomId(id)) };
  }

  async setKind(kind: AlertKind, enabled: boolean): Promise<AlertSettings> {
    const { kinds } = await this.get();
    await this.records.put('alert-settings', { kinds: { ...kinds, [kind]: enabled } });
    return this.changed();
  }

  async watchRoom(roomId: string, watched: boolean): Promise<AlertSettings> {
    const ids = (await this.get()).watchedRoomIds.filter((id) => id !== roomId);
    if (watched) {
      if (ids.length >= MAX_WATCHED_ROOMS) throw new UserFacingError(t('errTooManyWatchedRooms', String(MAX_WATCHED_ROOMS)));
      ids.push(roomId);
    }
    await this.records.put('watched-rooms', { roomIds: ids });
    return this.changed();
  }

  /** The watched rooms belong to the account: forgotten at sign-out (the kinds stay, like the policy). */
  async forgetRooms(): Promise<void> {
    await this.records.delete('watched-rooms');
    await this.changed();
  }

  private async changed(): Promise<AlertSettings> {
    this.cached = undefined;
    const settings = await this.get();
    this.onChange(settings);
    return settings;
  }
}

/** Stored kinds read like anything stored: only booleans count, a missing kind takes its default. */
function kindsFrom(stored: Partial<Record<string, unknown>> | undefined): AlertKinds {
  const kinds = { ...DEFAULT_ALERT_KINDS };
  for (const kind of ALERT_KINDS) {
    const value = stored?.[kind];
    if (typeof value === 'boolean') kinds[kind] = value;
  }
  return kinds;
}

/** What was notified, kept in the 'alerted-facts' record; read like anything stored (a damaged part is dropped). */
export function alertMemoryIn(records: RecordStore<BackgroundRecords>): NotifierDeps['alerted'] {
  return {
    load: async () => {
      const stored = (await records.get('alerted-facts')) as Partial<AlertMemory> | undefined;
      const keys = Array.isArray(stored?.keys) ? stored.keys.filter((key) => typeof key === 'string') : [];
      const shownAt = Object.entries(isPlainObject(stored?.shownAt) ? stored.shownAt : {}).filter(
        (entry): entry is [string, number] => isRoomId(entry[0]) && isNonNegativeInteger(entry[1]),
      );
      return { keys, shownAt: Object.fromEntries(shownAt) };
    },
    save: (memory) => records.put('alerted-facts', memory),
    clear: () => records.delete('alerted-facts'),
  };
}
