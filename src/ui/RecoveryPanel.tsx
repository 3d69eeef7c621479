import { useEffect, useState } from 'preact/hooks';
import { request } from '../messaging/backgroundClient';
import type { RecoveryFlowView } from '../messaging/protocol';
import { t } from '../text/i18n';
import { formatTime } from '../text/timeText';
import { keyGroups } from './securityView';
import { ErrorNotice, useAction } from './useAction';
import { Field } from './Field';
import browser from 'webextension-polyfill';
import { useOnReturn } from './useOnReturn';

/**
 * A recovery flow in progress. The new key is asked from the background when this panel shows
 * (so a popup closed by a password manager or a download resumes), kept in this component only,
 * and forgotten when it goes away.
 */
export function RecoveryPanel({ view }: { view: Exclude<RecoveryFlowView, { step: 'idle' }> }) {
  return (
    <section class="panel recovery" aria-labelledby="recovery-heading" data-step={view.step}>
      <h2 id="recovery-heading">{t('recoveryFlowHeading')}</h2>
      {view.step === 'confirm-key' && <ConfirmKey view={view} />}
      {view.step === 'needs-password' && <PasswordStep purpose={view.for} />}
      {view.step === 'needs-approval' && <ApprovalStep view={view} />}
      {view.step === 'working' && <p aria-busy="true">{t('recoveryWorking')}</p>}
      {view.step === 'done' && <Finished text={doneText(view.what)} />}
      {view.step === 'failed' && <Finished text={view.reason} failed />}
    </section>
  );
}

function ConfirmKey({ view }: { view: Extract<RecoveryFlowView, { step: 'confirm-key' }> }) {
  const [key, setKey] = useState<string | undefined>();

  useEffect(() => {
    let cancelled = false;
    void request('recovery.showKey', {}).then(
      ({ key: shown }) => !cancelled && setKey(shown),
      () => undefined,
    );
    return () => {
      cancelled = true;
      setKey(undefined);
    };
  }, []);

  return (
    <>
      <p>{view.reset ? t('recoveryKeyIntroReset') : t('recoveryKeyIntro')}</p>
      {key === undefined ? (
        <p aria-busy="true">{t('statusLoading')}</p>
      ) : (
        <p class="recovery-key mono" aria-label={t('recoveryKeyLabel')} data-testid="recovery-key">
          {keyGroups(key).map((group, index) => (
            <span key={index}>{group}</span>
          ))}
        </p>
      )}
      <KeyActions recoveryKey={key} />
      <TypeKeyBack view={view} />
    </>
  );
}

