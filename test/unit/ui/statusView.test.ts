import { describe, expect, it } from 'vitest';
import type { CryptoEngineStatus, OwnDeviceSummary } from '../../../src/messaging/protocol';
import type { DeviceClass } from '../../../src/trust/types';
import {
  cryptoEngineFacts,
  describeAccount,
  describeCryptoEngine,
  describeLedgerSetAside,
  describeOwnDevices,
  describeSync,
} from '../../../src/ui/statusView';
import { describeDeviceClass } from '../../../src/text/deviceClassText';
import { formatDate, formatTime, formatTimeAgo } from '../../../src/text/timeText';

const ready = {
  state: 'ready',
  engineVersion: 'Rust SDK 0.19.1 (a3d573d), Vodozemac 0.11.0',
  identityKey: 'WTLFumLgg2Rd0xpPgDwxrbk4BcSTsUeujsodQVc8lRo',
  storeCreatedAt: Date.UTC(2026, 10, 23, 15, 52),
  storeOpenCount: 1,
  startupMs: 640,
} as const satisfies CryptoEngineStatus;

/** Fixed instants; formatTime and formatDate depend on the machine's locale and time zone. */
const now = Date.UTC(2026, 10, 24, 9, 30);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

describe('describeAccount', () => {
  it('says a signed-out account is not signed in, neutrally, and why a session is needed', () => {
    expect(describeAccount({ state: 'signed-out' })).toEqual({
      id: 'account',
      label: 'Account',
      value: 'Not signed in',
      tone: 'neutral',
      detail: 'Matrix Trust Guard needs its own session on your account before it can check your rooms.',
    });
  });

  it('warns when the server ended the session, saying when and that the warning history is kept', () => {
    const endedByServerAt = Date.UTC(2026, 10, 23, 18, 5);
    const line = describeAccount({ state: 'signed-out', endedByServerAt });
    expect(line).toMatchObject({ id: 'account', label: 'Account', value: 'Signed out by the server', tone: 'warn' });
    expect(line.detail).toBe(
      `Your homeserver ended this extension's session on ${formatDate(endedByServerAt)}. Your warning history is kept; sign in again to continue.`,
    );
  });

  it('shows a resuming account as in progress', () => {
    expect(describeAccount({ state: 'resuming' })).toEqual({
      id: 'account',
      label: 'Account',
      value: 'Opening your session…',
      tone: 'busy',
    });
  });

  it('shows a failed account as a problem, with the reason as its detail', () => {
    const reason = 'This device could not be started. Sign out and sign in again if this persists.';
    expect(describeAccount({ state: 'failed', reason })).toEqual({
      id: 'account',
      label: 'Account',
      value: 'Not working',
      tone: 'bad',
      detail: reason,
    });
  });

  it('shows a signed-in account by its user id, with the homeserver host and this session id', () => {
    const line = describeAccount({
      state: 'signed-in',
      userId: '@alice:example.org',
      deviceId: 'GUARDDEVICE',
      homeserverUrl: 'https://matrix.example.org:8448',
      sync: { state: 'syncing', lastSyncAt: now },
    });
    expect(line).toEqual({
      id: 'account',
      label: 'Account',
      value: '@alice:example.org',
      tone: 'ok',
      detail: "On matrix.example.org:8448, as this browser's session GUARDDEVICE.",
    });
  });

  it('shows the homeserver as stored when it is not a URL', () => {
    const line = describeAccount({
      state: 'signed-in',
      userId: '@alice:example.org',
      deviceId: 'GUARDDEVICE',
      homeserverUrl: 'matrix.example.org',
      sync: { state: 'starting' },
    });
    expect(line.detail).toBe("On matrix.example.org, as this browser's session GUARDDEVICE.");
  });
});

