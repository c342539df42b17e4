/**
 * `seq-scan-index`: a Seq Scan whose Filter an index could serve. This is planInsights'
 * plan-seq-scan check (insights.ts, seqScanInsight), run as it is: a filter on columns a b-tree
 * serves (`=`, `IN`, `IS NULL`, ranges), on a scan that keeps a small share of a large table
 * (queryLens.seqScanMinRows, 10,000 by default). With a PlanContext its table statistics and
 * indexes decide; without one the plan is all there is: for ANALYZE output the table holds at
 * least the rows the scan read (kept plus removed by the filter, over its loops), otherwise the
 * estimate and the filter's shape decide, as plan-seq-scan does without statistics. Works for
 * plans without ANALYZE.
 *
 * The index is a candidate (`verified: 'none'`): nothing here asks a database whether the
 * planner would use it; the server and CLI verify it when they have one.
 */
import { numberOf } from '../figures';
import { seqScanInsight, type PlanContext, type TableStats } from '../insights';
import { estimatedRowsInAllProcesses, type PlanNode } from '../planModel';
import { quoteIdentifier } from '../../text/identifiers';
import { quoteColumn } from '../../advise/verifyIndex';
import type { NodeTip, TipInput } from './registry';
import { ancestorsOf } from './shared';

/** queryLens.seqScanMinRows's default, for a plan read without the settings. */
const DEFAULT_SEQ_SCAN_MIN_ROWS = 10000;

export const seqScanIndex: NodeTip = {
  id: 'seq-scan-index',
  check(id, input) {
    const node = input.nodes[id];
    if (node.nodeType !== 'Seq Scan' || node.relationName === undefined) return undefined;
    const context = input.context ?? contextFromPlan(input);
    const insight = seqScanInsight(node, ancestorsOf(id, input), rowsInAllOf(input), context);
    if (!insight || !insight.columns) return undefined;
    const columns = insight.columns;
    const target = `${node.schema !== undefined ? `${quoteIdentifier(node.schema)}.` : ''}${quoteIdentifier(node.relationName)}`;
    return {
      message: insight.message,
      index: {
        ...(node.schema !== undefined ? { schema: node.schema } : {}),
        table: node.relationName,
        columns,
        statement: `CREATE INDEX ON ${target} (${columns.map(quoteColumn).join(', ')})`,
        verified: 'none',
        reason: 'no database at hand',
      },
    };
  },
};

const rowsInAll = new WeakMap<TipInput, Map<PlanNode, number>>();

function rowsInAllOf(input: TipInput): Map<PlanNode, number> {
  let rows = rowsInAll.get(input);
  if (!rows) rowsInAll.set(input, (rows = estimatedRowsInAllProcesses(input.plan)));
  return rows;
}


/**
 * A context from the plan alone: no indexes known, and a table as large as the rows ANALYZE
 * saw its Seq Scans read (kept plus removed by the filter, over all loops and processes).
 */
function contextFromPlan(input: TipInput): PlanContext {
  const read = new Map<string, number>();
  input.nodes.forEach((node, id) => {
    const report = input.report[id];
    if (node.nodeType !== 'Seq Scan' || node.relationName === undefined || report.actualRows === undefined || !report.loops) return;
    const rows = (report.actualRows + (numberOf(node.raw['Rows Removed by Filter']) ?? 0)) * report.loops;
    const key = `${node.schema ?? ''}.${node.relationName}`;
    read.set(key, Math.max(read.get(key) ?? 0, rows));
  });
  return {
    table: (schema, name): TableStats | undefined => {
      const rows = read.get(`${schema ?? ''}.${name}`);
      return rows === undefined ? undefined : { schema: schema ?? '', name, rows, pages: 0, indexes: [] };
    },
    workMemKb: Infinity,
    hashMemMultiplier: 1,
    thresholds: { seqScanMinRows: DEFAULT_SEQ_SCAN_MIN_ROWS, nestedLoopMaxOuterRows: Infinity, maxPlanCost: Infinity },
    embedded: false,
  };
}
