import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { AccountRooms } from '../../../src/background/accountRooms';
import type { AccountRuntime } from '../../../src/background/accountRuntime';
import type { BackgroundRecords } from '../../../src/background/backgroundRecords';
import { createStatusStore } from '../../../src/background/statusStore';
import { openExtensionDatabase } from '../../../src/storage/extensionDatabase';
import { LedgerStore } from '../../../src/storage/ledgerStore';
import { HistoryStore } from '../../../src/storage/historyStore';
import { RecordStore } from '../../../src/storage/recordStore';
import type { MemberReport, RoomTrustReport } from '../../../src/trust/types';

const PLANS = '!plans:example.org';
const T0 = Date.UTC(2026, 11, 3, 15, 0);

function member(userId: string, severity: 'warn' | 'none'): MemberReport {
  return {
    userId,
    membership: 'join',
    identity: 'ok',
    severity,
    devices: [
      { deviceId: 'DEV', ed25519Key: 'k', class: severity === 'warn' ? 'unsigned' : 'owner-signed', severity, isNew: true, firstSeenAt: 1 },
    ],
  };
}

/** Plans, where Bob has a new unsigned device and Carol nothing against her. */
const report: RoomTrustReport = {
  roomId: PLANS,
  encrypted: true,
  policy: 'default',
  generatedAt: 1,
  memberCount: 3,
  members: [member('@bob:example.org', 'warn'), member('@carol:example.org', 'none')],
  verifiedUserIds: [],
  checking: [],
  warnings: { warn: 1, critical: 0 },
  newWarnings: { warn: 1, critical: 0 },
};

async function rooms(db?: IDBDatabase): Promise<{ rooms: AccountRooms; db: IDBDatabase; now: { at: number } }> {
  const database = db ?? (await openExtensionDatabase(new IDBFactory()));
  const now = { at: T0 };
  const runtime = { engine: { report: () => Promise.resolve(report) } } as unknown as AccountRuntime;
  const accountRooms = new AccountRooms({
    runtime: () => runtime,
    ledger: new LedgerStore(database),
    history: new HistoryStore(database),
    records: new RecordStore<BackgroundRecords>(database),
    status: createStatusStore({
      account: { state: 'signed-out' },
      cryptoEngine: { state: 'starting' },
      policy: 'default',
      backgroundStartedAt: 0,
      extensionVersion: 'test',
    }),
    now: () => now.at,
    onChanged: () => undefined,
  });
  return { rooms: accountRooms, db: database, now };
}

describe('AccountRooms: what pages showed as trusted while we warned', () => {
  it('records only members we warn about in the room now: the page cannot fill the record with anyone else', async () => {
    const { rooms: accountRooms } = await rooms();
    const recorded = await accountRooms.noteDisagreements(PLANS, 'Element Web', [
      { userId: '@bob:example.org', places: ['member-list'] },
      { userId: '@carol:example.org', places: ['member-list'] },
      { userId: '@stranger:example.org', places: ['composer'] },
    ]);
    expect(recorded).toBe(1);
    expect(await accountRooms.disagreements(PLANS)).toEqual([
      { roomId: PLANS, userId: '@bob:example.org', client: 'Element Web', places: ['member-list'], firstSeen: T0, lastSeen: T0 },
    ]);
    expect(await accountRooms.disagreements('!other:example.org')).toEqual([]);
  });

  it('keeps the record across background restarts, and forgets it at sign-out', async () => {
    const first = await rooms();
    await first.rooms.noteDisagreements(PLANS, 'Element Web', [{ userId: '@bob:example.org', places: ['user-info'] }]);
    const restarted = await rooms(first.db);
    restarted.now.at = T0 + 120_000;
    await restarted.rooms.noteDisagreements(PLANS, 'Element Web', [{ userId: '@bob:example.org', places: ['member-list'] }]);
    expect(await restarted.rooms.disagreements(PLANS)).toMatchObject([
      { places: ['member-list', 'user-info'], firstSeen: T0, lastSeen: T0 + 120_000 },
    ]);
    await restarted.rooms.forgetDisagreements();
    expect(await restarted.rooms.disagreements(PLANS)).toEqual([]);
  });

  it('writes the first disagreement about someone in a room and client to the trust history, not each repetition', async () => {
    const first = await rooms();
    await first.rooms.noteDisagreements(PLANS, 'Element Web', [{ userId: '@bob:example.org', places: ['user-info'] }]);
    first.now.at = T0 + 120_000;
    await first.rooms.noteDisagreements(PLANS, 'Element Web', [{ userId: '@bob:example.org', places: ['member-list'] }]);
    expect(await new HistoryStore(first.db).all()).toEqual([
      expect.objectContaining({ kind: 'page-disagreed', at: T0, roomId: PLANS, userId: '@bob:example.org', client: 'Element Web' }),
    ]);
  });
});
