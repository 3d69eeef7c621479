import { identityState } from './classifyDevice';
import type { IdentityMemory, OwnReplacement } from './identityMemory';
import type { IdentityCause, OwnReset, UserFacts } from './types';

/**
 * Why a user's identity is not trusted as it was, from remembered keys only (never a guess):
 * - our own reset: the identity we last verified them under was verified with an own master key
 *   that has since been replaced (our new user-signing key has not signed them);
 * - their change: their master key is not the one we saw before, with whether we had verified
 *   or accepted (pinned) that one.
 * Both can be true at once and both are then said. Undefined when the identity is fine, or
 * when nothing remembered explains it (memory lost, or the change predates our first sight).
 */
export function identityCause(user: UserFacts, memory: IdentityMemory | undefined): IdentityCause | undefined {
  if (memory === undefined || identityState(user) === 'ok') return undefined;
  const own = memory.own;
  if (user.isOwnUser) {
    // Our own identity replaced: this very account was reset (here or from another device).
    return own?.replaced === undefined ? undefined : { ownReset: ownResetOf(own.replaced) };
  }
  const record = Object.hasOwn(memory.contacts, user.userId) ? memory.contacts[user.userId] : undefined;
  // Only about the key we see now: a memory of another key says nothing of this one.
  if (record === undefined || record.masterKey !== user.masterKey) return undefined;
  const verifiedUnder = record.verifiedUnderOwnKey ?? record.replaced?.previousVerifiedUnderOwnKey;
  const ownReset =
    own?.replaced !== undefined && verifiedUnder !== undefined && verifiedUnder !== own.masterKey && !user.verified
      ? ownResetOf(own.replaced)
      : undefined;
  // Their change explains the problem while the key it brought was never verified here; one we
  // verified since (and which our reset then un-verified) is no longer their doing.
  const { replaced } = record;
  const theirChange: IdentityCause['theirChange'] =
    replaced !== undefined && record.verifiedUnderOwnKey === undefined
      ? { at: replaced.at, hadVerified: replaced.previousVerifiedUnderOwnKey !== undefined, hadPinned: replaced.previousPinned }
      : undefined;
  if (ownReset === undefined && theirChange === undefined) return undefined;
  return { ...(ownReset && { ownReset }), ...(theirChange && { theirChange }) };
}

function ownResetOf(replaced: OwnReplacement): OwnReset {
  return { at: replaced.at, ...(replaced.byDevice && { byDevice: replaced.byDevice }) };
}
