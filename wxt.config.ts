import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { defineConfig, type ResolvedPublicFile, type Wxt } from 'wxt';
import type { Plugin } from 'vite';
import { CRYPTO_WASM_PATH } from './src/matrix/cryptoWasmPath';
import { sourcesHash, STAMP_FILE, writeStamp } from './test/support/buildStamp.ts';

const require = createRequire(import.meta.url);

const cryptoWasmSource = path.join(
  // The package's entry points sit at its root, next to pkg/.
  path.dirname(require.resolve('@matrix-org/matrix-sdk-crypto-wasm')),
  'pkg/matrix_sdk_crypto_wasm_bg.wasm',
);

/**
 * The crypto-wasm package points its default URL at its .wasm with
 * `new URL(..., import.meta.url)`. In an IIFE background Vite would inline that
 * as an 11 MB base64 string. We ship the .wasm as its own file instead and point
 * the default at it, so background.js stays small and starts faster. If the
 * package ever changes that line, the build fails loudly rather than silently
 * inlining the module again.
 */
function shipCryptoWasmAsFile(): Plugin {
  const pattern = /new URL\(\s*["']\.\/pkg\/matrix_sdk_crypto_wasm_bg\.wasm["']\s*,\s*import\.meta\.url\s*\)/;
  return {
    name: 'mtg:ship-crypto-wasm-as-file',
    enforce: 'pre',
    transform(code, id) {
      if (!/matrix-sdk-crypto-wasm[\\/]index\.mjs$/.test(id)) return null;
      if (!pattern.test(code)) {
        this.error('matrix-sdk-crypto-wasm no longer builds its .wasm URL the way we expect; update shipCryptoWasmAsFile');
      }
      return { code: code.replace(pattern, `new URL("/${CRYPTO_WASM_PATH}", globalThis.location.href)`), map: null };
    },
  };
}

/**
 * Our UI never renders HTML from strings: names and ids from the network are text. Preact's
 * `dangerouslySetInnerHTML` is the one innerHTML sink in our bundles, so it is cut out at
 * build time; a stray use throws instead of rendering markup (and Firefox's linter has no
 * innerHTML assignment left to warn about).
 */
function removePreactInnerHtmlSink(): Plugin {
  const sink = /\(([\w$]+)\.innerHTML=([\w$]+)\.__html\)/g;
  return {
    name: 'mtg:remove-preact-innerhtml-sink',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]preact[\\/]dist[\\/]preact\.mjs$/.test(id)) return null;
      const found = code.match(sink)?.length ?? 0;
      if (found !== 1) this.error(`expected one innerHTML sink in preact, found ${found}; update removePreactInnerHtmlSink`);
      const replacement = '(()=>{throw new Error("dangerouslySetInnerHTML is disabled in Matrix Trust Guard")})()';
      return { code: code.replace(sink, replacement), map: null };
    },
  };
}

/**
 * Tests and benchmarks refuse a build older than the sources (test/support/freshBuild.ts): each
 * production build gets a stamp of the sources it was built from, hashed when the build starts
 * (an edit during the build then makes it stale, not falsely fresh). Dev builds rebuild
 * themselves and get none.
 */
function stampBuild(): { before: (wxt: Wxt) => void; done: (wxt: Wxt) => void } {
  let hash: string | undefined;
  return {
    before(wxt) {
      hash = undefined;
      if (wxt.config.command !== 'build') return;
      rmSync(path.join(wxt.config.outDir, STAMP_FILE), { force: true });
      hash = sourcesHash(wxt.config.root);
    },
    done(wxt) {
      if (hash !== undefined) writeStamp(wxt.config.outDir, hash);
    },
  };
}

const stamp = stampBuild();

function addCryptoWasmToBuild(wxt: Wxt, files: ResolvedPublicFile[]): void {
  files.push({ absoluteSrc: cryptoWasmSource, relativeDest: CRYPTO_WASM_PATH });
  wxt.logger.debug(`Shipping ${CRYPTO_WASM_PATH}`);
}

export default defineConfig({
  // Firefox too: WXT would default it to MV2.
  manifestVersion: 3,
  modules: ['@wxt-dev/webextension-polyfill'],
  manifest: ({ browser }) => ({
    // Every text the browser shows comes from public/_locales/<locale>/messages.json.
    default_locale: 'en',
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    // The toolbar button's tooltip. WXT would take it from the popup's <title>, which is not
    // localized; entrypoints/popup/index.html has none, so this one is kept.
    action: { default_title: '__MSG_extActionTitle__' },
    // unlimitedStorage: the Rust crypto store holds this extension's device keys; if the
    // browser evicted it under storage pressure, the device would be lost.
    // alarms: wakes a stopped service worker every minute so sync resumes.
    // identity: single sign-on (launchWebAuthFlow) with homeservers that offer it.
    // scripting: runs the in-page script on those sites (registerContentScripts), and, with
    // activeTab, checks whether the tab the user opened the popup over looks like a Matrix client.
    // activeTab: that check, only on the user's click, only in that tab.
    // notifications: alerts about new untrusted sessions and changed identities (issue 14), also
    // with no Matrix tab open; they name the room and the person, never a message or a secret.
    permissions: ['unlimitedStorage', 'alarms', 'identity', 'scripting', 'activeTab', 'notifications'],
    // Self-hosted web clients: asked for one origin at a time, when the user adds it.
    optional_host_permissions: ['https://*/*'],
    content_security_policy: {
      // Rust crypto is WebAssembly; nothing else is relaxed.
      extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self';",
    },
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: 'matrix-trust-guard@trust-guard',
              strict_min_version: '140.0',
              data_collection_permissions: { required: ['none'] },
            },
            // Android learned data_collection_permissions in 142.
            gecko_android: { strict_min_version: '142.0' },
          },
        }
      : {}),
  }),
  hooks: {
    'build:publicAssets': addCryptoWasmToBuild,
    'build:before': stamp.before,
    'build:done': stamp.done,
    // Lets `browser.runtime.getURL` type-check the path of the shipped module.
    'prepare:publicPaths': (_wxt, paths) => {
      paths.push(`/${CRYPTO_WASM_PATH}`);
    },
  },
  vite: () => ({
    plugins: [shipCryptoWasmAsFile(), removePreactInnerHtmlSink()],
  }),
  webExt: {
    // `npm run dev` opens Debian's browsers; on a machine without a display it only builds
    // and watches, and the build in .output/ can be loaded by hand.
    disabled: !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY,
    binaries: { chrome: '/usr/bin/chromium', firefox: '/usr/bin/firefox-esr' },
  },
  zip: {
    // The build stamp is for our tests; users and stores have no use for it.
    exclude: [STAMP_FILE],
    // The sources zip Mozilla reviewers rebuild from: exactly what the build needs.
    includeSources: [
      'entrypoints/**',
      'src/**',
      'public/**',
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'wxt.config.ts',
      // wxt.config.ts stamps each build with it.
      'test/support/buildStamp.ts',
      'README.md',
    ],
  },
});
