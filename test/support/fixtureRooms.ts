/**
 * The rooms a client fixture (test/fixtures/cinny.html, element-web.html, hydrogen.html)
 * routes between. Each fixture carries its default rooms in a
 * `<script type="application/json" id="fixture-rooms">` block and renders the room its
 * address names from them; a test puts real room and user ids there before serving the page.
 */
export interface FixtureRoom {
  id: string;
  /** The canonical alias, if any: Cinny and Element show it in the address instead of the id. */
  alias?: string;
  name: string;
  /** `shield`: the client's own trust indicator on the member's row, where the fixture can draw one (Element). */
  members: { userId: string; name: string; shield?: 'verified' | 'warning' }[];
  /** One message per entry, each with its sender shown. */
  timeline: { sender: string; body: string }[];
}

const BLOCK = /(<script type="application\/json" id="fixture-rooms">)[\s\S]*?(<\/script>)/;

/** `html` (a fixture page) with `rooms` as its rooms; none of them is the markup's static room. */
export function withFixtureRooms(html: string, rooms: readonly FixtureRoom[]): string {
  if (!BLOCK.test(html)) throw new Error('this fixture has no fixture-rooms block');
  // JSON inside a script element: "</script>" (or "<!--") in a name must not end or change it.
  const json = JSON.stringify({ rooms }).replace(/</g, '\\u003c');
  return html.replace(BLOCK, (_match, open: string, close: string) => `${open}${json}${close}`);
}
