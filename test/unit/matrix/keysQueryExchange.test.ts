import { describe, expect, it } from 'vitest';
import { outcomesOf, serverOf, usersAsked, usersChanged } from '../../../src/matrix/keysQueryExchange';

const BOB = '@bob:example.org';
const CAROL = '@carol:other.example:8448';

function deviceKeys(deviceId: string, key: string) {
  return {
    user_id: BOB,
    device_id: deviceId,
    algorithms: [],
    keys: { [`ed25519:${deviceId}`]: key, [`curve25519:${deviceId}`]: 'curve' },
    signatures: {},
  };
}

describe('usersAsked', () => {
  it('reads the users a key query asks about', () => {
    expect(usersAsked(JSON.stringify({ device_keys: { [BOB]: [], [CAROL]: [] }, timeout: 10_000 }))).toEqual([BOB, CAROL]);
  });

  it.each([
    ['not JSON', '{'],
    ['no device_keys', '{"one_time_keys":{}}'],
    ['device_keys that is a list', '{"device_keys":["@bob:example.org"]}'],
    ['only things that are not user ids', '{"device_keys":{"bob":[],"":[]}}'],
    ['a body that is not text', undefined],
  ])('is undefined for %s', (_label, body) => {
    expect(usersAsked(body)).toBeUndefined();
  });
});

describe('outcomesOf', () => {
  it('is complete for a user in device_keys, with the ed25519 key of each device', () => {
    const answer = {
      device_keys: { [BOB]: { BOBPHONE: deviceKeys('BOBPHONE', 'key-phone'), BOBNEW: deviceKeys('BOBNEW', 'key-new') } },
      failures: {},
    };
    expect(outcomesOf([BOB], JSON.stringify(answer)).get(BOB)).toEqual({
      kind: 'complete',
      offeredKeys: { BOBPHONE: 'key-phone', BOBNEW: 'key-new' },
    });
  });

  it('is complete, with no keys, for a user whose entry lists no devices', () => {
    expect(outcomesOf([BOB], JSON.stringify({ device_keys: { [BOB]: {} } })).get(BOB)).toEqual({ kind: 'complete', offeredKeys: {} });
  });

  it('leaves out a device whose keys are missing or not text, without failing the user', () => {
    const answer = {
      device_keys: { [BOB]: { GOOD: deviceKeys('GOOD', 'k'), NOKEYS: { device_id: 'NOKEYS' }, WRONG: { keys: { 'ed25519:WRONG': 7 } } } },
    };
    expect(outcomesOf([BOB], JSON.stringify(answer)).get(BOB)).toEqual({ kind: 'complete', offeredKeys: { GOOD: 'k' } });
  });

  it('is "omitted" for a user the answer leaves out, as a hostile server might', () => {
    const answer = { device_keys: { [CAROL]: {} }, failures: {} };
    const outcomes = outcomesOf([BOB, CAROL], JSON.stringify(answer));
    expect(outcomes.get(BOB)).toEqual({ kind: 'omitted' });
    expect(outcomes.get(CAROL)?.kind).toBe('complete');
  });

  it('is a server failure for a user whose homeserver is in failures, even with an entry', () => {
    const answer = { device_keys: { [CAROL]: {} }, failures: { 'other.example:8448': { status: 503 } } };
    expect(outcomesOf([CAROL], JSON.stringify(answer)).get(CAROL)).toEqual({ kind: 'server-failed' });
  });

  it.each([
    ['not JSON', '<html>502</html>'],
    ['not an object', '[]'],
    ['without device_keys', '{"failures":{}}'],
  ])('fails everyone for an answer that is %s', (_label, body) => {
    expect([...outcomesOf([BOB, CAROL], body).values()]).toEqual([{ kind: 'failed' }, { kind: 'failed' }]);
  });

  it('keeps a device id named "__proto__" as an ordinary device', () => {
    const answer = `{"device_keys":{"${BOB}":{"__proto__":{"keys":{"ed25519:__proto__":"k"}}}}}`;
    const outcome = outcomesOf([BOB], answer).get(BOB);
    expect(outcome?.kind === 'complete' && Object.entries(outcome.offeredKeys)).toEqual([['__proto__', 'k']]);
  });
});

describe('usersChanged', () => {
  it('reads device_lists.changed of a sync', () => {
    expect(usersChanged(JSON.stringify({ next_batch: 's2', device_lists: { changed: [BOB, 'junk'], left: [CAROL] } }))).toEqual([BOB]);
  });

  it('is empty for a sync without device list changes', () => {
    expect(usersChanged(JSON.stringify({ next_batch: 's2', rooms: {} }))).toEqual([]);
    expect(usersChanged('{"device_lists":{"changed":"@bob:example.org"}}')).toEqual([]);
    expect(usersChanged('{"device_lists": broken')).toEqual([]);
  });
});

it('finds the homeserver of a user id, port included', () => {
  expect(serverOf(BOB)).toBe('example.org');
  expect(serverOf(CAROL)).toBe('other.example:8448');
});
