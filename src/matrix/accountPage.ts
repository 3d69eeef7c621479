/**
 * The account page of a homeserver with next-generation auth (OAuth 2.0, MSC3861): where the
 * user signs sessions out and approves an identity reset, because the server itself no longer
 * can (MSC4191 deep links, MSC4312 reset approval). Pure: no SDK, no network.
 */
import { isSafeWebUrl } from '../validation/webUrl';

/** The server's account page and the actions it says it can deep-link to. */
export interface AccountPage {
  readonly url: string;
  readonly actions: readonly string[];
}

/** An action deep link: sign one session out, or approve a cross-signing reset. */
export type AccountAction = { action: 'device-delete'; deviceId: string } | { action: 'cross-signing-reset' };

/** MSC4191's action names; `session_end` is what servers said before `device_delete`. */
const DEVICE_DELETE = 'org.matrix.device_delete';
const SESSION_END = 'org.matrix.session_end';
const CROSS_SIGNING_RESET = 'org.matrix.cross_signing_reset';

/**
 * The account page the server's auth metadata names, if it is a URL we may open: https, or
 * http only on the user's own machine (a local test server). Anything else is ignored, since
 * the server chooses this link and we open it in the user's browser.
 */
export function accountPageOf(metadata: {
  account_management_uri?: unknown;
  account_management_actions_supported?: unknown;
}): AccountPage | undefined {
  const url = metadata.account_management_uri;
  if (typeof url !== 'string' || !isSafeWebUrl(url)) return undefined;
  const listed = metadata.account_management_actions_supported;
  const actions = Array.isArray(listed) ? listed.filter((action): action is string => typeof action === 'string') : [];
  return { url, actions };
}

/**
 * The deep link for one action. A server that lists only the older `session_end` gets that
 * name; one that lists nothing gets the current names (the page opens either way, at worst
 * on its start page).
 */
export function accountActionUrl(page: AccountPage, action: AccountAction): string {
  const url = new URL(page.url);
  if (action.action === 'device-delete') {
    const name = !page.actions.includes(DEVICE_DELETE) && page.actions.includes(SESSION_END) ? SESSION_END : DEVICE_DELETE;
    url.searchParams.set('action', name);
    url.searchParams.set('device_id', action.deviceId);
  } else {
    url.searchParams.set('action', CROSS_SIGNING_RESET);
  }
  return url.toString();
}
