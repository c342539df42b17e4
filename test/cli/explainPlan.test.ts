import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { queryLens } from '../support/cliRun';

/** Saved plans the CLI reads without a database (test/fixtures/plans, and the unit tier's PostgreSQL 15 JSON). */
const PLANS = path.resolve(__dirname, '../../../test/fixtures/plans');
const SAVED = 'orders-by-status.txt';

const EXPECTED_JSON = {
  nodes: [
    { id: 0, parent: null, type: 'Limit', relation: null, index: null, estimatedRows: 10, actualRows: 10, loops: 1, totalCost: 1943, exclusiveMs: 0.004, inclusiveMs: 31.862 },
    { id: 1, parent: 0, type: 'Seq Scan', relation: 'orders', index: null, estimatedRows: 100, actualRows: 10, loops: 1, totalCost: 19430, exclusiveMs: 31.858, inclusiveMs: 31.858 },
  ],
  tips: [
    {
      id: 'rows-removed-by-filter',
      node: 1,
      message: "Seq Scan on orders read 500,000 rows and threw away 99% of them (Filter: status = 'refunded'::text): an index on the filter's columns lets PostgreSQL read only the rows kept.",
    },
    {
      id: 'seq-scan-index',
      node: 1,
      message: "Seq Scan on orders reads all ~500,000 rows to keep ~100 (Filter: status = 'refunded'::text): an index on orders (status) lets PostgreSQL read only those rows.",
      index: { table: 'orders', columns: ['status'], statement: 'CREATE INDEX ON orders (status)', verified: 'none', reason: 'no database at hand' },
    },
  ],
};

describe('query-lens explain --plan: a saved plan, without a database', function () {
  this.timeout(30_000);

  it('prints the nodes and tips as JSON, with exactly the documented keys', async () => {
    const run = await queryLens(PLANS, ['explain', '--plan', SAVED, '--format', 'json']);
    assert.deepStrictEqual([run.status, run.stderr], [0, '']);
    assert.deepStrictEqual(JSON.parse(run.stdout), EXPECTED_JSON);
  });

  it('prints the plan as text, then one line per tip', async () => {
    const run = await queryLens(PLANS, ['explain', '--plan', SAVED]);
    assert.deepStrictEqual(run, {
      status: 0,
      stderr: '',
      stdout: `Limit  (cost=0.00..1943.00 rows=10 width=36) (actual time=0.420..31.862 rows=10 loops=1)
  ->  Seq Scan on orders  (cost=0.00..19430.00 rows=100 width=36) (actual time=0.419..31.858 rows=10 loops=1)
        Filter: (status = 'refunded'::text)
        Rows Removed by Filter: 499990
Planning Time: 0.081 ms
Execution Time: 31.880 ms
tip rows-removed-by-filter on node 1 (Seq Scan on orders): ${EXPECTED_JSON.tips[0].message}
tip seq-scan-index on node 1 (Seq Scan on orders): ${EXPECTED_JSON.tips[1].message}
`,
    });
  });

  it('reads EXPLAIN (FORMAT JSON) from stdin with -', async () => {
    const json = fs.readFileSync(path.resolve(__dirname, '../../../test/unit/plan/fixtures/analyze.json'), 'utf8');
    const run = await queryLens(PLANS, ['explain', '--plan', '-', '--format', 'json'], json);
    assert.deepStrictEqual([run.status, run.stderr], [0, '']);
    const output = JSON.parse(run.stdout) as { nodes: { type: string; inclusiveMs: number }[]; tips: unknown[] };
    assert.deepStrictEqual(
      output.nodes.slice(0, 2).map((node) => [node.type, node.inclusiveMs]),
      [
        ['Sort', 97.241],
        ['Aggregate', 97.206],
      ],
    );
    assert.deepStrictEqual(output.tips, []);
  });

  it('exits 2 with one line for a missing file, text that is no plan, and broken JSON', async () => {
    assert.deepStrictEqual(await queryLens(PLANS, ['explain', '--plan', 'nope.txt']), { status: 2, stdout: '', stderr: 'query-lens: cannot read nope.txt: no such file\n' });
    assert.deepStrictEqual(await queryLens(PLANS, ['explain', '--plan', '-'], 'hello\n'), {
      status: 2,
      stdout: '',
      stderr: 'query-lens: stdin is not a plan EXPLAIN printed: no plan in the text: expected the output of EXPLAIN\n',
    });
    assert.deepStrictEqual(await queryLens(PLANS, ['explain', '--plan', '-'], '[{"Plan": '), {
      status: 2,
      stdout: '',
      stderr: "query-lens: stdin is not a plan EXPLAIN printed: not EXPLAIN's JSON output: Unexpected end of JSON input\n",
    });
    assert.deepStrictEqual(await queryLens(PLANS, ['explain', '--plan', SAVED, 'SELECT 1']), {
      status: 2,
      stdout: '',
      stderr: 'query-lens: explain --plan reads a saved plan: it takes no SQL and no --db\n',
    });
  });
});
