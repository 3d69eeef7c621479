import { describe, expect, it } from 'vitest';
import type { MemberReport } from '../../../src/trust/types';
import { formatDate } from '../../../src/text/timeText';
import { extensionNeedsVerifyingFirst, identityLines, ownResetSentence } from '../../../src/ui/identityCauseView';
import type { SecurityStatus } from '../../../src/messaging/protocol';
import { memberActions } from '../../../src/ui/roomView';

/** What the popup says about a changed identity: our reset as ours, never as theirs. */

const AT = Date.UTC(2026, 11, 1, 10, 30);
const WHEN = formatDate(AT);

function member(overrides: Partial<MemberReport>): MemberReport {
  return { userId: '@bob:x.org', membership: 'join', identity: 'verification-violation', severity: 'critical', devices: [], ...overrides };
}

describe('the own-reset sentence', () => {
  it('names the date and the device that made the new identity', () => {
    expect(ownResetSentence({ at: AT, byDevice: { deviceId: 'PHONE', displayName: "Alice's phone" } })).toBe(
      `You reset your digital identity on ${WHEN} from Alice's phone (PHONE). Contacts you had verified now need verifying again:`,
    );
  });

  it('a device without a name is named by its id; no device known, none named', () => {
    expect(ownResetSentence({ at: AT, byDevice: { deviceId: 'PHONE' } })).toContain(`on ${WHEN} from PHONE.`);
    expect(ownResetSentence({ at: AT })).toBe(
      `You reset your digital identity on ${WHEN}. Contacts you had verified now need verifying again:`,
    );
  });
});

describe("a member's identity lines", () => {
  it.each([
    {
      name: 'our reset only: says we reset, never that they did',
      cause: { ownReset: { at: AT } },
      lines: [`You reset your digital identity on ${WHEN}: you had verified them, and need to verify them again.`],
    },
    {
      name: 'their change, old one verified',
      cause: { theirChange: { at: AT, hadVerified: true, hadPinned: true } },
      lines: [`Their digital identity changed on ${WHEN}; you had verified the old one.`],
    },
    {
      name: 'their change, old one pinned',
      cause: { theirChange: { at: AT, hadVerified: false, hadPinned: true } },
      lines: [`Their digital identity changed on ${WHEN}; you had accepted the old one.`],
    },
    {
      name: 'both at once: both said',
      cause: { ownReset: { at: AT }, theirChange: { at: AT, hadVerified: true, hadPinned: true } },
      lines: [
        `You reset your digital identity on ${WHEN}: you had verified them, and need to verify them again.`,
        `Their digital identity changed on ${WHEN}; you had verified the old one.`,
      ],
    },
    {
      name: 'cause unknown: names neither side',
      cause: undefined,
      lines: ['You had verified them, but they are not verified now.'],
    },
  ])('$name', ({ cause, lines }) => {
    expect(identityLines(member(cause === undefined ? {} : { cause }))).toEqual(lines);
  });

  it('our own line after a reset elsewhere says this extension needs verifying', () => {
    expect(identityLines(member({ isOwnUser: true, cause: { ownReset: { at: AT } } }))).toEqual([
      `You reset your digital identity on ${WHEN}: this extension needs verifying with the new one.`,
    ]);
  });

  it('nothing for an identity that is fine', () => {
    expect(identityLines(member({ identity: 'ok', severity: 'warn' }))).toEqual([]);
  });
});

describe('Verify after our reset', () => {
  it('is offered for a contact our reset left unverified (and still not for an unexplained violation)', () => {
    expect(memberActions(member({ masterKey: 'MK', cause: { ownReset: { at: AT } } }), false).verify).toBe(true);
    expect(memberActions(member({ masterKey: 'MK' }), false).verify).toBe(false);
  });
});

describe('verify this extension first', () => {
  const status = (thisDeviceVerified: boolean) => ({ thisDeviceVerified }) as SecurityStatus;

  it('is said while the extension reads itself as unverified (a reset made elsewhere), not once it is verified', () => {
    expect(extensionNeedsVerifyingFirst({ phase: 'live', value: { status: status(false), checkedAt: 1 } })).toBe(true);
    expect(extensionNeedsVerifyingFirst({ phase: 'live', value: { status: status(true), checkedAt: 1 } })).toBe(false);
  });

  it('is not said without a reading', () => {
    expect(extensionNeedsVerifyingFirst({ phase: 'loading' })).toBe(false);
    expect(extensionNeedsVerifyingFirst({ phase: 'live', value: { problem: 'checking' } })).toBe(false);
  });
});
