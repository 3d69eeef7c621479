import type { CryptoEngineStatus, ExtensionStatus } from '../messaging/protocol';

/** How a status line should look: every tone also has a word, never colour alone. */
export type Tone = 'ok' | 'warn' | 'bad' | 'busy' | 'neutral';

export interface StatusLine {
  label: string;
  value: string;
  tone: Tone;
  detail?: string;
}

export interface Fact {
  label: string;
  value: string;
}

/** View models for the popup and options page; components only render these. */
export function describeAccount(_status: ExtensionStatus): StatusLine {
  // Signing in is the trust engine's work (issue 3); until then every account is signed out.
  return {
    label: 'Account',
    value: 'Not signed in',
    tone: 'neutral',
    detail: 'Matrix Trust Guard needs its own session on your account before it can check your rooms.',
  };
}

export function describeCryptoEngine(engine: CryptoEngineStatus): StatusLine {
  switch (engine.state) {
    case 'starting':
      return { label: 'Encryption engine', value: 'Starting…', tone: 'busy' };
    case 'ready':
      return {
        label: 'Encryption engine',
        value: 'Ready',
        tone: 'ok',
        detail: `Rust crypto is running in this browser, with its store kept since ${formatDate(engine.storeCreatedAt)}.`,
      };
    case 'failed':
      return { label: 'Encryption engine', value: 'Not working', tone: 'bad', detail: engine.reason };
  }
}

export function cryptoEngineFacts(engine: CryptoEngineStatus): Fact[] {
  if (engine.state !== 'ready') return [];
  return [
    { label: 'Version', value: engine.engineVersion },
    { label: 'Store identity key', value: engine.identityKey },
    { label: 'Store created', value: formatDate(engine.storeCreatedAt) },
    { label: 'Store opened', value: `${engine.storeOpenCount} ${engine.storeOpenCount === 1 ? 'time' : 'times'}` },
    { label: 'Start-up time', value: `${engine.startupMs} ms` },
  ];
}

export function formatDate(epochMs: number): string {
  return new Date(epochMs).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