/** Copy or download the new key, the only two ways it leaves the popup (both by the user's hand). */
function KeyActions({ recoveryKey }: { recoveryKey: string | undefined }) {
  const [copied, setCopied] = useState(false);
  const download = () => {
    if (recoveryKey === undefined) return;
    const url = URL.createObjectURL(new Blob([`${t('recoveryKeyFileIntro')}\n\n${recoveryKey}\n`], { type: 'text/plain' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = 'matrix-recovery-key.txt';
    link.click();
    URL.revokeObjectURL(url);
  };
  const copy = () =>
    void navigator.clipboard.writeText(recoveryKey ?? '').then(
      () => setCopied(true),
      () => setCopied(false),
    );
  return (
    <div class="actions">
      <button class="link" type="button" disabled={recoveryKey === undefined} onClick={copy}>
        {copied ? t('recoveryKeyCopied') : t('recoveryKeyCopy')}
      </button>
      <button class="link" type="button" disabled={recoveryKey === undefined} onClick={download}>
        {t('recoveryKeyDownload')}
      </button>
    </div>
  );
}

/** Nothing is uploaded until the user types the key (or passphrase) back. */
function TypeKeyBack({ view }: { view: Extract<RecoveryFlowView, { step: 'confirm-key' }> }) {
  const [typed, setTyped] = useState('');
  const { busy, error, run } = useAction();
  return (
    <form
      class="stacked"
      onSubmit={(event) => {
        event.preventDefault();
        void run(() => request('recovery.confirm', { typed }));
      }}
    >
      <Field
        label={view.passphrase ? t('recoveryConfirmPassphraseLabel') : t('recoveryConfirmKeyLabel')}
        name="typed-key"
        autocomplete="off"
        spellcheck={false}
        value={typed}
        onInput={setTyped}
      />
      <p class="subtitle">{t('recoveryKeyExpires', formatTime(view.expiresAt))}</p>
      <ErrorNotice error={error} />
      <div class="actions">
        <button class="primary" type="submit" disabled={busy || typed.trim() === ''}>
          {t('recoveryConfirm')}
        </button>
        <button class="link" type="button" disabled={busy} onClick={() => void run(() => request('recovery.cancel', {}))}>
          {t('recoveryCancel')}
        </button>
      </div>
    </form>
  );
}

/**
 * The homeserver wants the account password. For a new recovery key the user types the key
 * once more with it: the panel may have been closed, and the key is not kept on screen.
 */
function PasswordStep({ purpose }: { purpose: 'set-up' | 'identity-reset' }) {
  const [password, setPassword] = useState('');
  const [typed, setTyped] = useState('');
  const { busy, error, run } = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void run(() =>
      purpose === 'set-up' ? request('recovery.confirm', { typed, password }) : request('identity.reset', { password }),
    ).finally(() => setPassword(''));
  };
  return (
    <form class="stacked" onSubmit={submit}>
      <p>{t('recoveryNeedsPassword')}</p>
      {purpose === 'set-up' && (
        <Field
          label={t('recoveryConfirmKeyLabel')}
          name="typed-key"
          autocomplete="off"
          spellcheck={false}
          value={typed}
          onInput={setTyped}
        />
      )}
      <Field label={t('signInPassword')} name="password" autocomplete="current-password" secret value={password} onInput={setPassword} />
      <ErrorNotice error={error} />
      <div class="actions">
        <button class="primary" type="submit" disabled={busy || password === ''}>
          {t('recoveryContinue')}
        </button>
        <button class="link" type="button" disabled={busy} onClick={() => void run(() => request('recovery.cancel', {}))}>
          {t('recoveryCancel')}
        </button>
      </div>
    </form>
  );
}

/** A popup opened this long after the server asked was closed and opened again: the user is back. */
const BACK_AFTER_MS = 2_000;

/**
 * The server delegates auth and wants the reset approved on its account page. The user opens
 * it (a new tab, which closes the popup), approves, and comes back: the reset is then retried
 * once by itself (when the popup opens again, or becomes visible), and always by the button.
 */
function ApprovalStep({ view }: { view: Extract<RecoveryFlowView, { step: 'needs-approval' }> }) {
  const { busy, error, run } = useAction();
  const finish = () => void run(() => request('identity.reset', {}));
  useEffect(() => {
    if (Date.now() - view.askedAt > BACK_AFTER_MS) finish();
    // Only when this panel first shows: later returns come through useOnReturn.
  }, []);
  useOnReturn(() => !busy && finish());
  return (
    <div class="stacked">
      <p>{view.again ? t('recoveryApproveNotYet') : t('recoveryApproveIntro')}</p>
      <ErrorNotice error={error} />
      <div class="actions">
        <button class="link" type="button" onClick={() => void browser.tabs.create({ url: view.url })}>
          {t('accountPageOpen')}
        </button>
        <button class="primary" type="button" disabled={busy} onClick={finish}>
          {t('recoveryApproveFinish')}
        </button>
        <button class="link" type="button" disabled={busy} onClick={() => void run(() => request('recovery.cancel', {}))}>
          {t('recoveryCancel')}
        </button>
      </div>
    </div>
  );
}

function doneText(what: Extract<RecoveryFlowView, { step: 'done' }>['what']): string {
  switch (what) {
    case 'set-up':
      return t('recoveryDoneSetUp');
    case 'unlocked':
      return t('recoveryDoneUnlocked');
    case 'identity-reset':
      return t('recoveryDoneReset');
  }
}

function Finished({ text, failed = false }: { text: string; failed?: boolean }) {
  const { run } = useAction();
  return (
    <>
      <p class={failed ? 'notice error' : 'all-clear'}>{text}</p>
      <div class="actions">
        <button class="link" type="button" onClick={() => void run(() => request('recovery.cancel', {}))}>
          {t('verificationDismiss')}
        </button>
      </div>
    </>
  );
}
