// The README's main job on the bundled examples/: `query-lens check --db embedded examples`, which
// plans every query against an embedded PostgreSQL built from examples/db/schema.sql (nothing to
// set up). The examples hold a deliberate syntax error and an unknown column, so exit status 1
// (errors found) is the expected outcome here; 2 (could not run) or any other status fails the demo.
import { spawnSync } from 'child_process';

const run = spawnSync(process.execPath, ['dist/cli.js', 'check', '--db', 'embedded', 'examples'], { stdio: 'inherit' });
if (run.status === 1 || run.status === 0) {
  console.log(`\nquery-lens check --db embedded examples: exit ${run.status} (${run.status === 1 ? 'errors found, as the examples intend' : 'no errors'})`);
  process.exit(0);
}
console.error(`query-lens check --db embedded examples failed: exit ${run.status ?? run.signal}`);
process.exit(1);
