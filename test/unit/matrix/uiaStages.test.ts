import { describe, expect, it } from 'vitest';
import { MatrixError } from 'matrix-js-sdk';
import { ApprovalRequired, PasswordRequired, authWithPassword } from '../../../src/matrix/passwordAuth';
import { whatUiaAsks } from '../../../src/matrix/uiaStages';
import { UserFacingError } from '../../../src/errors';

const APPROVE = 'https://auth.example.org/account/?action=org.matrix.cross_signing_reset';

describe('what a user-interactive auth answer asks of the user', () => {
  it('asks for the password when a flow offers it', () => {
    expect(whatUiaAsks({ flows: [{ stages: ['m.login.sso'] }, { stages: ['m.login.password'] }] })).toEqual({ kind: 'password' });
  });

  it('asks for an approval on the account page for the stage m.oauth, with the URL its params carry', () => {
    expect(whatUiaAsks({ flows: [{ stages: ['m.oauth'] }], params: { 'm.oauth': { url: APPROVE } } })).toEqual({
      kind: 'account-page',
      url: APPROVE,
    });
  });

  it('knows the unstable name org.matrix.cross_signing_reset too', () => {
    expect(
      whatUiaAsks({
        flows: [{ stages: ['org.matrix.cross_signing_reset'] }],
        params: { 'org.matrix.cross_signing_reset': { url: APPROVE } },
      }),
    ).toEqual({ kind: 'account-page', url: APPROVE });
  });

  it('leaves out a URL it may not open, or none given (the account page from the metadata stands in)', () => {
    expect(whatUiaAsks({ flows: [{ stages: ['m.oauth'] }], params: { 'm.oauth': { url: 'http://evil.example/' } } })).toEqual({
      kind: 'account-page',
      url: undefined,
    });
    expect(whatUiaAsks({ flows: [{ stages: ['m.oauth'] }] })).toEqual({ kind: 'account-page', url: undefined });
  });

  it('says other for stages it cannot complete, or a malformed answer', () => {
    expect(whatUiaAsks({ flows: [{ stages: ['m.login.sso'] }] })).toEqual({ kind: 'other' });
    expect(whatUiaAsks({ flows: 'nonsense' })).toEqual({ kind: 'other' });
    expect(whatUiaAsks({})).toEqual({ kind: 'other' });
  });
});

/** A request that answers 401 with these flows and params the first time, then succeeds. */
function uiaRequest(data: Record<string, unknown>) {
  const auths: unknown[] = [];
  const makeRequest = (auth: unknown) => {
    auths.push(auth);
    return auth === null ? Promise.reject(new MatrixError({ session: 'S', ...data }, 401)) : Promise.resolve();
  };
  return { auths, makeRequest };
}

describe('answering user-interactive auth', () => {
  it('on a server that wants an approval on its account page, never sends or asks for a password', async () => {
    const { auths, makeRequest } = uiaRequest({ flows: [{ stages: ['m.oauth'] }], params: { 'm.oauth': { url: APPROVE } } });
    const failure = await authWithPassword('@a:example.org', 'hunter2')(makeRequest).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApprovalRequired);
    expect((failure as ApprovalRequired).url).toBe(APPROVE);
    expect(auths).toEqual([null]);
  });

  it('links to the account page from the metadata when the answer names no URL', async () => {
    const { makeRequest } = uiaRequest({ flows: [{ stages: ['org.matrix.cross_signing_reset'] }] });
    const failure = await authWithPassword('@a:example.org', undefined, () => Promise.resolve(APPROVE))(makeRequest).catch(
      (error: unknown) => error,
    );
    expect((failure as ApprovalRequired).url).toBe(APPROVE);
  });

  it('says to confirm elsewhere when there is no link at all', async () => {
    const { makeRequest } = uiaRequest({ flows: [{ stages: ['m.oauth'] }] });
    await expect(authWithPassword('@a:example.org', undefined)(makeRequest)).rejects.toBeInstanceOf(UserFacingError);
  });

  it('on a password server asks for the password as before', async () => {
    const { auths, makeRequest } = uiaRequest({ flows: [{ stages: ['m.login.password'] }] });
    await expect(authWithPassword('@a:example.org', undefined)(makeRequest)).rejects.toBeInstanceOf(PasswordRequired);
    await authWithPassword('@a:example.org', 'hunter2')(makeRequest);
    expect(auths.at(-1)).toMatchObject({ type: 'm.login.password', password: 'hunter2', session: 'S' });
  });
});
