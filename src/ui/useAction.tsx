import { useState } from 'preact/hooks';
import { BackgroundError } from '../messaging/backgroundClient';
import { t } from '../text/i18n';

/**
 * Runs one user action against the background at a time, with its error (the background's
 * message, which is written for users; `fallback` for anything else) kept for display. `busy`
 * disables the buttons. Every page uses this one pattern for busy and error.
 */
export function useAction(fallback: () => string = () => t('actionFailed')) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  async function run(work: () => Promise<unknown>): Promise<boolean> {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      return true;
    } catch (failure) {
      setError(describeFailure(failure, fallback));
      return false;
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, run, clearError: () => setError(undefined) };
}

/** The background's own sentence when it has one; otherwise the page's words for what happened. */
export function describeFailure(failure: unknown, fallback: () => string): string {
  if (!(failure instanceof BackgroundError)) return fallback();
  if (failure.message !== '') return failure.message;
  return failure.code === 'unreachable' ? t('errBackgroundUnreachable') : fallback();
}

export function ErrorNotice({ error }: { error: string | undefined }) {
  if (error === undefined) return null;
  return (
    <p class="notice error" role="alert">
      {error}
    </p>
  );
}
