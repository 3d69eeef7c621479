import { BUILT_IN_SITES, matchPatternFor } from '../src/clients/builtInSites';
import { adapterFor } from '../src/clients/adapters';
import { startInPage } from '../src/overlay/inPage';

/**
 * The thin in-page half on watched web clients: it reads which room is open and who is on
 * screen, and draws the background's warnings next to them. It holds no secrets and makes no
 * trust decisions. Self-hosted clients get the same script, registered at run time.
 */
export default defineContentScript({
  matches: BUILT_IN_SITES.map(matchPatternFor),
  runAt: 'document_idle',
  main(ctx) {
    startInPage(ctx, adapterFor);
  },
});
