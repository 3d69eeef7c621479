/** Web client families the extension understands. */
export const CLIENT_FAMILIES = ['Element Web', 'Cinny', 'Hydrogen'] as const;
export type ClientFamily = (typeof CLIENT_FAMILIES)[number];

export interface WatchedSite {
  origin: string;
  client: ClientFamily;
}

/** Sites watched out of the box; self-hosted ones are added by the user at run time. */
export const BUILT_IN_SITES: readonly WatchedSite[] = [
  { origin: 'https://app.element.io', client: 'Element Web' },
  { origin: 'https://develop.element.io', client: 'Element Web' },
  { origin: 'https://app.cinny.in', client: 'Cinny' },
  { origin: 'https://hydrogen.element.io', client: 'Hydrogen' },
];

export function matchPatternFor(site: WatchedSite): string {
  return `${site.origin}/*`;
}

export function findWatchedSite(origin: string, sites: readonly WatchedSite[] = BUILT_IN_SITES): WatchedSite | undefined {
  return sites.find((site) => site.origin === origin);
}
