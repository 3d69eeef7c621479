import { afterEach, describe, expect, it } from 'vitest';
import { AcknowledgementSync } from '../../../src/background/acknowledgementSync';
import type { AcknowledgementChannel, OpenSecret } from '../../../src/background/ports/acknowledgementChannel';
import type { AcknowledgementSyncStatus } from '../../../src/messaging/protocol';
import { fromBase64, openAcknowledgements, sealAcknowledgements, toBase64 } from '../../../src/storage/acknowledgementSeal';
import type { SyncedAcknowledgement, SyncedAcknowledgements, SyncedPin } from '../../../src/trust/syncedAcknowledgements';
import type { MemberReport, RoomTrustReport } from '../../../src/trust/types';
import { keyOf, ROOM } from '../trust/facts';

const USER = '@alice:example.org';
const context = { eventType: 'org.matrixtrustguard.acknowledgements', userId: USER };

const ack = (deviceId: string): SyncedAcknowledgement => ({
  roomId: ROOM,
  userId: '@dave:example.org',
  deviceId,
  ed25519Key: keyOf(deviceId),
  acknowledgedClass: 'unsigned',
  acknowledgedAt: 1_000,
});
const doc = (acknowledgements: SyncedAcknowledgement[], pins: SyncedPin[] = []): SyncedAcknowledgements => ({
  version: 1,
  acknowledgements,
  pins,
});

/** The account's data on the server and its secret storage, as the channel port sees them. */
class FakeAccount implements AcknowledgementChannel {
  content: unknown = null;
  writes = 0;
  secret: string | undefined;
  private changeListener: (() => void) | undefined;
  private secretListener: ((secret: OpenSecret) => Promise<void>) | undefined;

  read(): Promise<unknown> {
    return Promise.resolve(this.content);
  }
  write(content: Record<string, unknown>): Promise<void> {
    this.writes += 1;
    this.content = content;
    return Promise.resolve();
  }
  onChange(listener: () => void): () => void {
    this.changeListener = listener;
    return () => (this.changeListener = undefined);
  }
  onSecretStorageOpen(listener: (secret: OpenSecret) => Promise<void>): void {
    this.secretListener = listener;
  }
  /** Someone (another browser, or the server) put this content. */
  put(content: unknown): void {
    this.content = content;
    this.changeListener?.();
  }
  /** A recovery flow opens secret storage. */
  openSecretStorage(unreadable = false): Promise<void> {
    return (
      this.secretListener?.({
        get: () => (unreadable ? Promise.reject(new Error('bad MAC')) : Promise.resolve(this.secret)),
        store: (value) => Promise.resolve(void (this.secret = value)),
      }) ?? Promise.resolve()
    );
  }
  async opened(): Promise<SyncedAcknowledgements | undefined> {
    return openAcknowledgements(this.content, fromBase64(this.secret ?? ''), context);
  }
}

const syncs: AcknowledgementSync[] = [];
afterEach(() => {
  for (const sync of syncs.splice(0)) sync.stop();
});

function browser(account: FakeAccount, local: SyncedAcknowledgement[] = []) {
  const sealed = new Map<string, Uint8Array<ArrayBuffer>>();
  const statuses: AcknowledgementSyncStatus[] = [];
  let recomputes = 0;
  let pins: SyncedPin[] = [];
  const sync = new AcknowledgementSync({
    userId: USER,
    channel: account,
    vault: {
      seal: (name, value) => Promise.resolve(void sealed.set(name, value.slice())),
      unseal: (name) => Promise.resolve(sealed.get(name)?.slice()),
      remove: (name) => Promise.resolve(void sealed.delete(name)),
    },
    localAcknowledgements: () => Promise.resolve(local),
    localPins: { load: () => Promise.resolve(pins), save: (next) => Promise.resolve(void (pins = next)) },
    recompute: () => Promise.resolve(void (recomputes += 1)),
    onStatus: (status) => statuses.push(status),
    now: () => 5_000,
  });
  syncs.push(sync);
  return { sync, sealed, statuses, local, recomputes: () => recomputes, last: () => statuses.at(-1)?.state };
}