describe('describeSync', () => {
  it('shows a starting sync as in progress', () => {
    expect(describeSync({ state: 'starting' }, now)).toEqual({ id: 'sync', label: 'Sync', value: 'Starting…', tone: 'busy' });
  });

  it('shows catching up as in progress, with how long ago it was last up to date', () => {
    const lastSyncAt = now - 5 * MINUTE;
    const line = describeSync({ state: 'catching-up', lastSyncAt }, now);
    expect(line).toMatchObject({ id: 'sync', label: 'Sync', value: 'Catching up…', tone: 'busy' });
    expect(line.detail).toBe('Last up to date 5 min ago.');
    expect(line.detail).toBe(`Last up to date ${formatTimeAgo(lastSyncAt, now)}.`);
  });

  it('says nothing about the last sync while catching up before any sync completed', () => {
    const line = describeSync({ state: 'catching-up' }, now);
    expect(line).toMatchObject({ id: 'sync', label: 'Sync', value: 'Catching up…', tone: 'busy' });
    expect(line.detail).toBeUndefined();
  });

  it('shows a running sync as up to date', () => {
    expect(describeSync({ state: 'syncing', lastSyncAt: now - 2 * SECOND }, now)).toEqual({
      id: 'sync',
      label: 'Sync',
      value: 'Up to date',
      tone: 'ok',
    });
  });

  it('warns when offline, saying since when and when it was last up to date, and that it retries by itself', () => {
    const since = now - 20 * MINUTE;
    const lastSyncAt = now - 21 * MINUTE;
    const line = describeSync({ state: 'offline', since, lastSyncAt }, now);
    expect(line).toEqual({
      id: 'sync',
      label: 'Sync',
      value: `Offline since ${formatTime(since)}`,
      tone: 'warn',
      detail: 'Warnings may be out of date: last up to date 21 min ago. Retrying by itself.',
    });
  });

  it('shows the offline start time as a clock time, not as a duration', () => {
    const since = now - 3 * HOUR;
    const { value } = describeSync({ state: 'offline', since }, now);
    expect(value).toBe(`Offline since ${formatTime(since)}`);
    expect(value).not.toMatch(/ago|just now/);
  });

  it('warns when offline before any sync completed, without a last-up-to-date time', () => {
    const line = describeSync({ state: 'offline', since: now - MINUTE }, now);
    expect(line.tone).toBe('warn');
    expect(line.detail).toBe('Warnings may be out of date. Retrying by itself.');
  });

  it('says the last sync was long ago as a clock time once it is an hour old or more', () => {
    const lastSyncAt = now - 2 * HOUR;
    const line = describeSync({ state: 'offline', since: now - HOUR, lastSyncAt }, now);
    expect(line.detail).toBe(`Warnings may be out of date: last up to date at ${formatTime(lastSyncAt)}. Retrying by itself.`);
  });

  it('shows a session ended by the server as stopped, a problem', () => {
    expect(describeSync({ state: 'signed-out-by-server', at: now - MINUTE }, now)).toEqual({
      id: 'sync',
      label: 'Sync',
      value: 'Stopped',
      tone: 'bad',
      detail: 'The homeserver ended this session.',
    });
  });
});

describe('describeOwnDevices', () => {
  const trusted: OwnDeviceSummary[] = [
    { deviceId: 'PHONE', displayName: 'Element Android', class: 'verified' },
    { deviceId: 'LAPTOP', displayName: 'Element Desktop', class: 'owner-signed' },
    { deviceId: 'OLDBOT', displayName: 'Old bot', class: 'unsigned' },
  ];

  it('has nothing to say before the devices are known, with no devices, or when none is unsigned by a verified identity', () => {
    expect(describeOwnDevices(undefined)).toBeUndefined();
    expect(describeOwnDevices([])).toBeUndefined();
    expect(describeOwnDevices(trusted)).toBeUndefined();
  });

  it('names one session the identity has not signed, in the singular, and says what to do', () => {
    const line = describeOwnDevices([...trusted, { deviceId: 'INTRUDER', displayName: 'Firefox on Linux', class: 'unsigned-of-verified' }]);
    expect(line).toEqual({
      id: 'own-sessions',
      label: 'Your sessions',
      value: '1 session you did not verify',
      tone: 'bad',
      detail:
        'Firefox on Linux (INTRUDER): your identity has not signed it. If this was not you, someone has your password: sign it out and change your password.',
    });
  });

  it('counts and lists several such sessions in the plural, and only those', () => {
    const line = describeOwnDevices([
      { deviceId: 'INTRUDER1', displayName: 'Chrome on Windows', class: 'unsigned-of-verified' },
      ...trusted,
      { deviceId: 'INTRUDER2', displayName: 'Firefox on Linux', class: 'unsigned-of-verified' },
    ]);
    expect(line?.value).toBe('2 sessions you did not verify');
    expect(line?.tone).toBe('bad');
    expect(line?.detail).toBe(
      'Chrome on Windows (INTRUDER1), Firefox on Linux (INTRUDER2): your identity has not signed them. If this was not you, someone has your password: sign them out and change your password.',
    );
    for (const device of trusted) expect(line?.detail).not.toContain(device.deviceId);
  });

  it('calls a session without a display name an unnamed session, still with its id', () => {
    const line = describeOwnDevices([{ deviceId: 'NONAME', class: 'unsigned-of-verified' }]);
    expect(line?.detail).toMatch(/^Unnamed session \(NONAME\): your identity has not signed it\./);
  });
});

describe('describeDeviceClass', () => {
  it.each<[DeviceClass, string, string]>([
    ['verified', 'Verified', 'Verified'],
    ['owner-signed', 'Not verified by you', 'Signed by your identity'],
    ['unsigned', 'Not signed by its owner', 'Not signed by your identity'],
    ['unsigned-of-verified', 'Not signed by its owner, whom you verified', 'Not signed by your identity'],
  ])('words %s as "%s" for others\' devices and "%s" for the account\'s own', (cls, others, own) => {
    expect(describeDeviceClass(cls)).toBe(others);
    expect(describeDeviceClass(cls, false)).toBe(others);
    expect(describeDeviceClass(cls, true)).toBe(own);
  });
});

