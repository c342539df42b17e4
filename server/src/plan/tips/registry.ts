/**
 * The plan tips, one module per tip (see docs/tips/<id>.md), run over every node of a plan
 * report. A tip is a pure function of one node (with the plan around it): it returns its message,
 * or undefined when the node gives it nothing to say.
 */
import type { PlanContext } from '../insights';
import type { Plan, PlanNode } from '../planModel';
import type { PlanTip, PlanTipId, ReportNode } from '../planReport';
import { hashBatches } from './hashBatches';
import { heapFetches } from './heapFetches';
import { lossyBitmap } from './lossyBitmap';
import { nestedLoopLoops } from './nestedLoopLoops';
import { rowMisestimate } from './rowMisestimate';
import { rowsRemovedByFilter } from './rowsRemovedByFilter';
import { seqScanIndex } from './seqScanIndex';
import { sortSpill } from './sortSpill';
import { subplanPerRow } from './subplanPerRow';
import { workersNotLaunched } from './workersNotLaunched';

/** What a tip looks at: the node, its report (figures already worked out), and the plan around it. */
export interface TipInput {
  plan: Plan;
  /** Every node, in report order (`nodes[id]`). */
  nodes: PlanNode[];
  report: ReportNode[];
  context?: PlanContext;
}

export interface NodeTip {
  id: PlanTipId;
  /** Gives the tip for the node `id`, or undefined. */
  check(id: number, input: TipInput): Omit<PlanTip, 'id' | 'node'> | undefined;
}

/** Every tip, in PLAN_TIP_IDS's order: the order of the tips on one node. */
export const NODE_TIPS: NodeTip[] = [rowMisestimate, rowsRemovedByFilter, seqScanIndex, sortSpill, hashBatches, lossyBitmap, heapFetches, nestedLoopLoops, subplanPerRow, workersNotLaunched];

/** The tips on the plan's nodes, ordered by node id (then by PLAN_TIP_IDS on one node). */
export function planTips(input: TipInput): PlanTip[] {
  const tips: PlanTip[] = [];
  for (let id = 0; id < input.nodes.length; id++) {
    for (const tip of NODE_TIPS) {
      const found = tip.check(id, input);
      if (found) tips.push({ id: tip.id, node: id, ...found });
    }
  }
  return tips;
}
