import { useRef, useState } from 'preact/hooks';
import { request } from '../messaging/backgroundClient';
import type { SecurityReport, SecurityStatus } from '../messaging/protocol';
import { t } from '../text/i18n';
import { RecoveryPanel } from './RecoveryPanel';
import { StatusLineView } from './StatusLineView';
import {
  canSetUpRecovery,
  canUseRecoveryKey,
  crossSigningBreakdown,
  describeAcknowledgementSync,
  describeCrossSigning,
  describeKeyBackup,
  describeRecovery,
  describeThisDevice,
  needsSyncKey,
} from './securityView';
import { ErrorNotice, useAction } from './useAction';
import { formatTime } from '../text/timeText';
import { useLive } from './useLive';
import { VerificationPanel } from './VerificationPanel';
import { Field } from './Field';
import { useExtensionStatus } from './useExtensionStatus';
import { isSetupComplete } from './verdictView';

/**
 * "Is my encryption set up right, and is this extension trusted?": the status of this session,
 * cross-signing, recovery and key backup, each with its fix, and any flow in progress first.
 */
export function SecuritySection(props: { ownUserId: string; showResets?: boolean; foldWhenReady?: boolean }) {
  const { ownUserId, showResets = false, foldWhenReady = false } = props;
  const security = useLive('security');
  const recovery = useLive('recovery');
  const verification = useLive('verification');
  const idle =
    recovery.phase === 'live' && recovery.value.step === 'idle' && verification.phase === 'live' && verification.value.phase === 'none';
  const body = (
    <>
      {verification.phase === 'live' && verification.value.phase !== 'none' && (
        <VerificationPanel view={verification.value} ownUserId={ownUserId} />
      )}
      {recovery.phase === 'live' && recovery.value.step !== 'idle' && <RecoveryPanel view={recovery.value} />}
      {security.phase === 'loading' && <p class="notice">{t('statusLoading')}</p>}
      {security.phase === 'unavailable' && <p class="notice error">{security.reason}</p>}
      {security.phase === 'lost' && <p class="notice error">{security.message}</p>}
      {security.phase === 'live' && <ReadingNotice report={security.value} />}
      {security.phase === 'live' && security.value.status !== undefined && (
        <SecurityStatusView status={security.value.status} idle={idle} showResets={showResets} />
      )}
    </>
  );
  // All in place, current, and nothing under way when the popup opened: one line that opens to
  // the details. Decided once, on the first reading: a setup the user watches become ready stays open.
  const sync = useExtensionStatus();
  const readyNow =
    foldWhenReady &&
    idle &&
    security.phase === 'live' &&
    security.value.problem === undefined &&
    security.value.status !== undefined &&
    isSetupComplete(security.value.status) &&
    sync.phase === 'live' &&
    !needsSyncKey(sync.value.acknowledgementSync);
  const decided = useRef<boolean | undefined>(undefined);
  const known =
    security.phase === 'live' &&
    security.value.status !== undefined &&
    sync.phase === 'live' &&
    recovery.phase === 'live' &&
    verification.phase === 'live';
  if (decided.current === undefined && known) decided.current = readyNow;
  const ready = decided.current === true && readyNow;
  if (ready) {
    return (
      <details id="security" class="security folded tone-ok">
        <summary>
          <span class="fold-mark" aria-hidden="true">
            ✓
          </span>
          {t('setupAllReady')}
        </summary>
        <section class="security" aria-label={t('securityHeading')}>
          {body}
        </section>
      </details>
    );
  }
  return (
    <section id="security" class="security" aria-labelledby="security-heading">
      <h2 id="security-heading">{t('securityHeading')}</h2>
      {body}
    </section>
  );
}

/**
 * Says when the status below is not a fresh reading (the homeserver is slow or failing), with
 * the time of the one shown; or, with no reading at all yet, that it is being checked.
 */