describe('describeLedgerSetAside', () => {
  it('shows nothing while no record was set aside', () => {
    expect(describeLedgerSetAside(undefined)).toBeUndefined();
    expect(describeLedgerSetAside(0)).toBeUndefined();
  });

  it('warns, counting the records, and says what it means', () => {
    expect(describeLedgerSetAside(1)).toMatchObject({
      id: 'ledger',
      label: 'Warning history',
      value: '1 damaged record set aside',
      tone: 'warn',
    });
    expect(describeLedgerSetAside(3)?.value).toBe('3 damaged records set aside');
    expect(describeLedgerSetAside(3)?.detail).toContain('may show again');
  });
});

describe('describeCryptoEngine', () => {
  it('shows a starting engine as in progress', () => {
    expect(describeCryptoEngine({ state: 'starting' })).toEqual({
      id: 'engine',
      label: 'Encryption engine',
      value: 'Starting…',
      tone: 'busy',
    });
  });

  it('shows a ready engine as OK, with when its store was created', () => {
    expect(describeCryptoEngine(ready)).toEqual({
      id: 'engine',
      label: 'Encryption engine',
      value: 'Ready',
      tone: 'ok',
      detail: `Rust crypto is running in this browser, with its store kept since ${formatDate(ready.storeCreatedAt)}.`,
    });
  });

  it('shows a failed engine as a problem, with the reason as its detail', () => {
    expect(describeCryptoEngine({ state: 'failed', reason: 'The encryption engine could not start: Failed to fetch' })).toEqual({
      id: 'engine',
      label: 'Encryption engine',
      value: 'Not working',
      tone: 'bad',
      detail: 'The encryption engine could not start: Failed to fetch',
    });
  });
});

describe('cryptoEngineFacts', () => {
  it('lists no facts until the engine is ready', () => {
    expect(cryptoEngineFacts({ state: 'starting' })).toEqual([]);
    expect(cryptoEngineFacts({ state: 'failed', reason: 'broken' })).toEqual([]);
  });

  it('lists version, store identity key, creation date, openings and start-up time of a ready engine', () => {
    expect(cryptoEngineFacts({ ...ready, storeOpenCount: 3 })).toEqual([
      { id: 'engine-version', label: 'Version', value: 'Rust SDK 0.19.1 (a3d573d), Vodozemac 0.11.0' },
      { id: 'identity-key', label: 'Store identity key', value: 'WTLFumLgg2Rd0xpPgDwxrbk4BcSTsUeujsodQVc8lRo' },
      { id: 'store-created', label: 'Store created', value: formatDate(ready.storeCreatedAt) },
      { id: 'store-opened', label: 'Store opened', value: '3 times' },
      { id: 'startup-ms', label: 'Start-up time', value: '640 ms' },
    ]);
  });

  it('counts a single opening in the singular', () => {
    expect(cryptoEngineFacts(ready).find((fact) => fact.label === 'Store opened')?.value).toBe('1 time');
  });
});

describe('formatTimeAgo', () => {
  it('says "just now" for less than a minute, and for times slightly in the future (clock skew)', () => {
    expect(formatTimeAgo(now, now)).toBe('just now');
    expect(formatTimeAgo(now - 59 * SECOND, now)).toBe('just now');
    expect(formatTimeAgo(now + 30 * SECOND, now)).toBe('just now');
  });

  it('counts whole minutes under an hour', () => {
    expect(formatTimeAgo(now - MINUTE, now)).toBe('1 min ago');
    expect(formatTimeAgo(now - 90 * SECOND, now)).toBe('2 min ago');
    expect(formatTimeAgo(now - 45 * MINUTE, now)).toBe('45 min ago');
    expect(formatTimeAgo(now - 59 * MINUTE, now)).toBe('59 min ago');
  });

  it('gives the clock time from an hour on', () => {
    expect(formatTimeAgo(now - HOUR, now)).toBe(`at ${formatTime(now - HOUR)}`);
    expect(formatTimeAgo(now - 5 * HOUR, now)).toBe(`at ${formatTime(now - 5 * HOUR)}`);
  });
});

describe('formatTime and formatDate', () => {
  it('give different text for different instants and include the date only in formatDate', () => {
    const morning = Date.UTC(2026, 0, 15, 8, 0);
    const evening = Date.UTC(2026, 0, 15, 20, 0);
    expect(formatTime(morning)).not.toBe(formatTime(evening));
    expect(formatDate(morning)).toContain('2026');
    expect(formatTime(morning)).not.toContain('2026');
  });
});
