import { copyFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

/** The app's sources: index.html and main.js beside this file. */
export const HYDROGEN_SOURCE = path.dirname(fileURLToPath(import.meta.url));
/** Static files, ready to serve (gitignored). */
export const HYDROGEN_DIST = path.join(HYDROGEN_SOURCE, 'dist');

/**
 * Builds the Hydrogen app with the project's own Vite into `outDir` (default `dist/`). No
 * config file: everything the build needs is here, so WXT's and vitest's configs stay out of it.
 */
export async function buildHydrogen(outDir = HYDROGEN_DIST): Promise<void> {
  await build({
    configFile: false,
    root: HYDROGEN_SOURCE,
    base: './',
    mode: 'production',
    logLevel: 'warn',
    publicDir: false,
    build: {
      outDir,
      emptyOutDir: true,
      chunkSizeWarningLimit: 4096,
      rolldownOptions: {
        // olm.js (bundled by the SDK) mentions fs, path and crypto on its Node.js code path only.
        onwarn(warning, warn) {
          if (!/Module "(fs|path|crypto)" has been externalized/.test(warning.message)) warn(warning);
        },
      },
    },
  });
  // Hydrogen registers its service worker (authenticated media) as "sw.js", next to index.html.
  const libBuild = path.dirname(createRequire(import.meta.url).resolve('hydrogen-view-sdk'));
  await copyFile(path.join(libBuild, 'sw.js'), path.join(outDir, 'sw.js'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  await buildHydrogen(process.argv[2] ?? HYDROGEN_DIST);
  console.log(`Hydrogen built in ${Date.now() - started} ms`);
}
