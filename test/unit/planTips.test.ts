import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { initParsers } from '../../server/src/analyze/parse';
import { parseTextPlan, planFromExplainJson, walkPlan, type Plan } from '../../server/src/plan/planModel';
import { PLAN_TIP_IDS, planReport, type PlanTip, type PlanTipId } from '../../server/src/plan/planReport';
import { NODE_TIPS } from '../../server/src/plan/tips/registry';
import { fixtureJson } from './plan/fixtures';
import { PEV2_PLANS, pev2Index, pev2Plan } from '../support/pev2Plans';

function tipsOf(plan: Plan, id: PlanTipId): PlanTip[] {
  return planReport(plan).tips.filter((tip) => tip.id === id);
}

/** A plan psql printed for EXPLAIN ANALYZE, written for a tip the corpus has no case of. */
const INDEX_ONLY_BEHIND_VACUUM = `Index Only Scan using orders_customer_id_idx on orders  (cost=0.42..812.44 rows=24000 width=4) (actual time=0.031..14.210 rows=24000 loops=1)
  Index Cond: (customer_id < 2000)
  Heap Fetches: 9600
Planning Time: 0.101 ms
Execution Time: 15.002 ms`;

describe('planReport: the tips', () => {
  before(async () => {
    await initParsers();
  });

  it('has one module per tip id, in the order of PLAN_TIP_IDS, each with its docs page', () => {
    assert.deepStrictEqual(
      NODE_TIPS.map((tip) => tip.id),
      [...PLAN_TIP_IDS],
    );
    for (const id of PLAN_TIP_IDS) assert.ok(fs.existsSync(path.resolve(__dirname, `../../../docs/tips/${id}.md`)), id);
  });

  it('gives a plan with nothing to improve no tips at all (PostgreSQL 15, JSON)', () => {
    assert.deepStrictEqual(planReport(planFromExplainJson(fixtureJson('analyze'))).tips, []);
    assert.deepStrictEqual(planReport(pev2Plan('cte-exclusive-time/02.plan')).tips, []);
  });

  it('orders tips by node, then in PLAN_TIP_IDS order on one node', () => {
    const tips = planReport(pev2Plan('cte-exclusive-time/01.plan')).tips.map((tip) => [tip.node, tip.id]);
    assert.deepStrictEqual(tips, [
      [0, 'row-misestimate'],
      [0, 'nested-loop-loops'],
      [1, 'row-misestimate'],
      [2, 'row-misestimate'],
      [3, 'row-misestimate'],
      [4, 'hash-batches'],
    ]);
  });

  it('row-misestimate: an estimate 12,447× under, with CREATE STATISTICS for a filter on two columns; quiet at 4×', () => {
    assert.deepStrictEqual(tipsOf(pev2Plan('cte-exclusive-time/05.plan'), 'row-misestimate'), [
      {
        id: 'row-misestimate',
        node: 4,
        message:
          "Index Scan on vendor returned 124,468 rows where the planner estimated 10 rows (12,447× more): run ANALYZE vendor; if the estimate stays off, its filter's columns are likely correlated, which CREATE STATISTICS ON id, client_id FROM vendor (then ANALYZE) tells the planner.",
      },
    ]);
    const functionScan = tipsOf(pev2Plan('cte-exclusive-time/01.plan'), 'row-misestimate').find((tip) => tip.node === 3)!;
    assert.strictEqual(functionScan.message, 'Function Scan on find_all_id_under_node returned 6 rows where the planner estimated 1,000 rows (167× fewer): declare how many rows it returns (ALTER FUNCTION find_all_id_under_node ROWS 6).');
    // 1 row where 4 were estimated: 4×, and too few rows to matter.
    assert.deepStrictEqual(tipsOf(planFromExplainJson(fixtureJson('analyze')), 'row-misestimate'), []);
  });

  it('rows-removed-by-filter: 13,205 of 13,220 rows thrown away; quiet for 3 rows removed', () => {
    const plan = pev2Plan('11-psql-frames/json-0-aligned-ascii-double-double-double.plan');
    assert.deepStrictEqual(tipsOf(plan, 'rows-removed-by-filter'), [
      {
        id: 'rows-removed-by-filter',
        node: 2,
        message: "Seq Scan on part_0 read 13,220 rows and threw away 99% of them (Filter: added_by = 'depesz'::text): an index on the filter's columns lets PostgreSQL read only the rows kept.",
      },
    ]);
    assert.deepStrictEqual(tipsOf(pev2Plan('cte-exclusive-time/02.plan'), 'rows-removed-by-filter'), []);
  });

  it('seq-scan-index: the index candidate, unverified, from a saved plan; quiet for a scan without a filter', () => {
    const plan = pev2Plan('11-psql-frames/text-0-aligned-ascii-double-double-double.plan');
    assert.deepStrictEqual(tipsOf(plan, 'seq-scan-index'), [
      {
        id: 'seq-scan-index',
        node: 2,
        message: "Seq Scan on part_0 reads all ~13,220 rows to keep ~15 (Filter: added_by = 'depesz'::text): an index on part_0 (added_by) lets PostgreSQL read only those rows.",
        index: { table: 'part_0', columns: ['added_by'], statement: 'CREATE INDEX ON part_0 (added_by)', verified: 'none', reason: 'no database at hand' },
      },
    ]);
    assert.deepStrictEqual(tipsOf(pev2Plan('inline/05-parallel-pg12.spec.1.plan'), 'seq-scan-index'), []);
    // An expression key is written as CREATE INDEX takes it, in parentheses (not as a quoted name).
    const expression = parseTextPlan('Seq Scan on customers  (cost=0.00..2000.00 rows=5 width=4) (actual time=0.020..9.100 rows=5 loops=1)\n  Filter: (lower(email) = $1)\n  Rows Removed by Filter: 99995\n');
    assert.strictEqual(tipsOf(expression, 'seq-scan-index')[0]?.index?.statement, 'CREATE INDEX ON customers ((lower(email)))');
  });

  it('sort-spill: an external merge on disk; quiet for a quicksort in memory and for an estimate-only plan without work_mem', () => {
    assert.deepStrictEqual(tipsOf(pev2Plan('inline/plan-service.spec.9.plan'), 'sort-spill'), [
      {
        id: 'sort-spill',
        node: 0,
        message:
          "Sort of ~10,000,080 rows did not fit in work_mem and wrote 449 MB to disk (Sort Method: external merge): an index on foo (c1) returns the rows already in order; otherwise add a LIMIT or raise work_mem for this query (SET LOCAL work_mem = '1GB').",
      },
    ]);
    assert.deepStrictEqual(tipsOf(planFromExplainJson(fixtureJson('analyze')), 'sort-spill'), []);
    assert.deepStrictEqual(tipsOf(pev2Plan('inline/05-parallel-pg12.spec.1.plan'), 'sort-spill'), []);
  });

  it('hash-batches: 16 batches through disk; quiet for a hash in one batch', () => {
    assert.deepStrictEqual(tipsOf(pev2Plan('from-text/45-buckets-plan'), 'hash-batches'), [
      {
        id: 'hash-batches',
        node: 2,
        message:
          "Hash of 9,999,900 rows from entetes did not fit in work_mem × hash_mem_multiplier and ran in 16 batches through disk, 62533 kB each: hash fewer rows by filtering entetes earlier or selecting fewer of its columns, or raise work_mem for this query (SET LOCAL work_mem = '1GB').",
      },
    ]);
    assert.deepStrictEqual(tipsOf(pev2Plan('cte-exclusive-time/03.plan'), 'hash-batches'), []);
  });

  it('lossy-bitmap: 79,844 lossy heap blocks; quiet for an exact bitmap', () => {
    assert.deepStrictEqual(tipsOf(pev2Plan('cte-exclusive-time/05.plan'), 'lossy-bitmap'), [
      {
        id: 'lossy-bitmap',
        node: 2,
        message:
          'Bitmap Heap Scan on user_data_read_access read 79,844 heap blocks lossy: its bitmap did not fit in work_mem, so every row of those pages was rechecked, and 14,687,029 rows were read only to fail the recheck. Raise work_mem for this query (SET LOCAL work_mem) so the bitmap stays exact, or make the condition more selective.',
      },
    ]);
    assert.deepStrictEqual(tipsOf(planFromExplainJson(fixtureJson('bitmap-scan')), 'lossy-bitmap'), []);
  });

  it('heap-fetches: 40% of an index-only scan fetched from the table; quiet for 609 of 5,000 (12%)', () => {
    assert.deepStrictEqual(tipsOf(parseTextPlan(INDEX_ONLY_BEHIND_VACUUM), 'heap-fetches'), [
      {
        id: 'heap-fetches',
        node: 0,
        message:
          'Index Only Scan on orders fetched 9,600 rows from the table (40% of the 24,000 rows it returned): those pages are not marked all-visible, so the scan is not index-only. Run VACUUM orders, and have autovacuum visit it more often (autovacuum_vacuum_scale_factor).',
      },
    ]);
    assert.deepStrictEqual(tipsOf(pev2Plan('inline/22-triggers.spec.3.plan'), 'heap-fetches'), []);
  });

  it('subplan-per-row: a SubPlan run 5,570 times (ANALYZE), or by the estimates 26,750 runs\' worth; quiet when hashed', () => {
    assert.deepStrictEqual(tipsOf(pev2Plan('from-text/18-plan'), 'subplan-per-row'), [
      {
        id: 'subplan-per-row',
        node: 0,
        message:
          'Index Scan on of_contact_event runs SubPlan (Index Scan on of_contact_event) again for each of its rows: 5,570 times. ' +
          'Write the subquery as a join, which PostgreSQL plans once, or make each run cheap with an index on what it filters by (Filter: (id_contact_event < $1)).',
      },
    ]);
    assert.deepStrictEqual(tipsOf(planFromExplainJson(fixtureJson('subplan-not-in')), 'subplan-per-row'), [
      {
        id: 'subplan-per-row',
        node: 0,
        message:
          'Seq Scan on customers runs SubPlan 1 (Seq Scan on orders) again for each of its rows: ~430,098,964 of the cost by the estimates, ~16,078 a run. ' +
          "Write NOT EXISTS in place of NOT IN (an anti-join, planned once), or raise work_mem so that the subquery's rows fit and it is hashed.",
      },
    ]);
    assert.deepStrictEqual(tipsOf(planFromExplainJson(fixtureJson('subplan-hashed')), 'subplan-per-row'), []);
  });

  it('nested-loop-loops: 116,704 loops where 60 were expected; quiet when the inner side is a Memoize', () => {
    assert.deepStrictEqual(tipsOf(pev2Plan('21-io-timings/11-text.plan'), 'nested-loop-loops'), [
      {
        id: 'nested-loop-loops',
        node: 0,
        message:
          'Nested Loop ran its inner side (Index Scan on events_event) 116,704 times, once per outer row, where the planner expected 60 outer rows: run ANALYZE on the joined tables so the planner sees how many rows come and can choose a hash join that reads the inner side once.',
      },
    ]);
    assert.deepStrictEqual(tipsOf(pev2Plan('from-text/48-memoize-plan'), 'nested-loop-loops'), []);
  });

  it('workers-not-launched: 7 of 24 workers; quiet when all planned workers came', () => {
    assert.deepStrictEqual(tipsOf(pev2Plan('inline/05-parallel-launched-workers.spec.1.plan'), 'workers-not-launched'), [
      {
        id: 'workers-not-launched',
        node: 1,
        message: 'Gather planned 24 workers but launched 7: the others were not available, so fewer processes did the parallel part. Raise max_parallel_workers (and max_worker_processes) or run fewer parallel queries at the same time.',
      },
    ]);
    assert.deepStrictEqual(tipsOf(pev2Plan('inline/04-actual-duration-parallel.spec.1.plan'), 'workers-not-launched'), []);
  });

  it('runs on every plan of the pev2 corpus: one report node per plan node, every tip a sentence on a node that exists', () => {
    const plans = pev2Index();
    assert.strictEqual(plans.length, 168);
    let reported = 0;
    for (const entry of plans) {
      const source = fs.readFileSync(path.join(PEV2_PLANS, entry.file), 'utf8');
      let plan: Plan;
      try {
        plan = entry.format.startsWith('json') ? planFromExplainJson(source) : parseTextPlan(source);
      } catch (error) {
        // The one plan cut off inside a node's line is refused by the parser, before any report.
        assert.strictEqual(entry.file, 'inline/1-parse-error-line-break.spec.1.plan', String(error));
        continue;
      }
      const report = planReport(plan);
      let count = 0;
      walkPlan(plan, () => count++);
      assert.strictEqual(report.nodes.length, count, entry.file);
      if (entry.node_count_source !== 'expect-file') assert.strictEqual(report.nodes.length, entry.node_count, entry.file);
      for (const tip of report.tips) assert.ok(tip.message.endsWith('.') && report.nodes[tip.node] !== undefined, `${entry.file}: ${tip.message}`);
      reported++;
    }
    assert.strictEqual(reported, 167);
  });
});
