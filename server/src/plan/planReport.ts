/**
 * The plan report: one plan read into what a person looks at — numbered nodes with their figures
 * (inclusive and exclusive time and cost, estimated and actual rows, loops, buffers) and the
 * tips on the nodes that earn them. The CLI (`query-lens explain --format json`) prints it and
 * the plan viewer (webview) draws it; both get it from `planReport`, so they never disagree.
 *
 * Pure functions: nothing here talks to a database. A tip whose remedy is an index carries the
 * index as a candidate; whether the planner would use it is for advise/verifyIndex.ts to say
 * (the server and the CLI verify it and set `index.verified`).
 */
import { numberOf } from './figures';
import { isSubplan, nodeLabel, ownCost, walkPlan, type Plan, type PlanNode } from './planModel';
import type { PlanContext } from './insights';
import { planTips } from './tips/registry';

/** The ids of the tips, each with its page in docs/tips. */
export const PLAN_TIP_IDS = [
  'row-misestimate',
  'rows-removed-by-filter',
  'seq-scan-index',
  'sort-spill',
  'hash-batches',
  'lossy-bitmap',
  'heap-fetches',
  'nested-loop-loops',
  'subplan-per-row',
  'workers-not-launched',
] as const;
export type PlanTipId = (typeof PLAN_TIP_IDS)[number];

export interface ReportNode {
  /** Pre-order position in the plan, 0 for the root: EXPLAIN's own printing order. */
  id: number;
  /** The parent's `id`; null for the root. */
  parent: number | null;
  /** PostgreSQL's node type: `Seq Scan`, `Hash Join`, `Nested Loop`. */
  type: string;
  /** What EXPLAIN's text format prints on the node's line: `Index Scan Backward using i on t x`. */
  label: string;
  /** The relation's name without its schema. */
  relation?: string;
  schema?: string;
  alias?: string;
  index?: string;
  /** InitPlan, SubPlan, Outer, Inner… and the subplan's name when it has one. */
  role?: string;
  /** The planner's rows per loop. */
  estimatedRows: number;
  /** From ANALYZE: rows per loop. */
  actualRows?: number;
  loops?: number;
  startupCost: number;
  totalCost: number;
  /** The node's own cost (its total less its children's, see planModel's ownCost). */
  exclusiveCost: number;
  /** From ANALYZE: the node's time over all its loops, children included, in ms. */
  inclusiveMs?: number;
  /** From ANALYZE: the node's own time over all loops (children, CTE scans and InitPlans taken out), in ms. */
  exclusiveMs?: number;
  /**
   * From ANALYZE: how far the estimate was off, as a factor ≥ 1, and which way (`under`: more
   * rows came than the planner thought).
   */
  misestimate?: { factor: number; direction: 'under' | 'over' };
  /** Buffers, when EXPLAIN printed them (BUFFERS): shared blocks hit, read, dirtied, written; temp read and written. */
  buffers?: { sharedHit: number; sharedRead: number; sharedDirtied: number; sharedWritten: number; tempRead: number; tempWritten: number };
  /**
   * The node's other properties for its detail panel, as EXPLAIN names them, in EXPLAIN's order:
   * `["Filter", "(status = 'paid'::text)"]`, `["Rows Removed by Filter", "9990"]`, `["Sort Key", "created_at DESC"]`.
   */
  details: [string, string][];
}

/** An index a tip names: a candidate until verified (see advise/verifyIndex.ts). */
export interface TipIndex {
  schema?: string;
  table: string;
  /** Keys in order, as a CREATE INDEX writes them (an expression key as its text). */
  columns: string[];
  where?: string;
  include?: string[];
  /** `CREATE INDEX ON …`, unnamed. */
  statement: string;
  verified: 'hypopg' | 'embedded' | 'none';
  /** Why it is unverified (`verified: 'none'`). */
  reason?: string;
  costBefore?: number;
  costAfter?: number;
}

export interface PlanTip {
  id: PlanTipId;
  /** The `id` of the node it is on. */
  node: number;
  /** One or two sentences: what the node shows, with its figures, and the remedy. */
  message: string;
  index?: TipIndex;
}

