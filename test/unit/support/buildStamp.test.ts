import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildState, readStamp, sourcesHash, STAMP_FILE, writeStamp } from '../../support/buildStamp';
import { assertFreshBuild } from '../../support/freshBuild';

/** Tests and benchmarks must never run an extension built from other sources than the ones in the tree. */

let root: string;
let builds: string[];

function write(file: string, content: string): void {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), content);
}

/** What `wxt build` leaves: a manifest and the stamp of the sources as they are now. */
function build(): void {
  for (const dir of builds) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'manifest.json'), '{}');
    writeStamp(dir, sourcesHash(root));
  }
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-stamp-'));
  builds = [path.join(root, '.output/chrome-mv3'), path.join(root, '.output/firefox-mv3')];
  write('src/a.ts', 'export const a = 1;\n');
  write('src/deep/b.ts', 'export const b = 2;\n');
  write('entrypoints/background.ts', 'main();\n');
  write('public/_locales/en/messages.json', '{}');
  write('wxt.config.ts', 'export default {};\n');
  write('package-lock.json', '{"lockfileVersion":3}');
  write('README.md', 'readme\n');
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('the sources hash', () => {
  it('is the same for the same sources, wherever they are', () => {
    const hash = sourcesHash(root);
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-stamp-copy-'));
    try {
      fs.cpSync(root, copy, { recursive: true });
      expect(sourcesHash(copy)).toBe(hash);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  it.each([
    ['an edited file', () => write('src/deep/b.ts', 'export const b = 3;\n')],
    ['a new file', () => write('public/icon/16.png', 'png')],
    ['a removed file', () => fs.rmSync(path.join(root, 'src/a.ts'))],
    ['a renamed file', () => fs.renameSync(path.join(root, 'src/a.ts'), path.join(root, 'src/c.ts'))],
    ['changed build config', () => write('wxt.config.ts', 'export default { x: 1 };\n')],
    ['changed dependencies', () => write('package-lock.json', '{"lockfileVersion":3,"x":1}')],
    [
      'content moved between files',
      () => {
        write('src/a.ts', 'export const a = 1;\nexport const b = 2;\n');
        write('src/deep/b.ts', '');
      },
    ],
  ])('changes with %s', (_what, change) => {
    const before = sourcesHash(root);
    change();
    expect(sourcesHash(root)).not.toBe(before);
  });

  it('ignores what the build does not read', () => {
    const before = sourcesHash(root);
    write('README.md', 'changed\n');
    write('test/e2e/x.test.ts', 'test();\n');
    expect(sourcesHash(root)).toBe(before);
  });
});

describe('a build', () => {
  it('is fresh right after building', () => {
    build();
    expect(readStamp(builds[0] ?? '')).toBe(sourcesHash(root));
    expect(buildState(root, builds)).toBe('fresh');
    expect(() => assertFreshBuild(root, builds)).not.toThrow();
  });

  it('is older than the sources once one changes, and says so in one sentence', () => {
    build();
    write('entrypoints/background.ts', 'main(); // changed\n');
    expect(buildState(root, builds)).toBe('stale');
    expect(() => assertFreshBuild(root, builds)).toThrow(/^The built extension in \.output is older than the sources: run npm run build$/);
  });

  it('is stale when only one browser was rebuilt', () => {
    build();
    write('src/a.ts', 'export const a = 4;\n');
    writeStamp(builds[0] ?? '', sourcesHash(root));
    expect(buildState(root, builds)).toBe('stale');
  });

  it('without a stamp predates stamps, so it is stale', () => {
    build();
    fs.rmSync(path.join(builds[1] ?? '', STAMP_FILE));
    expect(buildState(root, builds)).toBe('stale');
  });

  it('that is not there is missing', () => {
    expect(buildState(root, builds)).toBe('missing');
    expect(() => assertFreshBuild(root, builds)).toThrow(/^There is no built extension in \.output: run npm run build$/);
  });
});
