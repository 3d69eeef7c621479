import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Place, UserAnchor } from '../../../src/clients/clientAdapter';
import { REPO_ROOT } from '../../support/paths';

/**
 * A fixture page from test/fixtures/ as a Document of its own (the test file must run in the
 * happy-dom environment). Its scripts do not run: unit tests read the static markup.
 */
export function fixturePage(name: string): Document {
  const html = readFileSync(path.join(REPO_ROOT, 'test/fixtures', name), 'utf8');
  return new DOMParser().parseFromString(html, 'text/html');
}

/** A page with nothing of any client on it. */
export function blankPage(): Document {
  return new DOMParser().parseFromString('<!doctype html><title>Recipes</title><p>Nothing to see</p>', 'text/html');
}

/** The one element `selector` matches in `root`; a test that misses its target fails loudly. */
export function the(root: ParentNode, selector: string): Element {
  const found = root.querySelectorAll(selector);
  if (found.length !== 1) throw new Error(`expected one ${selector}, found ${found.length}`);
  return found[0] as Element;
}

/** The user ids found in one place, in page order. */
export function userIdsIn(anchors: UserAnchor[], place: Place): string[] {
  return anchors.filter((anchor) => anchor.place === place).map((anchor) => anchor.userId);
}