function ReadingNotice({ report }: { report: SecurityReport }) {
  const text = readingNotice(report);
  return text === undefined ? null : (
    <p class="notice reading" data-problem={report.problem}>
      {text}
    </p>
  );
}

function readingNotice({ status, checkedAt, problem }: SecurityReport): string | undefined {
  if (status === undefined || checkedAt === undefined) return problem === 'failed' ? t('securityUnreachable') : t('securityChecking');
  if (problem === undefined) return undefined;
  return problem === 'failed' ? t('securityAsOfFailed', formatTime(checkedAt)) : t('securityAsOfChecking', formatTime(checkedAt));
}

function SecurityStatusView({ status, idle, showResets }: { status: SecurityStatus; idle: boolean; showResets: boolean }) {
  const [unlocking, setUnlocking] = useState(false);
  const [settingUp, setSettingUp] = useState<'new' | 'reset' | undefined>();
  const { busy, error, run } = useAction();
  const canSetUp = idle && canSetUpRecovery(status);
  const checks = crossSigningBreakdown(status);
  const extension = useExtensionStatus();
  const sync = extension.phase === 'live' ? extension.value.acknowledgementSync : undefined;
  return (
    <>
      <StatusLineView line={describeThisDevice(status)} />
      {!status.thisDeviceVerified && status.identityOnServer && idle && (
        <div class="actions">
          {canUseRecoveryKey(status) && (
            <button class="primary" type="button" onClick={() => setUnlocking(!unlocking)} aria-expanded={unlocking}>
              {t('verifyWithRecoveryKey')}
            </button>
          )}
          <button class="link" type="button" disabled={busy} onClick={() => void run(() => request('verification.start', {}))}>
            {t('verifyWithAnotherDevice')}
          </button>
        </div>
      )}
      {unlocking && (!status.thisDeviceVerified || needsSyncKey(sync)) && (
        <UnlockForm passphrase={status.secretStorage.passphraseBased} onDone={() => setUnlocking(false)} />
      )}
      <StatusLineView line={describeCrossSigning(status)} />
      {status.identityOnServer && !status.crossSigning.ready && (
        <ul class="checks" aria-label={t('crossSigningBreakdownLabel')}>
          {checks.map((check) => (
            <li key={check.id} class={check.ok ? 'check ok' : 'check missing'} data-check={check.id}>
              <span aria-hidden="true">{check.ok ? '✓' : '✗'}</span> {check.text}
            </li>
          ))}
        </ul>
      )}
      <StatusLineView line={describeRecovery(status)} />
      <StatusLineView line={describeKeyBackup(status)} />
      {sync !== undefined && <StatusLineView line={describeAcknowledgementSync(sync)} />}
      {needsSyncKey(sync) && status.thisDeviceVerified && canUseRecoveryKey(status) && idle && !unlocking && (
        <button class="link" type="button" onClick={() => setUnlocking(true)}>
          {t('ackSyncUnlockButton')}
        </button>
      )}
      {canSetUp && settingUp === undefined && (
        <button class="primary" type="button" onClick={() => setSettingUp('new')}>
          {t('recoverySetUpButton')}
        </button>
      )}
      {showResets && idle && status.thisDeviceVerified && settingUp === undefined && (
        <ResetActions onNewKey={() => setSettingUp('reset')} />
      )}
      {settingUp !== undefined && idle && <RecoveryStart reset={settingUp === 'reset'} onCancel={() => setSettingUp(undefined)} />}
      <ErrorNotice error={error} />
    </>
  );
}

/** Verify this extension with the recovery key (or the passphrase it came from). */
function UnlockForm({ passphrase, onDone }: { passphrase: boolean; onDone: () => void }) {
  const [key, setKey] = useState('');
  const { busy, error, run } = useAction();
  return (
    <form
      class="stacked"
      onSubmit={(event) => {
        event.preventDefault();
        void run(() => request('recovery.unlock', { key })).then((ok) => {
          setKey('');
          if (ok) onDone();
        });
      }}
    >
      <Field
        label={passphrase ? t('unlockKeyOrPassphraseLabel') : t('unlockKeyLabel')}
        name="recovery-key"
        autocomplete="off"
        secret
        spellcheck={false}
        value={key}
        onInput={setKey}
      />
      <ErrorNotice error={error} />
      <div class="actions">
        <button class="primary" type="submit" disabled={busy || key.trim() === ''}>
          {busy ? t('recoveryWorking') : t('unlockButton')}
        </button>
      </div>
    </form>
  );
}

