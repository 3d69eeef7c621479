import { BUILT_IN_SITES } from '../clients/builtInSites';
import type { SiteList } from '../messaging/protocol';
import type { RequestHandlers } from '../messaging/requestRouter';
import type { SiteRegistry } from './siteRegistry';

/** The options page's list of watched sites: built in, and added by the user. */
export function createSiteHandlers(sites: SiteRegistry): Pick<RequestHandlers, 'sites.list' | 'sites.add' | 'sites.remove'> {
  const listOf = (): SiteList => ({ builtIn: [...BUILT_IN_SITES], added: sites.list() });
  return {
    'sites.list': async () => {
      await sites.ready;
      return listOf();
    },
    'sites.add': async ({ origin }) => {
      await sites.add(origin);
      return listOf();
    },
    'sites.remove': async ({ origin }) => {
      await sites.remove(origin);
      return listOf();
    },
  };
}
