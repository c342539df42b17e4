/**
 * `nested-loop-loops`: a Nested Loop whose inner side ran 1,000 times or more (its `loops`):
 * once per outer row. ANALYZE output only.
 *
 * Why 1,000: each loop restarts the inner side — an index descent of a few microseconds when
 * cached, a random read when not — so from a thousand loops the repetition alone takes
 * milliseconds to seconds, while a hash or merge join reads the inner side once. Below that a
 * nested loop is usually the right join. The planner's outer estimate is quoted: a nested loop
 * chosen for a few rows that met thousands is the usual story.
 *
 * Not when the inner side is a Memoize: it caches the inner rows per key, so most loops are hits.
 *
 * Remedy: when the planner expected ten times fewer outer rows, ANALYZE (with the right count it
 * picks a hash join); otherwise an index on the inner side's join columns keeps each loop a
 * quick lookup, or a hash join is worth comparing.
 */
import { describeNode, isSubplan } from '../planModel';
import type { NodeTip } from './registry';
import { rowsText } from './shared';

export const NESTED_LOOP_MIN_LOOPS = 1000;

export const nestedLoopLoops: NodeTip = {
  id: 'nested-loop-loops',
  check(id, input) {
    const node = input.nodes[id];
    if (node.nodeType !== 'Nested Loop') return undefined;
    const [outer, inner] = node.children.filter((child) => !isSubplan(child));
    if (!outer || !inner) return undefined;
    const innerReport = input.report[input.nodes.indexOf(inner)];
    const outerReport = input.report[input.nodes.indexOf(outer)];
    const loops = innerReport.loops;
    // A Memoize is there to make the loops cheap: most are cache hits.
    if (loops === undefined || loops < NESTED_LOOP_MIN_LOOPS || inner.nodeType === 'Memoize') return undefined;
    const expected = outerReport.estimatedRows * Math.max(outerReport.loops ?? 1, 1);
    const what = `${describeNode(node)} ran its inner side (${describeNode(inner)}) ${rowsText(loops, 'time')}, once per outer row, where the planner expected ${rowsText(expected, 'outer row')}`;
    const remedy =
      expected * 10 <= loops
        ? 'run ANALYZE on the joined tables so the planner sees how many rows come and can choose a hash join that reads the inner side once.'
        : "make sure an index serves the inner side's join condition, so each loop is a quick lookup, or compare with a hash join (SET enable_nestloop = off in a session).";
    return { message: `${what}: ${remedy}` };
  },
};
