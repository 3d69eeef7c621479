/**
 * Whether a URL from a server may be opened or sent a secret: https anywhere, http only to this
 * machine's loopback (a test server, or a provider on this machine), never with a user name or
 * password in it. Pure.
 */
export function isSafeWebUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname));
}
