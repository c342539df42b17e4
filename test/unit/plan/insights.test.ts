import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { initParsers } from '../../../server/src/analyze/parse';
import { PLAN_INSIGHT_CODES, planInsights, type IndexInfo, type PlanContext, type TableStats } from '../../../server/src/plan/insights';
import { indexableColumns, innerJoinColumns, orBranchColumns, referencedColumns } from '../../../server/src/plan/planConditions';
import { parseTextPlan, planFromExplainJson, type Plan } from '../../../server/src/plan/planModel';
import { fixtureJson } from './fixtures';

function btree(name: string, ...columns: string[]): IndexInfo {
  return { name, columns, unique: false, partial: false, method: 'btree' };
}

/** The fixture database of fixtures/capture.sh as pg_class and pg_index describe it. */
const TABLES: TableStats[] = [
  { schema: 'public', name: 'customers', rows: 50000, pages: 417, indexes: [{ ...btree('customers_pkey', 'id'), unique: true }] },
  { schema: 'public', name: 'orders', rows: 500000, pages: 6814, indexes: [{ ...btree('orders_pkey', 'id'), unique: true }, btree('orders_status', 'status')] },
  { schema: 'public', name: 'order_items', rows: 200000, pages: 1082, indexes: [{ ...btree('order_items_pkey', 'id'), unique: true }] },
  { schema: 'public', name: 'empty_orders', rows: -1, pages: 0, indexes: [{ ...btree('empty_orders_pkey', 'id'), unique: true }] },
];

/** PostgreSQL 15's defaults and the settings' defaults; `tables` replaces the fixture tables. */
function contextFor(changes: Partial<Omit<PlanContext, 'table'>> & { tables?: TableStats[] } = {}): PlanContext {
  const { tables = TABLES, ...settings } = changes;
  return {
    table: (_schema, name) => tables.find((table) => table.name === name),
    workMemKb: 4096,
    hashMemMultiplier: 2,
    thresholds: { seqScanMinRows: 10000, nestedLoopMaxOuterRows: 10000, maxPlanCost: 100000 },
    embedded: false,
    ...settings,
  };
}

/** Any cost goes: for tests about other findings in costly plans. */
const HIGH_COST_ALLOWED = contextFor({ thresholds: { seqScanMinRows: 10000, nestedLoopMaxOuterRows: 10000, maxPlanCost: Infinity } });

function withIndexes(table: string, ...indexes: IndexInfo[]): TableStats[] {
  return TABLES.map((stats) => (stats.name === table ? { ...stats, indexes: [...stats.indexes, ...indexes] } : stats));
}

function insightsOf(plan: Plan | string, context = contextFor()) {
  return planInsights(typeof plan === 'string' ? planFromExplainJson(fixtureJson(plan)) : plan, context).map(({ node: _node, ...insight }) => insight);
}

function messagesOf(plan: Plan | string, context = contextFor()): string[] {
  return insightsOf(plan, context).map((insight) => insight.message);
}

