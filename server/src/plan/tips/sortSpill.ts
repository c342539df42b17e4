/**
 * `sort-spill`: a Sort that did not fit in work_mem. In ANALYZE output the plan proves it:
 * `Sort Method: external merge  Disk: 125168kB` (JSON: `Sort Space Type: Disk`). For a plan
 * without ANALYZE, only with a PlanContext (the database's work_mem): planInsights' plan-sort-spill
 * check, which compares the rows the sort holds (width plus tuple header, as the planner counts)
 * with work_mem. Without either, the plan proves nothing and the tip stays quiet.
 *
 * The message and remedy are plan-sort-spill's (insights.ts, sortSpillInsight): an index that
 * returns the rows in order, a LIMIT, or a larger work_mem for this query.
 */
import { sortSpillInsight, type PlanContext } from '../insights';
import type { NodeTip } from './registry';
import { ancestorsOf } from './shared';

/** A context under which only what the plan measured (a sort on disk) counts. */
const PLAN_ONLY: PlanContext = {
  table: () => undefined,
  workMemKb: Infinity,
  hashMemMultiplier: 1,
  thresholds: { seqScanMinRows: Infinity, nestedLoopMaxOuterRows: Infinity, maxPlanCost: Infinity },
  embedded: false,
};

export const sortSpill: NodeTip = {
  id: 'sort-spill',
  check(id, input) {
    const node = input.nodes[id];
    if (node.nodeType !== 'Sort' && node.nodeType !== 'Incremental Sort') return undefined;
    // ANALYZE measured the sort: what it did decides, not an estimate against work_mem.
    const measured = node.raw['Sort Space Type'] !== undefined || node.raw['Sort Method'] !== undefined;
    const insight = sortSpillInsight(node, ancestorsOf(id, input), measured || !input.context ? PLAN_ONLY : input.context);
    return insight ? { message: insight.message } : undefined;
  },
};
