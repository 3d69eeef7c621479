import { describe, expect, it } from 'vitest';
import {
  fromBase64,
  newSyncKey,
  openAcknowledgements,
  sealAcknowledgements,
  sealedUnderAnotherKey,
  toBase64,
} from '../../../src/storage/acknowledgementSeal';
import type { SyncedAcknowledgements } from '../../../src/trust/syncedAcknowledgements';

const context = { eventType: 'org.matrixtrustguard.acknowledgements', userId: '@alice:example.org' };
const document: SyncedAcknowledgements = {
  version: 1,
  acknowledgements: [
    {
      roomId: '!plans:example.org',
      userId: '@dave:example.org',
      deviceId: 'DAVEBOT',
      ed25519Key: 'ZGF2ZWJvdGtleWRhdmVib3RrZXlkYXZlYm90a2V5ZGE',
      acknowledgedClass: 'unsigned',
      acknowledgedAt: 1_767_603_600_000,
    },
  ],
  pins: [{ userId: '@erin:example.org', masterKey: 'ZXJpbm1hc3RlcmtleWVyaW5tYXN0ZXJrZXllcmlubWE', pinnedAt: 1_767_603_600_000 }],
};

describe('sealing the synced acknowledgements', () => {
  it('opens what it sealed, with the same key and context', async () => {
    const key = newSyncKey();
    const sealed = await sealAcknowledgements(document, key, context);
    expect(await openAcknowledgements(sealed, key, context)).toEqual(document);
  });

  it('shows the server no id and no key, only ciphertext', async () => {
    const sealed = await sealAcknowledgements(document, newSyncKey(), context);
    const stored = JSON.stringify(sealed);
    for (const secret of [
      '@alice',
      '@dave',
      '@erin',
      'DAVEBOT',
      '!plans',
      document.acknowledgements[0]?.ed25519Key ?? 'missing',
      'unsigned',
    ])
      expect(stored).not.toContain(secret);
    expect(Object.keys(sealed).sort()).toEqual(['ciphertext', 'iv', 'kid', 'v']);
  });

  it('pads, so one acknowledgement more does not change the length', async () => {
    const key = newSyncKey();
    const one = await sealAcknowledgements({ ...document, pins: [] }, key, context);
    const two = await sealAcknowledgements(document, key, context);
    expect(one.ciphertext.length).toBe(two.ciphertext.length);
  });

  it('refuses a ciphertext with one flipped byte', async () => {
    const key = newSyncKey();
    const sealed = await sealAcknowledgements(document, key, context);
    const bytes = fromBase64(sealed.ciphertext);
    bytes[5] = (bytes[5] ?? 0) ^ 1;
    expect(await openAcknowledgements({ ...sealed, ciphertext: toBase64(bytes) }, key, context)).toBeUndefined();
  });

  it('refuses a ciphertext moved from another account or another event type', async () => {
    const key = newSyncKey();
    const sealed = await sealAcknowledgements(document, key, context);
    expect(await openAcknowledgements(sealed, key, { ...context, userId: '@mallory:example.org' })).toBeUndefined();
    expect(await openAcknowledgements(sealed, key, { ...context, eventType: 'org.matrixtrustguard.other' })).toBeUndefined();
  });

  it('refuses a ciphertext under another key, and tells it apart from a damaged one', async () => {
    const key = newSyncKey();
    const sealed = await sealAcknowledgements(document, newSyncKey(), context);
    expect(await openAcknowledgements(sealed, key, context)).toBeUndefined();
    expect(await sealedUnderAnotherKey(sealed, key)).toBe(true);
    const mine = await sealAcknowledgements(document, key, context);
    expect(await sealedUnderAnotherKey({ ...mine, ciphertext: 'AAAA' }, key)).toBe(false);
  });

  it('refuses a valid ciphertext whose key id was changed', async () => {
    const key = newSyncKey();
    const sealed = await sealAcknowledgements(document, key, context);
    expect(await openAcknowledgements({ ...sealed, kid: 'AAAAAAAAAAAAAAAA' }, key, context)).toBeUndefined();
  });

  it.each([
    ['garbage', 'garbage'],
    ['an empty object', {}],
    ['clear text', { v: 1, kid: 'x', iv: 'AAAAAAAAAAAAAAAA', ciphertext: 'not base64!' }],
    ['another version', { v: 2, kid: 'x', iv: 'AAAAAAAAAAAAAAAA', ciphertext: '' }],
    ['an extra field', { v: 1, kid: 'x', iv: 'AAAAAAAAAAAAAAAA', ciphertext: '', acknowledgements: [] }],
  ])('refuses %s without throwing', async (_name, content) => {
    expect(await openAcknowledgements(content, newSyncKey(), context)).toBeUndefined();
  });

  it('accepts an older valid ciphertext (a replay): it can only hold fewer decisions, which a merge restores', async () => {
    const key = newSyncKey();
    const older = await sealAcknowledgements({ ...document, acknowledgements: [] }, key, context);
    const replayed = await openAcknowledgements(older, key, context);
    expect(replayed?.acknowledgements).toEqual([]);
  });
});
