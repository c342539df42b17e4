/**
 * Every query accounted for: whether it was planned (its cost, rows and top node) or why not,
 * and the line that sums it up for a whole run (`312 queries: 280 planned, 32 not planned (12
 * DDL, 20 built at run time)`). A query is never left out silently.
 */
import type { AnalysisResult } from '../analyze/analyzeDocument';
import type { NotPlanned, NotPlannedCategory } from '../analyze/statementInfo';
import type { DocumentPlans } from '../db/planDocument';
import type { Dialect } from '../settings';
import { formatCount } from '../text/numbers';

/** What became of one query. */
export type QueryAccount =
  | { plan: { cost: number; rows: number; node: string }; notPlanned?: undefined }
  | { plan: null; notPlanned: NotPlanned };

/** One account per query of an analysis (same order), from its plans when the database was asked. */
export function accountQueries(result: AnalysisResult, plans: DocumentPlans | undefined, dialect: Dialect): QueryAccount[] {
  return result.queries.map((query, index): QueryAccount => {
    const outcome = plans?.outcomes.get(index);
    if (outcome) {
      return outcome.planned ? { plan: { cost: outcome.cost, rows: outcome.rows, node: outcome.node } } : { plan: null, notPlanned: outcome.notPlanned };
    }
    const statement = result.statements[index];
    if (statement?.notPlanned) {
      return { plan: null, notPlanned: statement.notPlanned };
    }
    if (dialect !== 'postgresql') {
      return { plan: null, notPlanned: { category: 'another dialect', reason: 'Query Lens plans PostgreSQL queries only' } };
    }
    if (!statement) {
      return { plan: null, notPlanned: { category: 'not analysed', reason: 'it could not be read' } };
    }
    return { plan: null, notPlanned: { category: 'not analysed', reason: query.shape === 'fragment' ? 'a fragment' : 'no database answered for it' } };
  });
}

/** Counts accounts over a run, for its summary line. */
export class QueryTally {
  private queries = 0;
  private planned = 0;
  private readonly notPlanned = new Map<NotPlannedCategory, number>();

  add(accounts: readonly QueryAccount[]): void {
    for (const account of accounts) {
      this.queries++;
      if (account.plan) {
        this.planned++;
      } else {
        this.notPlanned.set(account.notPlanned.category, (this.notPlanned.get(account.notPlanned.category) ?? 0) + 1);
      }
    }
  }

  /** `312 queries: 280 planned, 32 not planned (12 DDL, 20 built at run time)`, the largest kinds first. */
  line(): string {
    const notPlanned = this.queries - this.planned;
    const kinds = [...this.notPlanned.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([category, count]) => `${formatCount(count)} ${category}`);
    const noun = this.queries === 1 ? 'query' : 'queries';
    return `${formatCount(this.queries)} ${noun}: ${formatCount(this.planned)} planned, ${formatCount(notPlanned)} not planned${kinds.length > 0 ? ` (${kinds.join(', ')})` : ''}`;
  }
}
