import { useState } from 'preact/hooks';
import { request } from '../messaging/backgroundClient';
import { t } from '../text/i18n';
import { ErrorNotice, useAction } from './useAction';

/**
 * Sign in with a homeserver (server name, user id or URL), user and password, or with single
 * sign-on when the homeserver offers it. The password lives only in this form while typed and
 * is cleared after every attempt.
 */
export function SignInForm() {
  const [homeserver, setHomeserver] = useState('');
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [ssoOffered, setSsoOffered] = useState(false);
  const action = useAction(() => t('signInFailed'));
  /** Which way of signing in is under way, for its button's label. */
  const [trying, setTrying] = useState<'password' | 'sso' | undefined>();
  const busy = action.busy ? trying : undefined;

  async function checkHomeserver(): Promise<void> {
    setSsoOffered(false);
    if (homeserver.trim() === '') return;
    try {
      setSsoOffered((await request('account.loginOptions', { homeserver: homeserver.trim() })).sso);
    } catch {
      // Said on submit, where it matters; a half-typed address is no error.
    }
  }

  async function attempt(how: 'password' | 'sso', work: () => Promise<unknown>): Promise<void> {
    setTrying(how);
    await action.run(work);
    setPassword('');
  }

  const signIn = (event: Event) => {
    event.preventDefault();
    void attempt('password', () => request('account.signIn', { homeserver: homeserver.trim(), user: user.trim(), password }));
  };
  const signInWithSso = () => void attempt('sso', () => request('account.signInWithSso', { homeserver: homeserver.trim() }));

  return (
    <form class="sign-in" onSubmit={signIn} aria-busy={action.busy}>
      <label>
        {t('signInHomeserver')}
        <input
          name="homeserver"
          autocomplete="url"
          placeholder={t('signInHomeserverPlaceholder')}
          required
          value={homeserver}
          onInput={(e) => setHomeserver(e.currentTarget.value)}
          onBlur={() => void checkHomeserver()}
        />
      </label>
      <label>
        {t('signInUser')}
        <input
          name="user"
          autocomplete="username"
          placeholder={t('signInUserPlaceholder')}
          required
          value={user}
          onInput={(e) => setUser(e.currentTarget.value)}
        />
      </label>
      <label>
        {t('signInPassword')}
        <input
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </label>
      <ErrorNotice error={action.error} />
      <div class="actions">
        <button class="primary" type="submit" disabled={action.busy}>
          {busy === 'password' ? t('signInBusy') : t('signInSubmit')}
        </button>
        {ssoOffered && (
          <button class="link" type="button" disabled={action.busy} onClick={signInWithSso}>
            {busy === 'sso' ? t('signInSsoBusy') : t('signInSso')}
          </button>
        )}
      </div>
    </form>
  );
}
