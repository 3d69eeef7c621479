import { describe, expect, it } from 'vitest';
import { type RoomLookup, SdkRoomDirectory } from '../../../src/matrix/matrixDevice';

/** A homeserver's aliases and the account's memberships; counts the alias lookups it answers. */
function lookup(aliases: Record<string, string>, joined: readonly string[]) {
  const asked: string[] = [];
  const client: RoomLookup = {
    getRoomIdForAlias: (alias) => {
      asked.push(alias);
      const roomId = aliases[alias];
      return roomId === undefined ? Promise.reject(new Error('M_NOT_FOUND')) : Promise.resolve({ room_id: roomId });
    },
    getRoom: (roomId) =>
      joined.includes(roomId) ? { getMyMembership: () => 'join' } : roomId === '!left' ? { getMyMembership: () => 'leave' } : null,
  };
  return { client, asked };
}

describe('the room a page shows', () => {
  it('is the joined room an id names, and nothing for a room the account is not in', async () => {
    const directory = new SdkRoomDirectory(lookup({}, ['!plans']).client);
    expect(await directory.joinedRoom({ kind: 'id', roomId: '!plans' })).toBe('!plans');
    expect(await directory.joinedRoom({ kind: 'id', roomId: '!left' })).toBeUndefined();
    expect(await directory.joinedRoom({ kind: 'id', roomId: '!never' })).toBeUndefined();
  });

  it('resolves an alias through the homeserver once, and says nothing for an unknown one', async () => {
    const { client, asked } = lookup({ '#plans:x': '!plans' }, ['!plans']);
    const directory = new SdkRoomDirectory(client);
    expect(await directory.joinedRoom({ kind: 'alias', alias: '#plans:x' })).toBe('!plans');
    expect(await directory.joinedRoom({ kind: 'alias', alias: '#plans:x' })).toBe('!plans');
    expect(await directory.joinedRoom({ kind: 'alias', alias: '#nope:x' })).toBeUndefined();
    expect(asked).toEqual(['#plans:x', '#nope:x']);
  });

  it('remembers aliases only for its own device: a new sign-in asks its homeserver afresh', async () => {
    const first = lookup({ '#plans:x': '!old' }, ['!old']);
    expect(await new SdkRoomDirectory(first.client).joinedRoom({ kind: 'alias', alias: '#plans:x' })).toBe('!old');
    // Another account, where the same alias names another room.
    const second = lookup({ '#plans:x': '!new' }, ['!new']);
    expect(await new SdkRoomDirectory(second.client).joinedRoom({ kind: 'alias', alias: '#plans:x' })).toBe('!new');
    expect(second.asked).toEqual(['#plans:x']);
  });
});
