// What `npm test` runs before the tiers: `npm run build` (typecheck, then bundle) and
// `npm run compile-tests`, with the same checks, in less time. The four type-checks are separate
// tsc processes, each on one core: they and the bundle run QUERY_LENS_TEST_JOBS (default 2) at a
// time. The test project is checked once, by the compile that writes out/ (typecheck's
// `tsc -p test --noEmit` made the same check again right before it). The bundle no longer waits
// for the checks: a failed one still fails the script, and with it `npm test`, before any tier.
// Each process's output is printed whole when it ends; the exit status is 1 if any failed.
import { spawn } from 'child_process';
import * as path from 'path';
import { fileURLToPath } from 'url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(ROOT);

const TSC = [process.execPath, 'node_modules/typescript/bin/tsc'];
// Longest first (tsc -p test also checks the server's sources, with the tests').
const STEPS = [
  ['compile-tests', [...TSC, '-p', 'test']],
  ['typecheck server', [...TSC, '-p', 'server']],
  ['typecheck media/planViewer', [...TSC, '-p', 'media/planViewer']],
  ['typecheck client', [...TSC, '-p', 'client']],
  ['bundle', [process.execPath, 'scripts/bundle.mjs']],
];
const JOBS = Math.max(1, Number(process.env.QUERY_LENS_TEST_JOBS) || 2);

function run([name, command]) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => (output += `${command[0]}: ${error.message}\n`));
    child.on('close', (status) => {
      console.log(`> ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)${status === 0 ? '' : `: exit ${status}`}`);
      process.stdout.write(output);
      resolve(status === 0);
    });
  });
}

const queue = [...STEPS];
const outcomes = [];
await Promise.all(
  Array.from({ length: Math.min(JOBS, queue.length) }, async () => {
    for (let step = queue.shift(); step; step = queue.shift()) outcomes.push(await run(step));
  }),
);
process.exit(outcomes.includes(false) ? 1 : 0);
