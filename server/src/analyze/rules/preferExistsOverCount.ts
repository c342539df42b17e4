/**
 * `prefer-exists-over-count`: `count(*) > 0` and its variants used to ask whether any row
 * exists. Counting visits every matching row; `EXISTS` stops at the first.
 *
 * Severity `information`: the query is correct, and what it wastes grows with the number of
 * matching rows, which is often small (a filtered lookup through an index). It is not a
 * pattern that by itself forces a scan of the table, as the warnings of this catalogue are.
 */
import { asNode, type Rule, type RuleContext } from './rule';
import { ancestorsOf, excerpt, functionName, nodesOf, numberOf, operatorOf, spanOf, textOf, walkTree, type Ancestor, type Fields } from './ast';

/**
 * Comparisons of a count with a constant that test for existence (`true`) or absence
 * (`false`), with the count on the left; the mirrored forms are derived.
 */
const EXISTENCE_TESTS: Record<string, Record<number, boolean>> = {
  '>': { 0: true },
  '>=': { 1: true },
  '<>': { 0: true },
  '=': { 0: false },
  '<': { 1: false },
  '<=': { 0: false },
};
/** Built-in aggregates, to tell whether a select list computes more than the count. */
const AGGREGATES = new Set(['count', 'sum', 'avg', 'min', 'max', 'array_agg', 'string_agg', 'bool_and', 'bool_or', 'every', 'json_agg', 'jsonb_agg', 'json_object_agg', 'jsonb_object_agg', 'bit_and', 'bit_or', 'stddev', 'variance']);
const MIRRORED: Record<string, string> = { '>': '<', '>=': '<=', '<>': '<>', '=': '=', '<': '>', '<=': '>=' };

export const preferExistsOverCount: Rule = {
  id: 'prefer-exists-over-count',
  summary: 'count(*) > 0 counts every matching row to learn whether one exists; EXISTS stops at the first.',
  defaultSeverity: 'information',
  scope: 'all',
  inOneOffFiles: false,
  check(ctx) {
    for (const node of nodesOf(ctx, 'A_Expr')) {
      const { fields } = node;
      const test = fields.kind === 'AEXPR_OP' ? existenceTest(fields) : undefined;
      if (!test) continue;
      const { exists, count } = test;
      const scalar = asNode(count, 'SubLink');
      let rewrite: string | undefined;
      let detail: string;
      if (scalar) {
        // `(SELECT count(*) FROM t WHERE …) > 0`: exactly `EXISTS (SELECT 1 FROM t WHERE …)`.
        const select = countingSubquery(scalar);
        if (!select) continue;
        rewrite = existsRewrite(ctx, scalar, select, exists);
        const counted = countedColumn(ctx, select);
        const nulls = counted ? ` (count(${counted}) skips NULLs: add ${counted} IS NOT NULL to the condition)` : '';
        detail = rewrite ? `Write ${rewrite}.` : `Write ${exists ? '' : 'NOT '}EXISTS (SELECT 1 FROM … WHERE …)${nulls}.`;
      } else {
        // `SELECT count(*) > 0 FROM t WHERE …`: an aggregate of the whole result, so only in
        // the select list of a query without GROUP BY (per group it is no existence test).
        const owner = aggregateOwner(fields, ancestorsOf(node));
        if (!owner) continue;
        const first = Array.isArray(owner.fromClause) && owner.fromClause.length === 1 ? asNode(owner.fromClause[0], 'RangeVar') : undefined;
        const table = first ? textOf(ctx, { RangeVar: first }) : undefined;
        const where = owner.whereClause || !table ? ' WHERE …' : '';
        detail = `Ask with SELECT ${exists ? '' : 'NOT '}EXISTS (SELECT 1 FROM ${table ?? '…'}${where}) instead.`;
      }
      const span = spanOf(ctx, { A_Expr: fields });
      if (!span) continue;
      const shown = excerpt(ctx.sql.slice(span[0], span[1]));
      ctx.report({
        start: span[0],
        end: span[1],
        message:
          `${shown} counts every matching row only to learn whether ${exists ? 'there is one' : 'there is none'}; ` +
          `the cost grows with the number of rows, while EXISTS stops at the first. ${detail}`,
        data: rewrite ? { replacement: rewrite } : undefined,
      });
    }
  },
};

