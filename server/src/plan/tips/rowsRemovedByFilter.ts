/**
 * `rows-removed-by-filter`: a node read rows only to throw most of them away — its `Rows Removed
 * by Filter` is at least 10 times the rows it kept, and at least 10,000 rows over all its loops.
 * ANALYZE output only (the count is measured).
 *
 * Why 10×: then more than nine rows in ten are read for nothing, and an index that finds the
 * kept rows reads a tenth of the rows or fewer; below that a scan of the whole is often the
 * cheaper way (the planner's own rule of thumb puts the break-even between a few and 10 %).
 * Why 10,000: reading fewer rows than that takes a few milliseconds at most.
 *
 * Remedy: an index whose keys are the filter's columns (for a Seq Scan, seq-scan-index names
 * it), or, on an index scan, one that covers the filter's columns as well as its Index Cond.
 */
import { numberOf } from '../figures';
import { quotedCondition } from '../insights';
import { describeNode } from '../planModel';
import type { NodeTip } from './registry';
import { rowsText } from './shared';

export const ROWS_REMOVED_FACTOR = 10;
export const ROWS_REMOVED_MIN_ROWS = 10000;

export const rowsRemovedByFilter: NodeTip = {
  id: 'rows-removed-by-filter',
  check(id, input) {
    const report = input.report[id];
    const node = input.nodes[id];
    const removed = numberOf(node.raw['Rows Removed by Filter']);
    if (removed === undefined || report.actualRows === undefined || !report.loops) return undefined;
    if (removed < ROWS_REMOVED_FACTOR * report.actualRows || removed * report.loops < ROWS_REMOVED_MIN_ROWS) return undefined;
    const perLoop = report.loops > 1 ? ' per loop' : '';
    const read = removed + report.actualRows;
    // Floored: 15 kept of 13,220 is 99 % thrown away, not 100 %.
    const share = Math.floor((100 * removed) / read);
    const filter = node.filter !== undefined ? ` (Filter: ${quotedCondition(node.filter)})` : '';
    const index = node.nodeType.includes('Index') || node.nodeType.startsWith('Bitmap')
      ? 'an index that also covers the filter\'s columns finds only the rows kept'
      : 'an index on the filter\'s columns lets PostgreSQL read only the rows kept';
    return {
      message: `${describeNode(node)} read ${rowsText(read)}${perLoop} and threw away ${share}% of them${filter}: ${index}.`,
    };
  },
};
