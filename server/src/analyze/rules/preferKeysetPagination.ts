/**
 * `prefer-keyset-pagination`: a large constant `OFFSET` makes the server produce and discard
 * every skipped row, so each page costs more than the one before. Keyset pagination seeks
 * straight to the next page through an index.
 */
import { asNode, type Rule, type RuleContext } from './rule';
import { columnParts, conjuncts, formatCount, isBareColumn, nodesOf, numberOf, operatorOf, spanOf, textOf, type Fields } from './ast';

/** The smallest constant OFFSET reported: below it, the rows skipped cost little. */
export const OFFSET_THRESHOLD = 1000;

export const preferKeysetPagination: Rule = {
  id: 'prefer-keyset-pagination',
  summary: `A constant OFFSET of ${formatCount(OFFSET_THRESHOLD)} or more reads and discards every skipped row; paginate by key instead.`,
  defaultSeverity: 'warning',
  scope: 'all',
  inOneOffFiles: false,
  check(ctx) {
    for (const { fields } of nodesOf(ctx, 'SelectStmt')) {
      const offset = constantValue(fields.limitOffset);
      if (offset === undefined || offset < OFFSET_THRESHOLD) continue;
      // `WHERE user_id > $1 ORDER BY user_id LIMIT 1 OFFSET 1000`: one row a fixed step after a
      // key (the end of the batch that starts there), every call the same cost. Not a page.
      if (numberOf(fields.limitCount) === 1 && seeksFromKey(fields)) continue;
      const span = spanOf(ctx, fields.limitOffset);
      if (!span) continue;
      const rows = formatCount(Math.trunc(offset));
      const keyset = keysetExample(ctx, fields);
      ctx.report({
        start: span[0],
        end: span[1],
        message:
          `OFFSET ${ctx.sql.slice(span[0], span[1])} reads and throws away ${rows} rows before returning the first one, and every later page costs more. ` +
          `Paginate by key instead: pass the last row's values and ask for the rows after them, ${keyset.example}, so that an index on the sort columns starts at the right row.${keyset.note ? ` ${keyset.note}` : ''}`,
        data: { offset },
      });
    }
  },
};

/** Whether WHERE starts the rows after (or before) a value of the first ORDER BY column. */
function seeksFromKey(select: Fields): boolean {
  const first = Array.isArray(select.sortClause) ? asNode(asNode(select.sortClause[0], 'SortBy')?.node, 'ColumnRef') : undefined;
  if (!first) return false;
  const key = columnParts(first).column;
  return conjuncts(select.whereClause).some((conjunct) => {
    const expr = asNode(conjunct, 'A_Expr');
    if (!expr || expr.kind !== 'AEXPR_OP' || !['>', '>=', '<', '<='].includes(operatorOf(expr))) return false;
    return [expr.lexpr, expr.rexpr].some((side) => {
      const ref = asNode(side, 'ColumnRef');
      return ref !== undefined && isBareColumn(side) && columnParts(ref).column === key;
    });
  });
}

/**
 * The keyset form of this query's page: built from its ORDER BY when that sorts by plain
 * columns in one direction (a row comparison needs one), else the usual example.
 */
function keysetExample(ctx: RuleContext, select: Fields): { example: string; note?: string } {
  const limitValue = numberOf(select.limitCount);
  const limit = limitValue !== undefined ? formatCount(limitValue) : 'n';
  const sortKeys = Array.isArray(select.sortClause) ? select.sortClause.map((item) => asNode(item, 'SortBy')) : [];
  const keys: string[] = [];
  const directions = new Set<string>();
  let unique = false;
  for (const key of sortKeys) {
    const ref = asNode(key?.node, 'ColumnRef');
    const text = ref && isBareColumn(key?.node) ? textOf(ctx, key?.node) : undefined;
    if (!key || !ref || !text || key.sortby_nulls !== 'SORTBY_NULLS_DEFAULT' || key.sortby_dir === 'SORTBY_USING') {
      keys.length = 0;
      break;
    }
    keys.push(text);
    directions.add(key.sortby_dir === 'SORTBY_DESC' ? 'desc' : 'asc');
    unique ||= columnParts(ref).column === 'id';
  }
  const example = `WHERE (created_at, id) > ($1, $2) ORDER BY created_at, id LIMIT ${limit}`;
  if (sortKeys.length === 0) return { example, note: 'Without ORDER BY, the pages are in no defined order either.' };
  if (directions.size > 1) {
    return { example, note: 'This ORDER BY mixes directions, which one row comparison cannot follow: sort every key the same way, or compare key by key.' };
  }
  if (keys.length === 0) return { example };
  // Ties on the sort key would repeat or skip rows at a page boundary unless a unique column
  // ends the key; `id` is the usual one.
  if (!unique) keys.push('id');
  const descending = directions.has('desc');
  const placeholders = keys.map((_, i) => `$${i + 1}`);
  const left = keys.length === 1 ? keys[0] : `(${keys.join(', ')})`;
  const right = keys.length === 1 ? placeholders[0] : `(${placeholders.join(', ')})`;
  const order = keys.map((key) => (descending ? `${key} DESC` : key)).join(', ');
  return { example: `WHERE ${left} ${descending ? '<' : '>'} ${right} ORDER BY ${order} LIMIT ${limit}` };
}

/**
 * The value of a constant expression: a number, or arithmetic on numbers (`OFFSET 20000 - 4`),
 * in PostgreSQL's integer arithmetic when both sides are integers.
 */
function constantValue(node: unknown, depth = 0): number | undefined {
  const value = numberOf(node);
  const expr = asNode(node, 'A_Expr');
  if (value !== undefined || !expr || expr.kind !== 'AEXPR_OP' || depth > 20) return value;
  const left = constantValue(expr.lexpr, depth + 1);
  const right = constantValue(expr.rexpr, depth + 1);
  if (left === undefined || right === undefined) return undefined;
  switch (operatorOf(expr)) {
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
      if (right === 0) return undefined;
      return Number.isInteger(left) && Number.isInteger(right) ? Math.trunc(left / right) : left / right;
    default:
      return undefined;
  }
}
