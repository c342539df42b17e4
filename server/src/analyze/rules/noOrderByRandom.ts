/**
 * `no-order-by-random`: `ORDER BY random()` draws a number for every row and sorts them all to
 * keep a few. The cost grows with the table and no index can help.
 *
 * Only a query's own ORDER BY: in a window or an aggregate (`array_agg(x ORDER BY random())`)
 * a random order shuffles rows within groups, which no sample or key can replace.
 */
import { asNode, type Rule, type RuleContext } from './rule';
import { formatCount, functionName, namesOf, numberOf, spanOf, nodesOf, type Span, type TreeNode } from './ast';

/** Random-number functions: PostgreSQL's `random()`, and `rand()` as MySQL spells it. */
const RANDOM_FUNCTIONS = new Set(['random', 'rand']);

export const noOrderByRandom: Rule = {
  id: 'no-order-by-random',
  summary: 'ORDER BY random() sorts every row to pick a few; use TABLESAMPLE or a random key.',
  defaultSeverity: 'warning',
  scope: 'all',
  inOneOffFiles: false,
  check(ctx) {
    for (const { fields, parent } of nodesOf(ctx, 'SelectStmt')) {
      if (!Array.isArray(fields.sortClause)) continue;
      for (const item of fields.sortClause) {
        const key = asNode(item, 'SortBy')?.node;
        const call = asNode(key, 'FuncCall');
        if (!call || !RANDOM_FUNCTIONS.has(functionName(call)) || call.over) continue;
        const names = namesOf(call.funcname);
        if (names.length > 1 && names[0] !== 'pg_catalog') continue; // someone's own random()
        const span = spanOf(ctx, key);
        if (!span) continue;
        const discarded = fields.limitCount === undefined && fields.limitOffset === undefined ? discardedBy(parent) : undefined;
        if (discarded) reportDiscarded(ctx, span, discarded);
        else report(ctx, span, numberOf(fields.limitCount));
      }
    }
  },
};

/**
 * What throws a subquery's order away, when the query around it does: `IN (…)`, `EXISTS (…)`,
 * `= ANY (…)` test membership, and `SELECT DISTINCT` or `GROUP BY` over it keep no order.
 */
function discardedBy(parent: TreeNode | undefined): string | undefined {
  if (!parent) return undefined;
  if (parent.type === 'SubLink') {
    const kind = parent.fields.subLinkType;
    return kind === 'ANY_SUBLINK' ? 'IN (…)' : kind === 'ALL_SUBLINK' ? 'ALL (…)' : kind === 'EXISTS_SUBLINK' ? 'EXISTS (…)' : undefined;
  }
  if (parent.type === 'SelectStmt' && parent.fields.op === 'SETOP_NONE') {
    if (Array.isArray(parent.fields.distinctClause)) return 'SELECT DISTINCT';
    if (Array.isArray(parent.fields.groupClause)) return 'GROUP BY';
  }
  return undefined;
}

function reportDiscarded(ctx: RuleContext, span: Span, by: string): void {
  const written = ctx.sql.slice(span[0], span[1]);
  ctx.report({
    start: span[0],
    end: span[1],
    message:
      `ORDER BY ${written} orders rows that the ${by} around it keeps in no order: it draws a random number for every row and sorts them all for nothing. ` +
      `Remove it: the result is the same without it.`,
  });
}

function report(ctx: RuleContext, span: Span, limit: number | undefined): void {
  // The LIMIT shows how much of what is read is thrown away. With one, PostgreSQL keeps the
  // smallest keys as it goes (a top-N sort) instead of sorting everything, but it still reads
  // every row.
  const what =
    limit !== undefined
      ? `reads every row and draws a random number for each, only to keep the ${limit === 1 ? 'row' : `${formatCount(limit)} rows`} with the smallest`
      : 'draws a random number for every row and sorts them all';
  const written = ctx.sql.slice(span[0], span[1]);
  ctx.report({
    start: span[0],
    end: span[1],
    message:
      `ORDER BY ${written} ${what}: the cost grows with the table, and no index can help. ` +
      `For a sample, use TABLESAMPLE SYSTEM (percent) or BERNOULLI (percent); to pick a few rows, choose a random key and seek with an index ` +
      `(WHERE id >= <random id> ORDER BY id LIMIT ${limit !== undefined ? formatCount(limit) : 'n'}).`,
    data: limit !== undefined ? { limit } : undefined,
  });
}
