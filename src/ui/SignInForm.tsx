import { useState } from 'preact/hooks';
import { request } from '../messaging/backgroundClient';
import { t } from '../text/i18n';
import { ErrorNotice, useAction } from './useAction';
import { Field } from './Field';

/**
 * Sign in with a homeserver (server name, user id or URL), user and password, or with single
 * sign-on when the homeserver offers it. The password lives only in this form while typed and
 * is cleared after every attempt.
 */
export function SignInForm() {
  const [homeserver, setHomeserver] = useState('');
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const sso = useSsoOffer();
  const action = useAction(() => t('signInFailed'));
  /** Which way of signing in is under way, for its button's label. */
  const [trying, setTrying] = useState<'password' | 'sso' | undefined>();
  const busy = action.busy ? trying : undefined;

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
      <Field
        label={t('signInHomeserver')}
        name="homeserver"
        autocomplete="url"
        placeholder={t('signInHomeserverPlaceholder')}
        onBlur={() => void sso.check(homeserver)}
        value={homeserver}
        onInput={setHomeserver}
      />
      <Field
        label={t('signInUser')}
        name="user"
        autocomplete="username"
        placeholder={t('signInUserPlaceholder')}
        value={user}
        onInput={setUser}
      />
      <Field label={t('signInPassword')} name="password" autocomplete="current-password" secret value={password} onInput={setPassword} />
      <ErrorNotice error={action.error} />
      <SignInButtons busy={busy} disabled={action.busy} ssoOffered={sso.offered} onSso={signInWithSso} />
    </form>
  );
}

/** Whether the homeserver typed offers single sign-on, asked when the user leaves the field. */
function useSsoOffer() {
  const [offered, setOffered] = useState(false);
  async function check(homeserver: string): Promise<void> {
    setOffered(false);
    if (homeserver.trim() === '') return;
    try {
      setOffered((await request('account.loginOptions', { homeserver: homeserver.trim() })).sso);
    } catch {
      // Said on submit, where it matters; a half-typed address is no error.
    }
  }
  return { offered, check };
}

function SignInButtons(props: { busy: 'password' | 'sso' | undefined; disabled: boolean; ssoOffered: boolean; onSso: () => void }) {
  const { busy, disabled, ssoOffered, onSso } = props;
  return (
    <div class="actions">
      <button class="primary" type="submit" disabled={disabled}>
        {busy === 'password' ? t('signInBusy') : t('signInSubmit')}
      </button>
      {ssoOffered && (
        <button class="link" type="button" disabled={disabled} onClick={onSso}>
          {busy === 'sso' ? t('signInSsoBusy') : t('signInSso')}
        </button>
      )}
    </div>
  );
}