export interface PlanReport {
  nodes: ReportNode[];
  tips: PlanTip[];
  /** The root's total cost. */
  totalCost: number;
  /** Whether the plan carries ANALYZE figures. */
  analyzed: boolean;
  planningMs?: number;
  executionMs?: number;
}

export type { Plan };

/**
 * The plan read into numbered nodes with their figures, and the tips on them (ordered by node).
 * `context` (the database's statistics and work_mem, as planInsights takes them) lets the tips
 * that need it judge an estimate-only plan; without it they say only what the plan itself proves.
 */
export function planReport(plan: Plan, context?: PlanContext): PlanReport {
  const planNodes: PlanNode[] = [];
  const parents: (number | null)[] = [];
  const ids = new Map<PlanNode, number>();
  walkPlan(plan, (node, parent) => {
    ids.set(node, planNodes.length);
    parents.push(parent ? ids.get(parent)! : null);
    planNodes.push(node);
  });
  const times = timesOf(plan, planNodes);
  const nodes = planNodes.map((node, id) => reportNode(node, id, parents[id], times));
  const report: PlanReport = {
    nodes,
    tips: [],
    totalCost: plan.root.totalCost,
    analyzed: planNodes.some((node) => node.actual !== undefined),
  };
  if (plan.planningTime !== undefined) report.planningMs = plan.planningTime;
  if (plan.executionTime !== undefined) report.executionMs = plan.executionTime;
  report.tips = planTips({ plan, nodes: planNodes, report: nodes, context });
  return report;
}

/** The keys a ReportNode carries in its own fields, left out of `details`. */
const SHOWN_ELSEWHERE = new Set([
  'Node Type',
  'Relation Name',
  'Schema',
  'Alias',
  'Index Name',
  'Parent Relationship',
  'Subplan Name',
  'Startup Cost',
  'Total Cost',
  'Plan Rows',
  'Actual Rows',
  'Actual Loops',
  'Actual Total Time',
  'Shared Hit Blocks',
  'Shared Read Blocks',
  'Shared Dirtied Blocks',
  'Shared Written Blocks',
  'Temp Read Blocks',
  'Temp Written Blocks',
]);

function reportNode(node: PlanNode, id: number, parent: number | null, times: Map<PlanNode, NodeTimes>): ReportNode {
  const report: ReportNode = {
    id,
    parent,
    type: node.nodeType,
    label: nodeLabel(node),
    estimatedRows: node.planRows,
    startupCost: node.startupCost,
    totalCost: node.totalCost,
    // Costs are printed to the hundredth: further digits are the subtraction's noise.
    exclusiveCost: Math.round(ownCost(node) * 100) / 100,
    details: [],
  };
  if (node.relationName !== undefined) report.relation = node.relationName;
  if (node.schema !== undefined) report.schema = node.schema;
  if (node.alias !== undefined) report.alias = node.alias;
  if (node.indexName !== undefined) report.index = node.indexName;
  // The subplan's name says what it is (`InitPlan 1 (returns $0)`, `SubPlan 2`, `CTE recent`),
  // as EXPLAIN's text prints it above the node; other children have their relationship.
  const role = node.subplanName ?? node.parentRelationship;
  if (role !== undefined) report.role = role;
  if (node.actual) {
    report.actualRows = node.actual.rows;
    report.loops = node.actual.loops;
    const misestimate = misestimateOf(node);
    if (misestimate) report.misestimate = misestimate;
  }
  const time = times.get(node);
  if (time) {
    report.inclusiveMs = time.inclusive;
    report.exclusiveMs = time.exclusive;
  }
  const buffers = buffersOf(node);
  if (buffers) report.buffers = buffers;
  for (const [key, value] of Object.entries(node.raw)) {
    if (SHOWN_ELSEWHERE.has(key) || value === undefined || value === null) continue;
    // Text output's `Buffers:` line is read into `buffers`.
    if (key === 'Buffers' && buffers) continue;
    report.details.push([key, detailText(value)]);
  }
  return report;
}

