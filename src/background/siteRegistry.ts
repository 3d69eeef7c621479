import type { AddedSite } from '../messaging/protocol';
import { UserFacingError } from '../errors';
import { siteOriginFrom } from '../validation/siteOrigin';
import { t } from '../text/i18n';

/** Where the list of added origins is kept (not secret: a background record). */
export interface SiteListStore {
  load(): Promise<unknown>;
  save(origins: string[]): Promise<void>;
}

/** The browser's dynamic content scripts, by id (scripting.* in the extension; a fake in tests). */
export interface ContentScriptRegistrar {
  registeredIds(): Promise<string[]>;
  register(scripts: { id: string; origin: string }[]): Promise<void>;
  unregister(ids: string[]): Promise<void>;
}

/** The optional host permissions the user granted (permissions.* in the extension). */
export interface HostPermissions {
  has(origin: string): Promise<boolean>;
  release(origin: string): Promise<void>;
}

/** A refusal the options page shows as is. */
export class SiteError extends UserFacingError {
  override name = 'SiteError';
  constructor(
    readonly code: 'invalid' | 'built-in' | 'not-granted' | 'unknown',
    message: string,
  ) {
    super(message);
  }
}

const SCRIPT_PREFIX = 'mtg-site ';

export function scriptIdFor(origin: string): string {
  return `${SCRIPT_PREFIX}${origin}`;
}

/**
 * The self-hosted web clients the user added. Each needs three things to agree: the stored
 * list, the host permission the user granted for it, and a content script registered for it.
 * Adding asks for none of them implicitly (the options page requested the permission, in the
 * user's click); `reconcile` makes the browser's registrations match the list and the granted
 * permissions at every start, after a browser restart, and when the user revokes a permission
 * in the browser's own settings.
 */
export class SiteRegistry {
  private origins: string[] = [];
  private granted = new Set<string>();
  /** One change at a time: two overlapping reconciles would register the same script twice. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Settles once the stored list is loaded and registrations checked (never rejects). */
  readonly ready: Promise<void>;

  constructor(
    private readonly deps: {
      store: SiteListStore;
      scripts: ContentScriptRegistrar;
      permissions: HostPermissions;
      builtIn: (origin: string) => boolean;
      onError: (error: unknown) => void;
    },
  ) {
    this.ready = this.reconcile().catch(deps.onError);
  }

  /** Whether content scripts on `origin` are ours to listen to (call after `ready`). */
  watches(origin: string): boolean {
    return this.granted.has(origin);
  }

  list(): AddedSite[] {
    return this.origins.map((origin) => ({ origin, granted: this.granted.has(origin) }));
  }

  add(input: string): Promise<AddedSite[]> {
    return this.serially(() => this.addNow(input));
  }

  remove(input: string): Promise<AddedSite[]> {
    return this.serially(() => this.removeNow(input));
  }

  /** Makes the registered content scripts match the stored sites that still have permission. */
  reconcile(): Promise<void> {
    return this.serially(() => this.reconcileNow());
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async addNow(input: string): Promise<AddedSite[]> {
    const origin = siteOriginFrom(input);
    if (origin === undefined) throw new SiteError('invalid', t('errSiteInvalid'));
    if (this.deps.builtIn(origin)) throw new SiteError('built-in', t('errSiteBuiltIn'));
    if (!(await this.deps.permissions.has(origin))) throw new SiteError('not-granted', t('errSiteNotGranted'));
    if (!this.origins.includes(origin)) {
      this.origins = [...this.origins, origin];
      await this.deps.store.save(this.origins);
    }
    await this.reconcileNow();
    return this.list();
  }

  private async removeNow(input: string): Promise<AddedSite[]> {
    const origin = siteOriginFrom(input);
    if (origin === undefined || !this.origins.includes(origin)) throw new SiteError('unknown', t('errSiteUnknown'));
    this.origins = this.origins.filter((known) => known !== origin);
    await this.deps.store.save(this.origins);
    await this.reconcileNow();
    // Released last: until the script is gone, the permission is what lets it run.
    await this.deps.permissions.release(origin);
    return this.list();
  }

  private async reconcileNow(): Promise<void> {
    this.origins = validOrigins(await this.deps.store.load());
    const granted = new Set<string>();
    for (const origin of this.origins) if (await this.deps.permissions.has(origin)) granted.add(origin);
    this.granted = granted;
    const registered = (await this.deps.scripts.registeredIds()).filter((id) => id.startsWith(SCRIPT_PREFIX));
    const wanted = new Map([...granted].map((origin) => [scriptIdFor(origin), origin]));
    const stale = registered.filter((id) => !wanted.has(id));
    if (stale.length > 0) await this.deps.scripts.unregister(stale);
    const missing = [...wanted].filter(([id]) => !registered.includes(id)).map(([id, origin]) => ({ id, origin }));
    if (missing.length > 0) await this.deps.scripts.register(missing);
  }
}

/** The stored list as written by us: anything else in storage is ignored, not trusted. */
function validOrigins(stored: unknown): string[] {
  if (!Array.isArray(stored)) return [];
  const origins = stored.filter((item): item is string => typeof item === 'string' && siteOriginFrom(item) === item);
  return [...new Set(origins)];
}
