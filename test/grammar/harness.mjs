// Helpers for test/grammar/run.sh.
//
//   node test/grammar/harness.mjs config <dir>                 writes <dir>/package.json for --config
//   node test/grammar/harness.mjs summary <output> <tool status> <checks passed> <checks failed> <test files...>
//
// `config`: vscode-tmgrammar-test's -g option loads a grammar without `injectTo`, so an injection
// grammar given with -g is never injected. It takes `injectTo` only from a package.json-shaped
// configuration, as VS Code does; this writes one holding exactly the `contributes.grammars`
// entries that syntaxes/build.mjs declares for the real package.json. It also checks that
// package.json, once it contributes them, contributes the same entries.
//
// `summary`: the tool prints one line per failing token and nothing at the end. This counts the
// assertions (each run of ^ or <- in a test file) and which of them failed, adds run.sh's own
// checks (grammars up to date, package.json consistent), and prints `N passed, M failed`.
import fs from 'fs';
import path from 'path';
import { createRequire } from 'module';
import { fileURLToPath, pathToFileURL } from 'url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

/** JSON with sorted keys and normalised paths, so that key order and "./" do not matter. */
function canonical(value) {
  return JSON.stringify(value, (key, v) => {
    if (key === 'path' && typeof v === 'string') return path.posix.normalize(v);
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]));
    }
    return v;
  });
}

async function config(dir) {
  const { CONTRIBUTES_GRAMMARS } = await import(pathToFileURL(path.join(ROOT, 'syntaxes', 'build.mjs')).href);
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const declared = (pkg.contributes?.grammars ?? []).filter((g) =>
    CONTRIBUTES_GRAMMARS.some((ours) => ours.scopeName === g.scopeName),
  );
  let status = 0;
  if (declared.length === 0) {
    console.log('note: package.json does not contribute the SQL injection grammars yet (node syntaxes/build.mjs --contributes)');
  } else {
    for (const ours of CONTRIBUTES_GRAMMARS) {
      const theirs = declared.find((g) => g.scopeName === ours.scopeName);
      if (canonical(theirs) !== canonical(ours)) {
        console.log(`ERROR package.json contributes.grammars for ${ours.scopeName} differs from syntaxes/build.mjs:`);
        console.log(`  package.json: ${JSON.stringify(theirs)}`);
        console.log(`  build.mjs:    ${JSON.stringify(ours)}`);
        status = 1;
      }
    }
  }
  // The tool joins each path to the configuration's folder.
  const grammars = CONTRIBUTES_GRAMMARS.map((g) => ({ ...g, path: path.relative(dir, path.join(ROOT, g.path)) }));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ contributes: { grammars } }, null, 2));
  return status;
}

function summary(outputFile, toolStatus, checksPassed, checksFailed, files) {
  const { parseGrammarTestCase } = require('vscode-tmgrammar-test/dist/unit/parsing');
  const output = fs.readFileSync(outputFile, 'utf8');
  const failures = []; // { file, line (1-based source line in the file), start, end } (0-based, end exclusive)
  for (const m of output.matchAll(/^ERROR (.+?):(\d+):(\d+):(\d+) /gm)) {
    failures.push({ file: m[1], line: Number(m[2]), start: Number(m[3]) - 1, end: Number(m[4]) - 1 });
  }
  const aborted = new Set();
  for (const m of output.matchAll(/^\S+ testcase (.+?) aborted due to an error/gm)) aborted.add(m[1]);
  for (const m of output.matchAll(/^ERROR can't parse testcase: (.+)$/gm)) aborted.add(m[1].trim());

  let passed = 0;
  let failed = 0;
  for (const file of files) {
    const testCase = parseGrammarTestCase(fs.readFileSync(file, 'utf8'));
    for (const line of testCase.assertions) {
      for (const a of line.scopeAssertions) {
        const bad =
          aborted.has(file) ||
          failures.some(
            (f) => f.file === file && f.line === line.testCaseLineNumber + 1 && f.start < a.to && f.end > a.from,
          );
        if (bad) failed++;
        else passed++;
      }
    }
  }
  // A failure we could not place (or a crash) still fails the run.
  if (failed === 0 && (failures.length > 0 || aborted.size > 0 || toolStatus !== 0)) failed = 1;
  passed += checksPassed;
  failed += checksFailed;
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

const [command, ...args] = process.argv.slice(2);
if (command === 'config') process.exit(await config(args[0]));
else if (command === 'summary') {
  process.exit(summary(args[0], Number(args[1]), Number(args[2]), Number(args[3]), args.slice(4)));
}
else {
  console.error('usage: harness.mjs config <dir> | summary <output> <status> <checks passed> <checks failed> <files...>');
  process.exit(2);
}
