// @vitest-environment happy-dom
import { render } from 'preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AccountPageSignOut, OwnDeviceSummary, RecoveryFlowView } from '../../../src/messaging/protocol';

const calls = vi.hoisted(() => ({ requests: [] as [string, unknown][], tabs: [] as string[], signOuts: [] as unknown[] }));

vi.mock('webextension-polyfill', () => ({
  default: { tabs: { create: ({ url }: { url: string }) => Promise.resolve(void calls.tabs.push(url)) } },
}));
vi.mock('../../../src/messaging/backgroundClient', () => ({
  BackgroundError: class extends Error {},
  request: (kind: string, params: unknown) => {
    calls.requests.push([kind, params]);
    if (kind === 'session.signOut') return Promise.resolve({ needsPassword: false, accountPage: PAGE_LINK });
    if (kind === 'session.accountPageSignOuts') return Promise.resolve(calls.signOuts.shift() ?? []);
    return Promise.resolve({ step: 'working' });
  },
}));

const { OwnSessions } = await import('../../../src/ui/OwnSessions');
const { RecoveryPanel } = await import('../../../src/ui/RecoveryPanel');

const PAGE_LINK = 'https://auth.example.org/account/?action=org.matrix.device_delete&device_id=OLDPHONE';
const PHONE: OwnDeviceSummary = { deviceId: 'OLDPHONE', displayName: 'Old phone', class: 'unsigned' };
const host = () => document.body;
const settle = () => new Promise((resolve) => setTimeout(resolve, 30));
const click = (text: string) => {
  const button = [...host().querySelectorAll('button')].find((candidate) => candidate.textContent === text);
  if (!button) throw new Error(`no button "${text}"`);
  button.click();
};
const comeBack = () => window.dispatchEvent(new Event('focus'));

beforeEach(() => {
  calls.requests.splice(0);
  calls.tabs.splice(0);
  calls.signOuts.splice(0);
});
afterEach(() => render(null, host()));

describe('signing a session out on the account page', () => {
  it('opens the page for that session, says what to do there, and says it is gone once the user comes back', async () => {
    const still: AccountPageSignOut = { deviceId: 'OLDPHONE', accountPage: PAGE_LINK, gone: false };
    calls.signOuts.push([], [still], [{ ...still, gone: true }]);
    render(<OwnSessions devices={[PHONE]} />, host());
    await settle();
    click('Sign out');
    await settle();
    host().querySelector('form')?.dispatchEvent(new Event('submit'));
    await settle();
    expect(calls.tabs).toEqual([PAGE_LINK]);
    expect(host().querySelector('[data-still-signed-in="OLDPHONE"]')?.textContent).toContain(
      'Your server signs sessions out on its account page',
    );
    comeBack();
    await settle();
    expect(host().querySelector('[data-signed-out="OLDPHONE"]')?.textContent).toBe('Old phone (OLDPHONE) is signed out.');
  });

  it('says it is still signed in, with the link again, when the user comes back without doing it', async () => {
    calls.signOuts.push([{ deviceId: 'OLDPHONE', accountPage: PAGE_LINK, gone: false }]);
    render(<OwnSessions devices={[PHONE]} />, host());
    await settle();
    expect(host().querySelector('[data-still-signed-in="OLDPHONE"]')?.textContent).toContain('is still signed in');
    click('Open the account page');
    expect(calls.tabs).toEqual([PAGE_LINK]);
  });
});

describe('an identity reset waiting for approval on the account page', () => {
  const waiting = (askedAt: number): Extract<RecoveryFlowView, { step: 'needs-approval' }> => ({
    step: 'needs-approval',
    url: 'https://auth.example.org/reset',
    askedAt,
    again: false,
  });

  it('explains, opens the page, and finishes the reset on the button; no password field', async () => {
    render(<RecoveryPanel view={waiting(Date.now())} />, host());
    expect(host().textContent).toContain('Your server wants you to approve this reset on its account page.');
    expect(host().querySelector('input[type="password"]')).toBeNull();
    expect(calls.requests).toEqual([]);
    click('Open the account page');
    expect(calls.tabs).toEqual(['https://auth.example.org/reset']);
    click('I approved it, finish the reset');
    await settle();
    expect(calls.requests).toEqual([['identity.reset', {}]]);
  });

  it('retries by itself when the popup opens again after the user went to approve it', async () => {
    render(<RecoveryPanel view={waiting(Date.now() - 60_000)} />, host());
    await settle();
    expect(calls.requests).toEqual([['identity.reset', {}]]);
  });

  it('retries by itself when the user comes back to the page', async () => {
    render(<RecoveryPanel view={waiting(Date.now())} />, host());
    comeBack();
    await settle();
    expect(calls.requests).toEqual([['identity.reset', {}]]);
  });
});
