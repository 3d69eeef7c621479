import { findWatchedSite } from './builtInSites';
import type { ClientAdapter } from './clientAdapter';
import { cinnyAdapter } from './cinny';
import { elementWebAdapter } from './element';
import { hydrogenAdapter } from './hydrogen';

/** Every web client the extension understands; a new client is one more file and one more line. */
export const ADAPTERS: readonly ClientAdapter[] = [elementWebAdapter, cinnyAdapter, hydrogenAdapter];

/**
 * The adapter for this page, once the page shows the client. A built-in site can only be the
 * client it is listed as; on a site the user added, the first adapter that recognises the page.
 * None while the app is still loading, or when its markup changed beyond recognition: then the
 * content script stays quiet and the toolbar says the page is not understood.
 */
export function adapterFor(doc: Document, url: URL): ClientAdapter | undefined {
  const builtIn = findWatchedSite(url.origin);
  const candidates = builtIn ? ADAPTERS.filter((adapter) => adapter.family === builtIn.client) : ADAPTERS;
  return candidates.find((adapter) => adapter.detect(doc, url));
}
