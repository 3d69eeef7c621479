// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientAdapter } from '../../../src/clients/clientAdapter';
import type { ShieldPlace, ShieldState } from '../../../src/model/pageShield';
import { BadgePainter } from '../../../src/overlay/badgePainter';
import type { MemberBadge } from '../../../src/trust/pageWarnings';
import { pillTranscript } from '../../support/overlay';
import { listAdapter, ManualFrames, memberList, recordShadowRoots, settle, warning } from './testPage';

/**
 * The second opinion in the painter: the list client of testPage.ts, whose rows may show the
 * client's own shield (`<i class="shield verified|warning">`), and whose composer may show one
 * for the whole room.
 */
const shieldState = (element: Element | null): ShieldState =>
  element === null
    ? 'unknown'
    : element.classList.contains('verified')
      ? 'verified'
      : element.classList.contains('warning')
        ? 'warning'
        : 'unknown';
const shieldedAdapter: ClientAdapter = {
  ...listAdapter,
  shieldOf: ({ anchor }) => {
    const shield = anchor.closest('li.member')?.querySelector('.shield') ?? null;
    return shield ? { state: shieldState(shield), element: shield } : { state: 'unknown' };
  },
  roomShield: (doc) => {
    const shield = doc.querySelector('#composer .shield');
    return shield ? { state: shieldState(shield), element: shield } : { state: 'unknown' };
  },
};

let frames: ManualFrames;
let painter: BadgePainter;
let shadows: ReturnType<typeof recordShadowRoots>;
let reported: ReadonlyMap<string, ShieldPlace[]>[];

beforeEach(() => {
  frames = new ManualFrames();
  shadows = recordShadowRoots(globalThis);
  reported = [];
});

afterEach(() => {
  painter.stop();
  shadows.restore();
  document.body.innerHTML = '';
});

function start(shields: Record<string, 'verified' | 'warning'>, warnings: MemberBadge[]): void {
  const list = memberList(document, ['@alice:x.org', '@bob:x.org', '@carol:x.org']);
  for (const [userId, state] of Object.entries(shields)) setShield(userId, state, list);
  painter = new BadgePainter(document, shieldedAdapter, frames, { disagreements: (found) => reported.push(found) });
  painter.start();
  painter.show(new Map(warnings.map((w) => [w.userId, w])));
  frames.run();
}

function setShield(userId: string, state: 'verified' | 'warning', root: ParentNode = document): void {
  const row = root.querySelector(`li[data-user-id="${userId}"]`);
  const shield = row?.querySelector('.shield');
  if (shield) shield.className = `shield ${state}`;
  else row?.insertAdjacentHTML('beforeend', `<i class="shield ${state}"></i>`);
}

function pillOf(userId: string): HTMLElement | undefined {
  const host = document.querySelector(`li[data-user-id="${userId}"] [data-mtg-badge]`);
  return (host && shadows.rootOf(host)?.querySelector<HTMLElement>('.badge')) ?? undefined;
}

/** What a pill shows: its icon's glyph and its count, as text ('≠ ! 1'). */
function transcript(pill: Element | null | undefined): string | undefined {
  return pill ? pillTranscript(pill) : undefined;
}

/** Lets the observers note the page's change, then runs the frame they asked for. */
async function nextFrame(): Promise<void> {
  await settle();
  frames.run();
}

