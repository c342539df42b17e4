import * as assert from 'assert';
import { compactCount, formatCost, formatKilobytes, formatMegabytes, workMemSettingFor } from '../../../server/src/plan/figures';
import {
  PlanParseError,
  describeNode,
  estimatedRowsInAllProcesses,
  nodeLabel,
  parseTextPlan,
  planFromExplainJson,
  renderPlanText,
  summarisePlan,
  walkPlan,
  type Plan,
  type PlanNode,
} from '../../../server/src/plan/planModel';
import { fixtureJson, fixtureNames, fixtureText } from './fixtures';

/** A node's typed fields, without `raw` and children: what the two parsers must agree on. */
function fieldsOf(node: PlanNode): Omit<PlanNode, 'raw' | 'children'> {
  const { raw: _raw, children: _children, ...fields } = node;
  return fields;
}

function nodesOf(plan: Plan): PlanNode[] {
  const nodes: PlanNode[] = [];
  walkPlan(plan, (node) => nodes.push(node));
  return nodes;
}

/** What psql printed without its header, rule, footer and one-space margin. */
function psqlBody(text: string): string {
  const lines = text.split('\n');
  const body = lines.slice(2, lines.findIndex((line) => /^\(\d+ rows?\)$/.test(line)));
  return body.map((line) => line.slice(1)).join('\n');
}

describe('planFromExplainJson', () => {
  it("reads a node's properties into the model", () => {
    const plan = planFromExplainJson(fixtureJson('seq-scan-parameter'));
    assert.deepStrictEqual(fieldsOf(plan.root), {
      nodeType: 'Seq Scan',
      relationName: 'orders',
      alias: 'orders',
      startupCost: 0,
      totalCost: 12064,
      planRows: 10,
      planWidth: 62,
      filter: '(customer_id = $1)',
    });
    assert.deepStrictEqual(plan.root.children, []);
    assert.strictEqual(plan.root.raw['Async Capable'], false);
    assert.ok(!('Plans' in plan.root.raw));
    assert.strictEqual(plan.costs, undefined);
  });

  it('accepts the array EXPLAIN returns, its object, a bare node, and all of them as JSON text', () => {
    const json = JSON.parse(fixtureJson('seq-scan-parameter')) as [{ Plan: Record<string, unknown> }];
    for (const input of [json, json[0], json[0].Plan, JSON.stringify(json), JSON.stringify(json[0])]) {
      assert.strictEqual(planFromExplainJson(input).root.filter, '(customer_id = $1)');
    }
  });

  it('reads JSON as psql, pgAdmin and CSV exports show it', () => {
    const psql = [
      '           QUERY PLAN           ',
      '--------------------------------',
      ' [                             +',
      '   {                           +',
      '     "Plan": {                 +',
      '       "Node Type": "Result",  +',
      '       "Parallel Aware": false,+',
      '       "Async Capable": false, +',
      '       "Startup Cost": 0.00,   +',
      '       "Total Cost": 0.01,     +',
      '       "Plan Rows": 1,         +',
      '       "Plan Width": 4         +',
      '     }                         +',
      '   }                           +',
      ' ]',
      '(1 row)',
      '',
    ].join('\n');
    const unicode = psql.replace(/\+$/gm, '↵').replace(/^/gm, '│').replace(/$/gm, '│');
    const csv = `"${JSON.stringify(JSON.parse(fixtureJson('seq-scan-parameter')), null, 2).replace(/"/g, '""')}"`;
    const echoed = `EXPLAIN (FORMAT JSON) SELECT 1 AS one;\n${psql}`;
    for (const text of [psql, unicode, echoed]) {
      assert.deepStrictEqual(fieldsOf(planFromExplainJson(text).root), { nodeType: 'Result', startupCost: 0, totalCost: 0.01, planRows: 1, planWidth: 4 });
    }
    assert.strictEqual(planFromExplainJson(csv).root.relationName, 'orders');
  });

  it('reads the times, the actual figures and the plan-level properties of ANALYZE output', () => {
    const plan = planFromExplainJson(fixtureJson('analyze'));
    assert.strictEqual(typeof plan.planningTime, 'number');
    assert.strictEqual(typeof plan.executionTime, 'number');
    assert.deepStrictEqual(Object.keys(plan.raw ?? {}), ['Planning', 'Planning Time', 'Triggers', 'Execution Time']);
    for (const node of nodesOf(plan)) {
      assert.strictEqual(node.actual?.loops, 1, node.nodeType);
      assert.strictEqual(typeof node.actual?.totalTime, 'number', node.nodeType);
    }
    assert.strictEqual(plan.root.actual?.rows, 1);
  });

  it('reads subplans, CTEs, parallel and partial nodes as EXPLAIN labels them', () => {
    const ctes = planFromExplainJson(fixtureJson('cte-and-subplans')).root.children;
    assert.deepStrictEqual(
      ctes.map((child) => [child.parentRelationship, child.subplanName, child.nodeType]),
      [
        ['InitPlan', 'CTE recent', 'Seq Scan'],
        ['InitPlan', 'InitPlan 2 (returns $1)', 'Aggregate'],
        ['InitPlan', 'InitPlan 3 (returns $2)', 'Aggregate'],
        ['Outer', undefined, 'Aggregate'],
      ],
    );
    const parallel = nodesOf(planFromExplainJson(fixtureJson('parallel-aggregate')));
    assert.deepStrictEqual(
      parallel.map((node) => [node.nodeType, node.strategy, node.partialMode, node.parallelAware]),
      [
        ['Aggregate', 'Sorted', 'Finalize', undefined],
        ['Gather Merge', undefined, undefined, undefined],
        ['Aggregate', 'Sorted', 'Partial', undefined],
        ['Index Only Scan', undefined, undefined, true],
      ],
    );
  });

  it('throws PlanParseError for what is not EXPLAIN output', () => {
    for (const input of ['', 'SELECT 1', '{}', '[]', '{"Plan": 3}', 42, null, [[]]]) {
      assert.throws(() => planFromExplainJson(input), PlanParseError, JSON.stringify(input));
    }
  });
});

