/**
 * `prefer-any-array`: a long `IN (…)` list of values. Each list length is a different statement
 * text, so code that builds the list from an array of ids gets a new statement for every length.
 */
import type { Rule, RuleContext } from './rule';
import { formatCount, isParameter, isValue, nodesOf, operatorOf, spanOf, textOf, type Fields, type Span } from './ast';

/** The shortest `IN` list reported. */
export const IN_LIST_THRESHOLD = 10;

export const preferAnyArray: Rule = {
  id: 'prefer-any-array',
  summary: `An IN list of ${IN_LIST_THRESHOLD} or more values is a new statement for every length; pass one array to = ANY($1).`,
  defaultSeverity: 'information',
  scope: 'application-code',
  inOneOffFiles: false,
  check(ctx) {
    for (const { fields } of nodesOf(ctx, 'A_Expr')) {
      if (fields.kind !== 'AEXPR_IN') continue;
      const items = (fields.rexpr as { List?: { items?: unknown[] } } | undefined)?.List?.items;
      if (!Array.isArray(items) || items.length < IN_LIST_THRESHOLD || !items.every(isValue)) continue;
      const span = listSpan(ctx, fields, items);
      if (!span) continue;
      const negated = operatorOf(fields) === '<>';
      const parameters = items.every(isParameter);
      const column = textOf(ctx, fields.lexpr) ?? 'column';
      const what = parameters ? 'parameters' : items.some(isParameter) ? 'values and parameters' : 'values';
      const rewrite = negated ? `${column} <> ALL($1)` : `${column} = ANY($1)`;
      ctx.report({
        start: span[0],
        end: span[1],
        message:
          `${negated ? 'NOT IN' : 'IN'} list of ${formatCount(items.length)} ${what}: each list length is a different statement text, so every new length is parsed and planned anew, ` +
          `prepared statements and cached plans are not reused, and pg_stat_statements before PostgreSQL 18 keeps one entry per length. Pass the values as one array parameter: ${rewrite}.`,
        data: { count: items.length, negated },
      });
    }
  },
};

/**
 * The list's parentheses: PostgreSQL 18's parser records them (`rexpr_list_start`/`_end`);
 * older trees get them from the first and last items.
 */
function listSpan(ctx: RuleContext, expr: Fields, items: unknown[]): Span | undefined {
  if (typeof expr.rexpr_list_start === 'number' && typeof expr.rexpr_list_end === 'number' && expr.rexpr_list_end > expr.rexpr_list_start) {
    return [ctx.offsetOf(expr.rexpr_list_start), ctx.offsetOf(expr.rexpr_list_end) + 1];
  }
  const first = spanOf(ctx, items[0]);
  const last = spanOf(ctx, items[items.length - 1]);
  return first && last ? [first[0], last[1]] : undefined;
}