/** A property's value as the detail panel shows it: lists joined with ", ", objects as JSON. */
function detailText(value: unknown): string {
  if (Array.isArray(value)) return value.map(detailText).join(', ');
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/**
 * How far the planner's rows per loop were from the actual rows per loop, as a factor ≥ 1. Both
 * counts are taken as at least 1: the planner never estimates fewer than one row (clamp_row_est),
 * so an estimate of 1 for a node that returned nothing (or 0.25 rows per loop, as PostgreSQL 18
 * prints) was as good as it could be, and the factor never divides by zero. Undefined for a node
 * that never ran (no rows to compare) and for an exact estimate (nothing was off).
 */
export function misestimateOf(node: PlanNode): ReportNode['misestimate'] {
  if (!node.actual || node.actual.loops === 0) return undefined;
  const actual = Math.max(node.actual.rows, 1);
  const estimated = Math.max(node.planRows, 1);
  if (actual === estimated) return undefined;
  return actual > estimated ? { factor: actual / estimated, direction: 'under' } : { factor: estimated / actual, direction: 'over' };
}

type Buffers = NonNullable<ReportNode['buffers']>;

/**
 * The node's buffers: JSON's `Shared Hit Blocks` and the like, or the text format's
 * `Buffers: shared hit=12 read=3, temp written=5` (which leaves out the zeros).
 */
export function buffersOf(node: PlanNode): Buffers | undefined {
  const raw = node.raw;
  const keys: [keyof Buffers, string][] = [
    ['sharedHit', 'Shared Hit Blocks'],
    ['sharedRead', 'Shared Read Blocks'],
    ['sharedDirtied', 'Shared Dirtied Blocks'],
    ['sharedWritten', 'Shared Written Blocks'],
    ['tempRead', 'Temp Read Blocks'],
    ['tempWritten', 'Temp Written Blocks'],
  ];
  const buffers: Buffers = { sharedHit: 0, sharedRead: 0, sharedDirtied: 0, sharedWritten: 0, tempRead: 0, tempWritten: 0 };
  if (keys.some(([, key]) => key in raw)) {
    for (const [field, key] of keys) buffers[field] = numberOf(raw[key]) ?? 0;
    return buffers;
  }
  if (typeof raw.Buffers !== 'string') return undefined;
  let found = false;
  for (const segment of raw.Buffers.split(',')) {
    const scope = /^\s*(shared|local|temp)\s+(.*)$/.exec(segment);
    if (!scope || scope[1] === 'local') continue;
    for (const [, kind, count] of scope[2].matchAll(/(hit|read|dirtied|written)=(\d+)/g)) {
      const field = `${scope[1]}${kind.charAt(0).toUpperCase()}${kind.slice(1)}` as keyof Buffers;
      if (field in buffers) {
        buffers[field] = Number(count);
        found = true;
      }
    }
  }
  return found ? buffers : undefined;
}

interface NodeTimes {
  inclusive: number;
  exclusive: number;
}

/**
 * Inclusive and exclusive time of every node that has `Actual Total Time`.
 *
 * Inclusive: EXPLAIN prints the time of one loop (the average), so the node's time is that times
 * its loops. Under a Gather, though, `loops` counts the processes that ran the node (the workers
 * and, unless parallel_leader_participation is off, the leader) and they ran side by side: as
 * pev2 does, the sum is divided by the number of processes, which gives the time the node took
 * in each of them, the wall-clock share it had of the Gather's time. (depesz multiplies by loops
 * and so counts parallel work two or three times over: its exclusive times then add up to more
 * than the query took.) A nested loop's inner side under a Gather still counts its repetitions:
 * its loops are the processes times the outer rows, divided by the processes only.
 *
 * Exclusive: the inclusive time less that of the children that ran inside it: its inputs, and
 * SubPlans (which its own expressions run, row by row). Not its InitPlans and CTEs: PostgreSQL
 * runs those when something first needs their result, and their time shows in that consumer —
 * a CTE in the `CTE Scan`s that read it, an InitPlan in the node whose condition uses its
 * parameter (`$0`, or `(InitPlan 1).col1` since PostgreSQL 16), not in the node they hang from
 * (see cte-exclusive-time in pev2's fixtures: the CTE Scan on x holds the 505 ms of CTE x). So
 * an InitPlan's time is taken from its consumers in EXPLAIN's order, from each no more than its
 * own time, and what no consumer can account for (an InitPlan used in an output list, which
 * EXPLAIN prints only with VERBOSE) from the node it hangs from. The exclusive times then add up
 * to the root's time. Never below 0: rounding in the printed figures can make a child look longer
 * than its parent.
 */
function timesOf(plan: Plan, nodes: PlanNode[]): Map<PlanNode, NodeTimes> {
  const inclusive = new Map<PlanNode, number>();
  const visit = (node: PlanNode, processes: number): void => {
    const total = node.actual?.totalTime;
    if (total !== undefined) inclusive.set(node, (total * node.actual!.loops) / processes);
    const below = node.nodeType === 'Gather' || node.nodeType === 'Gather Merge' ? processesUnder(node) : processes;
    for (const child of node.children) visit(child, isSubplan(child) ? processes : below);
  };
  visit(plan.root, 1);

  // Each node's own time: what it took less its inputs and SubPlans.
  const own = new Map<PlanNode, number>();
  for (const node of nodes) {
    const time = inclusive.get(node);
    if (time === undefined) continue;
    const inside = node.children.filter((child) => child.parentRelationship !== 'InitPlan').reduce((sum, child) => sum + (inclusive.get(child) ?? 0), 0);
    own.set(node, time - inside);
  }
  // InitPlans and CTEs: their time comes off their consumers'.
  const parentOf = new Map<PlanNode, PlanNode>();
  for (const node of nodes) for (const child of node.children) parentOf.set(child, node);
  for (const initPlan of nodes.filter((node) => node.parentRelationship === 'InitPlan')) {
    let remaining = inclusive.get(initPlan) ?? 0;
    if (remaining <= 0) continue;
    const inside = new Set<PlanNode>();
    walkPlan({ root: initPlan }, (node) => inside.add(node));
    const consumes = consumerTest(initPlan);
    for (const node of nodes) {
      if (remaining <= 0) break;
      if (inside.has(node) || !consumes(node)) continue;
      const available = own.get(node);
      if (available === undefined || available <= 0) continue;
      const taken = Math.min(available, remaining);
      own.set(node, available - taken);
      remaining -= taken;
    }
    const parent = parentOf.get(initPlan);
    if (remaining > 0 && parent && own.has(parent)) own.set(parent, own.get(parent)! - remaining);
  }
  const times = new Map<PlanNode, NodeTimes>();
  for (const [node, time] of inclusive) times.set(node, { inclusive: milliseconds(time), exclusive: milliseconds(Math.max(0, own.get(node) ?? 0)) });
  return times;
}

/** EXPLAIN prints times to the microsecond: further digits are the arithmetic's noise (504.937 − 504.88 = 0.05700000000001637). */
function milliseconds(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * The processes that ran a Gather's plan: the workers launched (planned, when the plan does not
 * say) and the leader, unless its input ran in the workers alone (loops = workers:
 * parallel_leader_participation off, or a leader busy gathering).
 */
function processesUnder(gather: PlanNode): number {
  const workers = numberOf(gather.raw['Workers Launched']) ?? numberOf(gather.raw['Workers Planned']) ?? 0;
  const input = gather.children.find((child) => !isSubplan(child));
  if (workers > 0 && input?.actual && input.actual.loops === workers) return workers;
  return workers + 1;
}

/** Which nodes use an InitPlan's result: the CTE Scans of a CTE, the nodes that name its parameter. */
function consumerTest(initPlan: PlanNode): (node: PlanNode) => boolean {
  const name = initPlan.subplanName ?? '';
  const cte = /^CTE\s+(.+)$/.exec(name);
  if (cte) {
    const cteName = cte[1].startsWith('"') ? cte[1].slice(1, -1).replace(/""/g, '"') : cte[1];
    return (node) => node.nodeType === 'CTE Scan' && node.raw['CTE Name'] === cteName;
  }
  const returns = /\(returns ([^)]*)\)/.exec(name);
  const patterns = returns
    ? returns[1].split(',').map((param) => new RegExp(`${param.trim().replace('$', '\\$')}(?!\\d)`))
    : /^InitPlan (\d+)/.test(name)
      ? [new RegExp(`\\(InitPlan ${/^InitPlan (\d+)/.exec(name)![1]}\\)\\.col\\d+`)]
      : [];
  if (patterns.length === 0) return () => false;
  return (node) =>
    Object.entries(node.raw).some(([key, value]) => key !== 'Subplan Name' && (typeof value === 'string' || Array.isArray(value)) && patterns.some((pattern) => pattern.test(detailText(value))));
}
