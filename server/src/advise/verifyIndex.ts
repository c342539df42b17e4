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
import { planFromExplainJson, walkPlan } from '../plan/planModel';
import { quoteIdentifier } from '../text/identifiers';

/** The index a finding suggests: a b-tree on these columns (or expressions), in this order. */
export interface IndexCandidate {
  schema: string;
  table: string;
  columns: string[];
  /** A partial index's predicate (`status = 'pending'::text`). */
  where?: string;
}

/** What trying a candidate on the database said. */
export type IndexVerdict =
  | { method: 'hypopg' | 'embedded'; used: boolean; costBefore: number; costAfter: number; statement: string }
  | { method: 'none'; reason: string; statement: string };


/** `CREATE INDEX ON public.orders (customer_id, created_at)`, names quoted where PostgreSQL needs it. */
export function createIndexStatement(candidate: IndexCandidate): string {
  return `CREATE INDEX ON ${quoteIdentifier(candidate.schema)}.${quoteIdentifier(candidate.table)} (${candidate.columns.map(quoteColumn).join(', ')})${candidate.where ? ` WHERE ${candidate.where}` : ''}`;
}

/** The statement a user runs: named, built without locking the table's writes, harmless when it exists. */
export function namedIndexStatement(candidate: IndexCandidate, name: string): string {
  const quoted = /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
  return createIndexStatement(candidate).replace(/^CREATE INDEX ON /, `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${quoted} ON `);
}

/** `orders (customer_id, created_at)`, as titles and messages name an index. */
export function describeIndex(candidate: IndexCandidate): string {
  return `${candidate.table} (${candidate.columns.join(', ')})${candidate.where ? ` WHERE ${candidate.where}` : ''}`;
}

/**
 * Plans `sql` again with the candidate index and says whether the planner would use it, with the
 * estimated cost before and after. `costBefore` is the plan the finding came from; `values`, the
 * parameters' values when that was a custom plan.
 */
export async function verifyIndex(active: ActivePlanner, sql: string, parameterCount: number, candidate: IndexCandidate, costBefore: number, minGainShare: number, values?: readonly (string | null)[]): Promise<IndexVerdict> {
  const statement = createIndexStatement(candidate);
  const method = active.embedded ? 'embedded' : active.planner.facts.hypopg ? 'hypopg' : undefined;
  if (!method) {
    return { method: 'none', statement, reason: `${active.label} has no HypoPG; CREATE EXTENSION hypopg there lets Query Lens check that the planner would use it` };
  }
  const { outcome, indexName } = await active.planner.explainWithIndex(sql, parameterCount, statement, method, values);
  const after = planCost(outcome, indexName);
  if (!after) {
    return { method: 'none', statement, reason: `trying it on ${active.label} failed${outcome.kind === 'error' ? ` (${outcome.error.message})` : ''}` };
  }
  // On the embedded database the tables are empty and never analysed, so the costs are the
  // planner's defaults: that it would use the index is what counts there.
  const gains = method === 'embedded' || after.cost <= costBefore * (1 - minGainShare);
  return { method, used: after.usesIndex && gains, costBefore, costAfter: after.cost, statement };
}

/** The total cost of a plan, and whether any of its nodes reads the index named `indexName`. */
function planCost(outcome: ExplainOutcome, indexName: string | undefined): { cost: number; usesIndex: boolean } | undefined {
  if (outcome.kind !== 'plan' || !indexName) {
    return undefined;
  }
  try {
    const plan = planFromExplainJson(outcome.json);
    let usesIndex = false;
    walkPlan(plan, (node) => {
      if (node.indexName === indexName) usesIndex = true;
    });
    return { cost: plan.root.totalCost, usesIndex };
  } catch {
    return undefined;
  }
}


/** A plain column name is quoted as a name; an expression (`lower(email)`) is written in parentheses. */
function quoteColumn(key: string): string {
  // A key's order (`created_at DESC NULLS LAST`) follows the column or expression, unquoted.
  const order = / (?:ASC|DESC)(?: NULLS (?:FIRST|LAST))?$| NULLS (?:FIRST|LAST)$/.exec(key);
  return order ? quoteKey(key.slice(0, order.index)) + order[0] : quoteKey(key);
}

function quoteKey(column: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(column) || /^"(?:[^"]|"")+"$/.test(column)) return column;
  if (/^[A-Za-z_][A-Za-z0-9_$]*$/.test(column)) return `"${column}"`;
  return `(${column})`;
}
