import { useState } from 'preact/hooks';
import { request } from '../messaging/backgroundClient';
import type { DeviceGrantView, LoginOptionsResult } from '../messaging/protocol';
import { t } from '../text/i18n';
import { ErrorNotice, useAction } from './useAction';
import { Field } from './Field';
import { DeviceGrantPanel } from './DeviceGrantPanel';

type Way = 'password' | 'sso' | 'oauth';

/**
 * Sign in with a homeserver (server name, user id or URL) in the ways it offers, asked when the
 * user leaves the field: user and password, single sign-on, or its OAuth 2.0 provider's sign-in
 * page. The password lives only in this form while typed and is cleared after every attempt.
 * While a device authorization waits for approval, the form gives way to its code.
 */
export function SignInForm({ deviceGrant }: { deviceGrant?: DeviceGrantView | undefined }) {
  const [homeserver, setHomeserver] = useState('');
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const offer = useLoginOptions();
  const action = useAction(() => t('signInFailed'));
  /** Which way of signing in is under way, for its button's label. */
  const [trying, setTrying] = useState<Way | undefined>();
  const busy = action.busy ? trying : undefined;

  if (deviceGrant?.state === 'waiting') return <DeviceGrantPanel grant={deviceGrant} />;

  async function attempt(how: Way, work: () => Promise<unknown>): Promise<void> {
    setTrying(how);
    await action.run(work);
    setPassword('');
  }

  const ways = waysOffered(offer.options);
  const signInWithOAuth = () => void attempt('oauth', () => request('account.signInWithOAuth', { homeserver: homeserver.trim() }));
  const signIn = (event: Event) => {
    event.preventDefault();
    if (!ways.password && ways.oauth) return signInWithOAuth();
    void attempt('password', () => request('account.signIn', { homeserver: homeserver.trim(), user: user.trim(), password }));
  };
  const signInWithSso = () => void attempt('sso', () => request('account.signInWithSso', { homeserver: homeserver.trim() }));

  return (
    <form class="sign-in" onSubmit={signIn} aria-busy={action.busy}>
      <Field
        label={t('signInHomeserver')}
        name="homeserver"
        autocomplete="url"
        placeholder={t('signInHomeserverPlaceholder')}
        onBlur={() => void offer.check(homeserver)}
        value={homeserver}
        onInput={setHomeserver}
      />
      {ways.password && (
        <>
          <Field
            label={t('signInUser')}
            name="user"
            autocomplete="username"
            placeholder={t('signInUserPlaceholder')}
            value={user}
            onInput={setUser}
          />
          <Field
            label={t('signInPassword')}
            name="password"
            autocomplete="current-password"
            secret
            value={password}
            onInput={setPassword}
          />
        </>
      )}
      {ways.none && <p class="notice">{t('signInNoWayOffered')}</p>}
      <ErrorNotice error={action.error ?? (deviceGrant?.state === 'ended' ? deviceGrant.reason : undefined)} />
      <div class="actions">
        {ways.oauth && (
          <button class="primary" type="button" disabled={action.busy} onClick={signInWithOAuth}>
            {busy === 'oauth' ? t('signInOAuthBusy') : t('signInOAuth')}
          </button>
        )}
        {ways.password && (
          <button class={ways.oauth ? 'link' : 'primary'} type="submit" disabled={action.busy}>
            {busy === 'password' ? t('signInBusy') : t('signInSubmit')}
          </button>
        )}
        {ways.sso && (
          <button class="link" type="button" disabled={action.busy} onClick={signInWithSso}>
            {busy === 'sso' ? t('signInSsoBusy') : t('signInSso')}
          </button>
        )}
      </div>
    </form>
  );
}

/** Until the server has said, the password form shows (what most servers take); then only what it offers. */
export function waysOffered(options: LoginOptionsResult | undefined) {
  const password = options?.password ?? true;
  const sso = options?.sso ?? false;
  const oauth = options?.oauth !== undefined;
  return { password, sso, oauth, none: !password && !sso && !oauth };
}

/** What the homeserver typed offers, asked when the user leaves the field. */
function useLoginOptions() {
  const [options, setOptions] = useState<LoginOptionsResult | undefined>();
  async function check(homeserver: string): Promise<void> {
    setOptions(undefined);
    if (homeserver.trim() === '') return;
    try {
      setOptions(await request('account.loginOptions', { homeserver: homeserver.trim() }));
    } catch {
      // Said on submit, where it matters; a half-typed address is no error.
    }
  }
  return { options, check };
}
