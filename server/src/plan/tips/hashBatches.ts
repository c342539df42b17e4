/**
 * `hash-batches`: a Hash node ran in more than one batch (`Batches: 4`, JSON `Hash Batches`):
 * its hash table did not fit in work_mem × hash_mem_multiplier, so both sides of the join were
 * split and written to temporary files, then read back batch by batch. Any count above 1 is the
 * plan proving the spill, so there is no other threshold. ANALYZE output only (without ANALYZE
 * the count is the planner's and EXPLAIN prints none).
 *
 * Remedy: hash fewer or narrower rows, or a larger work_mem for this query: the peak memory of
 * one batch times the batches is about what the whole table needs.
 */
import { numberOf, workMemSettingFor } from '../figures';
import { isSubplan, type PlanNode } from '../planModel';
import type { NodeTip } from './registry';
import { rowsText } from './shared';

export const hashBatches: NodeTip = {
  id: 'hash-batches',
  check(id, input) {
    const node = input.nodes[id];
    const report = input.report[id];
    const batches = numberOf(node.raw['Hash Batches']);
    if (node.nodeType !== 'Hash' || batches === undefined || batches <= 1 || report.actualRows === undefined) return undefined;
    const source = inputTable(node);
    const peakKb = numberOf(node.raw['Peak Memory Usage']);
    const original = numberOf(node.raw['Original Hash Batches']);
    const planned = original !== undefined && original !== batches ? ` (${original} planned)` : '';
    const memory = peakKb !== undefined ? `, ${peakKb} kB each` : '';
    const raise = peakKb !== undefined ? ` (SET LOCAL work_mem = ${workMemSettingFor(peakKb * 1024 * batches)})` : '';
    return {
      message:
        `Hash of ${rowsText(report.actualRows * Math.max(report.loops ?? 1, 1))}${source ? ` from ${source}` : ''} did not fit in work_mem × hash_mem_multiplier and ran in ${batches} batches${planned} through disk${memory}: ` +
        `hash fewer rows by filtering ${source ?? 'the hashed side'} earlier or selecting fewer of its columns, or raise work_mem for this query${raise}.`,
    };
  },
};

/** The table the hash reads, when its input is a scan of one. */
function inputTable(node: PlanNode): string | undefined {
  const input = node.children.find((child) => !isSubplan(child));
  return input?.relationName !== undefined && input.nodeType.endsWith('Scan') ? input.relationName : undefined;
}
