import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { queryLens } from '../support/cliRun';

describe('query-lens CLI: a file of 125,000 statements', function () {
  // About 5 s here; the bound leaves room for a slow machine.
  this.timeout(20_000);
  let workspace: string;

  before(() => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'query-lens-large-'));
    // One statement in a thousand is broken: the errors show that the whole file was read, its
    // last statement included, and in what order.
    const statements = Array.from({ length: 125_000 }, (_, i) => (i % 1000 === 999 ? `SELEC ${i};` : `UPDATE t SET a = a + 1 WHERE id = ${i};`));
    fs.writeFileSync(path.join(workspace, 'big.sql'), statements.join('\n') + '\n');
  });
  after(() => {
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('is checked to its end: every error, in order, and the summary counts them (no time budget in a check)', async () => {
    const run = await queryLens(workspace, ['check', 'big.sql']);
    const expected = Array.from({ length: 125 }, (_, k) => `big.sql:${(k + 1) * 1000}:1 error syntax-error syntax error at or near "SELEC"\n`).join('');
    assert.strictEqual(run.stdout, expected);
    assert.strictEqual(run.stderr, 'query-lens: 125 errors, 0 warnings, 0 notes in 1 file\n');
    assert.strictEqual(run.status, 1);
  });
});
