import type { PageShield } from '../model/pageShield';
import type { ClientFamily } from './builtInSites';

/**
 * What one web Matrix client's page looks like, to a content script: which room is open and
 * which nodes stand for which users. One adapter per client family, each a short file with its
 * selectors in one place (one client, one file). Adapters make no trust decisions
 * and never touch the network; they read the page and fail quiet when its markup changes.
 */

/** The open room, as the URL names it: an id, or an alias the background resolves. */
export type RoomRef = { kind: 'id'; roomId: string } | { kind: 'alias'; alias: string };

/** Where on the page a user appears; badges are styled a little differently per place. */
export type Place = 'member-list' | 'timeline' | 'user-info' | 'header';

/** One node on the page that stands for a user, and where the badge goes next to it. */
export interface UserAnchor {
  userId: string;
  /** The node the badge sits next to. */
  anchor: Element;
  place: Place;
  /**
   * 'after' (the default): the badge is the anchor's next sibling. 'inside': it is the
   * anchor's last child, for anchors laid out by a grid or on a line of their own, where a
   * sibling would land in a cell or line of its own (never for an anchor the page makes
   * clickable: a click on the badge would be a click on it). 'in-row': the next sibling in a
   * flex row the anchor shares with items spread apart (a name and a time): the badge closes
   * up to the anchor and the other items stay where they were. 'beside-box': the next sibling
   * of an inline box that clips its text (Element's sender name: inline-block, `overflow:
   * hidden`), whose baseline is therefore its bottom edge, not its text's: the badge takes the
   * box's height and is centred in it, so it sits on the middle of the name's line.
   */
  placement?: 'after' | 'inside' | 'in-row' | 'beside-box';
}

export interface ClientAdapter {
  family: ClientFamily;
  /** Whether this page is this client, from cheap checks of the URL and DOM. */
  detect(doc: Document, url: URL): boolean;
  /** The open room, from the URL alone (clients route by URL, hash or path). */
  roomFromUrl(url: URL): RoomRef | undefined;
  /**
   * Every node within `root` (the document, or an item that just changed, `root` itself
   * included) that stands for a user, with a valid-looking Matrix user id. Unknown or changed
   * markup yields nothing.
   */
  findUsers(root: ParentNode): UserAnchor[];
  /**
   * The repeated item (a member row, a timeline event) that holds both a badge's anchor and
   * the node its user id comes from. Virtualised lists recycle these: when anything inside one
   * changes, the whole item is looked at again, so a recycled row never keeps the badge of
   * the user it showed before.
   */
  itemSelector?: string;
  /** Where the in-page banner goes (it is inserted before this node), if the page has it. */
  bannerAnchor(doc: Document): Element | undefined;
  /**
   * An element of the open room's timeline. The banner shrinks the timeline's scroller (its
   * nearest ancestor that scrolls) and keeps it at the bottom when it was there.
   */
  timeline?(doc: Document): Element | undefined;
  /**
   * The client's own trust indicator for the user an anchor stands for, where the client
   * shows one next to it; clients that show none leave this out (docs/clients.md).
   */
  shieldOf?(found: UserAnchor): PageShield;
  /** The client's indicator for the whole room (Element's composer shield), if it has one. */
  roomShield?(doc: Document): PageShield;
}
