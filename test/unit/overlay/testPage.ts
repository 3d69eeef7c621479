import type { ClientAdapter, UserAnchor } from '../../../src/clients/clientAdapter';
import type { Frames } from '../../../src/overlay/badgePainter';
import type { MemberBadge } from '../../../src/trust/pageWarnings';

/**
 * A minimal client for overlay tests: `<li class="member" data-user-id="@id">` rows holding a
 * `.name` span (the anchor), inside `<ul id="members">`, and a `<form id="composer">`. The
 * real clients' adapters have their own tests on their fixture pages; this one keeps the
 * painter's tests about the painter.
 */
export const listAdapter: ClientAdapter = {
  family: 'Element Web',
  detect: (doc) => doc.getElementById('members') !== null,
  roomFromUrl: (url) => {
    const match = /^#\/room\/(![^/]+)$/.exec(url.hash);
    return match ? { kind: 'id', roomId: decodeURIComponent(match[1] ?? '') } : undefined;
  },
  findUsers: (root: ParentNode): UserAnchor[] => {
    const rows = [...(root instanceof Element && root.matches('li.member') ? [root] : []), ...root.querySelectorAll('li.member')];
    return rows.flatMap((row) => {
      const userId = row.getAttribute('data-user-id');
      const anchor = row.querySelector('.name');
      return userId?.startsWith('@') && anchor ? [{ userId, anchor, place: 'member-list' as const }] : [];
    });
  },
  itemSelector: 'li.member',
  bannerAnchor: (doc) => doc.getElementById('composer') ?? undefined,
};

export function memberList(doc: Document, userIds: string[]): HTMLUListElement {
  doc.body.innerHTML = '<main><ul id="members"></ul><form id="composer"><input></form></main>';
  const list = doc.getElementById('members') as HTMLUListElement;
  for (const userId of userIds) list.append(row(doc, userId));
  return list;
}

export function row(doc: Document, userId: string): HTMLLIElement {
  const li = doc.createElement('li');
  li.className = 'member';
  li.setAttribute('data-user-id', userId);
  const name = doc.createElement('span');
  name.className = 'name';
  name.textContent = userId.slice(1, userId.indexOf(':'));
  li.append(name);
  return li;
}

export function warning(userId: string, overrides: Partial<MemberBadge> = {}): MemberBadge {
  return {
    userId,
    severity: 'warn',
    identity: 'ok',
    newDevices: [{ deviceId: 'NEWDEVICE', displayName: 'New laptop', class: 'unsigned' }],
    ...overrides,
  };
}

/** Animation frames the test runs by hand, so it can see what one frame does. */
export class ManualFrames implements Frames {
  private callbacks = new Map<number, () => void>();
  private next = 1;

  request(callback: () => void): number {
    this.callbacks.set(this.next, callback);
    return this.next++;
  }

  cancel(handle: number): void {
    this.callbacks.delete(handle);
  }

  get pending(): number {
    return this.callbacks.size;
  }

  /** Runs the frame: every callback requested so far. */
  run(): void {
    const due = [...this.callbacks.values()];
    this.callbacks.clear();
    for (const callback of due) callback();
  }
}

/** Lets MutationObserver callbacks (microtasks) run. */
export async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
}

/** The badges in the page: each host's user (from the row it sits in) and whether it is right after its anchor. */
export function badgesIn(doc: Document): { userId: string | null; afterAnchor: boolean }[] {
  return [...doc.querySelectorAll('[data-mtg-badge]')].map((host) => ({
    userId: host.closest('li.member')?.getAttribute('data-user-id') ?? null,
    afterAnchor: host.previousElementSibling?.classList.contains('name') === true,
  }));
}

/**
 * Our badges use closed shadow roots, which a page (and so a test) cannot reach. Tests record
 * each root as it is created, to read what a user would see.
 */
export function recordShadowRoots(win: typeof globalThis): {
  rootOf(host: Element): ShadowRoot | undefined;
  modes: string[];
  restore(): void;
} {
  const roots = new WeakMap<Element, ShadowRoot>();
  const modes: string[] = [];
  const proto = (win as unknown as { Element: typeof Element }).Element.prototype;
  const original = Object.getOwnPropertyDescriptor(proto, 'attachShadow')?.value as (this: Element, init: ShadowRootInit) => ShadowRoot;
  proto.attachShadow = function (this: Element, init: ShadowRootInit) {
    const root = original.call(this, init);
    roots.set(this, root);
    modes.push(init.mode);
    return root;
  };
  return { rootOf: (host) => roots.get(host), modes, restore: () => void (proto.attachShadow = original) };
}
