/**
 * The origin of a self-hosted web client, from what a user types: "chat.example.org",
 * "https://chat.example.org/#/room/…" and "HTTPS://Chat.Example.org:443" all name
 * "https://chat.example.org". Only https: a client served in clear text can be rewritten by
 * anyone on the path, and the extension's warnings would be drawn into a page an attacker
 * controls. No credentials, no IP literals of other schemes, no wildcards.
 */
export function siteOriginFrom(input: string): string | undefined {
  const text = input.trim();
  if (text === '' || text.length > 255 || /\s|\*/u.test(text)) return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//iu.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '' || url.hostname === '') return undefined;
  // A host needs a dot (or is a bracketed IPv6 literal): "https://chat" is a typo, not a site.
  if (!url.hostname.includes('.') && !url.hostname.startsWith('[')) return undefined;
  return url.origin;
}

/**
 * The match pattern for an origin's pages, for permissions and content scripts. Match patterns
 * cannot name a port in Firefox, so it covers the host on every port; the background still
 * listens only to pages of the exact origin the user added.
 */
export function originPattern(origin: string): string {
  const url = new URL(origin);
  return `${url.protocol}//${url.hostname}/*`;
}
