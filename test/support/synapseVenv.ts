import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './paths.ts';

const run = promisify(execFile);

/** The Synapse release every test runs against; bump it here only. */
export const SYNAPSE_VERSION = '1.163.2';

const venvDir = path.join(REPO_ROOT, '.venv');

/** The project-local venv's interpreter (gitignored `.venv` at the repo root). */
export function venvPython(): string {
  return `${venvDir}/bin/python`;
}

/** With the `oidc` extra (authlib): the legacy SSO stand-in (test/support/oauthHomeserver.ts) needs it. */
const SYNAPSE_REQUIREMENT = `matrix-synapse[oidc]==${SYNAPSE_VERSION}`;

/** Creates `.venv` and installs the pinned Synapse into it, unless it is already there. */
export async function ensureSynapseVenv(): Promise<void> {
  if ((await installedSynapseVersion()) === SYNAPSE_VERSION && (await hasOidcSupport())) return;
  console.error(`Installing ${SYNAPSE_REQUIREMENT} into ${venvDir} (takes a few minutes)...`);
  try {
    await run('python3', ['-m', 'venv', venvDir]);
    await run(`${venvDir}/bin/pip`, ['install', '--quiet', SYNAPSE_REQUIREMENT], {
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (cause) {
    throw new Error(
      `Could not install Synapse: install python3 and python3-venv (apt-get install python3-venv), then run ` +
        `"python3 -m venv .venv && .venv/bin/pip install '${SYNAPSE_REQUIREMENT}'" in ${REPO_ROOT}.`,
      { cause },
    );
  }
  const installed = await installedSynapseVersion();
  if (installed !== SYNAPSE_VERSION) {
    throw new Error(`Expected Synapse ${SYNAPSE_VERSION} in ${venvDir} after installing, found ${installed ?? 'none'}.`);
  }
}

async function hasOidcSupport(): Promise<boolean> {
  try {
    await run(venvPython(), ['-c', 'import authlib']);
    return true;
  } catch {
    return false;
  }
}

async function installedSynapseVersion(): Promise<string | undefined> {
  try {
    const { stdout } = await run(venvPython(), ['-c', 'import synapse; print(synapse.__version__)']);
    // Synapse appends git details ("1.163.2 (b=main,2709029)") when its files sit inside a git
    // work tree, as .venv inside this repository does.
    return stdout.trim().split(' ')[0];
  } catch {
    return undefined;
  }
}
