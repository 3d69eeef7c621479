import { BUILT_IN_SITES, matchPatternFor } from '../src/clients/builtInSites';
import { createLogger } from '../src/log';
import { keepAliveWhileVisible } from '../src/clients/keepAliveWhileVisible';
import { request } from '../src/messaging/backgroundClient';

/**
 * The thin in-page half: it tells the background which watched page it is on. It carries no
 * secrets, makes no trust decisions and draws nothing until the background has something
 * to warn about.
 */
export default defineContentScript({
  matches: BUILT_IN_SITES.map(matchPatternFor),
  runAt: 'document_idle',
  async main(ctx) {
    try {
      await request('page.hello', {});
    } catch (error) {
      // Fail quiet in the page: the toolbar icon, not the page, tells the user.
      createLogger('page').warn('background unreachable', { code: (error as { code?: string }).code });
      return;
    }
    const stop = keepAliveWhileVisible(document, () => void request('page.visible', {}).catch(() => undefined));
    ctx.onInvalidated(stop);
  },
});