describe('sharing acknowledgements between browsers', () => {
  it('without the key, says so and never reads or writes', async () => {
    const account = new FakeAccount();
    const here = browser(account, [ack('DAVEBOT')]);
    await here.sync.start();
    here.sync.noteAcknowledged();
    await here.sync.flush();
    expect(here.last()).toBe('off');
    expect(account.writes).toBe(0);
  });

  it('makes the sync key the first time secret storage is open, keeps it sealed here, and shares this browser’s acknowledgements', async () => {
    const account = new FakeAccount();
    const here = browser(account, [ack('DAVEBOT')]);
    await here.sync.start();
    await account.openSecretStorage();
    expect(account.secret).toBeDefined();
    expect(here.sealed.size).toBe(1);
    expect((await account.opened())?.acknowledgements).toEqual([ack('DAVEBOT')]);
    expect(here.statuses.at(-1)).toEqual({ state: 'synced', at: 5_000, acknowledgements: 1 });
  });

  it('reuses the key already in secret storage, and merges with the account’s copy before writing', async () => {
    const account = new FakeAccount();
    const key = crypto.getRandomValues(new Uint8Array(32));
    account.secret = toBase64(key);
    account.content = await sealAcknowledgements(doc([ack('ELSEWHERE')]), key, context);
    const here = browser(account, [ack('DAVEBOT')]);
    await here.sync.start();
    await account.openSecretStorage();
    expect(account.secret).toBe(toBase64(key));
    expect((await account.opened())?.acknowledgements.map((a) => a.deviceId).sort()).toEqual(['DAVEBOT', 'ELSEWHERE']);
    expect([...here.sync.acknowledgedElsewhere.values()].map((a) => a.deviceId).sort()).toEqual(['DAVEBOT', 'ELSEWHERE']);
  });

  it('never replaces a stored key it cannot read', async () => {
    const account = new FakeAccount();
    account.secret = 'stored';
    const here = browser(account);
    await here.sync.start();
    await expect(account.openSecretStorage(true)).rejects.toThrow('bad MAC');
    expect(account.secret).toBe('stored');
    expect(here.sealed.size).toBe(0);
  });

  it('takes in another browser’s acknowledgements when the account data changes, and computes reports again', async () => {
    const account = new FakeAccount();
    const here = browser(account);
    await here.sync.start();
    await account.openSecretStorage();
    const before = here.recomputes();
    account.put(await sealAcknowledgements(doc([ack('DAVEPHONE')]), fromBase64(account.secret ?? ''), context));
    await here.sync.flush();
    expect(here.sync.acknowledgedElsewhere.size).toBe(1);
    expect(here.recomputes()).toBe(before + 1);
    expect(here.last()).toBe('synced');
  });

  it('refuses a tampered copy without taking anything from it or writing over it; the next decision writes a valid one', async () => {
    const account = new FakeAccount();
    const here = browser(account, [ack('DAVEBOT')]);
    await here.sync.start();
    await account.openSecretStorage();
    const writes = account.writes;
    // A copy sealed for another account, moved here.
    account.put(await sealAcknowledgements(doc([ack('MALLORY')]), fromBase64(account.secret ?? ''), { ...context, userId: '@mallory:x' }));
    await here.sync.flush();
    expect(here.last()).toBe('rejected');
    expect([...here.sync.acknowledgedElsewhere.values()].map((a) => a.deviceId)).toEqual(['DAVEBOT']);
    expect(account.writes).toBe(writes);

    here.sync.noteAcknowledged();
    await here.sync.flush();
    expect((await account.opened())?.acknowledgements).toEqual([ack('DAVEBOT')]);
    expect(here.last()).toBe('synced');
  });

  it('writes the union back over a replayed older copy', async () => {
    const account = new FakeAccount();
    const here = browser(account, [ack('DAVEBOT')]);
    await here.sync.start();
    await account.openSecretStorage();
    account.put(await sealAcknowledgements(doc([]), fromBase64(account.secret ?? ''), context));
    await here.sync.flush();
    expect((await account.opened())?.acknowledgements).toEqual([ack('DAVEBOT')]);
  });

  it('forgets the key at sign-out, and leaves the account’s copy alone', async () => {
    const account = new FakeAccount();
    const here = browser(account);
    await here.sync.start();
    await account.openSecretStorage();
    const content = account.content;
    await here.sync.forget();
    expect(here.sealed.size).toBe(0);
    expect(account.content).toBe(content);
  });
});

describe('identities accepted in another browser', () => {
  const erinKey = keyOf('ERINMASTER');
  const member = (overrides: Partial<MemberReport>): MemberReport => ({
    userId: '@erin:example.org',
    membership: 'join',
    identity: 'identity-changed',
    masterKey: erinKey,
    severity: 'critical',
    devices: [],
    ...overrides,
  });
  const report = (members: MemberReport[]) => ({ members }) as RoomTrustReport;

  it('are accepted here only for the very master key accepted there, and tried once', async () => {
    const account = new FakeAccount();
    const here = browser(account);
    await here.sync.start();
    await account.openSecretStorage();
    const pin = { userId: '@erin:example.org', masterKey: erinKey, pinnedAt: 1_000 };
    account.put(await sealAcknowledgements(doc([], [pin]), fromBase64(account.secret ?? ''), context));
    await here.sync.flush();
    expect(here.sync.pinsToApply(report([member({ masterKey: keyOf('ANOTHERMASTER') })]))).toEqual([]);
    expect(here.sync.pinsToApply(report([member({ identity: 'ok' })]))).toEqual([]);
    expect(here.sync.pinsToApply(report([member({})]))).toEqual([{ userId: '@erin:example.org', masterKey: erinKey }]);
    expect(here.sync.pinsToApply(report([member({})]))).toEqual([]);
  });
});

describe('a browser whose sync key is outdated', () => {
  it('says so and never writes over a copy sealed under a newer key, until it is unlocked again', async () => {
    const account = new FakeAccount();
    const here = browser(account, [ack('DAVEBOT')]);
    await here.sync.start();
    await account.openSecretStorage();
    // Recovery set up anew in another browser: a new sync key, a new copy.
    const newer = crypto.getRandomValues(new Uint8Array(32));
    account.secret = toBase64(newer);
    account.put(await sealAcknowledgements(doc([ack('ELSEWHERE')]), newer, context));
    await here.sync.flush();
    expect(here.last()).toBe('other-key');
    const writes = account.writes;
    here.sync.noteAcknowledged();
    await here.sync.flush();
    expect(account.writes).toBe(writes);

    await account.openSecretStorage();
    expect((await account.opened())?.acknowledgements.map((a) => a.deviceId).sort()).toEqual(['DAVEBOT', 'ELSEWHERE']);
    expect(here.last()).toBe('synced');
  });
});

describe('a new recovery setup', () => {
  it('replaces a copy sealed under the previous sync key, which nobody unlocking from now on could read', async () => {
    const account = new FakeAccount();
    account.content = await sealAcknowledgements(doc([ack('OLD')]), crypto.getRandomValues(new Uint8Array(32)), context);
    const here = browser(account, [ack('DAVEBOT')]);
    await here.sync.start();
    await account.openSecretStorage();
    expect((await account.opened())?.acknowledgements).toEqual([ack('DAVEBOT')]);
    expect(here.last()).toBe('synced');
  });
});
