import type { RecordStore } from '../storage/recordStore';
import { type DisagreementRecord, recordDisagreements } from '../trust/pageDisagreement';
import type { ShieldPlace } from '../model/pageShield';
import type { BackgroundRecords } from './backgroundRecords';

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
  ) {}

  note(seen: { roomId: string; client: string; users: readonly { userId: string; places: readonly ShieldPlace[] }[] }): Promise<void> {
    const write = this.writing.then(async () => {
      const current = (await this.records.get('disagreements'))?.entries ?? [];
      const { records, changed } = recordDisagreements(current, seen, this.now());
      if (changed) await this.records.put('disagreements', { entries: records });
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