describe('plan insights', () => {
  before(() => initParsers());

  describe('plan-seq-scan', () => {
    it('reports a scan that keeps a few rows of a large table, with the index that finds them', () => {
      const plan = planFromExplainJson(fixtureJson('seq-scan-parameter'));
      const insights = planInsights(plan, contextFor());
      assert.deepStrictEqual(insights, [
        {
          code: 'plan-seq-scan',
          severity: 'warning',
          message: 'Seq Scan on orders reads all ~500,000 rows to keep ~10 (Filter: customer_id = $1): an index on orders (customer_id) lets PostgreSQL read only those rows.',
          node: plan.root,
          relation: { name: 'orders' },
          columns: ['customer_id'],
          equalityCount: 1,
        },
      ]);
    });

    it('counts the rows a parallel scan keeps in all its processes', () => {
      assert.deepStrictEqual(messagesOf('parallel-seq-scan'), [
        'Parallel Seq Scan on orders reads all ~500,000 rows to keep ~10 (Filter: customer_id = $1): an index on orders (customer_id) lets PostgreSQL read only those rows.',
      ]);
    });

    it('puts equality columns before the range column, and both in the message', () => {
      assert.deepStrictEqual(insightsOf('seq-scan-equality-and-range'), [
        {
          code: 'plan-seq-scan',
          severity: 'warning',
          message:
            'Seq Scan on orders reads all ~500,000 rows to keep ~3 (Filter: (created_at >= $2) AND (customer_id = $1)): an index on orders (customer_id, created_at) lets PostgreSQL read only those rows.',
          relation: { name: 'orders' },
          columns: ['customer_id', 'created_at'],
          equalityCount: 1,
        },
      ]);
    });

    it('puts first the columns no index leads with: an index on status was there and did not help', () => {
      assert.deepStrictEqual(messagesOf('seq-scan-beside-index'), [
        "Seq Scan on orders reads all ~500,000 rows to keep ~3 (Filter: (status = 'paid'::text) AND (customer_id = 42)): an index on orders (customer_id, status) lets PostgreSQL read only those rows.",
      ]);
    });

    it('names the alias a query gave the table, and reports scans inside UPDATE and CTEs', () => {
      assert.deepStrictEqual(insightsOf('nested-loop-index')[0].relation, { name: 'order_items', alias: 'i' });
      assert.deepStrictEqual(
        insightsOf('update').map((insight) => insight.message),
        ['Seq Scan on orders reads all ~500,000 rows to keep ~10 (Filter: customer_id = 42): an index on orders (customer_id) lets PostgreSQL read only those rows.'],
      );
      assert.deepStrictEqual(
        insightsOf('cte-and-subplans').map((insight) => insight.columns),
        [['created_at']],
      );
    });

    it('stays quiet when an existing b-tree index leads with every suggested column', () => {
      assert.deepStrictEqual(insightsOf('seq-scan-parameter', contextFor({ tables: withIndexes('orders', btree('orders_customer', 'customer_id')) })), []);
      assert.deepStrictEqual(insightsOf('seq-scan-parameter', contextFor({ tables: withIndexes('orders', { ...btree('orders_customer', '"customer_id"'), method: 'hash' }) })), []);
      assert.deepStrictEqual(insightsOf('seq-scan-equality-and-range', contextFor({ tables: withIndexes('orders', btree('orders_customer_created', 'customer_id', 'created_at', 'id')) })), []);
    });

    it('still reports when the index does not serve the suggested columns: partial, other method, range first', () => {
      for (const index of [{ ...btree('paid_customers', 'customer_id'), partial: true }, { ...btree('customer_gin', 'customer_id'), method: 'gin' }]) {
        assert.strictEqual(insightsOf('seq-scan-parameter', contextFor({ tables: withIndexes('orders', index) })).length, 1, index.name);
      }
      assert.strictEqual(insightsOf('seq-scan-equality-and-range', contextFor({ tables: withIndexes('orders', btree('orders_created_customer', 'created_at', 'customer_id')) })).length, 1);
    });

    it('stays quiet for filters no index serves, large shares of the table, and small tables', () => {
      // LIKE '%abc%', and a range parameter the planner expects to keep a third of the rows.
      assert.deepStrictEqual(insightsOf('seq-scan-like'), []);
      assert.deepStrictEqual(insightsOf('seq-scan-range-parameter'), []);
      // ~18,423 rows of 100,000 is more than a tenth.
      const smaller = TABLES.map((stats) => (stats.name === 'orders' ? { ...stats, rows: 100000 } : stats));
      assert.deepStrictEqual(insightsOf('seq-scan-range-constant', contextFor({ tables: smaller })), []);
      assert.strictEqual(insightsOf('seq-scan-range-constant').length, 1);
      // customers has 50,000 rows.
      const thresholds = { seqScanMinRows: 50001, nestedLoopMaxOuterRows: 10000, maxPlanCost: 100000 };
      assert.deepStrictEqual(insightsOf('seq-scan-two-equalities', contextFor({ thresholds })), []);
      assert.strictEqual(insightsOf('seq-scan-two-equalities').length, 1);
    });

    it('on an OR, asks for an index per branch no existing index serves, to be combined by a BitmapOr', () => {
      const plan = parseTextPlan(`Seq Scan on customers c  (cost=0.00..1150.00 rows=2 width=4)
  Filter: ((email = $1) OR (name = $2) OR (id = $3))`);
      assert.deepStrictEqual(insightsOf(plan), [
        {
          code: 'plan-seq-scan',
          severity: 'warning',
          message:
            'Seq Scan on customers reads all ~50,000 rows to keep ~2 (Filter: (email = $1) OR (name = $2) OR (id = $3)): an index on customers (email) and customers (name), beside the existing one for the other side of the OR, lets PostgreSQL combine them (a BitmapOr) and read only those rows.',
          relation: { name: 'customers', alias: 'c' },
          columns: ['email'],
          orBranches: [['email'], ['name']],
        },
      ]);
      // Every branch served already: the planner had the indexes and scanned anyway.
      const served = withIndexes('customers', btree('customers_email', 'email'), btree('customers_name', 'name'));
      assert.deepStrictEqual(insightsOf(plan, contextFor({ tables: served })), []);
    });

    it('on the probed side of a hash join that keeps a few of its rows, asks for an index on its join columns', () => {
      const plan = parseTextPlan(`Hash Join  (cost=8.32..10575.68 rows=10 width=12)
  Hash Cond: (o.customer_id = c.id)
  ->  Seq Scan on orders o  (cost=0.00..8258.47 rows=500000 width=16)
  ->  Hash  (cost=8.30..8.30 rows=1 width=4)
        ->  Index Scan using customers_email on customers c  (cost=0.29..8.30 rows=1 width=4)
              Index Cond: (email = $1)`);
      assert.deepStrictEqual(messagesOf(plan, HIGH_COST_ALLOWED), [
        'Seq Scan on orders reads all ~500,000 rows to join ~10 of them with customers (Hash Cond: o.customer_id = c.id): an index on orders (customer_id) lets PostgreSQL look up only the matching rows.',
      ]);
      // An index on the join column is there: the planner chose the hash join with it.
      assert.deepStrictEqual(messagesOf(plan, contextFor({ tables: withIndexes('orders', btree('orders_customer', 'customer_id')), thresholds: HIGH_COST_ALLOWED.thresholds })), []);
      // The hashed side is many rows: a hash join is the right plan.
      const many = parseTextPlan(`Hash Join  (cost=8.32..10575.68 rows=10 width=12)
  Hash Cond: (o.customer_id = c.id)
  ->  Seq Scan on orders o  (cost=0.00..8258.47 rows=500000 width=16)
  ->  Hash  (cost=8.30..8.30 rows=5000 width=4)
        ->  Seq Scan on customers c  (cost=0.00..8.30 rows=5000 width=4)
              Filter: (email ~~ '%x%'::text)`);
      assert.deepStrictEqual(messagesOf(many, HIGH_COST_ALLOWED), []);
    });

    it('without table statistics, takes the rows the scan keeps as the least the table holds', () => {
      const noStatistics = contextFor({ tables: [] });
      assert.deepStrictEqual(insightsOf('seq-scan-parameter', noStatistics), []);
      const thresholds = { seqScanMinRows: 10, nestedLoopMaxOuterRows: 10000, maxPlanCost: 100000 };
      assert.deepStrictEqual(messagesOf('seq-scan-parameter', contextFor({ tables: [], thresholds })), [
        'Seq Scan on orders reads the whole table to keep ~10 rows (Filter: customer_id = $1): an index on orders (customer_id) lets PostgreSQL read only those rows.',
      ]);
    });

    it('on the embedded database, reports a selective filter without a size, as information', () => {
      assert.deepStrictEqual(insightsOf('seq-scan-empty-table'), []);
      assert.deepStrictEqual(insightsOf('seq-scan-empty-table', contextFor({ embedded: true })), [
        {
          code: 'plan-seq-scan',
          severity: 'information',
          message:
            'Seq Scan on empty_orders reads the whole table to keep ~3 rows (Filter: customer_id = $1): an index on empty_orders (customer_id) lets PostgreSQL read only those rows (embedded database: tables are empty, so row counts are estimates).',
          relation: { name: 'empty_orders' },
          columns: ['customer_id'],
          equalityCount: 1,
        },
      ]);
    });
  });

  describe('plan-sort-spill', () => {
    it('reports a sort larger than work_mem, with the index that gives the order', () => {
      assert.deepStrictEqual(insightsOf('sort-spill'), [
        {
          code: 'plan-sort-spill',
          severity: 'warning',
          message:
            "Sort of ~500,000 rows (~42 MB) is larger than work_mem (4 MB), so it sorts on disk: an index on orders (note) returns the rows already in order; otherwise add a LIMIT or raise work_mem for this query (SET LOCAL work_mem = '64MB').",
          relation: { name: 'orders' },
          columns: ['note'],
          // What is left to say when the planner would not use that index.
          withoutIndex: "Sort of ~500,000 rows (~42 MB) is larger than work_mem (4 MB), so it sorts on disk: add a LIMIT or raise work_mem for this query (SET LOCAL work_mem = '64MB').",
        },
      ]);
    });

    it('stays quiet when the sort fits: in work_mem, or as the top rows under a LIMIT', () => {
      assert.deepStrictEqual(insightsOf('sort-spill', contextFor({ workMemKb: 65536 })), []);
      assert.deepStrictEqual(insightsOf('sort-top-n'), []);
    });

    it('counts the offset a LIMIT skips, from the Limit startup cost', () => {
      const plan = parseTextPlan(
        [
          'Limit  (cost=50000.00..50001.00 rows=100 width=62)',
          '  ->  Sort  (cost=10000.00..110000.00 rows=500000 width=62)',
          '        Sort Key: note',
          '        ->  Seq Scan on orders  (cost=0.00..10814.00 rows=500000 width=62)',
        ].join('\n'),
      );
      // The Limit starts 40% into the sort's run: it skips 200,000 rows, then keeps 100.
      assert.deepStrictEqual(messagesOf(plan), [
        "Sort of ~200,100 rows (~17 MB) is larger than work_mem (4 MB), so it sorts on disk: an index on orders (note) returns the rows already in order; otherwise add a LIMIT or raise work_mem for this query (SET LOCAL work_mem = '32MB').",
      ]);
    });

    it('advises filtering when the sorted rows come from a join, and the whole Sort Key when it is not plain columns', () => {
      const join = parseTextPlan(
        [
          'Sort  (cost=90000.00..92500.00 rows=1000000 width=40)',
          '  Sort Key: o.created_at, c.name',
          '  ->  Hash Join  (cost=1500.00..40000.00 rows=1000000 width=40)',
          '        Hash Cond: (o.customer_id = c.id)',
          '        ->  Seq Scan on orders o  (cost=0.00..10814.00 rows=1000000 width=20)',
          '        ->  Hash  (cost=917.00..917.00 rows=50000 width=24)',
          '              ->  Seq Scan on customers c  (cost=0.00..917.00 rows=50000 width=24)',
        ].join('\n'),
      );
      assert.deepStrictEqual(insightsOf(join), [
        {
          code: 'plan-sort-spill',
          severity: 'warning',
          message:
            "Sort of ~1,000,000 rows (~61 MB) is larger than work_mem (4 MB), so it sorts on disk: sort fewer rows by filtering them first; otherwise add a LIMIT or raise work_mem for this query (SET LOCAL work_mem = '64MB').",
        },
      ]);
      const expression = parseTextPlan(
        ['Sort  (cost=90000.00..92500.00 rows=1000000 width=40)', '  Sort Key: (lower(note)), id DESC', '  ->  Seq Scan on orders  (cost=0.00..10814.00 rows=1000000 width=40)'].join('\n'),
      );
      assert.deepStrictEqual(messagesOf(expression), [
        "Sort of ~1,000,000 rows (~61 MB) is larger than work_mem (4 MB), so it sorts on disk: an index on orders matching the Sort Key ((lower(note)), id DESC) returns the rows already in order; otherwise add a LIMIT or raise work_mem for this query (SET LOCAL work_mem = '64MB').",
      ]);
    });

    it('takes ANALYZE output at its word: a sort on disk is reported, an incremental sort only then', () => {
      const analyzed = parseTextPlan(
        [
          'Sort  (cost=734306.25..744722.95 rows=4166682 width=17) (actual time=1474.182..1967.788 rows=3333333 loops=1)',
          '  Sort Key: t1.c1',
          '  Sort Method: external merge  Disk: 125168kB',
          '  ->  Seq Scan on t1  (cost=0.00..105264.82 rows=4166682 width=17) (actual time=0.214..386.014 rows=3333333 loops=1)',
        ].join('\n'),
      );
      assert.deepStrictEqual(messagesOf(analyzed, HIGH_COST_ALLOWED), [
        "Sort of ~4,166,682 rows did not fit in work_mem and wrote 122 MB to disk (Sort Method: external merge): an index on t1 (c1) returns the rows already in order; otherwise add a LIMIT or raise work_mem for this query (SET LOCAL work_mem = '256MB').",
      ]);
      const incremental = (disk: string) =>
        parseTextPlan(
          [
            'Incremental Sort  (cost=10.00..90000.00 rows=1000000 width=40)',
            '  Sort Key: customer_id, created_at',
            '  Presorted Key: customer_id',
            ...(disk ? [`  Sort Method: external merge  Disk: ${disk}`] : []),
            '  ->  Index Scan using orders_customer on orders  (cost=0.42..50000.00 rows=1000000 width=40)',
          ].join('\n'),
        );
      assert.deepStrictEqual(insightsOf(incremental('')), []);
      assert.deepStrictEqual(
        insightsOf(incremental('2048kB')).map((insight) => insight.code),
        ['plan-sort-spill'],
      );
    });

    it('leaves out the work_mem advice beyond 1 GB', () => {
      const huge = parseTextPlan(['Sort  (cost=1.00..2.00 rows=100000000 width=100)', '  Sort Key: note', '  ->  Seq Scan on orders  (cost=0.00..1.00 rows=100000000 width=100)'].join('\n'));
      assert.deepStrictEqual(messagesOf(huge), [
        'Sort of ~100,000,000 rows (~12,207 MB) is larger than work_mem (4 MB), so it sorts on disk: an index on orders (note) returns the rows already in order; otherwise add a LIMIT.',
      ]);
    });
  });

  describe('plan-hash-spill', () => {
    it('reports a hash table larger than work_mem × hash_mem_multiplier', () => {
      assert.deepStrictEqual(insightsOf('hash-spill'), [
        {
          code: 'plan-hash-spill',
          severity: 'warning',
          message:
            "Hash of ~200,000 rows from order_items (~9.6 MB) is larger than work_mem × hash_mem_multiplier (4 MB × 2 = 8 MB), so the Hash Join runs in batches through disk: hash less by filtering order_items earlier or selecting fewer of its columns, or raise work_mem for this query (SET LOCAL work_mem = '8MB').",
          relation: { name: 'order_items', alias: 'i' },
        },
      ]);
      assert.deepStrictEqual(messagesOf('anti-join'), [
        "Hash of ~500,000 rows from orders (~23 MB) is larger than work_mem × hash_mem_multiplier (4 MB × 2 = 8 MB), so the Hash Anti Join runs in batches through disk: hash less by filtering orders earlier or selecting fewer of its columns, or raise work_mem for this query (SET LOCAL work_mem = '16MB').",
      ]);
    });

    it('says work_mem alone where hash_mem_multiplier is 1 (before PostgreSQL 13), and stays quiet when the table fits', () => {
      assert.deepStrictEqual(messagesOf('hash-spill', contextFor({ hashMemMultiplier: 1 })), [
        "Hash of ~200,000 rows from order_items (~9.6 MB) is larger than work_mem (4 MB), so the Hash Join runs in batches through disk: hash less by filtering order_items earlier or selecting fewer of its columns, or raise work_mem for this query (SET LOCAL work_mem = '16MB').",
      ]);
      assert.deepStrictEqual(insightsOf('hash-spill', contextFor({ workMemKb: 8192 })), []);
      assert.deepStrictEqual(insightsOf('cte-and-subplans').filter((insight) => insight.code === 'plan-hash-spill'), []);
    });

    it('takes the batches ANALYZE counted at their word', () => {
      const analyzed = parseTextPlan(
        [
          'Hash Join  (cost=27826.00..300076.30 rows=886000 width=0) (actual time=146.635..3619.685 rows=1001000 loops=1)',
          '  Hash Cond: (r.i = s1k.i)',
          '  ->  Seq Scan on r  (cost=0.00..144294.76 rows=10000676 width=4) (actual time=0.201..1200.806 rows=10000000 loops=1)',
          '  ->  Hash  (cost=13290.00..13290.00 rows=20000 width=4) (actual time=145.449..145.450 rows=1001000 loops=1)',
          '        Buckets: 262144 (originally 262144)  Batches: 2048 (originally 8)  Memory Usage: 35157kB',
          '        ->  Seq Scan on s1k  (cost=0.00..13290.00 rows=20000 width=4) (actual time=0.011..61.783 rows=1001000 loops=1)',
        ].join('\n'),
      );
      assert.deepStrictEqual(messagesOf(analyzed, HIGH_COST_ALLOWED), [
        "Hash of ~20,000 rows from s1k did not fit in work_mem × hash_mem_multiplier and ran in 2,048 batches through disk: hash less by filtering s1k earlier or selecting fewer of its columns, or raise work_mem for this query (SET LOCAL work_mem = '1MB').",
      ]);
    });
  });

  describe('plan-nested-loop', () => {
    it('reports a nested loop that reads a whole table for each of many outer rows', () => {
      assert.deepStrictEqual(insightsOf('nested-loop-seq-scan')[0], {
        code: 'plan-nested-loop',
        severity: 'warning',
        message:
          'Nested Loop compares each of ~127,400 rows of orders with all ~40,487 rows of order_items, read by a Seq Scan since no index serves the join. ' +
          'An index on order_items (product_id) lets each loop look up only its matches; otherwise ANALYZE both tables and check that the join condition compares columns of the same type, so PostgreSQL can choose a hash join.',
        withoutIndex:
          'Nested Loop compares each of ~127,400 rows of orders with all ~40,487 rows of order_items, read by a Seq Scan since no index serves the join. ' +
          'ANALYZE both tables and check that the join condition compares columns of the same type, so PostgreSQL can choose a hash join.',
        relation: { name: 'order_items', alias: 'i' },
        columns: ['product_id'],
      });
    });

    it('stays quiet when an index finds the matches, the outer side is small, or the inner side is one row', () => {
      assert.deepStrictEqual(insightsOf('nested-loop-index').map((insight) => insight.code), ['plan-seq-scan']);
      const thresholds = { seqScanMinRows: 10000, nestedLoopMaxOuterRows: 200000, maxPlanCost: 1e9 };
      assert.deepStrictEqual(insightsOf('nested-loop-seq-scan', contextFor({ thresholds })), []);
      const oneRow = parseTextPlan(
        [
          'Nested Loop  (cost=0.00..30000.00 rows=500000 width=12)',
          '  ->  Seq Scan on orders  (cost=0.00..10814.00 rows=500000 width=8)',
          '  ->  Seq Scan on settings  (cost=0.00..1.01 rows=1 width=4)',
        ].join('\n'),
      );
      assert.deepStrictEqual(insightsOf(oneRow), []);
    });

    it('names the join column it cannot find in a plain equality generically', () => {
      const plan = parseTextPlan(
        [
          'Nested Loop  (cost=0.00..90000.00 rows=1000 width=12)',
          '  Join Filter: (o.note ~~ i.pattern)',
          '  ->  Seq Scan on orders o  (cost=0.00..10814.00 rows=50000 width=40)',
          '  ->  Materialize  (cost=0.00..3.00 rows=100 width=32)',
          '        ->  Seq Scan on patterns i  (cost=0.00..2.00 rows=100 width=32)',
        ].join('\n'),
      );
      assert.deepStrictEqual(messagesOf(plan), [
        'Nested Loop compares each of ~50,000 rows of orders with all ~100 rows of patterns, read by a Seq Scan since no index serves the join. ' +
          'An index on the join column of patterns lets each loop look up only its matches; otherwise ANALYZE both tables and check that the join condition compares columns of the same type, so PostgreSQL can choose a hash join.',
      ]);
    });
  });

  describe('plan-high-cost', () => {
    it('reports a plan above queryLens.maxPlanCost, naming its most expensive step', () => {
      const plan = planFromExplainJson(fixtureJson('nested-loop-seq-scan'));
      const insights = planInsights(plan, contextFor());
      assert.deepStrictEqual(
        insights.map((insight) => insight.code),
        ['plan-nested-loop', 'plan-high-cost'],
      );
      const { node, ...highCost } = insights[1];
      assert.strictEqual(node, plan.root);
      assert.deepStrictEqual(highCost, {
        code: 'plan-high-cost',
        severity: 'information',
        message: 'Estimated cost 77,383,174 is above queryLens.maxPlanCost (100,000): the most expensive step is Nested Loop (~77,370,556 of the cost, ~102,586 rows).',
      });
    });

    it('blames a SubPlan run again for each row on the subquery, not on the scan that runs it, with the rewrite', () => {
      // NOT IN whose rows do not fit in work_mem: the customers scan's 430 million are the runs.
      assert.deepStrictEqual(messagesOf('subplan-not-in'), [
        'Estimated cost 430,115,042 is above queryLens.maxPlanCost (100,000): Seq Scan on customers runs SubPlan 1 (Seq Scan on orders, cost ~16,078 a run) again for each of its rows ' +
          '(~430,098,964 of the cost, ~25,000 rows kept). Write NOT EXISTS in place of NOT IN (an anti-join, planned once), or raise work_mem so that the subquery\'s rows fit and it is hashed.',
      ]);
      // A correlated subquery cannot be hashed: a join, or an index for each run.
      assert.deepStrictEqual(messagesOf('subplan-correlated'), [
        'Estimated cost 603,202,667 is above queryLens.maxPlanCost (100,000): Seq Scan on customers runs SubPlan 1 (Seq Scan on orders, cost ~12,064 a run) again for each of its rows ' +
          '(~603,190,603 of the cost, ~50,000 rows kept). Write the subquery as a join, which PostgreSQL plans once, or make each run cheap with an index on what it filters by (Filter: (customer_id = c.id)).',
      ]);
    });

    it('blames the scan, not a hashed SubPlan it filters by, which is built once', () => {
      const thresholds = { seqScanMinRows: 10000000, nestedLoopMaxOuterRows: 10000, maxPlanCost: 10000 };
      assert.deepStrictEqual(messagesOf('subplan-hashed', contextFor({ thresholds })), [
        'Estimated cost 13,137 is above queryLens.maxPlanCost (10,000): the most expensive step is Seq Scan on orders (~12,095 of the cost, ~250,000 rows).',
      ]);
    });

    it('uses the limit as set', () => {
      const thresholds = { seqScanMinRows: 10000, nestedLoopMaxOuterRows: 10000, maxPlanCost: 20000 };
      assert.deepStrictEqual(messagesOf('hash-spill', contextFor({ thresholds, workMemKb: 65536 })), [
        'Estimated cost 25,743 is above queryLens.maxPlanCost (20,000): the most expensive step is Hash Join (~11,847 of the cost, ~200,000 rows).',
      ]);
    });
  });

  it('on the embedded database, gives every finding as information and says why', () => {
    const insights = insightsOf('nested-loop-seq-scan', contextFor({ embedded: true }));
    assert.deepStrictEqual(
      insights.map((insight) => [insight.code, insight.severity]),
      [
        ['plan-nested-loop', 'information'],
        ['plan-high-cost', 'information'],
      ],
    );
    for (const insight of insights) assert.ok(insight.message.includes('(embedded database: tables are empty, so row counts are estimates)'), insight.message);
  });

  for (const code of PLAN_INSIGHT_CODES) {
    it(`${code} has a docs page: severity, problem, why, fix, examples, how to turn it off`, () => {
      const page = fs.readFileSync(path.resolve(__dirname, '../../../../docs/rules', `${code}.md`), 'utf8');
      assert.ok(page.startsWith(`# ${code}\n\n**Severity:** `));
      for (const heading of [/^## Problem$/m, /^## Why it is slow$/m, /^## Fix$/m, /^## Examples$/m, /^## Configuration$/m]) assert.match(page, heading);
      assert.ok(page.includes(`"queryLens.rules": { "${code}": "off" }`));
      assert.ok(page.includes(`-- query-lens-ignore ${code}`));
    });
  }

  describe('plan-table-maintenance', () => {
    const scan = parseTextPlan('Index Scan using readings_pkey on readings r  (cost=0.29..8.31 rows=1 width=8)\n  Index Cond: (id = 7)');
    const readings = (maintenance: TableStats['maintenance'], rows = 20000, pages = 100): TableStats[] => [{ schema: 'public', name: 'readings', rows, pages, indexes: [], maintenance }];
    const at = new Date('2026-11-01T09:00:00Z');

    it('reports a table changed and grown since its ANALYZE, and its dead rows, in one finding under the table', () => {
      const insights = insightsOf(scan, contextFor({ tables: readings({ liveRows: 40000, deadRows: 10000, modifiedSinceAnalyze: 40000, lastAnalyzed: at, currentPages: 250, scans: 0 }) }));
      assert.deepStrictEqual(
        insights.map((i) => [i.code, i.severity, i.relation]),
        [['plan-table-maintenance', 'information', { name: 'readings', alias: 'r' }]],
      );
      assert.strictEqual(
        insights[0].message,
        "readings has had ~40,000 rows inserted, updated or deleted since it was last analysed (2026-11-01 09:00 UTC), and holds ~40,000 rows where that ANALYZE counted ~20,000: the planner's estimates for it, and this plan, may be off. Run ANALYZE readings, and check that autovacuum reaches it (autovacuum_analyze_scale_factor). " +
          'readings holds ~10,000 dead rows (25% of its ~40,000 live ones) that every scan of it still reads: run VACUUM readings (VACUUM FULL or pg_repack to give the space back) and check that autovacuum keeps up with its writes.',
      );
    });

    it('stays quiet on changes counted after an ANALYZE that saw them (same size on disk), small tables, and the embedded database', () => {
      const seeded = readings({ liveRows: 40000, deadRows: 0, modifiedSinceAnalyze: 20000, lastAnalyzed: at, currentPages: 104, scans: 0 });
      assert.deepStrictEqual(messagesOf(scan, contextFor({ tables: seeded })), []);
      assert.deepStrictEqual(messagesOf(scan, contextFor({ tables: readings({ liveRows: 900, deadRows: 900, modifiedSinceAnalyze: 900, currentPages: 9, scans: 0 }, 0, 0) })), []);
      const stale = readings({ liveRows: 40000, deadRows: 10000, modifiedSinceAnalyze: 40000, lastAnalyzed: at, currentPages: 250, scans: 0 });
      assert.deepStrictEqual(messagesOf(scan, contextFor({ tables: stale, embedded: true })), []);
    });
  });

  it('finds nothing to judge in a plan without costs', () => {
    assert.deepStrictEqual(insightsOf(parseTextPlan('Seq Scan on orders\n  Filter: (customer_id = 42)')), []);
  });
});

describe('plan conditions', () => {
  before(() => initParsers());

  it('finds the columns an index serves in a filter as EXPLAIN prints it', () => {
    const cases: [string, { equality: string[]; range: string[]; literals?: { column: string; literal: string }[] } | undefined][] = [
      ["((customer_id = $1) AND (status = 'paid'::text))", { equality: ['customer_id', 'status'], range: [], literals: [{ column: 'status', literal: "'paid'::text" }] }],
      // Literals, as a partial index's predicate would hold them; a parameter is none.
      ['((flag = true) AND (n = 0) AND (m = 42) AND (r = 1.5) AND (p = $1))', { equality: ['flag', 'n', 'm', 'r', 'p'], range: [], literals: [{ column: 'flag', literal: 'true' }, { column: 'n', literal: '0' }, { column: 'm', literal: '42' }, { column: 'r', literal: '1.5' }] }],
      ['($1 = customer_id)', { equality: ['customer_id'], range: [] }],
      ["(id = ANY ('{1,2,3}'::integer[]))", { equality: ['id'], range: [] }],
      ['((deleted_at IS NULL) AND (created_at >= now()))', { equality: ['deleted_at'], range: ['created_at'] }],
      ['((amount >= 10) AND (amount <= 20) AND (created_at < $2))', { equality: [], range: ['amount', 'created_at'] }],
      ["((name)::text = 'x'::text)", { equality: ['name'], range: [], literals: [{ column: 'name', literal: "'x'::text" }] }],
      ["(c.country = 'FR'::text)", { equality: ['country'], range: [], literals: [{ column: 'country', literal: "'FR'::text" }] }],
      ['(created_at > (InitPlan 1).col1)', { equality: [], range: ['created_at'] }],
      // An expression of one column, as an expression index's key, in EXPLAIN's own spelling.
      ["(lower(email) = 'a@b.c'::text)", { equality: ['lower(email)'], range: [] }],
      ["(lower((c.email)::text) = $1)", { equality: ['lower((email)::text)'], range: [] }],
      ["(((payload ->> 'type'::text) = 'click'::text) AND (created_at > $1))", { equality: ["payload ->> 'type'::text"], range: ['created_at'] }],
      ["(date_trunc('day'::text, created_at) >= $1)", { equality: [], range: ["date_trunc('day'::text, created_at)"] }],
      // ...but not of two columns, of another table's column, or of what changes between calls.
      ['((a + b) = 3)', { equality: [], range: [] }],
      ["(lower(x.email) = 'a'::text)", { equality: [], range: [] }],
      ['((random() * (id)::double precision) < 0.1)', { equality: [], range: [] }],
      // Not for an index: two columns, another table's column, a cast that computes, LIKE, OR, <>, NOT, subplans.
      ['(a = b)', { equality: [], range: [] }],
      ["(x.country = 'FR'::text)", { equality: [], range: [] }],
      ['((amount)::integer = 5)', { equality: [], range: [] }],
      ["(name ~~ '%x'::text)", { equality: [], range: [] }],
      ['((a = 1) OR (b = 2))', { equality: [], range: [] }],
      ["(status <> 'paid'::text)", { equality: [], range: [] }],
      ['(NOT flag)', { equality: [], range: [] }],
      ['(id = (SubPlan 1))', { equality: [], range: [] }],
      ['(NOT (hashed SubPlan 1))', { equality: [], range: [] }],
      ['not (an expression', undefined],
    ];
    for (const [condition, expected] of cases) {
      assert.deepStrictEqual(indexableColumns(condition, ['c', 'customers']), expected, condition);
    }
  });

  it('reads a condition whose list holds 200,000 values (no spread of it onto the stack)', () => {
    const values = Array.from({ length: 200_000 }, (_, i) => String(i)).join(', ');
    assert.deepStrictEqual(indexableColumns(`(id = ANY (ARRAY[${values}]))`, ['c']), { equality: ['id'], range: [] });
  });

  it('finds the index keys each branch of an OR needs, or none when one branch has no column to search', () => {
    const cases: [string, string[][] | undefined][] = [
      ['((email = $1) OR (phone = $2))', [['email'], ['phone']]],
      // Nested ORs are one; a branch's keys are its equalities, then one range column.
      ["(((email = $1) OR (phone = $2)) OR ((city = 'x'::text) AND (created_at > $3)))", [['email'], ['phone'], ['city', 'created_at']]],
      // The OR as one AND term of the filter; branches asking for the same keys are one.
      ["((status = 'open'::text) AND ((c.id = 1) OR (c.id = 2)))", [['id']]],
      // An expression of a column is a key of its own (an expression index), as in an AND.
      ["((name = $1) OR ((attribs ->> 'city'::text) = $2))", [['name'], ["attribs ->> 'city'::text"]]],
      // A branch no index can serve (LIKE, another table's column) leaves the OR to the scan.
      ["((email = $1) OR (name ~~ '%x'::text))", undefined],
      ["((email = $1) OR (x.phone = $2))", undefined],
      // No OR at all.
      ['(email = $1)', undefined],
    ];
    for (const [condition, expected] of cases) {
      assert.deepStrictEqual(orBranchColumns(condition, ['c', 'customers']), expected, condition);
    }
  });

  it("lists the columns of the scanned table an expression of EXPLAIN VERBOSE reads, or none for a whole row", () => {
    assert.deepStrictEqual(referencedColumns('o.total', ['o', 'orders']), ['total']);
    assert.deepStrictEqual(referencedColumns("((o.status = 'paid'::text) AND (c.id = o.customer_id) AND (o.total > 5))", ['o', 'orders']), ['status', 'customer_id', 'total']);
    assert.deepStrictEqual(referencedColumns('o.*', ['o']), undefined);
    assert.deepStrictEqual(referencedColumns('(o.id = (SubPlan 1))', ['o']), undefined);
  });

  it("finds the inner table's columns in a join condition's equalities", () => {
    assert.deepStrictEqual(innerJoinColumns('(o.customer_id = i.product_id)', ['i', 'order_items']), ['product_id']);
    assert.deepStrictEqual(innerJoinColumns('((i.a = o.a) AND (o.b = i.b) AND (i.c > o.c))', ['i']), ['a', 'b']);
    assert.deepStrictEqual(innerJoinColumns('(o.note ~~ i.pattern)', ['i']), []);
  });
});
