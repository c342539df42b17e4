/**
 * `query-lens advise` as text: a SQL script a reviewer can read and run, each index with the
 * queries it serves and their estimated costs in comments, then the indexes to drop and why.
 */
import { formatCost } from '../plan/figures';
import type { IndexCandidate } from './verifyIndex';
import type { WorkloadAdvice } from './workload';

const VERIFIED_BY = { hypopg: 'checked with HypoPG', embedded: 'checked on the embedded database (empty tables: costs are estimates)', none: 'unverified' } as const;

export function formatAdviceAsText(advice: WorkloadAdvice): string {
  if (advice.indexes.length === 0 && advice.drop.length === 0) {
    return '-- No index to add or drop: every query that was planned is served by the indexes there are.\n';
  }
  const lines: string[] = [];
  for (const index of advice.indexes) {
    const count = `${index.queries.length} ${index.queries.length === 1 ? 'query' : 'queries'}`;
    lines.push(`-- ${index.table}: serves ${count}, ${VERIFIED_BY[index.verified]}${index.unverified ? ` (${index.unverified})` : ''}`);
    for (const query of index.queries) {
      const costs = query.costAfter === null || Number.isNaN(query.costBefore) ? '' : `  estimated cost ${formatCost(query.costBefore)} → ${formatCost(query.costAfter)}`;
      lines.push(`--   ${query.file}:${query.line}${costs}`);
    }
    lines.push(`${index.statement};`, '');
  }
  for (const drop of advice.drop) {
    lines.push(`-- ${drop.reason}`, `${drop.statement};`, '');
  }
  return lines.join('\n');
}

/** PostgreSQL keeps names to 63 bytes (NAMEDATALEN − 1). */
const MAX_NAME_BYTES = 63;

/**
 * A readable name for a suggested index, `orders_customer_id_created_at_idx`, made unique among
 * `taken`; an expression key gives its words (`lower(email)` → `lower_email`).
 */
export function suggestedIndexName(candidate: IndexCandidate, taken: ReadonlySet<string>): string {
  const words = [candidate.table, ...candidate.columns].map((part) => part.toLowerCase().replace(/::[a-z ]+/g, '').replace(/\b(desc|asc|nulls|first|last)\b/g, '').replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, ''));
  let base = `${words.filter((word) => word !== '').join('_')}_idx`;
  if (Buffer.byteLength(base) > MAX_NAME_BYTES) base = `${base.slice(0, MAX_NAME_BYTES - 4)}_idx`;
  let name = base;
  for (let n = 1; taken.has(name); n++) name = `${base.slice(0, MAX_NAME_BYTES - String(n).length - 1)}_${n}`;
  return name;
}
