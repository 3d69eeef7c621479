/**
 * The extension's only logger. Fields are scalars, never objects, so a secret cannot ride
 * along inside a structure; callers pass what they mean to show. Errors are reduced to
 * their name and the start of their message.
 */
type Field = string | number | boolean | undefined;
type Fields = Record<string, Field>;

function format(scope: string, event: string, fields: Fields = {}): string {
  const parts = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${String(value)}`);
  return [`[trust-guard:${scope}]`, event, ...parts].join(' ');
}

export function errorSummary(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.slice(0, 200)}`;
  return typeof error;
}

export function createLogger(scope: string) {
  return {
    info: (event: string, fields?: Fields) => console.info(format(scope, event, fields)),
    warn: (event: string, fields?: Fields) => console.warn(format(scope, event, fields)),
    error: (event: string, fields?: Fields) => console.error(format(scope, event, fields)),
  };
}
