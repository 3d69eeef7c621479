/**
 * A failure whose message is safe and useful to show the user: it says what happened in their
 * words and holds nothing from the network or a secret. Anything else thrown reaches the user
 * only as a generic sentence (see the request router).
 */
export class UserFacingError extends Error {
  override name = 'UserFacingError';
}
