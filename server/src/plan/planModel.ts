/**
 * The plan model: PostgreSQL's `EXPLAIN` output (JSON, or text as pasted) read into typed nodes,
 * and the small questions every consumer asks of it (walk it, draw it as text, say in one line
 * what it costs). Pure functions; nothing here talks to a database.
 *
 * Both parsers produce the same model: the text parser first rebuilds the JSON document that
 * `EXPLAIN (FORMAT JSON)` would have printed (`Node Type`, `Join Type`, `Relation Name`, … from
 * labels such as `Hash Left Join` or `Index Scan Backward using i on t x`), and that document is
 * read like any other.
 */
import { PlanParseError, pastedPlanJson } from './pastedPlan';
import { describeNode, explainDocumentFromText } from './planText';
import { compactCount, formatCost, numberOf } from './figures';
import { firstScanOf, repeatedSubplanOf } from './subplans';

export { renderPlanText, nodeLabel, describeNode } from './planText';
export { PlanParseError } from './pastedPlan';

export interface PlanNode {
  /** EXPLAIN's JSON `Node Type`: "Seq Scan", "Index Scan", "Hash Join", "Aggregate", "ModifyTable", … */
  nodeType: string;
  relationName?: string;
  schema?: string;
  alias?: string;
  indexName?: string;
  /** Joins: "Inner", "Left", "Full", "Right", "Semi", "Anti", "Right Semi", "Right Anti". */
  joinType?: string;
  /** Aggregate: "Plain", "Sorted", "Hashed", "Mixed"; SetOp: "Sorted", "Hashed". */
  strategy?: string;
  /** "Outer", "Inner", "Member", "Subquery", "InitPlan", "SubPlan". */
  parentRelationship?: string;
  startupCost: number;
  totalCost: number;
  /** The planner's row estimate, per loop (and, under a Gather, per process). */
  planRows: number;
  /** The planner's estimate of the average row width, in bytes. */
  planWidth: number;
  filter?: string;
  indexCond?: string;
  recheckCond?: string;
  hashCond?: string;
  mergeCond?: string;
  joinFilter?: string;
  sortKey?: string[];
  groupKey?: string[];
  /** Only from ANALYZE output (pasted or corpus plans): the server itself never runs ANALYZE. */
  actual?: { startupTime?: number; totalTime?: number; rows: number; loops: number };
  /** `Parallel Seq Scan` and the like: the node shares its work with the other processes under a Gather. */
  parallelAware?: boolean;
  /** Aggregates split for parallelism: "Partial" (in the workers) or "Finalize" (above the Gather). */
  partialMode?: string;
  /** ModifyTable: "Insert", "Update", "Delete", "Merge"; Foreign Scan: "Select", "Insert", … */
  operation?: string;
  /** InitPlans, SubPlans and CTEs: "InitPlan 1 (returns $0)", "SubPlan 2", "CTE recent". */
  subplanName?: string;
  children: PlanNode[];
  /** The node's own properties as EXPLAIN's JSON names them (without `Plans`); from text, those the line gave. */
  raw: Record<string, unknown>;
}

export interface Plan {
  root: PlanNode;
  /** Milliseconds; EXPLAIN prints it with SUMMARY (on by default with ANALYZE). */
  planningTime?: number;
  /** Milliseconds; only from ANALYZE. */
  executionTime?: number;
  /** False when EXPLAIN ran with COSTS OFF: every cost, row and width figure is then 0. */
  costs?: boolean;
  /** The plan's own properties besides `Plan`: `Triggers`, `JIT`, `Settings`, `Planning`, `Query Text`, … */
  raw?: Record<string, unknown>;
}

/**
 * The plan in what `EXPLAIN (FORMAT JSON)` returns: `[ { "Plan": {…}, … } ]`, that object, or
 * either as JSON text (also as pasted from psql, pgAdmin or a CSV export).
 */
