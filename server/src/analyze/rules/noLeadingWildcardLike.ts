/**
 * `no-leading-wildcard-like`: `LIKE`/`ILIKE` (or `~~`, `~~*` and their negations) in WHERE or
 * JOIN … ON with a pattern that starts with `%` or `_`. A b-tree index finds strings by their
 * beginning, so a pattern without a fixed beginning cannot use one: every row is read and
 * matched. A trigram index (pg_trgm) or full-text search serves substring search.
 *
 * Only patterns known from the query text are judged: constants (`'%smith'`), and
 * concatenations and `concat()` calls that begin with a constant (`'%' || $1`). A parameter
 * alone is unknown and stays quiet, as does a pattern of wildcards only (`'%'` matches every
 * non-NULL value: no index can help, nor is any needed).
 */
import { asNode, nodeType, type Rule, type RuleContext } from './rule';
import { columnRefs, constantOf, excerpt, filterConditions, functionName, isSystemCatalog, operatorOf, spanOf, tableOfColumn, textOf, unqualifiedTextOf, type Scope } from './ast';

/** The pattern-matching operators: `LIKE` is `~~`, `ILIKE` is `~~*`, `NOT` adds `!`. */
const LIKE_OPERATORS: Record<string, { negated: boolean; insensitive: boolean }> = {
  '~~': { negated: false, insensitive: false },
  '~~*': { negated: false, insensitive: true },
  '!~~': { negated: true, insensitive: false },
  '!~~*': { negated: true, insensitive: true },
};
const LIKE_KINDS = new Set(['AEXPR_LIKE', 'AEXPR_ILIKE', 'AEXPR_OP', 'AEXPR_OP_ANY', 'AEXPR_OP_ALL']);

export const noLeadingWildcardLike: Rule = {
  id: 'no-leading-wildcard-like',
  summary: "LIKE '%…' cannot use a b-tree index; use a trigram index or full-text search.",
  defaultSeverity: 'warning',
  scope: 'all',
  inOneOffFiles: false,
  check(ctx) {
    for (const { condition, negated: negatedByNot, scope } of filterConditions(ctx)) {
      const expr = asNode(condition, 'A_Expr');
      const operator = expr && LIKE_KINDS.has(String(expr.kind)) ? LIKE_OPERATORS[operatorOf(expr)] : undefined;
      if (!expr || !operator || columnRefs(expr.lexpr).length === 0) continue;
      // `col LIKE ANY (ARRAY['%a', 'b%'])`: each element is a pattern.
      const quantified = expr.kind === 'AEXPR_OP_ANY' || expr.kind === 'AEXPR_OP_ALL';
      const elements = asNode(expr.rexpr, 'A_ArrayExpr')?.elements;
      const patterns = quantified ? (Array.isArray(elements) ? elements : []) : [expr.rexpr];
      for (const pattern of patterns) {
        const leading = leadingWildcard(pattern);
        if (leading) {
          report(ctx, expr.lexpr, leading, scope, operator.negated !== negatedByNot, operator.insensitive);
        }
      }
    }
  },
};

/**
 * The pattern to report when it begins with a wildcard: a constant, or a concatenation or
 * `concat()` whose first piece is one. `x LIKE p ESCAPE e` hides the pattern in
 * `like_escape(p, e)`.
 */
function leadingWildcard(pattern: unknown): unknown {
  const escaped = asNode(pattern, 'FuncCall');
  if (escaped && functionName(escaped) === 'like_escape' && Array.isArray(escaped.args)) {
    return leadingWildcard(escaped.args[0]);
  }
  let value = pattern;
  for (let cast = asNode(value, 'TypeCast'); cast; cast = asNode(value, 'TypeCast')) value = cast.arg;
  const constant = constantOf(value);
  if (constant) {
    return constant.kind === 'string' && /^[%_]/.test(constant.value) && !/^[%_]*$/.test(constant.value) ? pattern : undefined;
  }
  let first: unknown;
  const concatenation = asNode(value, 'A_Expr');
  const call = asNode(value, 'FuncCall');
  if (concatenation && operatorOf(concatenation) === '||') {
    first = concatenation.lexpr;
    for (let inner = asNode(first, 'A_Expr'); inner && operatorOf(inner) === '||'; inner = asNode(first, 'A_Expr')) first = inner.lexpr;
  } else if (call && functionName(call) === 'concat' && Array.isArray(call.args)) {
    first = call.args[0];
  }
  const piece = constantOf(first);
  return piece?.kind === 'string' && /^[%_]/.test(piece.value) ? pattern : undefined;
}

function report(ctx: RuleContext, subject: unknown, pattern: unknown, scope: Scope, negated: boolean, insensitive: boolean): void {
  const span = spanOf(ctx, pattern);
  if (!span) return;
  const patternText = excerpt(ctx.sql.slice(span[0], span[1]), 40);
  const column = textOf(ctx, subject) ?? 'the column';
  const refs = columnRefs(subject);
  const tables = new Set(refs.map((ref) => tableOfColumn(scope, ref)?.table));
  const table = tables.size === 1 ? [...tables][0] : undefined;
  const wildcard = `the wildcard ${constantText(pattern).startsWith('_') ? '_' : '%'}`;
  // A negated pattern (`NOT LIKE '%draft%'`) keeps most rows; no index would be used for it
  // whatever it starts with, and it costs only the rows the other conditions let through:
  // nothing to change, so nothing to say. Nor on PostgreSQL's catalogs, which no one indexes.
  if (negated || (table !== undefined && isSystemCatalog(table))) {
    return;
  }
  const keyword = insensitive ? 'ILIKE' : 'LIKE';
  const expression = unqualifiedTextOf(ctx, subject) ?? column;
  const bare = nodeType(subject) === 'ColumnRef' || nodeType(subject) === 'FuncCall';
  const index = `CREATE INDEX ON ${table ?? '<table>'} USING gin (${bare ? expression : `(${expression})`} gin_trgm_ops)`;
  ctx.report({
    start: span[0],
    end: span[1],
    message:
      `${keyword} ${patternText} starts with ${wildcard}, so no b-tree index on ${column} can find the matches: ` +
      `unless another condition narrows them, every row${table ? ` of ${table}` : ''} is read and matched against the pattern. ` +
      `For substring search, create a trigram index (CREATE EXTENSION pg_trgm; ${index}), which serves LIKE and ILIKE patterns with three or more characters in a row wherever they are, or use full-text search.`,
    data: { column, table, index },
  });
}

/** The first constant piece of a pattern, for telling `_` from `%`. */
function constantText(pattern: unknown): string {
  let value = pattern;
  for (;;) {
    const escaped = asNode(value, 'FuncCall');
    const cast = asNode(value, 'TypeCast');
    const concatenation = asNode(value, 'A_Expr');
    if (escaped && Array.isArray(escaped.args)) value = escaped.args[0];
    else if (cast) value = cast.arg;
    else if (concatenation) value = concatenation.lexpr;
    else break;
  }
  const constant = constantOf(value);
  return constant?.kind === 'string' ? constant.value : '';
}
