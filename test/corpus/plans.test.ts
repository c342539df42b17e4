import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { CORPUS } from './corpus';
import { initParsers } from '../../server/src/analyze/parse';
import { planInsights, type PlanContext } from '../../server/src/plan/insights';
import { PlanParseError, parseTextPlan, planFromExplainJson, renderPlanText, summarisePlan, walkPlan, type Plan, type PlanNode } from '../../server/src/plan/planModel';

/**
 * The plan parsers over pev2's test plans (shared/corpora/pev2-plans, beside the regression
 * corpus): 168 EXPLAIN outputs of PostgreSQL 8.4 to 18, text and JSON, pasted from psql in every
 * frame style, from pgAdmin, DBeaver and terminals that wrapped them, with their index.json.
 */
const PLANS = path.join(path.dirname(CORPUS), 'pev2-plans');

interface CorpusPlan {
  file: string;
  /** `text`, `json`, `json (wrapped in psql output/noise)`, `json (CSV-quoted, doubled quotes)`. */
  format: string;
  node_count: number;
  /** `expect-file`: pev2's expected model lists only the nodes its test checks. */
  node_count_source: string;
  expected_output_file?: string;
}

/** pev2 expects these to fail: the text stops in the middle of a node's line. */
const CUT_OFF = new Set(['inline/1-parse-error-line-break.spec.1.plan']);

function readPlans(): CorpusPlan[] {
  const index = path.join(PLANS, 'index.json');
  if (!fs.existsSync(index)) {
    throw new Error(`the plan corpus is not at ${PLANS}: put shared/ beside the repository, or set QUERY_LENS_SHARED to its folder`);
  }
  return (JSON.parse(fs.readFileSync(index, 'utf8')) as { plans: CorpusPlan[] }).plans;
}

function readPlan(entry: CorpusPlan): Plan {
  const source = fs.readFileSync(path.join(PLANS, entry.file), 'utf8');
  return entry.format.startsWith('json') ? planFromExplainJson(source) : parseTextPlan(source);
}

function nodesOf(plan: Plan): PlanNode[] {
  const nodes: PlanNode[] = [];
  walkPlan(plan, (node) => nodes.push(node));
  return nodes;
}

/** What survives any drawing: the node's type and figures. */
function estimatesOf(plan: Plan): string[] {
  return nodesOf(plan).map((node) => `${node.nodeType} ${node.startupCost}..${node.totalCost} rows=${node.planRows} width=${node.planWidth}`);
}

