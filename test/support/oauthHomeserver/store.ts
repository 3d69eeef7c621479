import type { Adapter, AdapterPayload } from 'oidc-provider';

/**
 * oidc-provider's storage, in memory, with two things of Matrix Authentication Service added:
 * - refresh token rotation as MAS does it: a refresh token that was rotated stays usable until
 *   one of the tokens that replaced it has been used (a client that crashed before storing the
 *   new pair can retry), then it is unknown (`invalid_grant`). oidc-provider alone would refuse
 *   the old token at once and revoke the whole grant.
 * - the end of a grant (revocation, sign-out) is reported, awaited, so its device can be deleted
 *   in Synapse before the revocation answers.
 */
export class TokenStore {
  private readonly models = new Map<string, Map<string, AdapterPayload>>();
  /** New access or refresh token id → the refresh token it replaced. */
  private readonly replaced = new Map<string, string>();
  /** Refresh tokens whose successor has been used. */
  private readonly retired = new Set<string>();
  onGrantEnded: (grant: AdapterPayload) => Promise<void> = async () => {};

  private model(name: string): Map<string, AdapterPayload> {
    let entries = this.models.get(name);
    if (!entries) {
      entries = new Map();
      this.models.set(name, entries);
    }
    return entries;
  }

  /** A refresh happened: `old` was exchanged for a new refresh token and access token. */
  rotated(old: string, newRefreshToken: string, newAccessToken: string): void {
    this.replaced.set(newRefreshToken, old);
    this.replaced.set(newAccessToken, old);
  }

  /** A token was presented (introspected as active, or exchanged): what it replaced is done. */
  used(id: string): void {
    const old = this.replaced.get(id);
    if (old !== undefined) this.retired.add(old);
  }

  grants(): AdapterPayload[] {
    return [...this.model('Grant').values()];
  }

  /** Ends a grant as revocation does: its tokens go, then the grant (reported). */
  async endGrant(grantId: string): Promise<void> {
    for (const [name, entries] of this.models) {
      if (name === 'Grant') continue;
      for (const [id, payload] of entries) if (payload.grantId === grantId) entries.delete(id);
    }
    const grant = this.model('Grant').get(grantId);
    this.model('Grant').delete(grantId);
    if (grant) await this.onGrantEnded(grant);
  }

  /** The class oidc-provider instantiates once per model name. */
  adapter(): new (name: string) => Adapter {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the adapter class closes over its store
    const store = this;
    return class MemoryAdapter implements Adapter {
      constructor(private readonly name: string) {}

      private get entries() {
        return store.model(this.name);
      }

      upsert(id: string, payload: AdapterPayload): Promise<void> {
        this.entries.set(id, payload);
        return Promise.resolve();
      }

      find(id: string): Promise<AdapterPayload | undefined> {
        const payload = this.entries.get(id);
        if (!payload || this.name !== 'RefreshToken') return Promise.resolve(payload);
        if (store.retired.has(id)) return Promise.resolve(undefined);
        // Rotation marked it consumed; MAS still accepts it until its successor is used.
        return Promise.resolve({ ...payload, consumed: undefined });
      }

      findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
        return Promise.resolve([...this.entries.values()].find((payload) => payload.userCode === userCode));
      }

      findByUid(uid: string): Promise<AdapterPayload | undefined> {
        return Promise.resolve([...this.entries.values()].find((payload) => payload.uid === uid));
      }

      consume(id: string): Promise<void> {
        const payload = this.entries.get(id);
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
        return Promise.resolve();
      }

      async destroy(id: string): Promise<void> {
        if (this.name === 'Grant') await store.endGrant(id);
        else this.entries.delete(id);
      }

      revokeByGrantId(grantId: string): Promise<void> {
        for (const [id, payload] of this.entries) if (payload.grantId === grantId) this.entries.delete(id);
        return Promise.resolve();
      }
    };
  }
}
