import type { RecordStore } from '../storage/recordStore';
import { type DisagreementRecord, recordDisagreements } from '../trust/pageDisagreement';
import type { ShieldPlace } from '../model/pageShield';
import type { BackgroundRecords } from './backgroundRecords';
import { type HistoryEvent, historyEvent } from '../trust/trustHistory';

/**
 * The account's record of pages that showed people as trusted whom we warned about (first and
 * last seen, which indicator), for the popup's room view. Writes are serialised, and a page
 * repeating itself costs a write at most once a minute per person (LAST_SEEN_STEP_MS).
 */
export class DisagreementLog {
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly records: RecordStore<BackgroundRecords>,
    private readonly now: () => number,
    /** Told of each person a page first disagreed about (per room and client), for the trust history. */
    private readonly onHistory: (events: HistoryEvent[]) => Promise<void> = () => Promise.resolve(),
  ) {}

  note(seen: { roomId: string; client: string; users: readonly { userId: string; places: readonly ShieldPlace[] }[] }): Promise<void> {
    const write = this.writing.then(async () => {
      const current = (await this.records.get('disagreements'))?.entries ?? [];
      const now = this.now();
      const { records, changed } = recordDisagreements(current, seen, now);
      if (changed) await this.records.put('disagreements', { entries: records });
      // Only the first disagreement about someone in a room and client is history: a page
      // repeating itself while it stays open adds nothing.
      const { roomId, client } = seen;
      const known = (userId: string) => current.some((r) => r.roomId === roomId && r.userId === userId && r.client === client);
      const first = seen.users.filter(({ userId }) => !known(userId));
      if (first.length > 0)
        await this.onHistory(first.map(({ userId }) => historyEvent({ kind: 'page-disagreed', at: now, roomId, userId, client })));
    });
    this.writing = write.catch(() => undefined);
    return write;
  }

  async inRoom(roomId: string): Promise<DisagreementRecord[]> {
    await this.writing;
    return ((await this.records.get('disagreements'))?.entries ?? []).filter((record) => record.roomId === roomId);
  }

  clear(): Promise<void> {
    const clearing = this.writing.then(() => this.records.delete('disagreements'));
    this.writing = clearing.catch(() => undefined);
    return clearing;
  }
}
