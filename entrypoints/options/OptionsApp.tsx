import { Fragment } from 'preact';
import type { ExtensionStatus } from '../../src/messaging/protocol';
import { AccountSection } from '../../src/ui/AccountSection';
import { AlertsSection } from '../../src/ui/AlertsSection';
import { BrandHeader } from '../../src/ui/BrandHeader';
import { t } from '../../src/text/i18n';
import { HistorySection } from '../../src/ui/HistorySection';
import { LedgerSection } from '../../src/ui/LedgerSection';
import { PolicySection } from '../../src/ui/PolicySection';
import { SecuritySection } from '../../src/ui/SecuritySection';
import { SitesSection } from '../../src/ui/SitesSection';
import { StatusLineView } from '../../src/ui/StatusLineView';
import { cryptoEngineFacts, describeCryptoEngine, describeLedgerSetAside } from '../../src/ui/statusView';
import { formatDate } from '../../src/text/timeText';
import { useExtensionStatus } from '../../src/ui/useExtensionStatus';

/** The options page: account, policy, warning history, the encryption engine, watched sites. */
export function OptionsApp() {
  const state = useExtensionStatus();
  return (
    <main>
      <BrandHeader subtitle={t('optionsSubtitle')} />
      {state.phase === 'loading' && <p class="notice">{t('statusLoading')}</p>}
      {state.phase === 'lost' && <p class="notice error">{state.message}</p>}
      {state.phase === 'unavailable' && <p class="notice error">{state.reason}</p>}
      {state.phase === 'live' && <StatusSections status={state.value} />}
      <SitesSection />
    </main>
  );
}

function StatusSections({ status }: { status: ExtensionStatus }) {
  const facts = cryptoEngineFacts(status.cryptoEngine);
  const setAside = describeLedgerSetAside(status.ledgerSetAside);
  return (
    <>
      <AccountSection account={status.account} />
      {status.account.state === 'signed-in' && <SecuritySection ownUserId={status.account.userId} showResets />}
      <PolicySection policy={status.policy} />
      {status.account.state === 'signed-in' && <AlertsSection />}
      {setAside && <StatusLineView line={setAside} />}
      <LedgerSection />
      <HistorySection />
      <section aria-labelledby="engine-heading">
        <h2 id="engine-heading">{t('engineHeading')}</h2>
        <StatusLineView line={describeCryptoEngine(status.cryptoEngine)} />
        {facts.length > 0 && (
          <dl class="facts" data-testid="engine-facts">
            {facts.map((fact) => (
              <Fragment key={fact.id}>
                <dt>{fact.label}</dt>
                <dd class={fact.id === 'identity-key' ? 'mono' : undefined} data-fact={fact.id}>
                  {fact.value}
                </dd>
              </Fragment>
            ))}
          </dl>
        )}
      </section>
      <section aria-labelledby="about-heading">
        <h2 id="about-heading">{t('aboutHeading')}</h2>
        <dl class="facts">
          <dt>{t('aboutVersion')}</dt>
          <dd data-fact="extension-version">{status.extensionVersion}</dd>
          <dt>{t('aboutBackgroundStarted')}</dt>
          <dd data-fact="background-started" data-epoch={status.backgroundStartedAt}>
            {formatDate(status.backgroundStartedAt)}
          </dd>
        </dl>
      </section>
    </>
  );
}
