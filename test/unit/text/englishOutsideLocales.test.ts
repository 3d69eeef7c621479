import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../support/paths';

/**
 * Every sentence a user can read comes from the locale files (public/_locales), so a second
 * language can say all of it. This scans the extension's code for string literals and JSX text
 * that read as English sentences (a capitalised word, then more words) and fails on any that
 * is not one of the few known to be for developers only.
 */

/** Calls whose string arguments are for developers: logs, internal errors, DOM and CSS. */
const DEVELOPER_CALLS =
  /^(log\.\w+|console\.\w+|createLogger|createSdkLogger|Error|TypeError|RangeError|SyntaxError|DOMException|JSON\.stringify|stop|querySelector\w*|closest|matches|setAttribute)$/;

/** Sentences that are not for users, each with why. */
const ALLOWED: Record<string, string> = {
  'src/background/services.ts: Matrix Trust Guard on …': 'the device name other clients list; like every Matrix client, not translated',
  'src/clients/builtInSites.ts: Element Web': 'a product name',
  'src/clients/element.ts: Element Web': 'a product name',
};

function sources(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true })) {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(relative);
      else if (/\.(ts|tsx)$/.test(entry.name)) files.push(relative);
    }
  };
  walk('src');
  walk('entrypoints');
  return files;
}

function calleeName(call: ts.CallExpression | ts.NewExpression): string {
  return call.expression.getText();
}

/** Whether the literal is an argument of a developer-only call, directly or inside a template. */
function forDevelopers(node: ts.Node): boolean {
  for (let current = node.parent; !ts.isSourceFile(current); current = current.parent) {
    if ((ts.isCallExpression(current) || ts.isNewExpression(current)) && DEVELOPER_CALLS.test(calleeName(current))) return true;
    if (ts.isFunctionLike(current) || ts.isBlock(current)) return false;
  }
  return false;
}

const SENTENCE = /^[A-Z][a-z']+[ ,:][A-Za-z]/;

function englishIn(file: string, text = readFileSync(path.join(REPO_ROOT, file), 'utf8')): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return;
    let value: string | undefined;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) value = node.text;
    else if (ts.isTemplateExpression(node)) value = node.head.text + node.templateSpans.map((span) => `…${span.literal.text}`).join('');
    else if (ts.isJsxText(node)) value = node.text.trim();
    if (value !== undefined && (ts.isJsxText(node) ? /[A-Za-z]{2,}/.test(value) : SENTENCE.test(value)) && !forDevelopers(node)) {
      const entry = `${file}: ${value}`;
      if (!(entry in ALLOWED)) found.push(entry);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('user-visible text', () => {
  it("scans the extension's code", () => {
    expect(sources().length).toBeGreaterThan(100);
  });

  it('has no English sentence outside the locale files', () => {
    expect(sources().flatMap((file) => englishIn(file))).toEqual([]);
  });

  it('finds a sentence thrown at the user, or written in JSX, but not one written to the log', () => {
    const code = [
      "throw new UserFacingError('That key does not match.');",
      "throw new SignInError('unreachable', `${host} cannot be reached. Check the address.`);",
      "log.warn('Status failed to load', { error });",
      "throw new Error('The engine did not start');",
      "const x = t('errRecoveryKeyNoMatch');",
    ].join('\n');
    expect(englishIn('src/background/example.ts', code)).toEqual(['src/background/example.ts: That key does not match.']);
    expect(englishIn('src/ui/Example.tsx', 'export const A = () => <p>Nothing here needs you.</p>;')).toEqual([
      'src/ui/Example.tsx: Nothing here needs you.',
    ]);
  });
});
