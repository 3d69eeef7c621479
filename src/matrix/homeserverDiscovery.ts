import { SignInError } from './signInErrors';
import { t } from '../text/i18n';

/**
 * Finds the client-server API base URL for what the user typed: a server name
 * ("example.org"), a user id ("@alice:example.org") or a URL ("https://matrix.example.org").
 * Server names go through `.well-known/matrix/client`, as every Matrix client does; a URL is
 * taken as the base URL itself, then as a server whose `.well-known` points elsewhere.
 */
export async function discoverHomeserver(input: string, fetchFn: typeof fetch = fetch): Promise<string> {
  const candidate = candidateServer(input);
  // A URL is most likely the base URL itself; a server name most likely delegates.
  const tries = candidate.isUrl
    ? [() => Promise.resolve(candidate.baseUrl), () => viaWellKnown(candidate.origin, fetchFn)]
    : [() => viaWellKnown(candidate.origin, fetchFn), () => Promise.resolve(candidate.baseUrl)];
  for (const attempt of tries) {
    const baseUrl = await attempt();
    if (baseUrl !== undefined && (await isClientApi(baseUrl, fetchFn))) return baseUrl;
  }
  // Distinguish "nothing answers" from "something answers, but it is not Matrix".
  if (await answersAtAll(candidate.origin, fetchFn)) {
    throw new SignInError('unknown-homeserver', t('errNotAHomeserver', displayName(input)));
  }
  throw new SignInError('unreachable', t('errHomeserverUnreachable', displayName(input)));
}

interface Candidate {
  /** Where `.well-known` is asked. */
  origin: string;
  /** The base URL to try directly. */
  baseUrl: string;
  isUrl: boolean;
}

/** The origin to try for what the user typed; throws for input that cannot name a server. */
export function candidateServer(input: string): Candidate {
  const text = input.trim();
  if (text.length === 0 || text.length > 255 || /\s/.test(text)) {
    throw new SignInError('invalid-input', t('errEnterHomeserver'));
  }
  if (/^https?:\/\//i.test(text)) {
    const url = parseUrl(text);
    // A homeserver may live under a path ("https://example.org/matrix"): keep it.
    return { origin: url.origin, baseUrl: `${url.origin}${url.pathname.replace(/\/+$/, '')}`, isUrl: true };
  }
  if (text.startsWith('@') && !text.includes(':')) {
    throw new SignInError('invalid-input', t('errUserIdShape'));
  }
  const serverName = text.startsWith('@') ? text.slice(text.indexOf(':') + 1) : text;
  const origin = parseUrl(`https://${serverName}`).origin;
  return { origin, baseUrl: origin, isUrl: false };
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SignInError('invalid-input', t('errNotHomeserverAddress', displayName(text)));
  }
  // Never echo it back: what sits before the @ may be a password.
  if (url.username || url.password) throw new SignInError('invalid-input', t('errHomeserverWithCredentials'));
  return url;
}

async function viaWellKnown(origin: string, fetchFn: typeof fetch): Promise<string | undefined> {
  const body = await getJson(`${origin}/.well-known/matrix/client`, fetchFn);
  const homeserver = isRecord(body) ? body['m.homeserver'] : undefined;
  const baseUrl = isRecord(homeserver) ? homeserver.base_url : undefined;
  if (typeof baseUrl !== 'string') return undefined;
  try {
    const url = new URL(baseUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    return url.href.replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}

async function isClientApi(baseUrl: string, fetchFn: typeof fetch): Promise<boolean> {
  const body = await getJson(`${baseUrl}/_matrix/client/versions`, fetchFn);
  return isRecord(body) && Array.isArray(body.versions);
}

async function answersAtAll(origin: string, fetchFn: typeof fetch): Promise<boolean> {
  try {
    await fetchFn(origin, { method: 'HEAD', signal: AbortSignal.timeout(10_000) });
    return true;
  } catch {
    return false;
  }
}

async function getJson(url: string, fetchFn: typeof fetch): Promise<unknown> {
  try {
    const response = await fetchFn(url, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) return undefined;
    return (await response.json()) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Echo at most a short, single-line piece of what the user typed. */
function displayName(text: string): string {
  return text.trim().replace(/\s+/g, ' ').slice(0, 80);
}
