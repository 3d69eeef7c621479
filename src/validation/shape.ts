/**
 * Shape checks for data that crossed a trust boundary (messages, stored records, imported
 * files). They never throw and never echo the value they reject, so a caller can log the
 * reason without the payload.
 */

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** True when `value` is a plain object whose own keys are exactly a subset of `allowed`. */
export function hasOnlyKeys(value: Record<string, unknown>, allowed: readonly string[]): boolean {
  return Object.keys(value).every((key) => allowed.includes(key));
}

export function isBoundedString(value: unknown, maxLength: number): value is string {
  return typeof value === 'string' && value.length <= maxLength;
}

export function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** A check of one value that crossed a trust boundary. */
export type Check = (value: unknown) => boolean;

export const nonEmptyText =
  (maxLength: number): Check =>
  (value) =>
    isBoundedString(value, maxLength) && value.length > 0;

export const oneOf =
  (...allowed: readonly string[]): Check =>
  (value) =>
    typeof value === 'string' && allowed.includes(value);

/** Matrix ids are at most 255 characters and never contain whitespace. */
const matrixId =
  (pattern: RegExp): Check =>
  (value) =>
    isBoundedString(value, 255) && pattern.test(value);

export const userId = matrixId(/^@[^\s:]+:\S+$/);
/** Room version 12 ids have no server part ("!abc"), older ones do ("!abc:example.org"). */
export const roomId = matrixId(/^![^\s]+$/);
export const deviceId = matrixId(/^\S+$/);
export const roomAlias = matrixId(/^#[^\s:]+:\S+$/);

/**
 * A plain object with exactly these keys: every `required` one, any of the `optional` ones, and
 * nothing else, each passing its check.
 */
export function exactly(required: Record<string, Check>, optional: Record<string, Check> = {}): Check {
  const allowed = [...Object.keys(required), ...Object.keys(optional)];
  return (value) => {
    if (!isPlainObject(value) || !hasOnlyKeys(value, allowed)) return false;
    const requiredOk = Object.entries(required).every(([key, check]) => Object.hasOwn(value, key) && check(value[key]));
    const optionalOk = Object.entries(optional).every(([key, check]) => !Object.hasOwn(value, key) || check(value[key]));
    return requiredOk && optionalOk;
  };
}

/** A record's fields: each one's check, and whether it may be absent. */
export type FieldChecks<T> = Record<keyof T, { check: Check; optional?: true }>;

/**
 * Why `value` is not a record with these fields (no other key, every required one, each passing
 * its check), in English for logs and tests; undefined when it is. Names the field, never its value.
 */
export function fieldsProblem<T>(value: Record<string, unknown>, fields: FieldChecks<T>): string | undefined {
  const names = Object.keys(fields) as (keyof T & string)[];
  if (!hasOnlyKeys(value, names)) return 'has an unexpected field';
  for (const name of names) {
    const { check, optional } = fields[name];
    if (!Object.hasOwn(value, name)) {
      if (optional) continue;
      return `has no ${name}`;
    }
    if (!check(value[name])) return `has an invalid ${name}`;
  }
  return undefined;
}
