import { describe, expect, inject, it } from 'vitest';
import { connectToSynapse } from '../support/synapse.ts';

const info = inject('synapse');
const synapse = connectToSynapse(info);

async function whoami(accessToken: string): Promise<{ user_id: string; device_id: string }> {
  const response = await fetch(`${info.baseUrl}/_matrix/client/v3/account/whoami`, {
    headers: { Authorization: `Bearer ${accessToken}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { user_id: string; device_id: string };
}

describe('the Synapse test harness', () => {
  it('serves /health on 127.0.0.1', async () => {
    expect(new URL(info.baseUrl).hostname).toBe('127.0.0.1');
    const response = await fetch(`${info.baseUrl}/health`);
    expect(response.status).toBe(200);
  });

  it('registers users with distinct ids on its server', async () => {
    const [first, second] = await Promise.all([synapse.registerUser(), synapse.registerUser()]);
    expect(first.userId).not.toBe(second.userId);
    for (const user of [first, second]) {
      expect(user.userId).toBe(`@${user.localpart}:${info.serverName}`);
    }
  });

  it('registers a chosen localpart and password, and the token answers /whoami', async () => {
    const localpart = `chosen-${Date.now().toString(36)}`;
    const user = await synapse.registerUser({ localpart, password: 'correct horse', displayName: 'Chosen' });
    expect(user).toMatchObject({ localpart, password: 'correct horse' });
    expect(await whoami(user.accessToken)).toEqual({
      user_id: user.userId,
      device_id: user.deviceId,
      is_guest: false,
    });
  });

  it('registers admins', async () => {
    const admin = await synapse.registerUser({ admin: true });
    const response = await fetch(`${info.baseUrl}/_synapse/admin/v2/users/${encodeURIComponent(admin.userId)}`, {
      headers: { Authorization: `Bearer ${admin.accessToken}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ name: admin.userId, admin: true });
  });

  it('works the same from a second connection built from the injected info', async () => {
    const again = connectToSynapse(inject('synapse'));
    const user = await again.registerUser();
    expect((await whoami(user.accessToken)).user_id).toBe(user.userId);
  });
});
