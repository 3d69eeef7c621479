import type { DeviceListCheck, RoomFacts, UserFacts } from '../../trust/types';

/**
 * What changed, as far as trust goes: some users' devices or identities (read them again), only
 * whether some users' device lists are current (their facts stand), some rooms' members, or
 * everything.
 */
export type FactsChange =
  | { kind: 'users'; userIds: string[] }
  | { kind: 'checks'; userIds: string[] }
  | { kind: 'rooms'; roomIds: string[] }
  | { kind: 'everyone' };

/**
 * The facts the trust engine works from. Implemented over matrix-js-sdk in
 * `src/matrix/sdkTrustFacts.ts`, the only code that asks the SDK about trust; the engine and its
 * tests depend on this interface.
 */
export interface TrustFactSource {
  readonly ownUserId: string;
  readonly ownDeviceId: string;
  /**
   * Facts for these users, in one go (Rust crypto lists every tracked user on each device-list
   * call, so asking user by user costs the square of a room's size). Users whose keys have not
   * been fetched yet are left out: their facts would look empty.
   */
  usersFacts(userIds: readonly string[]): Promise<Map<string, UserFacts>>;
  /** Undefined while the user's device list is known to be current; otherwise why not. */
  deviceListCheck(userId: string): DeviceListCheck | undefined;
  roomFacts(roomId: string): RoomFacts | undefined;
  /** Rooms we are joined to. */
  roomIds(): string[];
  onChange(listener: (change: FactsChange) => void): () => void;
}
