import browser from 'webextension-polyfill';
import type { RecordStore } from '../storage/recordStore';
import { originPattern } from '../validation/siteOrigin';
import type { BackgroundRecords } from './backgroundRecords';
import type { ContentScriptRegistrar, HostPermissions, SiteListStore } from './siteRegistry';

/** The content script WXT builds from entrypoints/watch.content.ts, also used for added sites. */
const WATCH_SCRIPT = 'content-scripts/watch.js';
/** The added origins, with the background's other records (no extra permission needed). */
export function siteStoreIn(records: Promise<RecordStore<BackgroundRecords>>): SiteListStore {
  return {
    load: async () => (await (await records).get('sites'))?.origins,
    save: async (origins) => (await records).put('sites', { origins }),
  };
}

export const browserScripts: ContentScriptRegistrar = {
  registeredIds: async () => (await browser.scripting.getRegisteredContentScripts()).map((script) => script.id),
  register: (scripts) =>
    browser.scripting.registerContentScripts(
      scripts.map(({ id, origin }) => ({
        id,
        matches: [originPattern(origin)],
        js: [WATCH_SCRIPT],
        runAt: 'document_idle' as const,
        // Registered again at every start from the stored list (reconcile), so the stored list,
        // not the browser's memory of past sessions, decides what runs.
        persistAcrossSessions: false,
      })),
    ),
  unregister: (ids) => browser.scripting.unregisterContentScripts({ ids }),
};

export const browserHostPermissions: HostPermissions = {
  has: (origin) => browser.permissions.contains({ origins: [originPattern(origin)] }),
  release: async (origin) => {
    await browser.permissions.remove({ origins: [originPattern(origin)] });
  },
};
