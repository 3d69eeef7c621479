import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../support/paths';

/**
 * The import rules of docs/architecture.md are enforced by the project's own ESLint config
 * (`no-restricted-imports` in eslint.config.js). Each case lints a line of code as if it were
 * written in a real file of that part, with the real config, so a config that stopped
 * enforcing a rule fails here, not silently.
 */
const eslint = new ESLint({ cwd: REPO_ROOT });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((message) => message.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

// Linting with types starts a TypeScript project service: seconds on a busy machine, once.
const LINT_MS = 120_000;

describe('the import rules', { timeout: LINT_MS }, () => {
  beforeAll(async () => {
    await eslint.lintText('export {};\n', { filePath: 'src/errors.ts' });
  }, LINT_MS);

  it.each([
    [
      'matrix-js-sdk outside src/matrix',
      'src/background/recoveryFlow.ts',
      "import { MatrixClient } from 'matrix-js-sdk';\nexport type X = MatrixClient;\n",
    ],
    [
      'the SDK session in the background',
      'src/background/accountRooms.ts',
      "import type { MatrixSession } from '../matrix/matrixSession';\nexport type X = MatrixSession;\n",
    ],
    [
      'an SDK implementation in the background',
      'src/background/accountRooms.ts',
      "import { SdkRecovery } from '../matrix/sdkRecovery';\nexport const x = SdkRecovery;\n",
    ],
    [
      'the background (beyond its ports) in src/matrix',
      'src/matrix/sdkSecurity.ts',
      "import type { AccountRooms } from '../background/accountRooms';\nexport type X = AccountRooms;\n",
    ],
    ['src/ui in the overlay', 'src/overlay/warningText.ts', "import type { Tone } from '../ui/statusView';\nexport type X = Tone;\n"],
    ['src/ui in the background', 'src/background/toolbar.ts', "import type { Tone } from '../ui/statusView';\nexport type X = Tone;\n"],
    [
      'src/matrix in src/messaging',
      'src/messaging/protocol.ts',
      "import type { SyncStatus } from '../matrix/syncStatus';\nexport type X = SyncStatus;\n",
    ],
    [
      'the protocol in src/trust',
      'src/trust/classifyDevice.ts',
      "import type { AccountStatus } from '../messaging/protocol';\nexport type X = AccountStatus;\n",
    ],
    [
      'browser APIs in src/trust',
      'src/trust/classifyDevice.ts',
      "import browser from 'webextension-polyfill';\nexport const x = browser;\n",
    ],
    [
      'the project in a leaf (src/model)',
      'src/model/deviceStatus.ts',
      "import type { Policy } from '../trust/types';\nexport type X = Policy;\n",
    ],
  ])('refuses %s', async (_what, filePath, code) => {
    expect(await restrictedImports(filePath, code)).toHaveLength(1);
  });

  it.each([
    [
      'a port in src/matrix',
      'src/matrix/sdkSecurity.ts',
      "import type { SecurityStatusSource } from '../background/ports/security';\nexport type X = SecurityStatusSource;\n",
    ],
    ['the SDK in src/matrix', 'src/matrix/sdkSecurity.ts', "import { ClientEvent } from 'matrix-js-sdk';\nexport const x = ClientEvent;\n"],
    [
      'the device in the background',
      'src/background/accountRuntime.ts',
      "import { MatrixDevice } from '../matrix/matrixDevice';\nexport const x = MatrixDevice;\n",
    ],
    ['shared text in the overlay', 'src/overlay/warningText.ts', "import { t } from '../text/i18n';\nexport const x = t;\n"],
  ])('allows %s', async (_what, filePath, code) => {
    expect(await restrictedImports(filePath, code)).toEqual([]);
  });
});
