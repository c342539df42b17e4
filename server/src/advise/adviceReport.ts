/**
 * `query-lens advise` as text: a SQL script a reviewer can read and run, each index with the
 * queries it serves and their estimated costs in comments, then the indexes to drop and why.
 */
import { formatCost } from '../plan/figures';
import type { WorkloadAdvice } from './workload';

const WHOLE_DATABASE = '-- The database as a whole, not only the queries given: foreign keys without an index, indexes to drop.';

const VERIFIED_BY = { hypopg: 'checked with HypoPG', embedded: 'checked on the embedded database (empty tables: costs are estimates)', none: 'unverified' } as const;

export function formatAdviceAsText(advice: WorkloadAdvice): string {
  if (advice.indexes.length === 0 && advice.drop.length === 0) {
    return '-- No index to add or drop: every query that was planned is served by the indexes there are.\n';
  }
  const lines: string[] = [];
  // What the catalog says whatever the queries (a foreign key without an index, a duplicate, an
  // index never used) is said apart: `advise` on one file is not the reason for it.
  let wholeDatabase = false;
  const aboutWholeDatabase = () => {
    if (!wholeDatabase) lines.push(WHOLE_DATABASE, '');
    wholeDatabase = true;
  };
  for (const index of advice.indexes) {
    if (index.reason) aboutWholeDatabase();
    const count = `${index.queries.length} ${index.queries.length === 1 ? 'query' : 'queries'}`;
    lines.push(index.reason ? `-- ${index.table}: ${index.reason}` : `-- ${index.table}: serves ${count}, ${VERIFIED_BY[index.verified]}${index.unverified ? ` (${index.unverified})` : ''}`);
    for (const query of index.queries) {
      const costs = query.costAfter === null || Number.isNaN(query.costBefore) ? '' : `  estimated cost ${formatCost(query.costBefore)} → ${formatCost(query.costAfter)}`;
      lines.push(`--   ${query.file}:${query.line}${costs}`);
    }
    lines.push(`${index.statement};`, '');
  }
  for (const drop of advice.drop) {
    aboutWholeDatabase();
    lines.push(`-- ${drop.reason}`, `${drop.statement};`, '');
  }
  return lines.join('\n');
}