describe('plan parsers over the pev2 plan corpus', function () {
  this.timeout(60_000);
  const plans = readPlans();
  const readable = plans.filter((entry) => !CUT_OFF.has(entry.file));

  it('reads every plan with the parser its format calls for, finding every node', () => {
    const failures: string[] = [];
    for (const entry of readable) {
      try {
        const count = nodesOf(readPlan(entry)).length;
        const expected = entry.node_count;
        const countOk = entry.node_count_source === 'expect-file' ? count >= expected : count === expected;
        if (!countOk) failures.push(`${entry.file}: ${count} nodes, index.json says ${expected} (${entry.node_count_source})`);
      } catch (error) {
        failures.push(`${entry.file}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    assert.strictEqual(readable.length, 167);
    assert.deepStrictEqual(failures, []);
  });

  it('rejects a plan cut off inside a node line', () => {
    for (const file of CUT_OFF) {
      const entry = plans.find((plan) => plan.file === file)!;
      assert.throws(() => readPlan(entry), PlanParseError);
    }
  });

  it('reads the JSON and text outputs of one query alike, whatever psql drew around them', () => {
    const pairs = readable.filter((entry) => entry.file.startsWith('11-psql-frames/json-'));
    assert.strictEqual(pairs.length, 15);
    for (const json of pairs) {
      const text = readable.find((entry) => entry.file === json.file.replace('/json-', '/text-'));
      if (!text) continue;
      const fromJson = nodesOf(readPlan(json)).map((node) => [node.nodeType, node.relationName, node.alias, node.filter, node.totalCost]);
      const fromText = nodesOf(readPlan(text)).map((node) => [node.nodeType, node.relationName, node.alias, node.filter, node.totalCost]);
      assert.deepStrictEqual(fromText, fromJson, text.file);
    }
  });

  it("finds every figure of pev2's expected models", () => {
    const figures = ['Startup Cost', 'Total Cost', 'Plan Rows', 'Plan Width', 'Actual Rows', 'Actual Loops', 'Actual Total Time'];
    const failures: string[] = [];
    const compare = (file: string, expected: Record<string, unknown>, node: PlanNode | undefined, where: string): void => {
      if (!node) {
        failures.push(`${file} ${where}: no such node`);
        return;
      }
      for (const figure of figures) {
        if (expected[figure] !== undefined && Number(expected[figure]) !== node.raw[figure]) {
          failures.push(`${file} ${where} ${figure}: ${String(node.raw[figure])}, expected ${String(expected[figure])}`);
        }
      }
      ((expected.Plans ?? []) as Record<string, unknown>[]).forEach((child, index) => compare(file, child, node.children[index], `${where}.${index}`));
    };
    let compared = 0;
    const withExpectations = readable.filter((plan) => plan.expected_output_file);
    for (const entry of withExpectations) {
      const expected = JSON.parse(fs.readFileSync(path.join(PLANS, entry.expected_output_file!), 'utf8')) as Record<string, unknown>;
      const plan = readPlan(entry);
      compared++;
      if (!expected.Plan) {
        // The I/O timing pairs expect the root node's times (keys starting `*` are pev2's own sums).
        const figures = Object.entries(expected).filter(([key]) => !key.startsWith('*'));
        assert.ok(figures.length > 0, `${entry.file}: nothing to compare`);
        for (const [key, value] of figures) {
          if (plan.root.raw[key] !== value) failures.push(`${entry.file} root ${key}: ${String(plan.root.raw[key])}, expected ${String(value)}`);
        }
        continue;
      }
      compare(entry.file, expected.Plan as Record<string, unknown>, plan.root, 'root');
      if (expected['Execution Time'] !== undefined && expected['Execution Time'] !== plan.executionTime) failures.push(`${entry.file}: Execution Time ${plan.executionTime}`);
      if (expected['Planning Time'] !== undefined && expected['Planning Time'] !== plan.planningTime) failures.push(`${entry.file}: Planning Time ${plan.planningTime}`);
    }
    // Every pair is compared: none is passed over.
    assert.strictEqual(compared, 69);
    assert.deepStrictEqual(failures, []);
  });

  it('draws every JSON plan as text that reads back to the same nodes and figures', () => {
    const json = readable.filter((entry) => entry.format.startsWith('json'));
    assert.strictEqual(json.length, 25);
    for (const entry of json) {
      const plan = readPlan(entry);
      assert.deepStrictEqual(estimatesOf(parseTextPlan(renderPlanText(plan))), estimatesOf(plan), entry.file);
    }
  });

  it('draws every plan the same once read back from its drawing', () => {
    for (const entry of readable) {
      const drawn = renderPlanText(readPlan(entry));
      assert.strictEqual(renderPlanText(parseTextPlan(drawn)), drawn, entry.file);
    }
  });

  it("answers what pev2's specs ask, in the model's terms", () => {
    const plan = (file: string): Plan => readPlan(readable.find((entry) => entry.file === file)!);
    assert.deepStrictEqual(
      plan('inline/11-mix-tabs-spaces.spec.1.plan').root.children.map((child) => child.subplanName ?? child.nodeType),
      ['CTE artist_count', 'Seq Scan', 'Hash'],
    );
    assert.ok(String(plan('inline/13-query-text.spec.1.plan').raw?.['Query Text']).includes('WHERE oid = indrelid AND indisunique'));
    assert.deepStrictEqual(plan('inline/13-query-text.spec.2.plan').raw?.Settings, { work_mem: '100kB' });
    assert.strictEqual(plan('inline/16-quote-last-line.spec.1.plan').executionTime, 127241.78);
    assert.strictEqual(plan('inline/16-quote-last-line.spec.2.plan').executionTime, 127241.78);
    assert.strictEqual((plan('inline/22-triggers.spec.3.plan').raw?.Triggers as unknown[]).length, 7);
    assert.strictEqual((plan('inline/20-insert-modifytable.spec.2.plan').raw?.Triggers as unknown[]).length, 2);
    assert.deepStrictEqual([plan('inline/20-insert-modifytable.spec.1.plan').root.nodeType, plan('inline/20-insert-modifytable.spec.1.plan').root.operation], ['ModifyTable', 'Insert']);
    assert.strictEqual(plan('inline/plan-service.spec.10.plan').root.children[1].nodeType, 'Merge Join');
    assert.deepStrictEqual(
      [plan('inline/plan-service.spec.7.plan').root.children[0].parentRelationship, plan('inline/plan-service.spec.8.plan').root.children[0].subplanName],
      ['InitPlan', 'CTE e'],
    );
    assert.deepStrictEqual([plan('inline/plan-service.spec.5.plan').root.planRows, plan('inline/plan-service.spec.5.plan').executionTime], [5, 0.17]);
    assert.strictEqual(plan('inline/plan-service.spec.6.plan').executionTime, 136.448);
    assert.strictEqual(plan('inline/1-parse-error-line-break.spec.2.plan').planningTime, 1.11);
    assert.deepStrictEqual([plan('inline/15-subquery-scan.spec.2.plan').root.nodeType, plan('inline/15-subquery-scan.spec.2.plan').root.alias], ['Subquery Scan', 'foo']);
    assert.deepStrictEqual([plan('inline/10-tid-scans.spec.1.plan').root.relationName, plan('inline/10-tid-scans.spec.1.plan').root.alias], ['pg_class', 'c']);
    assert.deepStrictEqual([plan('inline/24-parallel-aware.spec.1.plan').root.parallelAware, plan('inline/24-parallel-aware.spec.2.plan').root.parallelAware], [undefined, true]);
    assert.strictEqual(plan('inline/18-fractional-rows.spec.1.plan').root.children[1].children[0].actual?.rows, 0.25);
    assert.strictEqual((plan('inline/worker-actual-rows.spec.1.plan').root.raw.Workers as unknown[]).length, 2);
    assert.deepStrictEqual(plan('inline/plan-service.spec.12.plan').root.actual, { rows: 0, loops: 0 });
    assert.strictEqual(plan('inline/25-enable-parameter.spec.1.plan').root.raw.Disabled, true);
    assert.strictEqual(plan('inline/08-plan-without-cost.spec.1.plan').costs, false);
    assert.strictEqual(plan('inline/plan-service.spec.2.plan').root.planRows, 1270);
    assert.strictEqual(plan('inline/25-cleanup-source-backtracking.spec.1.plan').root.nodeType, 'Seq Scan');
  });

  it('gives insights and a summary for every plan without throwing', async () => {
    await initParsers();
    const context: PlanContext = {
      table: () => undefined,
      workMemKb: 4096,
      hashMemMultiplier: 2,
      thresholds: { seqScanMinRows: 10000, nestedLoopMaxOuterRows: 10000, maxPlanCost: 100000 },
      embedded: false,
    };
    for (const entry of readable) {
      const plan = readPlan(entry);
      for (const insight of planInsights(plan, context)) assert.ok(insight.message.endsWith('.'), `${entry.file}: ${insight.message}`);
      assert.ok(summarisePlan(plan).length > 0, entry.file);
    }
  });
});
