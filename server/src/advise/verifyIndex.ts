/**
 * An index is named to a user only when the planner would use it. Each index a plan finding
 * suggests is tried on the database before the message names it: as a hypothetical index where
 * the database has HypoPG, as a real index in a rolled-back transaction on the embedded database
 * (its tables are empty, so it is made at once). The query is planned again with it; the index
 * is kept only if the new plan uses it and its estimated cost falls by at least
 * `queryLens.indexMinGainPercent`. Without either, the suggestion says that it is unverified, and why.
 */
import type { ExplainOutcome } from '../db/planner';
import type { ActivePlanner } from '../db/databaseService';
import { planFromExplainJson, walkPlan, type PlanNode } from '../plan/planModel';
import { referencedColumns } from '../plan/planConditions';
import { quoteIdentifier } from '../text/identifiers';

/** The index a finding suggests: a b-tree on these columns (or expressions), in this order. */
export interface IndexCandidate {
  schema: string;
  table: string;
  columns: string[];
  /** A partial index's predicate (`status = 'pending'::text`). */
  where?: string;
  /** Columns stored in the index but not searched by it (`INCLUDE (total)`), so an index-only scan can answer the query. */
  include?: string[];
  /** The table is partitioned: its index cannot be built CONCURRENTLY (see namedIndexStatement). */
  partitioned?: boolean;
}

/** What trying a candidate on the database said. */
export type IndexVerdict =
  | { method: 'hypopg' | 'embedded'; used: boolean; costBefore: number; costAfter: number; statement: string; scan?: IndexScanFacts }
  | { method: 'none'; reason: string; statement: string };


/** How the re-planned query reads the candidate index (from EXPLAIN VERBOSE). */
export interface IndexScanFacts {
  /** `Index Scan`, `Index Only Scan`, `Bitmap Index Scan`. */
  nodeType: string;
  /** The rows it returns over all its loops. */
  rows: number;
  /**
   * The table's columns the scan reads besides the index's keys (its Output and its Filter), or
   * undefined when they cannot be listed (a whole row, an expression): an INCLUDE of these would
   * let an index-only scan answer the query.
   */
  uncovered?: string[];
}

/** `CREATE INDEX ON public.orders (customer_id, created_at)`, names quoted where PostgreSQL needs it. */
export function createIndexStatement(candidate: IndexCandidate): string {
  const include = candidate.include?.length ? ` INCLUDE (${candidate.include.map(quoteKey).join(', ')})` : '';
  return `CREATE INDEX ON ${quoteIdentifier(candidate.schema)}.${quoteIdentifier(candidate.table)} (${candidate.columns.map(quoteColumn).join(', ')})${include}${candidate.where ? ` WHERE ${candidate.where}` : ''}`;
}

/**
 * The statement a user runs: named, built without locking the table's writes, harmless when it
 * exists. A partitioned table's index is built on each partition and PostgreSQL refuses
 * CONCURRENTLY for it: writes wait while it builds (or build each partition's CONCURRENTLY by
 * hand and attach them to one made ON ONLY the parent).
 */
export function namedIndexStatement(candidate: IndexCandidate, name: string): string {
  const quoted = /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
  return createIndexStatement(candidate).replace(/^CREATE INDEX ON /, `CREATE INDEX${candidate.partitioned ? '' : ' CONCURRENTLY'} IF NOT EXISTS ${quoted} ON `);
}

/** Every index an advice asks for: one, or one per branch of an OR (created together). */
export function candidatesOf(advice: { candidate: IndexCandidate; alongside?: readonly IndexCandidate[] }): IndexCandidate[] {
  return [advice.candidate, ...(advice.alongside ?? [])];
}

/** `orders (a) and orders (b)`: the indexes a finding asks for together (an OR's branches). */
export function describeIndexes(candidates: readonly IndexCandidate[]): string {
  return candidates.map(describeIndex).join(' and ');
}

/** `orders (customer_id, created_at)`, as titles and messages name an index. */
export function describeIndex(candidate: IndexCandidate): string {
  return `${candidate.table} (${candidate.columns.join(', ')})${candidate.include?.length ? ` INCLUDE (${candidate.include.join(', ')})` : ''}${candidate.where ? ` WHERE ${candidate.where}` : ''}`;
}

/**
 * Plans `sql` again with the candidate index and says whether the planner would use it, with the
 * estimated cost before and after. `costBefore` is the plan the finding came from; `values`, the
 * parameters' values when that was a custom plan.
 */