/** Whether a comparison tests a count for existence, and the count's side. */
function existenceTest(expr: Fields): { exists: boolean; count: unknown } | undefined {
  const operator = operatorOf(expr);
  if (!(operator in EXISTENCE_TESTS)) return undefined;
  const rightValue = numberOf(expr.rexpr);
  if (rightValue !== undefined && isCount(expr.lexpr)) {
    const exists = EXISTENCE_TESTS[operator][rightValue];
    return exists === undefined ? undefined : { exists, count: expr.lexpr };
  }
  const leftValue = numberOf(expr.lexpr);
  if (leftValue !== undefined && isCount(expr.rexpr)) {
    const exists = EXISTENCE_TESTS[MIRRORED[operator]][leftValue];
    return exists === undefined ? undefined : { exists, count: expr.rexpr };
  }
  return undefined;
}

/** `count(…)` (not a window function), or a scalar subquery that computes one. */
function isCount(node: unknown): boolean {
  const call = asNode(node, 'FuncCall');
  if (call) return isCountCall(call);
  const sublink = asNode(node, 'SubLink');
  return sublink !== undefined && countingSubquery(sublink) !== undefined;
}

function isCountCall(call: Fields): boolean {
  return functionName(call) === 'count' && !call.over && !call.agg_filter && (call.agg_star === true || (Array.isArray(call.args) && call.args.length === 1));
}

/** The subquery of `(SELECT count(…) FROM … WHERE …)`: one row, one count, no grouping. */
function countingSubquery(sublink: Fields): Fields | undefined {
  const select = asNode(sublink.subselect, 'SelectStmt');
  if (sublink.subLinkType !== 'EXPR_SUBLINK' || !select || select.op !== 'SETOP_NONE') return undefined;
  if (select.groupClause || select.havingClause || select.limitOffset || select.distinctClause || !Array.isArray(select.targetList)) return undefined;
  if (select.targetList.length !== 1) return undefined;
  const call = asNode(asNode(select.targetList[0], 'ResTarget')?.val, 'FuncCall');
  return call && isCountCall(call) ? select : undefined;
}

/**
 * The select that aggregates the count, when the comparison is in its select list and the
 * select has a FROM clause and no GROUP BY: the count is then over all its rows.
 */
function aggregateOwner(expr: Fields, ancestors: readonly Ancestor[]): Fields | undefined {
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const { type, fields } = ancestors[i];
    if (type === 'SubLink') return undefined; // the comparison is inside a subquery of the count's select
    if (type === 'SelectStmt') {
      if (fields.groupClause || !Array.isArray(fields.fromClause) || !Array.isArray(fields.targetList)) return undefined;
      // In the select list, not in HAVING or ORDER BY; and the only aggregate there: when the
      // query computes another (a sum, a filtered count), it reads every row anyway.
      let inTargets = false;
      let aggregates = 0;
      walkTree(fields.targetList, (type, inner) => {
        if (inner === expr) inTargets = true;
        if (type === 'SelectStmt') return false;
        if (type === 'FuncCall' && (inner.agg_star || inner.agg_distinct || AGGREGATES.has(functionName(inner)))) aggregates++;
        return undefined;
      });
      return inTargets && aggregates === 1 ? fields : undefined;
    }
  }
  return undefined;
}

/** The column of `count(column)`, which counts only its non-NULL values. */
function countedColumn(ctx: RuleContext, select: Fields): string | undefined {
  const call = asNode(asNode((select.targetList as unknown[])[0], 'ResTarget')?.val, 'FuncCall');
  const args = call && !call.agg_star && Array.isArray(call.args) ? call.args : [];
  return args.length === 1 && asNode(args[0], 'ColumnRef') ? textOf(ctx, args[0]) : undefined;
}

/**
 * `EXISTS (SELECT 1 FROM … WHERE …)` from the counting subquery's own text, everything after
 * its select list kept as written. Exact for `count(*)` and `count(<constant>)`; `count(x)`
 * skips NULLs, so no rewrite is offered for it.
 */
function existsRewrite(ctx: RuleContext, sublink: Fields, select: Fields, exists: boolean): string | undefined {
  const call = asNode(asNode((select.targetList as unknown[])[0], 'ResTarget')?.val, 'FuncCall')!;
  const args = Array.isArray(call.args) ? call.args : [];
  if (!call.agg_star && !(args.length === 1 && asNode(args[0], 'A_Const') && !call.agg_distinct)) return undefined;
  const whole = spanOf(ctx, { SubLink: sublink });
  const target = spanOf(ctx, (select.targetList as unknown[])[0]);
  if (!whole || !target || ctx.sql[whole[1] - 1] !== ')') return undefined;
  const rest = ctx.sql.slice(target[1], whole[1] - 1).trim();
  if (!/^from\b/i.test(rest)) return undefined;
  return `${exists ? '' : 'NOT '}EXISTS (SELECT 1 ${rest})`;
}
