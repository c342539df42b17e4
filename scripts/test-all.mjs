// Runs every test tier in order (the README's `npm test`, after build and compile-tests) and ends
// with one line totalling them, `N passed, M failed`, so CI reads one count for the whole run.
// A tier that fails does not stop the others; the exit status is 1 if any failed.
import { spawn } from 'child_process';

const TIERS = [
  ['unit', ['npx', 'mocha', '--config', 'test/.mocharc.json', 'out/test/unit/**/*.test.js']],
  ['server', ['npx', 'mocha', '--config', 'test/.mocharc.json', 'out/test/server/**/*.test.js']],
  ['cli', ['npx', 'mocha', '--config', 'test/.mocharc.json', 'out/test/cli/**/*.test.js']],
  ['corpus', ['npx', 'mocha', '--config', 'test/.mocharc.json', 'out/test/corpus/**/*.test.js']],
  // Seeded (QUERY_LENS_FUZZ_SEED replays a run); needs the corpus like the tier before it.
  ['fuzz', ['npx', 'mocha', '--config', 'test/.mocharc.json', 'out/test/fuzz/**/*.test.js']],
  // Needs PostgreSQL on 127.0.0.1:5432 (or QUERY_LENS_TEST_PG); .ci/run starts it.
  ['db', ['npx', 'mocha', '--config', 'test/.mocharc.json', 'out/test/db/**/*.test.js']],
  ['grammar', ['bash', 'test/grammar/run.sh']],
  // The plan viewer's webview app in headless Chromium (playwright-core from scripts/e2e-setup.sh).
  ['webview', ['npx', 'mocha', '--config', 'test/.mocharc.json', 'out/test/webview/**/*.test.js']],
  // `npm test` has just built dist/ (npm run build): the editor tier packages it as it is.
  ['editor', ['bash', 'test/e2e/run.sh'], { E2E_SKIP_BUNDLE: '1' }],
];

function run(command, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      output += chunk.toString();
    });
    child.on('close', (status) => resolve({ status: status ?? 1, output }));
  });
}

/** mocha prints "N passing" and "M failing"; the editor tier prints "N passed, M failed". */
function counts(output) {
  const plain = /^(\d+) passed, (\d+) failed$/m.exec(output);
  if (plain) {
    return { passed: Number(plain[1]), failed: Number(plain[2]) };
  }
  const passing = /^\s*(\d+) passing/m.exec(output);
  const failing = /^\s*(\d+) failing/m.exec(output);
  return { passed: passing ? Number(passing[1]) : 0, failed: failing ? Number(failing[1]) : 0 };
}

const only = process.argv.slice(2);
const summary = [];
let passed = 0;
let failed = 0;
let anyTierFailed = false;
for (const [name, command, env] of TIERS) {
  if (only.length > 0 && !only.includes(name)) {
    continue;
  }
  console.log(`\n=== ${name} tests ===`);
  const result = await run(command, env);
  const tier = counts(result.output);
  // A tier that exits non-zero without reporting a failed test (a crash) still counts as failed.
  if (result.status !== 0 && tier.failed === 0) {
    tier.failed = 1;
  }
  anyTierFailed ||= result.status !== 0;
  passed += tier.passed;
  failed += tier.failed;
  summary.push(`${name}: ${tier.passed} passed, ${tier.failed} failed${result.status !== 0 ? ` (exit ${result.status})` : ''}`);
}
console.log(`\n${summary.join('\n')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(anyTierFailed || failed > 0 ? 1 : 0);
