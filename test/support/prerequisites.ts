/**
 * Makes sure this machine has what the tests and the demo use beyond npm packages:
 * Debian's Chromium and Firefox ESR, openssl (for the fixture sites' certificates), an emoji
 * font (for screenshots of emoji verification), the
 * project-local Synapse venv, and Node 22 (which `npm ci` brings, as this platform's `node-*` package).
 * As root on Debian it installs what is missing; otherwise it says in one sentence what to
 * install, and exits 1.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { promisify } from 'node:util';
import { CHROMIUM_PATH, FIREFOX_PATH } from './paths.ts';
import { ensureSynapseVenv } from './synapseVenv.ts';

const run = promisify(execFile);

interface SystemPackage {
  binary: string;
  debianPackage: string;
}

const SYSTEM_PACKAGES: SystemPackage[] = [
  { binary: CHROMIUM_PATH, debianPackage: 'chromium' },
  { binary: FIREFOX_PATH, debianPackage: 'firefox-esr' },
  { binary: '/usr/bin/openssl', debianPackage: 'openssl' },
  // The emoji of a verification, in the screenshots the tests save (users' systems have them).
  { binary: '/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf', debianPackage: 'fonts-noto-color-emoji' },
  // Chromium's other UI languages (Debian ships only en-US with chromium): the German test needs de.
  { binary: '/usr/lib/chromium/locales/de.pak', debianPackage: 'chromium-l10n' },
];

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

function stop(sentence: string): never {
  console.error(sentence);
  process.exit(1);
}

async function ensureSystemPackages(): Promise<void> {
  const missing: string[] = [];
  for (const pkg of SYSTEM_PACKAGES) {
    if (!(await exists(pkg.binary))) missing.push(pkg.debianPackage);
  }
  if (missing.length === 0) return;
  const command = `apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() !== 0 || !(await exists('/usr/bin/apt-get'))) {
    stop(`Missing ${missing.join(', ')}: install them with "sudo apt-get update && sudo ${command}", then run this again.`);
  }
  console.error(`Installing ${missing.join(', ')} from Debian...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['update', '-qq'], { env, maxBuffer: 64 * 1024 * 1024 });
    await run('apt-get', ['install', '-y', '-qq', ...missing], { env, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    stop(`Could not install ${missing.join(', ')} with apt-get (${(error as Error).message.split('\n')[0] ?? ''}).`);
  }
}

function ensureNodeVersion(): void {
  const major = Number.parseInt(process.versions.node.split('.')[0] ?? '0', 10);
  if (major < 22) {
    stop(`Node ${process.versions.node} is running; run this through npm ("npm test"), which uses the Node 22 that "npm ci" installs.`);
  }
}

ensureNodeVersion();
await ensureSystemPackages();
try {
  await ensureSynapseVenv();
} catch (error) {
  stop((error as Error).message);
}
