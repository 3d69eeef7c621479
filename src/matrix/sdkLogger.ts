import type { Logger } from 'matrix-js-sdk/lib/logger';
import { errorSummary } from '../log';

/**
 * The logger handed to matrix-js-sdk (and through it to the Rust crypto library). Debug and
 * info output is dropped: at those levels the SDK traces request and key details that have
 * no place in a browser console. Warnings and errors keep their text but objects are reduced
 * to their type, so no structure (an event, a request body) is dumped.
 */
export function createSdkLogger(namespace = 'matrix'): Logger {
  const emit =
    (write: (line: string) => void) =>
    (...parts: unknown[]) =>
      write(`[trust-guard:${namespace}] ${parts.map(describePart).join(' ')}`);
  const ignore = () => undefined;
  return {
    trace: ignore,
    debug: ignore,
    info: ignore,
    warn: emit((line) => console.warn(line)),
    error: emit((line) => console.error(line)),
    getChild: (child: string) => createSdkLogger(`${namespace}:${child}`),
  };
}

function describePart(part: unknown): string {
  if (typeof part === 'string') return part.slice(0, 500);
  if (typeof part === 'number' || typeof part === 'boolean') return String(part);
  if (part instanceof Error) return errorSummary(part);
  return `<${part === null ? 'null' : typeof part}>`;
}