describe('the badge where the page shows the member as verified', () => {
  it('says so first, in words naming the client and why, with a mark and a class of its own', () => {
    start({ '@bob:x.org': 'verified' }, [warning('@bob:x.org', { displayName: 'Bob', severity: 'critical' })]);
    const pill = pillOf('@bob:x.org');
    expect(transcript(pill)).toBe('≠ !! 1');
    expect(pill?.classList.contains('disagrees')).toBe(true);
    expect(pill?.title.split('\n')[0]).toBe(
      "Element Web shows Bob as verified, but Bob's session “New laptop” (NEWDEVICE) is not signed by them.",
    );
    expect(pill?.getAttribute('aria-label')).toBe('Matrix Trust Guard: 1 unverified device. Element Web shows them as verified');
    expect(reported.at(-1)).toEqual(new Map([['@bob:x.org', ['member-list']]]));
  });

  it('stays an ordinary badge where the page shows a warning too, or no shield at all', () => {
    start({ '@bob:x.org': 'warning' }, [warning('@bob:x.org'), warning('@carol:x.org')]);
    for (const userId of ['@bob:x.org', '@carol:x.org']) {
      expect(transcript(pillOf(userId))).toBe('! 1');
      expect(pillOf(userId)?.classList.contains('disagrees')).toBe(false);
    }
    expect(reported.every((found) => found.size === 0)).toBe(true);
  });

  it('gives nobody a badge for a green shield alone: the page’s word never makes a warning', () => {
    start({ '@alice:x.org': 'verified' }, [warning('@bob:x.org')]);
    expect(pillOf('@alice:x.org')).toBeUndefined();
    expect(painter.disagreements().size).toBe(0);
  });

  it('notices a shield that turns green in place (a class change), and again when it turns back', async () => {
    start({ '@bob:x.org': 'warning' }, [warning('@bob:x.org')]);
    setShield('@bob:x.org', 'verified');
    await nextFrame();
    expect(transcript(pillOf('@bob:x.org'))).toBe('≠ ! 1');
    expect(reported.at(-1)).toEqual(new Map([['@bob:x.org', ['member-list']]]));
    setShield('@bob:x.org', 'warning');
    await nextFrame();
    expect(transcript(pillOf('@bob:x.org'))).toBe('! 1');
    expect(reported.at(-1)?.size).toBe(0);
  });

  it('notices a shield the page replaces with a green one (as React swaps icons)', async () => {
    start({ '@bob:x.org': 'warning' }, [warning('@bob:x.org')]);
    document
      .querySelector('li[data-user-id="@bob:x.org"] .shield')
      ?.replaceWith(Object.assign(document.createElement('i'), { className: 'shield verified' }));
    await nextFrame();
    expect(pillOf('@bob:x.org')?.classList.contains('disagrees')).toBe(true);
  });

  it('takes a disagreement back when the page removes its shields: a hidden shield is no agreement, and no disagreement either', async () => {
    start({ '@bob:x.org': 'verified' }, [warning('@bob:x.org')]);
    document.querySelector('li[data-user-id="@bob:x.org"] .shield')?.remove();
    await nextFrame();
    expect(transcript(pillOf('@bob:x.org'))).toBe('! 1');
    expect(reported.at(-1)?.size).toBe(0);
  });

  it('notices a composer shield the page draws later, outside every member row', async () => {
    start({}, [warning('@bob:x.org')]);
    document.getElementById('composer')?.insertAdjacentHTML('afterbegin', '<i class="shield verified"></i>');
    await nextFrame();
    expect(reported.at(-1)).toEqual(new Map([['@bob:x.org', ['composer']]]));
  });

  it('reads a verified room on the composer as vouching for every warned member, without marking their badges', async () => {
    start({}, [warning('@bob:x.org'), warning('@carol:x.org', { severity: 'checking', newDevices: [] })]);
    document.getElementById('composer')?.insertAdjacentHTML('afterbegin', '<i class="shield verified"></i>');
    painter.show(new Map([['@bob:x.org', warning('@bob:x.org')]]));
    frames.run();
    expect(reported.at(-1)).toEqual(new Map([['@bob:x.org', ['composer']]]));
    expect(pillOf('@bob:x.org')?.classList.contains('disagrees')).toBe(false);
    // The composer's shield is watched too: it turning red ends the disagreement.
    const composerShield = document.querySelector('#composer .shield');
    if (composerShield) composerShield.className = 'shield warning';
    await nextFrame();
    expect(reported.at(-1)?.size).toBe(0);
  });
});
