import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../support/paths';

/**
 * The worker's first turn evaluates every module startBackground imports before Chrome hands it
 * the event that woke it (a popup asking for the status). matrix-js-sdk and the crypto module's
 * bindings are most of the bundle, so they are imported dynamically, once that turn is over
 * (src/background/services.ts). This walks the static imports the way the bundler does (type-only
 * imports are erased) and names the chain that would pull a heavy package back in.
 */
const HEAVY = ['matrix-js-sdk', '@matrix-org/matrix-sdk-crypto-wasm'];

const options: ts.CompilerOptions = { moduleResolution: ts.ModuleResolutionKind.Bundler, module: ts.ModuleKind.ESNext };

/** The module specifiers a file imports at run time (not `import type`, not all-type named imports). */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.phaseModifier === ts.SyntaxKind.TypeKeyword) continue;
      const bindings = clause?.namedBindings;
      const onlyTypes = clause && !clause.name && bindings && ts.isNamedImports(bindings) && bindings.elements.every((e) => e.isTypeOnly);
      if (onlyTypes) continue;
      found.push((statement.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(statement) && !statement.isTypeOnly && statement.moduleSpecifier) {
      found.push((statement.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return found;
}

/** Every package reached from `entry` by static imports, each with the chain of files that reached it. */
function packagesReached(entry: string): Map<string, string[]> {
  const chains = new Map<string, string[]>([[entry, [entry]]]);
  const packages = new Map<string, string[]>();
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    const chain = chains.get(file) ?? [];
    for (const specifier of runtimeImports(file)) {
      if (!specifier.startsWith('.')) {
        if (!packages.has(specifier))
          packages.set(
            specifier,
            chain.map((f) => path.relative(REPO_ROOT, f)),
          );
        continue;
      }
      const resolved = ts.resolveModuleName(specifier, file, options, ts.sys).resolvedModule?.resolvedFileName;
      if (resolved === undefined || chains.has(resolved)) continue;
      chains.set(resolved, [...chain, resolved]);
      queue.push(resolved);
    }
  }
  return packages;
}

describe("the background's first turn", () => {
  it('imports neither matrix-js-sdk nor the crypto module statically', () => {
    const reached = packagesReached(path.join(REPO_ROOT, 'src/background/startBackground.ts'));
    const heavy = HEAVY.filter((name) => [...reached.keys()].some((p) => p === name || p.startsWith(`${name}/`)));
    expect(
      heavy.map(
        (name) =>
          `${name} <- ${[...reached]
            .find(([p]) => p.startsWith(name))?.[1]
            .reverse()
            .join(' <- ')}`,
      ),
    ).toEqual([]);
  });

  it('still reaches the services, dynamically (the walk is not vacuous)', () => {
    const reached = packagesReached(path.join(REPO_ROOT, 'src/background/services.ts'));
    expect([...reached.keys()]).toContain('matrix-js-sdk');
  });
});
