/**
 * `row-misestimate`: the planner's row estimate for a node was off by 10× or more, either way,
 * on a node that handled at least 1,000 rows (estimated or actual, over all its loops). ANALYZE
 * output only.
 *
 * Why 10×: the planner's choices (nested loop or hash join, index or sequential scan, in memory
 * or on disk) change at thresholds that an error of two or three times seldom crosses, and every
 * plan has those; an order of magnitude is where plans go wrong (pev2 and depesz flag it too).
 * Why 1,000 rows: below that any join method or scan finishes in about a millisecond, so a
 * wrong estimate costs nothing worth an ANALYZE. Not on a node under a Limit that returned
 * fewer rows than estimated: the Limit stopped it early, which the estimate knew.
 *
 * Remedy: ANALYZE (for a set-returning function, its ROWS estimate); when the node filters on several columns of one table, the columns are
 * likely correlated (the planner multiplies their selectivities as if independent), and
 * extended statistics (CREATE STATISTICS … (dependencies)) tell it how they go together.
 */
import { indexableColumns } from '../planConditions';
import { describeNode, type PlanNode } from '../planModel';
import { quoteIdentifier } from '../../text/identifiers';
import type { NodeTip } from './registry';
import { ancestorsOf, factorText, rowsText } from './shared';

export const ROW_MISESTIMATE_FACTOR = 10;
export const ROW_MISESTIMATE_MIN_ROWS = 1000;

export const rowMisestimate: NodeTip = {
  id: 'row-misestimate',
  check(id, input) {
    const report = input.report[id];
    const node = input.nodes[id];
    // A ModifyTable returns rows only with RETURNING: its 0 is no misestimate.
    if (!report.misestimate || report.actualRows === undefined || !report.loops || node.nodeType === 'ModifyTable') return undefined;
    if (report.misestimate.factor < ROW_MISESTIMATE_FACTOR) return undefined;
    if (Math.max(report.actualRows, report.estimatedRows) * report.loops < ROW_MISESTIMATE_MIN_ROWS) return undefined;
    if (report.misestimate.direction === 'over' && ancestorsOf(id, input).some((ancestor) => ancestor.nodeType === 'Limit')) return undefined;

    const perLoop = report.loops > 1 ? ' per loop' : '';
    const way = report.misestimate.direction === 'under' ? 'more' : 'fewer';
    const problem = `${describeNode(node)} returned ${rowsText(report.actualRows)}${perLoop} where the planner estimated ${formatRows(report.estimatedRows)} (${factorText(report.misestimate.factor)} ${way})`;
    const table = node.relationName;
    const analyze = table !== undefined ? `ANALYZE ${quoteIdentifier(table)}` : 'ANALYZE on the tables it reads';
    const functionName = node.nodeType === 'Function Scan' ? node.raw['Function Name'] : undefined;
    if (typeof functionName === 'string') {
      // A set-returning function's estimate is its ROWS setting (1000 unless declared), not statistics.
      return { message: `${problem}: declare how many rows it returns (ALTER FUNCTION ${functionName} ROWS ${Math.max(1, Math.round(report.actualRows))}).` };
    }
    const columns = table !== undefined ? filteredColumns(node) : [];
    const remedy =
      columns.length >= 2
        ? `: run ${analyze}; if the estimate stays off, its filter's columns are likely correlated, which CREATE STATISTICS ON ${columns.join(', ')} FROM ${quoteIdentifier(table!)} (then ANALYZE) tells the planner.`
        : `: run ${analyze} so the planner's statistics match the data, and check the plan above it (a join method chosen for the estimate).`;
    return { message: problem + remedy };
  },
};

function formatRows(rows: number): string {
  return rowsText(rows);
}

/** The columns of the node's table its Filter (or Index Cond) compares, in the condition's order. */
function filteredColumns(node: PlanNode): string[] {
  const qualifiers = [node.alias, node.relationName].filter((name): name is string => name !== undefined);
  const columns: string[] = [];
  for (const condition of [node.indexCond, node.recheckCond, node.filter]) {
    if (condition === undefined) continue;
    const found = indexableColumns(condition, qualifiers);
    for (const column of [...(found?.equality ?? []), ...(found?.range ?? [])]) if (!columns.includes(column)) columns.push(column);
  }
  return columns;
}
