import * as assert from 'assert';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..', '..');

/**
 * The example application is what a new user opens first: it must be free of TypeScript errors of
 * its own (only the `pg` module it imports is not installed in this repository).
 */
describe('examples/app', function () {
  // A whole type-check with the standard library: seconds, and more on a loaded machine.
  this.timeout(90_000);
  // VS Code checks a file outside any tsconfig with its implicit project (strictNullChecks on,
  // noImplicitAny off: there `[]` is a never[]); a project of its own would be strict.
  for (const [name, options] of [
    ["VS Code's implicit project", { strictNullChecks: true, noImplicitAny: false }],
    ['strict', { strict: true }],
  ] as const) {
    it(`type-checks (${name}), but for the pg module that is not installed here`, () => {
      assert.deepStrictEqual(problemsOf(options), []);
    });
  }
});

function problemsOf(options: ts.CompilerOptions): string[] {
  const file = path.join(ROOT, 'examples', 'app', 'orders.ts');
  const program = ts.createProgram([file], { ...options, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, types: [] });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === file && !(d.code === 2307 && ts.flattenDiagnosticMessageText(d.messageText, '\n').includes("'pg'")))
    .map((d) => `${d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ts${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}
