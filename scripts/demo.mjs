// The README's main job on the bundled examples/: `query-lens check examples`. The examples hold
// a deliberate syntax error, so exit status 1 (errors found) is the expected outcome here; 2
// (could not run) or any other status fails the demo.
import { spawnSync } from 'child_process';

const run = spawnSync(process.execPath, ['dist/cli.js', 'check', 'examples'], { stdio: 'inherit' });
if (run.status === 1 || run.status === 0) {
  console.log(`\nquery-lens check examples: exit ${run.status} (${run.status === 1 ? 'errors found, as the examples intend' : 'no errors'})`);
  process.exit(0);
}
console.error(`query-lens check examples failed: exit ${run.status ?? run.signal}`);
process.exit(1);
