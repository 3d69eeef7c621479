import browser from 'webextension-polyfill';
import { BrandHeader } from '../../src/ui/BrandHeader';
import { StatusLineView } from '../../src/ui/StatusLineView';
import { describeAccount, describeCryptoEngine } from '../../src/ui/statusView';
import { useExtensionStatus } from '../../src/ui/useExtensionStatus';

/** The toolbar popup: the state of this extension at a glance. */
export function PopupApp() {
  const state = useExtensionStatus();
  return (
    <main>
      <BrandHeader subtitle="Second opinion on who can read your encrypted rooms" />
      <section aria-live="polite" aria-busy={state.phase === 'loading'}>
        {state.phase === 'loading' && <p class="notice">Asking the background…</p>}
        {state.phase === 'lost' && <p class="notice error">{state.message}</p>}
        {state.phase === 'live' && (
          <>
            <StatusLineView line={describeAccount(state.status)} />
            <StatusLineView line={describeCryptoEngine(state.status.cryptoEngine)} />
          </>
        )}
      </section>
      <footer>
        <button class="link" type="button" onClick={() => void browser.runtime.openOptionsPage()}>
          Settings and details
        </button>
      </footer>
    </main>
  );
}
