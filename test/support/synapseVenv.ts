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

/** Creates `.venv` and installs the pinned Synapse into it, unless it is already there. */
export async function ensureSynapseVenv(): Promise<void> {
  if ((await installedSynapseVersion()) === SYNAPSE_VERSION) return;
  console.error(`Installing matrix-synapse==${SYNAPSE_VERSION} into ${venvDir} (takes a few minutes)...`);
  try {
    await run('python3', ['-m', 'venv', venvDir]);
    await run(`${venvDir}/bin/pip`, ['install', '--quiet', `matrix-synapse==${SYNAPSE_VERSION}`], {
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (cause) {
    throw new Error(
      `Could not install Synapse: install python3 and python3-venv (apt-get install python3-venv), then run ` +
        `"python3 -m venv .venv && .venv/bin/pip install 'matrix-synapse==${SYNAPSE_VERSION}'" in ${REPO_ROOT}.`,
      { cause },
    );
  }
  const installed = await installedSynapseVersion();
  if (installed !== SYNAPSE_VERSION) {
    throw new Error(`Expected Synapse ${SYNAPSE_VERSION} in ${venvDir} after installing, found ${installed ?? 'none'}.`);
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
