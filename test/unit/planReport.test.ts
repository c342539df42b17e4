import * as assert from 'assert';
import { parseTextPlan, planFromExplainJson } from '../../server/src/plan/planModel';
import { planReport, type ReportNode } from '../../server/src/plan/planReport';
import { fixtureJson, fixtureText } from './plan/fixtures';
import { pev2Plan } from '../support/pev2Plans';

/** The figures of each node: id, parent, label, role, inclusive and exclusive ms. */
function times(nodes: ReportNode[]): [number, number | null, string, string | undefined, number | undefined, number | undefined][] {
  return nodes.map((node) => [node.id, node.parent, node.label, node.role, node.inclusiveMs, node.exclusiveMs]);
}

function sumOfExclusive(nodes: ReportNode[]): number {
  return Math.round(nodes.reduce((sum, node) => sum + (node.exclusiveMs ?? 0), 0) * 1000) / 1000;
}

describe('planReport: the model', () => {
  it('numbers the nodes in pre-order and reads a PostgreSQL 15 JSON plan with buffers into exact figures', () => {
    const report = planReport(planFromExplainJson(fixtureJson('analyze')));
    assert.strictEqual(report.analyzed, true);
    assert.strictEqual(report.totalCost, 11344.28);
    const [sort, aggregate] = report.nodes;
    assert.deepStrictEqual(sort, {
      id: 0,
      parent: null,
      type: 'Sort',
      label: 'Sort',
      estimatedRows: 4,
      startupCost: 11344.27,
      totalCost: 11344.28,
      exclusiveCost: 0.05,
      details: [
        ['Parallel Aware', 'false'],
        ['Async Capable', 'false'],
        ['Plan Width', '11'],
        ['Actual Startup Time', '97.237'],
        ['Sort Key', '(count(*)) DESC'],
        ['Sort Method', 'quicksort'],
        ['Sort Space Used', '25'],
        ['Sort Space Type', 'Memory'],
        ['Local Hit Blocks', '0'],
        ['Local Read Blocks', '0'],
        ['Local Dirtied Blocks', '0'],
        ['Local Written Blocks', '0'],
      ],
      actualRows: 1,
      loops: 1,
      misestimate: { factor: 4, direction: 'over' },
      inclusiveMs: 97.241,
      exclusiveMs: 0.035,
      buffers: { sharedHit: 6234, sharedRead: 109, sharedDirtied: 0, sharedWritten: 0, tempRead: 0, tempWritten: 0 },
    });
    assert.deepStrictEqual([aggregate.parent, aggregate.label, aggregate.role, aggregate.exclusiveMs, aggregate.exclusiveCost], [0, 'HashAggregate', 'Outer', 15.035, 633.5]);
  });

  it('gives an estimate-only plan its costs and no times, misestimates or buffers', () => {
    const report = planReport(parseTextPlan(fixtureText('cte-and-subplans')));
    assert.strictEqual(report.analyzed, false);
    for (const node of report.nodes) {
      assert.deepStrictEqual([node.actualRows, node.loops, node.inclusiveMs, node.exclusiveMs, node.misestimate, node.buffers], [undefined, undefined, undefined, undefined, undefined, undefined]);
    }
    assert.strictEqual(report.planningMs, undefined);
  });

  it("takes a CTE's time from the CTE Scan that read it, not from the node it hangs from (PostgreSQL 10+, text)", () => {
    const report = planReport(pev2Plan('cte-exclusive-time/02.plan'));
    assert.deepStrictEqual(times(report.nodes), [
      [0, null, 'Append', undefined, 504.954, 0.01],
      [1, 0, 'Function Scan on generate_series i', 'CTE x', 504.88, 504.88],
      [2, 0, 'CTE Scan on x', 'Member', 504.937, 0.057],
      [3, 0, 'CTE Scan on x x_1', 'Member', 0.007, 0.007],
    ]);
    assert.deepStrictEqual([report.planningMs, report.executionMs], [0.499, 505.124]);
  });

  it("takes an InitPlan's time from the node that uses its parameter, and a nested one's from where it hangs (9.4–9.6)", () => {
    const report = planReport(pev2Plan('cte-exclusive-time/05.plan'));
    assert.deepStrictEqual(times(report.nodes), [
      [0, null, 'Aggregate', undefined, 1938.292, 7.146],
      [1, 0, 'Result', 'InitPlan 2 (returns $1)', 1736.419, 9.101],
      [2, 1, 'Bitmap Heap Scan on user_data_read_access udr', 'InitPlan 1 (returns $0)', 1727.318, 1656.313],
      [3, 2, 'Bitmap Index Scan on user_data_read_access_uk1', 'Outer', 71.005, 71.005],
      [4, 0, 'Index Scan using pk_vendor on vendor v', 'Outer', 1931.146, 194.727],
    ]);
    assert.deepStrictEqual(report.nodes[4].misestimate, { factor: 12446.8, direction: 'under' });
  });

  it('multiplies by loops: the CTE Scan run 4379 times holds the CTE it reads (9.4–9.6)', () => {
    const report = planReport(pev2Plan('cte-exclusive-time/01.plan'));
    assert.deepStrictEqual(
      times(report.nodes).slice(6),
      [
        [6, 0, 'CTE Scan on acl_row', 'Inner', 2846.35, 188.297],
        [7, 6, 'Result', 'CTE acl_row', 2658.053, 2658.053],
      ],
    );
  });

  it("adds the exclusive times up to the root's time in every cte-exclusive-time plan, SubPlans and recursive CTEs included", () => {
    for (const file of ['01', '02', '03', '04', '05']) {
      const report = planReport(pev2Plan(`cte-exclusive-time/${file}.plan`));
      assert.strictEqual(sumOfExclusive(report.nodes), report.nodes[0].inclusiveMs, file);
    }
    const report = planReport(pev2Plan('cte-exclusive-time/03.plan'));
    // SubPlan 3 runs once per row of the Subquery Scan it hangs from: its 667 ms come off that node's.
    assert.deepStrictEqual(times(report.nodes)[40], [40, 0, 'Aggregate', 'SubPlan 3', 666.995, 266.798]);
    assert.strictEqual(report.nodes[0].exclusiveMs, 36.036);
  });

  it('counts a node under a Gather once per process, not once per loop: the workers ran side by side (text and JSON)', () => {
    const text = planReport(pev2Plan('inline/04-actual-duration-parallel-from-text.spec.1.plan'));
    assert.deepStrictEqual(times(text.nodes), [
      [0, null, 'Gather Merge', undefined, 3749.583, 1781.795],
      [1, 0, 'Sort', 'Outer', 1967.788, 1581.774],
      [2, 1, 'Parallel Seq Scan on public.t1', 'Outer', 386.014, 386.014],
    ]);
    assert.deepStrictEqual([text.nodes[2].actualRows, text.nodes[2].loops], [3333333, 3]);
    const json = planReport(pev2Plan('inline/04-actual-duration-parallel.spec.1.plan'));
    assert.deepStrictEqual(times(json.nodes), [
      [0, null, 'Gather Merge', undefined, 3805.404, 1784.846],
      [1, 0, 'Sort', 'Outer', 2020.558, 1619.877],
      [2, 1, 'Parallel Seq Scan on t1', 'Outer', 400.681, 400.681],
    ]);
  });

  it("reads the text format's Buffers line into buffers", () => {
    const report = planReport(pev2Plan('inline/14-wal.spec.1.plan'));
    assert.deepStrictEqual(report.nodes[1].buffers, { sharedHit: 10065, sharedRead: 2, sharedDirtied: 22, sharedWritten: 22, tempRead: 0, tempWritten: 0 });
    assert.ok(!report.nodes[1].details.some(([key]) => key === 'Buffers'));
    assert.deepStrictEqual(
      report.nodes[1].details.find(([key]) => key === 'WAL'),
      ['WAL', 'records=10000 bytes=660000'],
    );
  });

  it('leaves a node that never ran with no misestimate, and exclusive time at 0 where printed figures do not add up', () => {
    const report = planReport(pev2Plan('from-text/18-plan'));
    // PostgreSQL 8's SubPlan measured 100 ms inside an Index Scan of 58 ms: timing overhead.
    assert.deepStrictEqual(times(report.nodes).slice(0, 2), [
      [0, null, 'Index Scan using id_contact_event_idx on of_contact_event e', undefined, 58.497, 0],
      [1, 0, 'Limit', 'SubPlan', 100.26, 0],
    ]);
    assert.deepStrictEqual([report.nodes[4].loops, report.nodes[4].misestimate], [0, undefined]);
  });
});
