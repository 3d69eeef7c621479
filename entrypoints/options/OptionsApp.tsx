import { Fragment } from 'preact';
import { BUILT_IN_SITES } from '../../src/clients/builtInSites';
import type { ExtensionStatus } from '../../src/messaging/protocol';
import { AccountSection } from '../../src/ui/AccountSection';
import { BrandHeader } from '../../src/ui/BrandHeader';
import { LedgerSection } from '../../src/ui/LedgerSection';
import { PolicySection } from '../../src/ui/PolicySection';
import { StatusLineView } from '../../src/ui/StatusLineView';
import { cryptoEngineFacts, describeCryptoEngine, formatDate } from '../../src/ui/statusView';
import { useExtensionStatus } from '../../src/ui/useExtensionStatus';

/** The options page: account, policy, warning history, the encryption engine, watched sites. */
export function OptionsApp() {
  const state = useExtensionStatus();
  return (
    <main>
      <BrandHeader subtitle="Settings and details" />
      {state.phase === 'loading' && <p class="notice">Asking the background…</p>}
      {state.phase === 'lost' && <p class="notice error">{state.message}</p>}
      {state.phase === 'unavailable' && <p class="notice error">{state.reason}</p>}
      {state.phase === 'live' && <StatusSections status={state.value} />}
      <section aria-labelledby="sites-heading">
        <h2 id="sites-heading">Watched sites</h2>
        <p class="subtitle">Matrix Trust Guard reads member lists on these web clients to place its warnings.</p>
        <ul class="sites">
          {BUILT_IN_SITES.map((site) => (
            <li key={site.origin}>
              <span class="mono">{site.origin}</span>
              <span class="client">{site.client}</span>
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}

function StatusSections({ status }: { status: ExtensionStatus }) {
  const facts = cryptoEngineFacts(status.cryptoEngine);
  return (
    <>
      <AccountSection account={status.account} />
      <PolicySection policy={status.policy} />
      <LedgerSection />
      <section aria-labelledby="engine-heading">
        <h2 id="engine-heading">Encryption engine</h2>
        <StatusLineView line={describeCryptoEngine(status.cryptoEngine)} />
        {facts.length > 0 && (
          <dl class="facts" data-testid="engine-facts">
            {facts.map((fact) => (
              <Fragment key={fact.label}>
                <dt>{fact.label}</dt>
                <dd class={fact.label === 'Store identity key' ? 'mono' : undefined} data-fact={fact.label}>
                  {fact.value}
                </dd>
              </Fragment>
            ))}
          </dl>
        )}
      </section>
      <section aria-labelledby="about-heading">
        <h2 id="about-heading">About</h2>
        <dl class="facts">
          <dt>Version</dt>
          <dd data-fact="Version">{status.extensionVersion}</dd>
          <dt>Background started</dt>
          <dd data-fact="Background started" data-epoch={status.backgroundStartedAt}>
            {formatDate(status.backgroundStartedAt)}
          </dd>
        </dl>
      </section>
    </>
  );
}
