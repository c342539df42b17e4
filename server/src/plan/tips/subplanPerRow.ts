/**
 * `subplan-per-row`: a node that runs a SubPlan again for each of its rows (a correlated
 * subquery, or `NOT IN (SELECT …)` whose rows do not fit in work_mem), 1,000 times or more: its
 * loops under ANALYZE, or by the estimates, the runs costing a thousand times one run.
 *
 * Why: EXPLAIN gives the SubPlan node the cost and time of one run and puts all its runs on the
 * node that runs it, so the plan's costliest node is the scan, while the subquery is to blame.
 * A hashed SubPlan is built once and is left alone. Same threshold as nested-loop-loops: from a
 * thousand runs, the repetition alone takes milliseconds to seconds.
 *
 * Remedy (shared with plan-high-cost): NOT EXISTS for NOT IN, or work_mem to hash it; a join, or
 * an index for each run, for a correlated subquery.
 */
import { formatCost } from '../figures';
import { describeNode, ownCost } from '../planModel';
import { firstScanOf, repeatedSubplanOf, subplanRemedy } from '../subplans';
import type { NodeTip } from './registry';
import { rowsText } from './shared';

export const SUBPLAN_MIN_RUNS = 1000;

export const subplanPerRow: NodeTip = {
  id: 'subplan-per-row',
  check(id, input) {
    const node = input.nodes[id];
    const subplan = repeatedSubplanOf(node);
    if (!subplan) return undefined;
    const runs = input.report[input.nodes.indexOf(subplan)].loops;
    const what = `${describeNode(node)} runs ${subplan.subplanName} (${describeNode(firstScanOf(subplan) ?? subplan)}) again for each of its rows`;
    if (runs !== undefined) {
      if (runs < SUBPLAN_MIN_RUNS) return undefined;
      return { message: `${what}: ${rowsText(runs, 'time')}. ${subplanRemedy(node, subplan)}` };
    }
    // Estimates only: the node's own cost is mostly the runs, each costing the SubPlan's total.
    const share = ownCost(node);
    if (subplan.totalCost <= 0 || share < SUBPLAN_MIN_RUNS * subplan.totalCost) return undefined;
    return { message: `${what}: ~${formatCost(share)} of the cost by the estimates, ~${formatCost(subplan.totalCost)} a run. ${subplanRemedy(node, subplan)}` };
  },
};
