import { describe, expect, it } from 'vitest';
import { accountActionUrl, accountPageOf } from '../../../src/matrix/accountPage';
import { isSafeWebUrl } from '../../../src/validation/webUrl';

const PAGE = 'https://auth.example.org/account/';

describe("the server's account page, from its auth metadata", () => {
  it('is the account_management_uri with the actions the server lists', () => {
    expect(
      accountPageOf({
        account_management_uri: PAGE,
        account_management_actions_supported: ['org.matrix.device_delete', 'org.matrix.cross_signing_reset', 7],
      }),
    ).toEqual({ url: PAGE, actions: ['org.matrix.device_delete', 'org.matrix.cross_signing_reset'] });
  });

  it('is none on a server that names no page, or a page we may not open', () => {
    expect(accountPageOf({})).toBeUndefined();
    expect(accountPageOf({ account_management_uri: 'http://auth.example.org/account' })).toBeUndefined();
    expect(accountPageOf({ account_management_uri: 'javascript:alert(1)' })).toBeUndefined();
  });
});

describe('which account page links the extension opens', () => {
  it.each([
    ['https://auth.example.org/account', true],
    ['http://localhost:8080/account', true],
    ['http://127.0.0.1:8080/account', true],
    ['http://auth.example.org/account', false],
    ['http://localhost.example.org/account', false],
    ['https://user:secret@auth.example.org/account', false],
    ['data:text/html,<h1>hi</h1>', false],
    ['not a url', false],
  ])('%s: %s', (url, openable) => {
    expect(isSafeWebUrl(url)).toBe(openable);
  });
});

describe('deep links to an action on the account page (MSC4191)', () => {
  it('signs one session out with device_delete and its device id, keeping the query the page already has', () => {
    const url = new URL(
      accountActionUrl(
        { url: `${PAGE}?lang=en`, actions: ['org.matrix.device_delete'] },
        { action: 'device-delete', deviceId: 'OLD PHONE' },
      ),
    );
    expect(url.origin + url.pathname).toBe(PAGE.slice(0, -1) + '/');
    expect(Object.fromEntries(url.searchParams)).toEqual({ lang: 'en', action: 'org.matrix.device_delete', device_id: 'OLD PHONE' });
  });

  it('uses the older session_end on a server that lists only that', () => {
    const url = new URL(accountActionUrl({ url: PAGE, actions: ['org.matrix.session_end'] }, { action: 'device-delete', deviceId: 'D' }));
    expect(url.searchParams.get('action')).toBe('org.matrix.session_end');
  });

  it('uses the current names on a server that lists no actions', () => {
    const url = new URL(accountActionUrl({ url: PAGE, actions: [] }, { action: 'device-delete', deviceId: 'D' }));
    expect(url.searchParams.get('action')).toBe('org.matrix.device_delete');
  });

  it('approves a cross-signing reset with cross_signing_reset', () => {
    const url = new URL(accountActionUrl({ url: PAGE, actions: [] }, { action: 'cross-signing-reset' }));
    expect(Object.fromEntries(url.searchParams)).toEqual({ action: 'org.matrix.cross_signing_reset' });
  });
});
