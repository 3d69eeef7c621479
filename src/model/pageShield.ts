/**
 * A web client's own trust indicator for someone, as its page shows it: read by the client
 * adapters as data and compared by src/trust with our verdict, which it never changes.
 * `none`: the client shows its "nothing special" state; `unknown`: no indicator, or one we do
 * not recognise (a page that removes its shields says nothing, so it never agrees with us).
 */
export type ShieldState = 'verified' | 'warning' | 'none' | 'unknown';

/** Where the client shows it: next to a member, a message's sender, in the user's details, or on the composer (the whole room). */
export type ShieldPlace = 'member-list' | 'timeline' | 'user-info' | 'header' | 'composer';

export interface PageShield {
  state: ShieldState;
  /** The element that shows it, so a change of state can be noticed; absent when there is none. */
  element?: Element;
}
