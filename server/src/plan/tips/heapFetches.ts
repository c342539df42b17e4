/**
 * `heap-fetches`: an Index Only Scan that still went to the table for at least a fifth of its
 * rows, and for at least 1,000 of them (`Heap Fetches`, counted over all loops). An index-only
 * scan skips the table only for pages the visibility map marks all-visible, which VACUUM sets;
 * a fetch per row is a random page read the scan was chosen to avoid. ANALYZE output only.
 *
 * Why a fifth: autovacuum vacuums a table once a fifth of its rows have changed
 * (autovacuum_vacuum_scale_factor, 0.2 by default), so more than that not all-visible says VACUUM
 * is behind even its own schedule. Why 1,000: fewer fetches cost a few milliseconds.
 *
 * Remedy: VACUUM the table (and have autovacuum visit it more often).
 */
import { numberOf } from '../figures';
import { describeNode } from '../planModel';
import { quoteIdentifier } from '../../text/identifiers';
import type { NodeTip } from './registry';
import { rowsText } from './shared';

export const HEAP_FETCHES_SHARE = 0.2;
export const HEAP_FETCHES_MIN = 1000;

export const heapFetches: NodeTip = {
  id: 'heap-fetches',
  check(id, input) {
    const node = input.nodes[id];
    const report = input.report[id];
    const fetches = numberOf(node.raw['Heap Fetches']);
    if (node.nodeType !== 'Index Only Scan' || fetches === undefined || report.actualRows === undefined || !report.loops) return undefined;
    const rows = report.actualRows * report.loops;
    if (fetches < HEAP_FETCHES_MIN || fetches < HEAP_FETCHES_SHARE * rows) return undefined;
    const share = rows > 0 ? Math.min(100, Math.round((100 * fetches) / rows)) : 100;
    const table = node.relationName !== undefined ? quoteIdentifier(node.relationName) : 'the table';
    return {
      message:
        `${describeNode(node)} fetched ${rowsText(fetches, 'row')} from the table (${share}% of the ${rowsText(rows)} it returned): those pages are not marked all-visible, so the scan is not index-only. ` +
        `Run VACUUM ${table}, and have autovacuum visit it more often (autovacuum_vacuum_scale_factor).`,
    };
  },
};
