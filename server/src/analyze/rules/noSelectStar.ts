/**
 * `no-select-star` (application code): `SELECT *` or `t.*` in the select list that reaches the
 * application. It fetches every column, including those the code never reads; the result
 * changes shape when a column is added or dropped; and it rules out index-only scans.
 *
 * Only the outermost select list counts (each branch of a UNION is one), and only stars that
 * expand to a table's columns, directly or through WITH queries and subqueries that select
 * stars themselves: `count(*)`, `EXISTS (SELECT * …)`, and `SELECT * FROM (SELECT a, b …) s`
 * fetch nothing unnamed.
 */
import { asNode, type Rule, type RuleContext } from './rule';
import { aliasOf, columnParts, fromItems, listNames, spanOf, tableName, type Fields } from './ast';

/** The WITH queries in scope, by name. */
type Ctes = ReadonlyMap<string, unknown>;

export const noSelectStar: Rule = {
  id: 'no-select-star',
  summary: 'SELECT * in application code fetches unused columns and breaks when the table changes; list the columns.',
  defaultSeverity: 'hint',
  scope: 'application-code',
  inOneOffFiles: false,
  check(ctx) {
    for (const statement of ctx.statements) {
      const select = asNode(statement.stmt, 'SelectStmt');
      if (select) checkOutermost(ctx, select, withQueries(select, new Map()), splicedNames(ctx));
    }
  },
};

/** Each branch of a set operation is an outermost select list of its own. */
function checkOutermost(ctx: RuleContext, select: Fields, ctes: Ctes, spliced: ReadonlySet<string>): void {
  if (select.op !== undefined && select.op !== 'SETOP_NONE') {
    for (const branch of [select.larg, select.rarg]) {
      if (branch && typeof branch === 'object') checkOutermost(ctx, branch as Fields, withQueries(branch as Fields, ctes), spliced);
    }
    return;
  }
  for (const target of Array.isArray(select.targetList) ? select.targetList : []) {
    const ref = asNode(asNode(target, 'ResTarget')?.val, 'ColumnRef');
    if (!ref || columnParts(ref).column !== '*') continue;
    // `SELECT * FROM {table}`: code that copies or dumps any table, which has no columns to name.
    const tables = tablesBehindStar(select, columnParts(ref).qualifier, ctes, new Set()).filter((table) => !spliced.has(table));
    const span = tables.length > 0 ? spanOf(ctx, { ColumnRef: ref }) : undefined;
    if (!span) continue;
    const star = ctx.sql.slice(span[0], span[1]);
    const named = tables.length > 3 ? `${tables.slice(0, 3).join(', ')} …` : listNames(tables);
    ctx.report({
      start: span[0],
      end: span[1],
      message:
        `${star === '*' ? 'SELECT *' : star} fetches every column of ${named}, including those this code never reads: more data to send and decode, ` +
        `a result that changes shape when a column is added, dropped or reordered, and no index-only scan. List the columns the code uses.`,
      data: { tables },
    });
  }
}

/** The names holes stand for, as the parser read them (`q1` for `FROM {table}`). */
function splicedNames(ctx: RuleContext): Set<string> {
  const names = new Set<string>();
  for (const [index, role] of ctx.holeRoles) {
    const p = ctx.query.parameters[index];
    if (role === 'name' && p) names.add(ctx.sql.slice(p.sqlStart, p.sqlEnd));
  }
  return names;
}

/** The WITH queries of a select added to those of its enclosing statements. */
function withQueries(select: Fields, outer: Ctes): Ctes {
  const ctes = (select.withClause as Fields | undefined)?.ctes;
  if (!Array.isArray(ctes) || ctes.length === 0) return outer;
  const map = new Map(outer);
  for (const cte of ctes) {
    const fields = asNode(cte, 'CommonTableExpr');
    if (typeof fields?.ctename === 'string') map.set(fields.ctename, fields.ctequery);
  }
  return map;
}

/**
 * The tables whose every column a star of this select brings along: tables in FROM, and WITH
 * queries and subqueries that themselves select a star over tables. `visiting` stops
 * recursive WITH queries.
 */
function tablesBehindStar(select: Fields, qualifier: string | undefined, ctes: Ctes, visiting: Set<string>): string[] {
  const tables: string[] = [];
  for (const item of fromItems('SelectStmt', select)) {
    const rangeVar = asNode(item, 'RangeVar');
    const subselect = asNode(item, 'RangeSubselect');
    const name = rangeVar ? (aliasOf(rangeVar) ?? String(rangeVar.relname)) : subselect ? aliasOf(subselect) : undefined;
    if (qualifier !== undefined && name !== qualifier) continue;
    if (rangeVar) {
      const cte = rangeVar.schemaname === undefined ? ctes.get(String(rangeVar.relname)) : undefined;
      if (cte === undefined) {
        tables.push(tableName(rangeVar));
      } else if (!visiting.has(String(rangeVar.relname))) {
        visiting.add(String(rangeVar.relname));
        for (const table of starredTables(asNode(cte, 'SelectStmt'), ctes, visiting)) tables.push(table);
        visiting.delete(String(rangeVar.relname));
      }
    } else if (subselect) {
      // Loops, not push(...): a FROM list (and so what a star reads) is as long as the query makes it.
      for (const table of starredTables(asNode(subselect.subquery, 'SelectStmt'), ctes, visiting)) tables.push(table);
    }
  }
  return [...new Set(tables)];
}

/** The tables a subquery or WITH query passes on whole through stars in its select list. */
function starredTables(select: Fields | undefined, outer: Ctes, visiting: Set<string>): string[] {
  if (!select) return [];
  const ctes = withQueries(select, outer);
  if (select.op !== undefined && select.op !== 'SETOP_NONE') {
    return [asNode({ SelectStmt: select.larg }, 'SelectStmt'), asNode({ SelectStmt: select.rarg }, 'SelectStmt')].flatMap((branch) => starredTables(branch, ctes, visiting));
  }
  const tables: string[] = [];
  for (const target of Array.isArray(select.targetList) ? select.targetList : []) {
    const ref = asNode(asNode(target, 'ResTarget')?.val, 'ColumnRef');
    if (ref && columnParts(ref).column === '*') for (const table of tablesBehindStar(select, columnParts(ref).qualifier, ctes, visiting)) tables.push(table);
  }
  return tables;
}
