import { describe, expect, it } from 'vitest';
import { canonicalJson, masterKeySigners, type SignedKey } from '../../../src/matrix/masterKeySigners';

/** "Reset from <device>" names a device only when its own key signed the master key. */

const USER = '@alice:example.org';

function base64(bytes: ArrayBuffer): string {
  return Buffer.from(bytes).toString('base64').replace(/=+$/, '');
}

async function deviceKeys(): Promise<{ publicKey: string; sign: (text: string) => Promise<string> }> {
  const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
  const publicKey = base64(await crypto.subtle.exportKey('raw', pair.publicKey));
  return {
    publicKey,
    sign: async (text) => base64(await crypto.subtle.sign({ name: 'Ed25519' }, pair.privateKey, new TextEncoder().encode(text))),
  };
}

async function masterKeySignedBy(signers: Record<string, (text: string) => Promise<string>>): Promise<SignedKey> {
  const unsigned = { user_id: USER, usage: ['master'], keys: { 'ed25519:MASTER': 'MASTER' } };
  const signatures: Record<string, string> = { 'ed25519:MASTER': 'self-signature' };
  for (const [deviceId, sign] of Object.entries(signers)) signatures[`ed25519:${deviceId}`] = await sign(canonicalJson(unsigned));
  return { ...unsigned, signatures: { [USER]: signatures } };
}

describe('which of our devices signed our master key', () => {
  it('names the device whose own key made the signature', async () => {
    const phone = await deviceKeys();
    const key = await masterKeySignedBy({ PHONE: phone.sign });
    expect(await masterKeySigners(key, USER, [{ deviceId: 'PHONE', ed25519Key: phone.publicKey }])).toEqual(['PHONE']);
  });

  it('a signature under a device name made with another key (a server could add one) names nobody', async () => {
    const [phone, forger] = await Promise.all([deviceKeys(), deviceKeys()]);
    const key = await masterKeySignedBy({ PHONE: forger.sign });
    expect(await masterKeySigners(key, USER, [{ deviceId: 'PHONE', ed25519Key: phone.publicKey }])).toEqual([]);
  });

  it('a signature over other content, or garbage, names nobody', async () => {
    const phone = await deviceKeys();
    const key = await masterKeySignedBy({ PHONE: phone.sign });
    const tampered = { ...key, keys: { 'ed25519:OTHER': 'OTHER' } };
    expect(await masterKeySigners(tampered, USER, [{ deviceId: 'PHONE', ed25519Key: phone.publicKey }])).toEqual([]);
    const garbage = { ...key, signatures: { [USER]: { 'ed25519:PHONE': '!!' } } };
    expect(await masterKeySigners(garbage, USER, [{ deviceId: 'PHONE', ed25519Key: phone.publicKey }])).toEqual([]);
  });

  it('lists every valid signer (the caller names one only when there is exactly one)', async () => {
    const [phone, laptop] = await Promise.all([deviceKeys(), deviceKeys()]);
    const key = await masterKeySignedBy({ PHONE: phone.sign, LAPTOP: laptop.sign });
    const devices = [
      { deviceId: 'PHONE', ed25519Key: phone.publicKey },
      { deviceId: 'LAPTOP', ed25519Key: laptop.publicKey },
    ];
    expect((await masterKeySigners(key, USER, devices)).sort()).toEqual(['LAPTOP', 'PHONE']);
  });

  it('writes canonical JSON: sorted keys, no spaces', () => {
    expect(canonicalJson({ b: [1, { d: 'x', c: true }], a: null })).toBe('{"a":null,"b":[1,{"c":true,"d":"x"}]}');
  });
});