/** The first step of a new recovery key: a random key (recommended) or one from a passphrase. */
function RecoveryStart({ reset, onCancel }: { reset: boolean; onCancel: () => void }) {
  const [kind, setKind] = useState<'random' | 'passphrase'>('random');
  const [passphrase, setPassphrase] = useState('');
  const { busy, error, run } = useAction();
  const tooShort = kind === 'passphrase' && passphrase.length < 12;
  return (
    <form
      class="stacked panel"
      onSubmit={(event) => {
        event.preventDefault();
        // Once started, the flow's own panel takes over: this form closes.
        void run(() => request('recovery.start', kind === 'passphrase' ? { passphrase, reset } : { reset })).then((started) => {
          setPassphrase('');
          if (started) onCancel();
        });
      }}
    >
      <p>{reset ? t('recoveryStartResetIntro') : t('recoveryStartIntro')}</p>
      <fieldset class="choices">
        <legend class="visually-hidden">{t('recoveryKindLegend')}</legend>
        <label class="choice">
          <input type="radio" name="recovery-kind" checked={kind === 'random'} onChange={() => setKind('random')} />
          <span>{t('recoveryKindRandom')}</span>
        </label>
        <label class="choice">
          <input type="radio" name="recovery-kind" checked={kind === 'passphrase'} onChange={() => setKind('passphrase')} />
          <span>{t('recoveryKindPassphrase')}</span>
        </label>
      </fieldset>
      {kind === 'passphrase' && (
        <label>
          {t('recoveryPassphraseLabel')}
          <input
            name="passphrase"
            type="password"
            autocomplete="new-password"
            value={passphrase}
            onInput={(e) => setPassphrase(e.currentTarget.value)}
          />
        </label>
      )}
      <ErrorNotice error={error} />
      <div class="actions">
        <button class="primary" type="submit" disabled={busy || tooShort}>
          {t('recoveryCreateKey')}
        </button>
        <button class="link" type="button" onClick={onCancel}>
          {t('recoveryCancel')}
        </button>
      </div>
    </form>
  );
}

/** Resets, each behind a confirmation that says what it does to others and to old history. */
function ResetActions({ onNewKey }: { onNewKey: () => void }) {
  const [confirming, setConfirming] = useState<'key' | 'identity' | undefined>();
  const { busy, error, run } = useAction();
  return (
    <div class="resets">
      {confirming === undefined && (
        <div class="actions">
          <button class="link" type="button" onClick={() => setConfirming('key')}>
            {t('resetKeyButton')}
          </button>
          <button class="link" type="button" onClick={() => setConfirming('identity')}>
            {t('resetIdentityButton')}
          </button>
        </div>
      )}
      {confirming !== undefined && (
        <div class="notice">
          <p>{confirming === 'key' ? t('resetKeyConsequence') : t('resetIdentityConsequence')}</p>
          <div class="actions">
            <button
              class="danger"
              type="button"
              disabled={busy}
              onClick={() => {
                if (confirming === 'key') {
                  setConfirming(undefined);
                  onNewKey();
                } else void run(() => request('identity.reset', {})).then(() => setConfirming(undefined));
              }}
            >
              {confirming === 'key' ? t('resetKeyConfirm') : t('resetIdentityConfirm')}
            </button>
            <button class="link" type="button" disabled={busy} onClick={() => setConfirming(undefined)}>
              {t('recoveryCancel')}
            </button>
          </div>
        </div>
      )}
      <ErrorNotice error={error} />
    </div>
  );
}