export async function verifyIndex(active: ActivePlanner, sql: string, parameterCount: number, candidate: IndexCandidate, costBefore: number, minGainShare: number, values?: readonly (string | null)[], alongside: readonly IndexCandidate[] = []): Promise<IndexVerdict> {
  const statement = createIndexStatement(candidate);
  const method = active.embedded ? 'embedded' : active.planner.facts.hypopg ? 'hypopg' : undefined;
  if (!method) {
    return { method: 'none', statement, reason: `${active.label} has no HypoPG; CREATE EXTENSION hypopg there lets Query Lens check that the planner would use it` };
  }
  // `alongside`: the indexes a BitmapOr needs with this one (one per branch of an OR): tried
  // together, and kept only if the plan reads every one of them.
  const { outcome, indexNames } = await active.planner.explainWithIndexes(sql, parameterCount, [statement, ...alongside.map(createIndexStatement)], method, values);
  const after = planCost(outcome, indexNames[0], candidate);
  if (!after) {
    return { method: 'none', statement, reason: `trying it on ${active.label} failed${outcome.kind === 'error' ? ` (${outcome.error.message})` : ''}` };
  }
  const usesAll = after.usesIndex && indexNames.slice(1).every((name) => after.indexes.has(name));
  // On the embedded database the tables are empty and never analysed, so the costs are the
  // planner's defaults: that it would use the index is what counts there.
  const gains = method === 'embedded' || after.cost <= costBefore * (1 - minGainShare);
  return { method, used: usesAll && gains, costBefore, costAfter: after.cost, statement, ...(after.scan ? { scan: after.scan } : {}) };
}


/**
 * The total cost of a plan, whether any of its nodes reads the index named `indexName`, how the
 * first that does reads it, and the names of all the indexes it reads.
 */
function planCost(outcome: ExplainOutcome, indexName: string | undefined, candidate: IndexCandidate): { cost: number; usesIndex: boolean; indexes: Set<string>; scan?: IndexScanFacts } | undefined {
  if (outcome.kind !== 'plan' || !indexName) {
    return undefined;
  }
  try {
    const plan = planFromExplainJson(outcome.json);
    let scan: IndexScanFacts | undefined;
    let usesIndex = false;
    // Every index the plan reads: an OR's other branches' indexes are looked up here.
    const indexes = new Set<string>();
    walkPlan(plan, (node, parent) => {
      if (node.indexName !== undefined) indexes.add(node.indexName);
      if (node.indexName !== indexName) return;
      usesIndex = true;
      if (scan) return;
      // A bitmap index scan hands pages to the Bitmap Heap Scan above it, which reads the rows.
      const reader = node.nodeType === 'Bitmap Index Scan' && parent?.nodeType === 'Bitmap Heap Scan' ? parent : node;
      const loops = node.actual?.loops ?? 1;
      scan = { nodeType: node.nodeType, rows: reader.planRows * loops, ...uncoveredColumns(reader, candidate) };
    });
    return { cost: plan.root.totalCost, usesIndex, indexes, ...(scan ? { scan } : {}) };
  } catch {
    return undefined;
  }
}

/** See IndexScanFacts.uncovered: what EXPLAIN VERBOSE says the scan reads, less the index's keys. */
function uncoveredColumns(scan: PlanNode, candidate: IndexCandidate): Pick<IndexScanFacts, 'uncovered'> {
  const output = scan.raw.Output;
  if (!Array.isArray(output)) return {};
  const qualifiers = [scan.alias, scan.relationName].filter((name): name is string => name !== undefined);
  const read: string[] = [];
  for (const expression of [...output.map(String), ...(scan.filter !== undefined ? [scan.filter] : [])]) {
    const columns = referencedColumns(expression, qualifiers);
    if (!columns) return {};
    for (const column of columns) if (!read.includes(column)) read.push(column);
  }
  const keys = new Set([...candidate.columns.map((key) => key.replace(/ (?:ASC|DESC).*$| NULLS .*$/, '')), ...(candidate.include ?? [])]);
  return { uncovered: read.filter((column) => !keys.has(column)) };
}


/** A plain column name is quoted as a name; an expression (`lower(email)`) is written in parentheses. */
export function quoteColumn(key: string): string {
  // A key's order (`created_at DESC NULLS LAST`) follows the column or expression, unquoted.
  const order = / (?:ASC|DESC)(?: NULLS (?:FIRST|LAST))?$| NULLS (?:FIRST|LAST)$/.exec(key);
  return order ? quoteKey(key.slice(0, order.index)) + order[0] : quoteKey(key);
}

function quoteKey(column: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(column) || /^"(?:[^"]|"")+"$/.test(column)) return column;
  if (/^[A-Za-z_][A-Za-z0-9_$]*$/.test(column)) return `"${column}"`;
  return `(${column})`;
}