describe('parseTextPlan', () => {
  for (const name of fixtureNames()) {
    it(`reads ${name}.txt as ${name}.json says`, () => {
      const fromJson = planFromExplainJson(fixtureJson(name));
      const fromText = parseTextPlan(fixtureText(name));
      const jsonNodes = nodesOf(fromJson);
      const textNodes = nodesOf(fromText);
      assert.strictEqual(textNodes.length, jsonNodes.length);
      textNodes.forEach((node, index) => {
        const json = jsonNodes[index];
        // The ANALYZE fixture's two outputs come from two runs: only their estimates agree.
        assert.deepStrictEqual({ ...fieldsOf(node), actual: undefined }, { ...fieldsOf(json), actual: undefined });
        for (const [key, value] of Object.entries(node.raw)) {
          if (key.startsWith('Actual') || key === 'Sort Space Used' || key === 'Peak Memory Usage') continue;
          // Text says what JSON says, where it says it at all.
          if (key in json.raw) assert.deepStrictEqual(value, json.raw[key], `${node.nodeType}: ${key}`);
          else assert.ok(['Buffers', 'Heap Blocks', 'Batches'].includes(key), `${node.nodeType}: ${key} is not in the JSON`);
        }
      });
    });
  }

  it('reads the figures of ANALYZE output: times, rows, loops, never executed, TIMING OFF, fractional rows', () => {
    const plan = parseTextPlan(fixtureText('analyze'));
    assert.deepStrictEqual(plan.root.actual, { rows: 1, loops: 1, startupTime: 65.299, totalTime: 65.303 });
    assert.strictEqual(plan.planningTime, 0.505);
    assert.strictEqual(plan.executionTime, 65.496);
    assert.deepStrictEqual(plan.raw, { Planning: { Buffers: 'shared hit=221' }, 'Planning Time': 0.505, 'Execution Time': 65.496 });
    const hash = plan.root.children[0].children[0].children[1];
    assert.deepStrictEqual(
      { buckets: hash.raw['Hash Buckets'], batches: hash.raw['Hash Batches'], memory: hash.raw['Peak Memory Usage'] },
      { buckets: 65536, batches: 1, memory: 2466 },
    );

    const others = parseTextPlan(
      [
        'Nested Loop  (cost=0.00..2.00 rows=1 width=8) (actual rows=0.50 loops=2)',
        '  ->  Seq Scan on a  (cost=0.00..1.00 rows=1 width=4) (actual time=0.010..0.020 rows=1 loops=1)',
        '  ->  Seq Scan on b  (cost=0.00..1.00 rows=1 width=4) (never executed)',
      ].join('\n'),
    );
    assert.deepStrictEqual(
      nodesOf(others).map((node) => node.actual),
      [{ rows: 0.5, loops: 2 }, { rows: 1, loops: 1, startupTime: 0.01, totalTime: 0.02 }, { rows: 0, loops: 0 }],
    );
  });

  it('reads a plan printed with COSTS OFF', () => {
    const plan = parseTextPlan(
      [
        'Bitmap Heap Scan on a',
        '   Recheck Cond: ((id = 42) OR (id = 4711))',
        '   ->  BitmapOr',
        '         ->  Bitmap Index Scan on a_pkey',
        '               Index Cond: (id = 42)',
        '         ->  Bitmap Index Scan on a_pkey',
        '               Index Cond: (id = 4711)',
      ].join('\n'),
    );
    assert.strictEqual(plan.costs, false);
    assert.deepStrictEqual(
      nodesOf(plan).map((node) => [nodeLabel(node), node.parentRelationship, node.totalCost]),
      [
        ['Bitmap Heap Scan on a', undefined, 0],
        ['BitmapOr', 'Outer', 0],
        ['Bitmap Index Scan on a_pkey', 'Member', 0],
        ['Bitmap Index Scan on a_pkey', 'Member', 0],
      ],
    );
  });

  it("reads every label back into EXPLAIN's JSON properties", () => {
    const cases: [string, Record<string, unknown>][] = [
      ['Seq Scan on orders', { 'Node Type': 'Seq Scan', 'Relation Name': 'orders', Alias: 'orders', 'Parallel Aware': false }],
      ['Parallel Seq Scan on public.orders o', { 'Node Type': 'Seq Scan', 'Relation Name': 'orders', Schema: 'public', Alias: 'o', 'Parallel Aware': true }],
      [
        'Index Scan Backward using "Orders Pkey" on public."My Orders" mo',
        { 'Node Type': 'Index Scan', 'Scan Direction': 'Backward', 'Index Name': 'Orders Pkey', 'Relation Name': 'My Orders', Schema: 'public', Alias: 'mo', 'Parallel Aware': false },
      ],
      ['Index Only Scan using orders_status on orders', { 'Node Type': 'Index Only Scan', 'Scan Direction': 'Forward', 'Index Name': 'orders_status', 'Relation Name': 'orders', Alias: 'orders', 'Parallel Aware': false }],
      ['Bitmap Index Scan on orders_status', { 'Node Type': 'Bitmap Index Scan', 'Index Name': 'orders_status', 'Parallel Aware': false }],
      ['Hash Left Join', { 'Node Type': 'Hash Join', 'Join Type': 'Left', 'Parallel Aware': false }],
      ['Hash Join', { 'Node Type': 'Hash Join', 'Join Type': 'Inner', 'Parallel Aware': false }],
      ['Merge Right Anti Join', { 'Node Type': 'Merge Join', 'Join Type': 'Right Anti', 'Parallel Aware': false }],
      ['Nested Loop', { 'Node Type': 'Nested Loop', 'Join Type': 'Inner', 'Parallel Aware': false }],
      ['Nested Loop Semi Join', { 'Node Type': 'Nested Loop', 'Join Type': 'Semi', 'Parallel Aware': false }],
      ['Parallel Hash', { 'Node Type': 'Hash', 'Parallel Aware': true }],
      ['Partial HashAggregate', { 'Node Type': 'Aggregate', Strategy: 'Hashed', 'Partial Mode': 'Partial', 'Parallel Aware': false }],
      ['Aggregate', { 'Node Type': 'Aggregate', Strategy: 'Plain', 'Partial Mode': 'Simple', 'Parallel Aware': false }],
      ['MixedAggregate', { 'Node Type': 'Aggregate', Strategy: 'Mixed', 'Partial Mode': 'Simple', 'Parallel Aware': false }],
      ['HashSetOp Except All', { 'Node Type': 'SetOp', Strategy: 'Hashed', Command: 'Except All', 'Parallel Aware': false }],
      ['Insert on orders', { 'Node Type': 'ModifyTable', Operation: 'Insert', 'Relation Name': 'orders', Alias: 'orders', 'Parallel Aware': false }],
      ['Merge on public.stock s', { 'Node Type': 'ModifyTable', Operation: 'Merge', 'Relation Name': 'stock', Schema: 'public', Alias: 's', 'Parallel Aware': false }],
      ['Function Scan on generate_series g', { 'Node Type': 'Function Scan', 'Function Name': 'generate_series', Alias: 'g', 'Parallel Aware': false }],
      ['CTE Scan on recent r', { 'Node Type': 'CTE Scan', 'CTE Name': 'recent', Alias: 'r', 'Parallel Aware': false }],
      ['Values Scan on "*VALUES*"', { 'Node Type': 'Values Scan', Alias: '*VALUES*', 'Parallel Aware': false }],
      ['Subquery Scan on foo', { 'Node Type': 'Subquery Scan', Alias: 'foo', 'Parallel Aware': false }],
      ['Async Foreign Scan on remote_orders', { 'Node Type': 'Foreign Scan', Operation: 'Select', 'Relation Name': 'remote_orders', Alias: 'remote_orders', 'Parallel Aware': false, 'Async Capable': true }],
      ['Foreign Update on remote_orders r', { 'Node Type': 'Foreign Scan', Operation: 'Update', 'Relation Name': 'remote_orders', Alias: 'r', 'Parallel Aware': false }],
      ['Custom Scan (ChunkAppend) on metrics', { 'Node Type': 'Custom Scan', 'Custom Plan Provider': 'ChunkAppend', 'Relation Name': 'metrics', Alias: 'metrics', 'Parallel Aware': false }],
      ['Tid Range Scan on pg_class c', { 'Node Type': 'Tid Range Scan', 'Relation Name': 'pg_class', Alias: 'c', 'Parallel Aware': false }],
      ['Some Future Node', { 'Node Type': 'Some Future Node', 'Parallel Aware': false }],
    ];
    for (const [label, raw] of cases) {
      const node = parseTextPlan(`${label}  (cost=0.00..1.00 rows=1 width=4)`).root;
      assert.deepStrictEqual({ ...node.raw, 'Startup Cost': undefined, 'Total Cost': undefined, 'Plan Rows': undefined, 'Plan Width': undefined }, { ...raw, 'Startup Cost': undefined, 'Total Cost': undefined, 'Plan Rows': undefined, 'Plan Width': undefined }, label);
      // And drawn back the same.
      assert.strictEqual(nodeLabel(node), label);
    }
  });

  it('reads what psql, pgAdmin, DBeaver and terminals do to a pasted plan', () => {
    const text = fixtureText('cte-and-subplans');
    const expected = nodesOf(planFromExplainJson(fixtureJson('cte-and-subplans'))).map(fieldsOf);
    const lines = psqlBody(text).split('\n');
    const width = Math.max(...lines.map((line) => line.length)) + 1;
    const pastes: Record<string, string> = {
      bare: lines.join('\n'),
      'psql, unicode border 2': [
        `┌${'─'.repeat(width + 1)}┐`,
        `│ ${'QUERY PLAN'.padEnd(width)}│`,
        `├${'─'.repeat(width + 1)}┤`,
        ...lines.map((line) => `│ ${line.padEnd(width)}│`),
        `└${'─'.repeat(width + 1)}┘`,
        `(${lines.length} rows)`,
      ].join('\n'),
      'psql in French, after the echoed command': `\\timing on\nEXPLAIN SELECT …;\n${text.replace(/\(\d+ rows\)/, `(${lines.length} lignes)`)}\nTemps : 3,4 ms`,
      'pgAdmin, one quoted line each': lines.map((line) => `"${line.replace(/"/g, '""')}"`).join('\r\n'),
      'DBeaver, a bar after each line': [`QUERY PLAN${' '.repeat(width - 10)}|`, `${'-'.repeat(width)}+`, ...lines.map((line) => `${line.padEnd(width)}|`)].join('\n'),
      'a terminal 50 columns wide': text
        .split('\n')
        .flatMap((line) => line.match(/.{1,50}/g) ?? [''])
        .join('\n'),
      'tabs and blank lines': lines.map((line) => line.replace(/^( *)(\S)/, (_all, spaces: string, first: string) => '\t'.repeat(Math.floor(spaces.length / 4)) + ' '.repeat(spaces.length % 4) + first)).join('\n\n'),
    };
    for (const [paste, pasted] of Object.entries(pastes)) {
      assert.deepStrictEqual(nodesOf(parseTextPlan(pasted)).map(fieldsOf), expected, paste);
    }
  });

  it("reads the plan's own lines: triggers, settings, JIT, auto_explain's query text, old runtimes", () => {
    const plan = parseTextPlan(
      [
        'Query Text: SELECT *',
        '  FROM orders',
        'Insert on orders  (cost=0.00..0.01 rows=0 width=0) (actual time=0.050..0.050 rows=0 loops=1)',
        '  ->  Result  (cost=0.00..0.01 rows=1 width=62) (actual time=0.001..0.001 rows=1 loops=1)',
        'Settings: work_mem = \'64MB\', search_path = \'"$user", public\'',
        'Planning time: 0.030 ms',
        'Trigger for constraint orders_customer_id_fkey: time=0.120 calls=1',
        'Trigger audit on orders: time=0.010 calls=1',
        'JIT:',
        '  Functions: 4',
        '  Options: Inlining false, Optimization false, Expressions true, Deforming true',
        'Total runtime: 0.250 ms',
      ].join('\n'),
    );
    assert.strictEqual(plan.planningTime, 0.03);
    assert.strictEqual(plan.executionTime, 0.25);
    assert.deepStrictEqual(plan.raw, {
      'Query Text': 'SELECT *\nFROM orders',
      Settings: { work_mem: '64MB', search_path: '"$user", public' },
      'Planning Time': 0.03,
      Triggers: [
        { 'Trigger Name': 'for constraint orders_customer_id_fkey', Time: 0.12, Calls: 1 },
        { 'Trigger Name': 'audit on orders', Time: 0.01, Calls: 1 },
      ],
      JIT: { Functions: '4', Options: 'Inlining false, Optimization false, Expressions true, Deforming true' },
      'Execution Time': 0.25,
    });
    assert.strictEqual(plan.root.operation, 'Insert');
    assert.strictEqual(plan.root.children.length, 1);
  });

  it("reads each worker's figures under its node", () => {
    const plan = parseTextPlan(
      [
        '->  Parallel Seq Scan on public.user_events e  (cost=0.00..5193.33 rows=33333 width=8) (actual time=0.067..58.0 rows=333333 loops=1)',
        '      Output: e.id, e.user_id',
        '      Worker 0:  actual time=0.067..57.944 rows=348636 loops=1',
        '        Buffers: shared hit=3879 read=2957',
        '      Worker 1:  Sort Method: quicksort  Memory: 25kB',
        '      Worker 1:  actual rows=351339 loops=1',
        'Planning Time: 0.157 ms',
      ].join('\n'),
    );
    assert.deepStrictEqual(plan.root.raw.Workers, [
      { 'Worker Number': 0, 'Actual Startup Time': 0.067, 'Actual Total Time': 57.944, 'Actual Rows': 348636, 'Actual Loops': 1, Buffers: 'shared hit=3879 read=2957' },
      { 'Worker Number': 1, 'Sort Method': 'quicksort', 'Sort Space Used': 25, 'Sort Space Type': 'Memory', 'Actual Rows': 351339, 'Actual Loops': 1 },
    ]);
    assert.deepStrictEqual(plan.root.raw.Output, ['e.id', 'e.user_id']);
    assert.strictEqual(plan.planningTime, 0.157);
  });

  it('throws PlanParseError when there is no plan, or it stops inside a node line', () => {
    assert.throws(() => parseTextPlan(''), PlanParseError);
    assert.throws(() => parseTextPlan('                QUERY PLAN\n-----------------\n(0 rows)'), PlanParseError);
    assert.throws(() => parseTextPlan(' Seq Scan on ref  (cost=0.00..14425.02 rows=1000002 width=8) (actual'), /the plan stops in the middle of a node's line/);
  });
});

describe('renderPlanText', () => {
  for (const name of fixtureNames().filter((fixture) => fixture !== 'analyze')) {
    it(`draws ${name}.json as EXPLAIN printed it`, () => {
      assert.strictEqual(renderPlanText(planFromExplainJson(fixtureJson(name))), psqlBody(fixtureText(name)));
    });
  }

  it('draws a plan read from ANALYZE text as it was printed', () => {
    const text = fixtureText('analyze');
    assert.strictEqual(renderPlanText(parseTextPlan(text)), psqlBody(text));
  });

  it('draws a plan without costs, and never-executed nodes, as EXPLAIN does', () => {
    const text = ['Nested Loop (actual rows=0 loops=1)', '  ->  Seq Scan on a (actual rows=0 loops=1)', '        Filter: (id = 1)', '  ->  Seq Scan on b (never executed)'].join('\n');
    assert.strictEqual(renderPlanText(parseTextPlan(text)), text);
  });
});

describe('summarisePlan', () => {
  const cases: [string, string][] = [
    ['seq-scan-parameter', 'cost 12,064 · Seq Scan on orders (est. 10 rows)'],
    // Rows of a parallel scan are per process; the summary counts them all.
    ['parallel-seq-scan', 'cost 9,419 · Parallel Seq Scan on orders (est. 10 rows)'],
    ['seq-scan-two-equalities', 'cost 1,167 · Seq Scan on customers (est. 1 row)'],
    ['nested-loop-seq-scan', 'cost 77,383,174 · Nested Loop (est. 103k rows)'],
    ['hash-spill', 'cost 25,743 · Hash Join (est. 200k rows)'],
    ['index-scan-backward', 'cost 8.64 · Index Scan on orders (est. 11 rows)'],
    ['seq-scan-empty-table', 'cost 18.1 · Seq Scan on empty_orders (est. 3 rows)'],
    ['values-and-function', 'cost 0.21 · Function Scan on generate_series (est. 10 rows)'],
    ['update', 'cost 12,064 · Seq Scan on orders (est. 10 rows)'],
    // A scan whose cost is a subquery it runs for each row says so; a hashed one is built once.
    ['subplan-not-in', 'cost 430,115,042 · Seq Scan on customers running SubPlan 1 (Seq Scan on orders) per row (est. 25k rows)'],
    ['subplan-correlated', 'cost 603,202,667 · Seq Scan on customers running SubPlan 1 (Seq Scan on orders) per row (est. 50k rows)'],
    ['subplan-hashed', 'cost 13,137 · Seq Scan on orders (est. 250k rows)'],
  ];
  for (const [name, summary] of cases) {
    it(`sums ${name} up as "${summary}"`, () => {
      assert.strictEqual(summarisePlan(planFromExplainJson(fixtureJson(name))), summary);
    });
  }

  it('names only the step of a plan without costs', () => {
    assert.strictEqual(summarisePlan(parseTextPlan('Seq Scan on pg_class (actual time=0.016..0.149 rows=342 loops=1)')), 'Seq Scan on pg_class');
  });
});

describe('walkPlan and what it serves', () => {
  it('visits every node once, parents first, in the order EXPLAIN prints them, with its parent', () => {
    const visits: string[] = [];
    walkPlan(planFromExplainJson(fixtureJson('hash-spill')), (node, parent) => visits.push(`${describeNode(node)} < ${parent ? describeNode(parent) : '-'}`));
    assert.deepStrictEqual(visits, ['Hash Join < -', 'Seq Scan on orders < Hash Join', 'Hash < Hash Join', 'Seq Scan on order_items < Hash']);
  });

  it('counts the rows of parallel steps in all the processes that run them', () => {
    const plan = planFromExplainJson(fixtureJson('parallel-aggregate'));
    const rows = estimatedRowsInAllProcesses(plan);
    // 2 workers and the leader's share: 2 + (1 - 0.3 × 2) = 2.4.
    assert.deepStrictEqual(
      nodesOf(plan).map((node) => [node.planRows, rows.get(node)]),
      [
        [4, 4],
        [8, 8],
        [4, 4 * 2.4],
        [208333, 208333 * 2.4],
      ],
    );
  });
});

describe('plan figures', () => {
  it('writes row counts compactly', () => {
    assert.deepStrictEqual(
      [0, 12, 999, 1000, 4800, 9960, 12345, 480000, 999999, 1200000, 15600000, 2.5e9].map(compactCount),
      ['0', '12', '999', '1k', '4.8k', '10k', '12k', '480k', '1M', '1.2M', '16M', '2.5B'],
    );
  });

  it('writes costs, sizes and work_mem settings', () => {
    assert.deepStrictEqual([0.01, 8.27, 41.44, 100, 9412.4, 1234567.8].map(formatCost), ['0.01', '8.27', '41.4', '100', '9,412', '1,234,568']);
    assert.deepStrictEqual([64, 4096, 1536, 262144].map(formatKilobytes), ['64 kB', '4 MB', '1.5 MB', '256 MB']);
    assert.deepStrictEqual([300_000, 5_452_595, 44_000_000, 1.2e9].map(formatMegabytes), ['0.3 MB', '5.2 MB', '42 MB', '1,144 MB']);
    assert.deepStrictEqual([500_000, 44_000_000, 3e9].map(workMemSettingFor), ["'1MB'", "'64MB'", "'4GB'"]);
  });
});
