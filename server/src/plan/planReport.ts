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
import type { Plan } from './planModel';

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
