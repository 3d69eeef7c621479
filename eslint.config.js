import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The import rules of docs/architecture.md, enforced: each part of src/ names the parts it may
 * not import. Paths are matched as written in the import, so `**\/ui/*` is any import of a
 * module in src/ui from wherever it is written.
 */
const SDK = {
  group: ['matrix-js-sdk', 'matrix-js-sdk/*', '@matrix-org/*'],
  message: 'matrix-js-sdk stays behind src/matrix/: the background uses the ports in src/background/ports/.',
};
const part = (name, why) => ({ group: [`**/${name}`, `**/${name}/*`], message: why });
const UI = part('ui', "src/ui is the extension pages' code; text every part shows lives in src/text.");
const OVERLAY = part('overlay', 'src/overlay is the content script; nothing else imports it.');
const BACKGROUND = part('background', 'nothing imports the background but its entry point.');
const MATRIX = part('matrix', 'only the background uses the Matrix layer.');
const STORAGE = part('storage', "only the background reads and writes the extension's stores.");
const MESSAGING = part('messaging', 'the protocol is for the background and its pages; this part does not talk to them.');
const TEXT = part('text', 'this part has no user-visible text.');
const TRUST = part('trust', 'this part decides nothing about trust.');
const CLIENTS = part('clients', 'this part knows nothing of web clients.');
const POLYFILL = { group: ['webextension-polyfill'], message: 'this part does not use browser APIs.' };
const SESSION = {
  group: ['**/matrix/matrixSession', '**/matrix/sdk*'],
  message: "the background works with the device's ports (src/background/ports/), never with the SDK session.",
};
/** src/matrix implements the background's ports, and imports nothing else of it. */
const MATRIX_TO_BACKGROUND = {
  group: ['**/background/*', '!**/background/ports'],
  message: "src/matrix implements the background's ports (src/background/ports/) and imports nothing else of it.",
};
const restrict = (files, ...patterns) => ({ files, rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] } });

export default tseslint.config(
  {
    ignores: [
      '.output/',
      '.wxt/',
      'node_modules/',
      '.venv/',
      'test-results/',
      'demo-output/',
      'bench/.work/',
      '**/*.tmp.*',
      'test/hydrogen/dist/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.browser, ...globals.node },
    },
    rules: {
      // Logging goes through src/log.ts, which keeps secrets and payloads out of the console.
      'no-console': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Prettier (.prettierrc.json) wraps code at this width; comments are wrapped by hand. A
      // string stays whole, so it can be found with grep.
      'max-len': ['error', { code: 140, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreUrls: true, ignoreRegExpLiterals: true }],
    },
  },
  restrict(['src/**'], SDK),
  restrict(['src/matrix/**'], UI, OVERLAY, STORAGE, MATRIX_TO_BACKGROUND, POLYFILL),
  restrict(['src/background/**'], SDK, UI, OVERLAY, SESSION),
  restrict(['src/background/ports/**'], SDK, UI, OVERLAY, MATRIX, STORAGE, TEXT, POLYFILL),
  restrict(['src/overlay/**'], SDK, UI, BACKGROUND, MATRIX, STORAGE),
  restrict(['src/ui/**', 'entrypoints/popup/**', 'entrypoints/options/**'], SDK, OVERLAY, BACKGROUND, MATRIX, STORAGE),
  restrict(['src/messaging/**'], SDK, UI, OVERLAY, BACKGROUND, MATRIX, STORAGE, TEXT),
  restrict(['src/storage/**'], SDK, UI, OVERLAY, BACKGROUND, MESSAGING, TEXT, POLYFILL),
  restrict(['src/text/**'], SDK, UI, OVERLAY, BACKGROUND, MATRIX, STORAGE, MESSAGING, CLIENTS),
  restrict(['src/clients/**'], SDK, UI, OVERLAY, BACKGROUND, MATRIX, STORAGE, MESSAGING, TEXT, TRUST, POLYFILL),
  restrict(['src/trust/**'], SDK, UI, OVERLAY, BACKGROUND, MATRIX, STORAGE, MESSAGING, TEXT, CLIENTS, POLYFILL),
  restrict(
    ['src/model/**', 'src/validation/**', 'src/errors.ts'],
    SDK,
    { group: ['../*'], message: 'a leaf: it imports nothing of the project.' },
    POLYFILL,
  ),
  {
    // The loggers themselves, and the test harness and scripts, which talk to a terminal.
    files: ['src/log.ts', 'src/matrix/sdkLogger.ts', 'test/**', 'bench/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
