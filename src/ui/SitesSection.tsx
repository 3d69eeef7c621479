import { useEffect, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import { request } from '../messaging/backgroundClient';
import type { SiteList } from '../messaging/protocol';
import { originPattern, siteOriginFrom } from '../validation/siteOrigin';
import { t } from '../text/i18n';
import { ErrorNotice, useAction } from './useAction';

/** The popup's "watch this site" link opens this page as options.html#add=<origin>. */
function suggestedOrigin(): string {
  const match = /^#add=([^&]+)$/.exec(location.hash);
  if (!match?.[1]) return '';
  try {
    return siteOriginFrom(decodeURIComponent(match[1])) ?? '';
  } catch {
    return '';
  }
}

/**
 * The sites whose pages get badges: the built-in ones, and self-hosted clients the user adds.
 * Adding asks the browser for access to that one origin, in the user's click (browsers only
 * allow permission requests from a user gesture); removing gives the access back.
 */
export function SitesSection() {
  const [sites, setSites] = useState<SiteList | undefined>();
  const [typed, setTyped] = useState(suggestedOrigin);
  const { busy, error, run } = useAction();
  const [refusal, setRefusal] = useState<string | undefined>();

  useEffect(() => {
    // Loaded once when the page opens; every change answers with the new list.
    void run(async () => setSites(await request('sites.list', {})));
  }, []);

  const watch = (input: string) => {
    setRefusal(undefined);
    const origin = siteOriginFrom(input);
    if (origin === undefined) {
      setRefusal(t('sitesInvalid'));
      return;
    }
    if (sites?.builtIn.some((site) => site.origin === origin)) {
      setRefusal(t('sitesAlreadyBuiltIn'));
      return;
    }
    // Asked first, before anything else is awaited, while the click still counts as the user's.
    const granted = browser.permissions.request({ origins: [originPattern(origin)] });
    void run(async () => {
      if (!(await granted)) {
        setRefusal(t('sitesNotGranted', origin));
        return;
      }
      setSites(await request('sites.add', { origin }));
      setTyped('');
    });
  };

  const forget = (origin: string) => void run(async () => setSites(await request('sites.remove', { origin })));

  return (
    <section aria-labelledby="sites-heading" class="sites-section">
      <h2 id="sites-heading">{t('sitesHeading')}</h2>
      <p class="subtitle">{t('sitesExplanation')}</p>
      <SiteItems sites={sites} busy={busy} onGrantAgain={watch} onRemove={forget} />
      <AddSiteForm typed={typed} busy={busy} onType={setTyped} onAdd={() => watch(typed)} />
      {refusal !== undefined && (
        <p class="notice error" role="alert">
          {refusal}
        </p>
      )}
      <ErrorNotice error={error} />
    </section>
  );
}

function SiteItems(props: {
  sites: SiteList | undefined;
  busy: boolean;
  onGrantAgain: (origin: string) => void;
  onRemove: (origin: string) => void;
}) {
  const { sites, busy, onGrantAgain, onRemove } = props;
  return (
    <ul class="sites">
      {(sites?.builtIn ?? []).map((site) => (
        <li key={site.origin} data-site={site.origin}>
          <span class="mono">{site.origin}</span>
          <span class="client">{site.client}</span>
        </li>
      ))}
      {(sites?.added ?? []).map((site) => (
        <li key={site.origin} data-site={site.origin} data-added="">
          <span class="mono">{site.origin}</span>
          {site.granted ? (
            <span class="client">{t('sitesAdded')}</span>
          ) : (
            <span class="client warn">
              {t('sitesRevoked')}{' '}
              <button class="link small" type="button" disabled={busy} onClick={() => onGrantAgain(site.origin)}>
                {t('sitesGrantAgain')}
              </button>
            </span>
          )}
          <button
            class="link small"
            type="button"
            disabled={busy}
            aria-label={t('sitesRemoveLabel', site.origin)}
            onClick={() => onRemove(site.origin)}
          >
            {t('sitesRemove')}
          </button>
        </li>
      ))}
    </ul>
  );
}

function AddSiteForm(props: { typed: string; busy: boolean; onType: (typed: string) => void; onAdd: () => void }) {
  const { typed, busy, onType, onAdd } = props;
  return (
    <form
      class="add-site"
      onSubmit={(event) => {
        event.preventDefault();
        onAdd();
      }}
    >
      <label for="site-origin">{t('sitesAddLabel')}</label>
      <div class="row">
        <input
          id="site-origin"
          type="text"
          inputMode="url"
          autoComplete="off"
          spellcheck={false}
          placeholder="https://chat.example.org"
          value={typed}
          onInput={(event) => onType(event.currentTarget.value)}
        />
        <button class="primary" type="submit" disabled={busy || typed.trim() === ''}>
          {t('sitesAddButton')}
        </button>
      </div>
      <p class="subtitle">{t('sitesAddHint')}</p>
    </form>
  );
}