export function planFromExplainJson(json: unknown): Plan {
  let document = json;
  if (typeof document === 'string') {
    try {
      document = pastedPlanJson(document);
    } catch (error) {
      throw new PlanParseError(`not EXPLAIN's JSON output: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (Array.isArray(document)) document = document[0];
  if (!isRecord(document)) throw new PlanParseError('not EXPLAIN\'s JSON output: expected [ { "Plan": … } ]');
  // A bare node (someone copied only the "Plan" value) is a plan too.
  const top = isRecord(document.Plan) ? document.Plan : typeof document['Node Type'] === 'string' ? document : undefined;
  if (!top) throw new PlanParseError('not EXPLAIN\'s JSON output: no "Plan" in it');
  const { Plan: _plan, ...rest } = document;
  const plan: Plan = { root: nodeFromJson(top) };
  const planningTime = numberOf(rest['Planning Time']);
  // PostgreSQL 9.3 and older printed the execution time as "Total Runtime".
  const executionTime = numberOf(rest['Execution Time'] ?? rest['Total Runtime']);
  if (planningTime !== undefined) plan.planningTime = planningTime;
  if (executionTime !== undefined) plan.executionTime = executionTime;
  if (!('Total Cost' in top) && !('Startup Cost' in top)) plan.costs = false;
  if (top !== document && Object.keys(rest).length > 0) plan.raw = rest;
  return plan;
}

/** The plan in EXPLAIN's default text output, with or without ANALYZE, as pasted. */
export function parseTextPlan(text: string): Plan {
  return planFromExplainJson([explainDocumentFromText(text)]);
}

/**
 * A saved or pasted plan, as `explain --plan` and "Open Plan" read it: EXPLAIN's JSON when the
 * text holds a JSON document (bare or inside psql's frame), else its text format; with the JSON
 * document (rebuilt from the text for a text plan). A JSON document that does not read is
 * reported as such, not as text. Throws PlanParseError when it is no plan.
 */
export function readSavedPlan(source: string): { plan: Plan; json: unknown } {
  try {
    return { plan: planFromExplainJson(source), json: pastedPlanJson(source) };
  } catch (error) {
    if (!(error instanceof PlanParseError) && !(error instanceof SyntaxError)) throw error;
    const json = /^[\s|│║"+]*[[{]\s*$/m.test(source) || /^\s*[[{]/.test(source);
    if (json) throw error instanceof PlanParseError ? error : new PlanParseError(`not EXPLAIN's JSON output: ${(error as Error).message}`);
  }
  const document = [explainDocumentFromText(source)];
  const plan = planFromExplainJson(document);
  // The text parser takes any first line for the root; without figures, only a node's name
  // (`Seq Scan on t` under COSTS OFF) says it was EXPLAIN that printed it.
  if (plan.costs === false && !plan.root.actual && !/^[A-Z][A-Za-z]*(?: [A-Z][A-Za-z]*)*$/.test(plan.root.nodeType)) {
    throw new PlanParseError('no plan in the text: expected the output of EXPLAIN');
  }
  return { plan, json: document };
}

/** Calls `visit` for every node, parents before children, in the order EXPLAIN prints them. */
export function walkPlan(plan: Plan, visit: (node: PlanNode, parent: PlanNode | undefined) => void): void {
  const pending: [PlanNode, PlanNode | undefined][] = [[plan.root, undefined]];
  while (pending.length > 0) {
    const [node, parent] = pending.pop()!;
    visit(node, parent);
    for (let i = node.children.length - 1; i >= 0; i--) pending.push([node.children[i], node]);
  }
}

/**
 * The cost of the node's own work: its total cost less its children's, never below zero. A
 * nested loop's inner side is counted once in its child but once per outer row in the loop, so
 * the repetitions show as the loop's own cost, which is where they belong.
 */
export function ownCost(node: PlanNode): number {
  const children = node.children.reduce((sum, child) => sum + child.totalCost, 0);
  return Math.max(0, node.totalCost - children);
}

/**
 * How many rows each node is estimated to produce in all the processes that run it. Under a
 * Gather, a parallel-aware node and what is built on it estimate rows per process; the total is
 * that times PostgreSQL's parallel divisor (workers, plus the leader's share).
 */
export function estimatedRowsInAllProcesses(plan: Plan): Map<PlanNode, number> {
  const rows = new Map<PlanNode, number>();
  const visit = (node: PlanNode, divisor: number | undefined): boolean => {
    const workers = numberOf(node.raw['Workers Planned']);
    const below = workers !== undefined && node.nodeType.startsWith('Gather') ? parallelDivisor(workers) : divisor;
    let partial = false;
    node.children.forEach((child, index) => {
      const childPartial = visit(child, below);
      // A node's output is divided among the processes when its first (outer) input is.
      if (index === 0 && !isSubplan(child)) partial = childPartial;
    });
    partial = divisor !== undefined && (partial || node.parallelAware === true);
    rows.set(node, partial ? node.planRows * divisor! : node.planRows);
    return partial;
  };
  visit(plan.root, undefined);
  return rows;
}

/** costsize.c's get_parallel_divisor: each worker, plus what the leader does besides gathering. */
function parallelDivisor(workers: number): number {
  const leaderShare = 1 - 0.3 * workers;
  return workers + (leaderShare > 0 ? leaderShare : 0);
}

/** InitPlans, SubPlans and CTEs: children that are not the node's input. */
export function isSubplan(node: PlanNode): boolean {
  return node.parentRelationship === 'InitPlan' || node.parentRelationship === 'SubPlan';
}

/** Scans and joins: the steps whose cost a CodeLens names. */
function isScanOrJoin(node: PlanNode): boolean {
  return node.nodeType.endsWith('Scan') || node.nodeType.endsWith('Join') || node.nodeType === 'Nested Loop';
}

/** The node doing the most work of its own (by `ownCost`), among those `accept` takes. */
export function mostExpensiveNode(plan: Plan, accept: (node: PlanNode) => boolean = () => true): PlanNode | undefined {
  let best: PlanNode | undefined;
  walkPlan(plan, (node) => {
    if (accept(node) && (!best || ownCost(node) > ownCost(best))) best = node;
  });
  return best;
}

/**
 * One line for a CodeLens: the total cost, then the scan or join doing the most work of its
 * own, with its row estimate (said to be one, not rows read): `cost 9,412 · Seq Scan on orders (est. 480k rows)`.
 */
export function summarisePlan(plan: Plan): string {
  const node = mostExpensiveNode(plan, isScanOrJoin) ?? plan.root;
  if (plan.costs === false) return describeNode(node);
  const rows = Math.round(estimatedRowsInAllProcesses(plan).get(node) ?? node.planRows);
  // A step's cost is mostly a subquery it runs for each row: name that too (see plan-high-cost).
  const subplan = repeatedSubplanOf(node);
  const running = subplan ? ` running ${subplan.subplanName} (${describeNode(firstScanOf(subplan) ?? subplan)}) per row` : '';
  return `cost ${formatCost(plan.root.totalCost)} · ${describeNode(node)}${running} (est. ${compactCount(rows)} ${rows === 1 ? 'row' : 'rows'})`;
}

function nodeFromJson(json: Record<string, unknown>): PlanNode {
  const { Plans: plans, ...raw } = json;
  const node: PlanNode = {
    nodeType: stringOf(raw['Node Type']) ?? 'Unknown',
    startupCost: numberOf(raw['Startup Cost']) ?? 0,
    totalCost: numberOf(raw['Total Cost']) ?? 0,
    planRows: numberOf(raw['Plan Rows']) ?? 0,
    planWidth: numberOf(raw['Plan Width']) ?? 0,
    children: Array.isArray(plans) ? plans.filter(isRecord).map(nodeFromJson) : [],
    raw,
  };
  const strings: [keyof PlanNode, string][] = [
    ['relationName', 'Relation Name'],
    ['schema', 'Schema'],
    ['alias', 'Alias'],
    ['indexName', 'Index Name'],
    ['joinType', 'Join Type'],
    ['strategy', 'Strategy'],
    ['parentRelationship', 'Parent Relationship'],
    ['filter', 'Filter'],
    ['indexCond', 'Index Cond'],
    ['recheckCond', 'Recheck Cond'],
    ['hashCond', 'Hash Cond'],
    ['mergeCond', 'Merge Cond'],
    ['joinFilter', 'Join Filter'],
    ['partialMode', 'Partial Mode'],
    ['operation', 'Operation'],
    ['subplanName', 'Subplan Name'],
  ];
  const fields = node as unknown as Record<string, unknown>;
  for (const [field, key] of strings) {
    const value = stringOf(raw[key]);
    if (value !== undefined) fields[field] = value;
  }
  const sortKey = stringsOf(raw['Sort Key']);
  if (sortKey) node.sortKey = sortKey;
  const groupKey = stringsOf(raw['Group Key']);
  if (groupKey) node.groupKey = groupKey;
  if (raw['Parallel Aware'] === true) node.parallelAware = true;
  const actualRows = numberOf(raw['Actual Rows']);
  const actualLoops = numberOf(raw['Actual Loops']);
  if (actualRows !== undefined || actualLoops !== undefined) {
    node.actual = { rows: actualRows ?? 0, loops: actualLoops ?? 0 };
    const startupTime = numberOf(raw['Actual Startup Time']);
    const totalTime = numberOf(raw['Actual Total Time']);
    if (startupTime !== undefined) node.actual.startupTime = startupTime;
    if (totalTime !== undefined) node.actual.totalTime = totalTime;
  }
  return node;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A list property: JSON gives an array; a lone string is a list of one. */
function stringsOf(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;
}
