/** oidc-provider's internal state (its own module, untyped), read for its live set of known scopes. */
declare module 'oidc-provider/lib/helpers/weak_cache.js' {
  export default function instance(provider: object): { configuration: { scopes: Set<string> } };
}
