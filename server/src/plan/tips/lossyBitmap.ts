/**
 * `lossy-bitmap`: a Bitmap Heap Scan whose bitmap went lossy (`Heap Blocks: exact=38322
 * lossy=79844`, JSON `Lossy Heap Blocks`). The bitmap of matching rows outgrew work_mem, so
 * PostgreSQL kept only which pages match, and every row of those pages was read and rechecked
 * against the condition (`Rows Removed by Index Recheck`). Any lossy block is the plan proving
 * it, so there is no other threshold. ANALYZE output only.
 *
 * Remedy: a larger work_mem for this query keeps the bitmap exact.
 */
import { numberOf } from '../figures';
import { describeNode } from '../planModel';
import type { NodeTip } from './registry';
import { lossyHeapBlocks, rowsText } from './shared';

export const lossyBitmap: NodeTip = {
  id: 'lossy-bitmap',
  check(id, input) {
    const node = input.nodes[id];
    const lossy = lossyHeapBlocks(node);
    if (lossy === undefined || lossy <= 0) return undefined;
    const rechecked = numberOf(node.raw['Rows Removed by Index Recheck']);
    const recheck = rechecked !== undefined && rechecked > 0 ? `, and ${rowsText(rechecked)} were read only to fail the recheck` : '';
    return {
      message:
        `${describeNode(node)} read ${rowsText(lossy, 'heap block')} lossy: its bitmap did not fit in work_mem, so every row of those pages was rechecked${recheck}. ` +
        `Raise work_mem for this query (SET LOCAL work_mem) so the bitmap stays exact, or make the condition more selective.`,
    };
  },
};
