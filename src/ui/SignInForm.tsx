import { useState } from 'preact/hooks';
import { BackgroundError, request } from '../messaging/backgroundClient';
import { t } from '../text/i18n';

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
  const [busy, setBusy] = useState<'password' | 'sso' | undefined>();
  const [error, setError] = useState<string | undefined>();

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
    setBusy(how);
    setError(undefined);
    try {
      await work();
    } catch (failure) {
      setError(failure instanceof BackgroundError ? failure.message : t('signInFailed'));
    } finally {
      setPassword('');
      setBusy(undefined);
    }
  }

  const signIn = (event: Event) => {
    event.preventDefault();
    void attempt('password', () => request('account.signIn', { homeserver: homeserver.trim(), user: user.trim(), password }));
  };
  const signInWithSso = () => void attempt('sso', () => request('account.signInWithSso', { homeserver: homeserver.trim() }));

  return (
    <form class="sign-in" onSubmit={signIn} aria-busy={busy !== undefined}>
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
      {error && (
        <p class="notice error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button class="primary" type="submit" disabled={busy !== undefined}>
          {busy === 'password' ? t('signInBusy') : t('signInSubmit')}
        </button>
        {ssoOffered && (
          <button class="link" type="button" disabled={busy !== undefined} onClick={signInWithSso}>
            {busy === 'sso' ? t('signInSsoBusy') : t('signInSso')}
          </button>
        )}
      </div>
    </form>
  );
}
