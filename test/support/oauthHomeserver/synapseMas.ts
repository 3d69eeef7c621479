/**
 * What the auth service tells Synapse, through Synapse's `/_synapse/mas/*` endpoints
 * (synapse/rest/synapse/mas/), authenticated with the shared secret as a bearer token.
 * Called on Synapse directly, as a deployment does on its internal network.
 */
export class SynapseMas {
  constructor(
    private readonly synapseUrl: string,
    private readonly secret: string,
  ) {}

  provisionUser(localpart: string, displayName?: string): Promise<void> {
    return this.post('provision_user', { localpart, ...(displayName ? { set_displayname: displayName } : {}) });
  }

  upsertDevice(localpart: string, deviceId: string, displayName?: string): Promise<void> {
    return this.post('upsert_device', { localpart, device_id: deviceId, ...(displayName ? { display_name: displayName } : {}) });
  }

  deleteDevice(localpart: string, deviceId: string): Promise<void> {
    return this.post('delete_device', { localpart, device_id: deviceId });
  }

  allowCrossSigningReset(localpart: string): Promise<void> {
    return this.post('allow_cross_signing_reset', { localpart });
  }

  private async post(endpoint: string, body: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${this.synapseUrl}/_synapse/mas/${endpoint}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${this.secret}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`Synapse's /_synapse/mas/${endpoint} answered ${response.status}: ${await response.text()}`);
  }
}
