/**
 * `workers-not-launched`: a Gather or Gather Merge launched fewer workers than the planner
 * planned (`Workers Launched` < `Workers Planned`). The plan's cost assumed them all; without
 * them the leader and fewer workers do the whole parallel part. It happens when
 * max_parallel_workers (or max_worker_processes) is used up by other queries. Any shortfall is
 * reported: the plan proves it. ANALYZE output only.
 *
 * Remedy: raise max_parallel_workers / max_worker_processes, or run fewer parallel queries at once.
 */
import { numberOf } from '../figures';
import { describeNode } from '../planModel';
import type { NodeTip } from './registry';
import { rowsText } from './shared';

export const workersNotLaunched: NodeTip = {
  id: 'workers-not-launched',
  check(id, input) {
    const node = input.nodes[id];
    const planned = numberOf(node.raw['Workers Planned']);
    const launched = numberOf(node.raw['Workers Launched']);
    if (!node.nodeType.startsWith('Gather') || planned === undefined || launched === undefined || launched >= planned) return undefined;
    return {
      message:
        `${describeNode(node)} planned ${rowsText(planned, 'worker')} but launched ${launched}: the others were not available, so fewer processes did the parallel part. ` +
        `Raise max_parallel_workers (and max_worker_processes) or run fewer parallel queries at the same time.`,
    };
  },
};
