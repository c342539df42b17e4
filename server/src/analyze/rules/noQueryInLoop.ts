/**
 * `no-query-in-loop`: application code runs a query once per item of a collection (`for…of`,
 * `forEach`, `map`, a Python `for` or comprehension): the N+1 query pattern. Each pass is a round
 * trip, and with an ORM's lazy loading the same pattern hides behind an attribute access. One
 * query for all the items (`= ANY($1)`, a join, `unnest`) does the same work in one round trip.
 *
 * The extractors record the loop (`Query.loop`) only for a call written inside a loop's body, or
 * inside the callback of an array method; `while` loops and counting `for` loops are left alone,
 * since paging and batching loops are written that way on purpose.
 */
import type { QueryLoop } from '../../extract/query';
import { contains, filterConditions, firstTokenFrom, isBareColumn, isParameter, operatorOf, textOf } from './ast';
import { asNode, nodeType, quoteHostExpression as quote, type RuleContext, type Rule } from './rule';

/** Collections of batches (`batch_iter(ids, 100)`, `chunked(rows, 500)`, `chunks`) and counting ranges. */
const BATCHES = /^\s*(?:x?range)\s*\(|(?:^|[.\s(])(?:batch|chunk)\w*\s*\(|(?:^|[.\s])(?:batches|chunks)\s*$/i;

/** Statements that read or write rows. */
const ROW_STATEMENTS = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

export const noQueryInLoop: Rule = {
  id: 'no-query-in-loop',
  summary: 'A query run once per item of a loop (N+1 queries); read or write all the items in one query.',
  defaultSeverity: 'warning',
  scope: 'application-code',
  inOneOffFiles: false,
  check(context) {
    const loop = context.query.loop;
    if (!loop) {
      return;
    }
    // The N+1 pattern is about reading and writing rows. A loop of schema changes (`DROP VIEW`
    // for each alias, `CREATE INDEX` for each column) or of session commands is a script's work.
    // A fragment built in a loop (a condition per filter) is not a query run in it.
    const type = context.statements.length === 1 ? nodeType(context.statements[0].stmt) : undefined;
    if (context.query.shape === 'fragment' || !type || !ROW_STATEMENTS.has(type)) {
      return;
    }
    // `SELECT pg_total_relation_size($1)` for each table: a function evaluated, no rows read.
    if (type === 'SelectStmt' && !contains(context.statements[0].stmt, 'RangeVar')) {
      return;
    }
    // The same write on every pass is a batch (`DELETE … WHERE id IN (SELECT … LIMIT 1000)`
    // until no row is left): each pass changes other rows, on purpose.
    if (!loop.perItem && type !== 'SelectStmt') {
      return;
    }
    // `FROM {}` with the item's table name: each pass reads another table, which no one query
    // for all the items can do.
    if (loop.perItem && itemPicksTheTable(context, loop)) {
      return;
    }
    // `for chunk in batch_iter(ids, 100)`: a query per batch is the remedy, not the pattern; and
    // `for v in range(a, b)` counts, as a counting `for` loop does.
    if (loop.over !== undefined && BATCHES.test(loop.over)) {
      return;
    }
    // The squiggle goes under the statement's first word: the query, not the loop, is what
    // the finding is about.
    const first = firstTokenFrom(context, 0);
    if (!first) {
      return;
    }
    context.report({ start: first[0], end: first[1], message: loopMessage(context, loop) });
  },
};

/**
 * Whether the item names a table or schema the query reads (`FROM {}` formatted with
 * `Identifier(table_name)`): each pass reads another table, whatever values go with it, and no
 * one statement reads a list of tables.
 */
function itemPicksTheTable(context: RuleContext, loop: QueryLoop): boolean {
  if (!loop.itemNames?.length) return false;
  const reads = new RegExp(`(?<![\\w$.])(?:${loop.itemNames.map((name) => name.replace(/[$]/g, '\\$')).join('|')})(?![\\w$])`);
  return context.query.parameters.some((p, index) => {
    const role = context.holeRoles.get(index);
    return (role === 'name' || role === 'schema') && reads.test(p.expression ?? '');
  });
}

function loopMessage(context: RuleContext, loop: QueryLoop): string {
  const where = `${loop.over ? `for each item of ${quote(loop.over)}` : 'on each pass of a loop'} (${loop.kind}, ${context.query.origin})`;
  if (!loop.perItem) {
    return (
      `This query runs ${where} with nothing from the item: the same query, and the same result, once per item. ` +
      `Run it once before the loop (or cache its result) and use its rows inside.`
    );
  }
  return `This query runs ${where}: n items cost n round trips, one query each (the N+1 pattern). ${remedy(context)}`;
}

/** What one statement for all the items looks like, in the terms of this statement. */
function remedy(context: RuleContext): string {
  const type = context.statements.length === 1 ? nodeType(context.statements[0].stmt) : undefined;
  const key = keyComparison(context);
  // The array's placeholder is left as `…`: the SQL here has `$n` where the code may have `%s` or `?`.
  const matchAll = `${key ?? 'key'} = ANY(…)`;
  switch (type) {
    case 'InsertStmt':
      return 'Insert every row in one statement: INSERT … SELECT * FROM unnest($1::int[], $2::text[]), one array per column, or one multi-row VALUES list.';
    case 'UpdateStmt':
    case 'DeleteStmt':
      return `Change every row in one statement: pass the items' keys as one array parameter (WHERE ${matchAll}), or their values as arrays joined in with FROM unnest(…).`;
    default:
      return `Read the rows of every item in one query: pass their keys as one array parameter (WHERE ${matchAll}) or join, then group the rows by item in the code.`;
  }
}

/** The column of the first `column = $n` of the query's filters: the key the loop looks rows up by. */
function keyComparison(context: RuleContext): string | undefined {
  for (const { condition, negated } of filterConditions(context)) {
    const expr = asNode(condition, 'A_Expr');
    if (negated || !expr || expr.kind !== 'AEXPR_OP' || operatorOf(expr) !== '=') continue;
    const column = isBareColumn(expr.lexpr) && isParameter(expr.rexpr) ? expr.lexpr : isBareColumn(expr.rexpr) && isParameter(expr.lexpr) ? expr.rexpr : undefined;
    const columnText = column !== undefined ? textOf(context, column) : undefined;
    if (columnText) {
      return columnText;
    }
  }
  return undefined;
}
