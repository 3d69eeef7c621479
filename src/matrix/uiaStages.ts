import { isSafeWebUrl } from '../validation/webUrl';

/**
 * What a user-interactive auth answer (a 401 with `flows`) asks of the user, as far as we can
 * answer it: the account password, an approval on the server's account page (MSC4312: stage
 * `m.oauth`, unstable `org.matrix.cross_signing_reset`, whose params carry the page's URL), or
 * something else we cannot do from here.
 */
export type UiaAsk = { kind: 'password' } | { kind: 'account-page'; url: string | undefined } | { kind: 'other' };

const ACCOUNT_PAGE_STAGES = ['m.oauth', 'org.matrix.cross_signing_reset'];

export function whatUiaAsks(data: object): UiaAsk {
  const { flows, params } = data as { flows?: unknown; params?: unknown };
  const stages = stagesOf(flows);
  if (stages.includes('m.login.password')) return { kind: 'password' };
  const stage = ACCOUNT_PAGE_STAGES.find((name) => stages.includes(name));
  if (stage === undefined) return { kind: 'other' };
  return { kind: 'account-page', url: stageUrl(params, stage) };
}

/** Every stage some flow names. */
function stagesOf(flows: unknown): unknown[] {
  if (!Array.isArray(flows)) return [];
  return flows.flatMap((flow: unknown) => {
    const stages: unknown = typeof flow === 'object' && flow !== null ? (flow as { stages?: unknown }).stages : undefined;
    return Array.isArray(stages) ? (stages as unknown[]) : [];
  });
}

/** The stage's URL when the server gave one we may open (the same rule as the account page's). */
function stageUrl(params: unknown, stage: string): string | undefined {
  if (typeof params !== 'object' || params === null) return undefined;
  const entry: unknown = (params as Record<string, unknown>)[stage];
  const url: unknown = typeof entry === 'object' && entry !== null ? (entry as { url?: unknown }).url : undefined;
  return typeof url === 'string' && isSafeWebUrl(url) ? url : undefined;
}
