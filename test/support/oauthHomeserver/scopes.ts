/** The Matrix scopes of the OAuth 2.0 API (MSC2967), stable and unstable spellings. */
export const MATRIX_API_SCOPES = ['urn:matrix:client:api:*', 'urn:matrix:org.matrix.msc2967.client:api:*'];
const DEVICE_SCOPE = /^urn:matrix:(?:client|org\.matrix\.msc2967\.client):device:(\S{1,255})$/;

export function deviceIdOf(scope: string): string | undefined {
  const ids = scope
    .split(' ')
    .map((token) => DEVICE_SCOPE.exec(token)?.[1])
    .filter((id) => id !== undefined);
  return ids.length === 1 ? ids[0] : undefined;
}

export function grantsMatrixApi(scope: string): boolean {
  return scope.split(' ').some((token) => MATRIX_API_SCOPES.includes(token));
}

export function deviceScopesIn(scope: string | null): string[] {
  return (scope?.split(' ') ?? []).filter((token) => DEVICE_SCOPE.test(token));
}
