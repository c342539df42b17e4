/**
 * `prefer-not-exists`: `x NOT IN (SELECT …)` (and its twin `x <> ALL (SELECT …)`). If the
 * subquery yields a single NULL the condition is never true, so the query silently returns
 * nothing; and PostgreSQL cannot plan it as an anti-join, so past `work_mem` it rescans the
 * subquery for every outer row. `NOT EXISTS` has neither problem.
 */
import { asNode, type Rule, type RuleContext } from './rule';
import { aliasOf, ancestorsOf, columnParts, cteNames, excerpt, holeOf, nodesOf, quoteIdent, scopeOf, spanOf, textOf, type Fields, type Scope } from './ast';

export const preferNotExists: Rule = {
  id: 'prefer-not-exists',
  summary: 'NOT IN (SELECT …) returns no rows when the subquery yields a NULL and cannot be an anti-join; use NOT EXISTS.',
  defaultSeverity: 'warning',
  scope: 'all',
  inOneOffFiles: true,
  check(ctx) {
    for (const treeNode of nodesOf(ctx, 'BoolExpr', 'SubLink')) {
      const { type, fields } = treeNode;
      const sublink = notInSublink(type, fields);
      if (!sublink) continue;
      const node = { [type]: fields };
      // A subquery that cannot yield a NULL has no trap; and then PostgreSQL hashes it whenever
      // it fits in work_mem, which a plan, not this rule, can tell.
      if (yieldsNoNull(sublink)) continue;
      // `SELECT min(%s) …` % rowid: what the subquery yields is spliced in at run time, so
      // whether it can be NULL is not in the text.
      if (yieldsSplicedText(ctx, sublink)) continue;
      const span = spanOf(ctx, node);
      if (!span) continue;
      const ancestors = ancestorsOf(treeNode);
      const outer = [...ancestors].reverse().find((a) => a.type === 'SelectStmt' || a.type === 'UpdateStmt' || a.type === 'DeleteStmt');
      const outerScope = outer && scopeOf(outer.type, outer.fields, cteNames(outer.fields, ancestors));
      const rewrite = notExistsRewrite(ctx, sublink, outerScope);
      const shown = excerpt(ctx.sql.slice(span[0], span[1]));
      ctx.report({
        start: span[0],
        end: span[1],
        message:
          `${shown} is never true once the subquery yields a NULL (it is then false or NULL for every row), so it silently matches nothing; ` +
          `and PostgreSQL cannot plan it as an anti-join: when the subquery's rows do not fit in work_mem, it is scanned again for every outer row. ` +
          `Write ${rewrite ?? 'NOT EXISTS (SELECT 1 FROM … WHERE <subquery column> = <outer column>)'}, which has neither problem.`,
        data: rewrite ? { replacement: rewrite } : undefined,
      });
    }
  },
};

/**
 * The subquery link of `x NOT IN (SELECT …)` (`NOT (x IN (SELECT …))` is the same tree) or of
 * `x <> ALL (SELECT …)`, when the node of type `type` is one; shared with the database's check
 * that a subquery's columns are NOT NULL (db/planDocument.ts).
 */
export function notInSublink(type: string, fields: Fields): Fields | undefined {
  if (type === 'BoolExpr' && fields.boolop === 'NOT_EXPR' && Array.isArray(fields.args) && fields.args.length === 1) {
    const sublink = asNode(fields.args[0], 'SubLink');
    return sublink?.subLinkType === 'ANY_SUBLINK' && isEquality(sublink.operName) ? sublink : undefined;
  }
  return type === 'SubLink' && fields.subLinkType === 'ALL_SUBLINK' && operatorIs(fields.operName, '<>') ? fields : undefined;
}

/**
 * Whether the subquery's every column is sure not to be NULL: filtered by `col IS NOT NULL` in its
 * WHERE, or a column named `id` (a primary key, in every schema convention we know of).
 */
function yieldsNoNull(sublink: Fields): boolean {
  const select = asNode(sublink.subselect, 'SelectStmt');
  if (!select || select.op !== 'SETOP_NONE' || !Array.isArray(select.targetList)) {
    return false;
  }
  const notNull = new Set<string>();
  const conjuncts = asNode(select.whereClause, 'BoolExpr')?.boolop === 'AND_EXPR' ? (asNode(select.whereClause, 'BoolExpr')!.args as unknown[]) : [select.whereClause];
  for (const conjunct of conjuncts) {
    const test = asNode(conjunct, 'NullTest');
    const column = test?.nulltesttype === 'IS_NOT_NULL' ? asNode(test.arg, 'ColumnRef') : undefined;
    if (column) notNull.add(columnParts(column).column);
  }
  return select.targetList.every((target) => {
    const name = nullOnlyWith(target, select);
    return name !== undefined && (NEVER_NULL.has(name) || notNull.has(name));
  });
}

/** Whether a column of the subquery is, or is the one argument of, a hole spliced in at run time. */
function yieldsSplicedText(ctx: RuleContext, sublink: Fields): boolean {
  const select = asNode(sublink.subselect, 'SelectStmt');
  if (!select || !Array.isArray(select.targetList)) return false;
  const spliced = (node: unknown) => {
    const source = holeOf(ctx, node)?.parameter.source;
    return source === 'interpolated' || source === 'template';
  };
  return select.targetList.some((target) => {
    const value = asNode(target, 'ResTarget')?.val;
    const call = asNode(value, 'FuncCall');
    return spliced(value) || (Array.isArray(call?.args) && call.args.length === 1 && spliced(call.args[0]));
  });
}

/** Columns that are never NULL: `id` (a primary key, in every schema convention we know of), and the row ids of PostgreSQL and SQLite. */
export const NEVER_NULL = new Set(['id', 'ctid', 'oid', 'rowid']);

/**
 * The column a subquery's target is NULL only with: a column, or `min(col)` / `max(col)` under a
 * GROUP BY (each group has a row, so its minimum is NULL only if the column is). Undefined for
 * anything else.
 */
export function nullOnlyWith(target: unknown, select: Fields): string | undefined {
  const value = asNode(target, 'ResTarget')?.val;
  const column = asNode(value, 'ColumnRef');
  if (column) return columnParts(column).column;
  const call = asNode(value, 'FuncCall');
  const name = Array.isArray(call?.funcname) ? asNode(call.funcname[call.funcname.length - 1], 'String')?.sval : undefined;
  const argument = Array.isArray(call?.args) && call.args.length === 1 ? asNode(call.args[0], 'ColumnRef') : undefined;
  if ((name === 'min' || name === 'max') && argument && Array.isArray(select.groupClause) && select.groupClause.length > 0 && !call?.agg_filter && !call?.over) {
    return columnParts(argument).column;
  }
  return undefined;
}

function operatorIs(operName: unknown, operator: string): boolean {
  const names = Array.isArray(operName) ? operName.map((n) => asNode(n, 'String')?.sval) : [];
  return names[names.length - 1] === operator;
}

/** `IN (SELECT …)` has no operator in the tree; `= ANY (SELECT …)` has `=`. */
function isEquality(operName: unknown): boolean {
  return operName === undefined || operatorIs(operName, '=');
}

/**
 * The `NOT EXISTS` form, when it can be written without guessing: a plain subquery (no
 * grouping, aggregates, DISTINCT, LIMIT or set operation) over one table, selecting columns,
 * and outer columns that can be qualified so that they cannot be captured by the subquery's
 * table.
 */
function notExistsRewrite(ctx: RuleContext, sublink: Fields, outerScope: Scope | undefined): string | undefined {
  const select = asNode(sublink.subselect, 'SelectStmt');
  if (
    !select ||
    select.op !== 'SETOP_NONE' ||
    select.groupClause ||
    select.havingClause ||
    select.distinctClause ||
    select.limitCount ||
    select.limitOffset ||
    select.withClause ||
    !Array.isArray(select.fromClause) ||
    select.fromClause.length !== 1 ||
    !Array.isArray(select.targetList)
  ) {
    return undefined;
  }
  const inner = asNode(select.fromClause[0], 'RangeVar');
  if (!inner) return undefined;
  const innerName = aliasOf(inner) ?? String(inner.relname);
  const targets = select.targetList.map((target) => asNode(asNode(target, 'ResTarget')?.val, 'ColumnRef'));
  const row = asNode(sublink.testexpr, 'RowExpr');
  const tested = row && Array.isArray(row.args) ? row.args : [sublink.testexpr];
  if (targets.length !== tested.length) return undefined;
  const conditions: string[] = [];
  for (let i = 0; i < targets.length; i++) {
    const target = targets[i];
    const outerRef = asNode(tested[i], 'ColumnRef');
    if (!target || !outerRef) return undefined;
    const innerParts = columnParts(target);
    if (innerParts.column === '*' || (innerParts.qualifier !== undefined && innerParts.qualifier !== innerName)) return undefined;
    const innerText = innerParts.qualifier !== undefined ? textOf(ctx, { ColumnRef: target }) : `${quoteIdent(innerName)}.${textOf(ctx, { ColumnRef: target })}`;
    let outerText = textOf(ctx, { ColumnRef: outerRef });
    const outerParts = columnParts(outerRef);
    if (outerParts.qualifier === undefined) {
      // Unqualified, the outer column would bind to the subquery's table if it has one of that name.
      const only = outerScope && outerScope.relations.length === 1 && outerScope.derived.length === 0 ? outerScope.relations[0] : undefined;
      if (!only || only.refName === innerName) return undefined;
      outerText = `${quoteIdent(only.refName)}.${outerText}`;
    } else if (outerParts.qualifier === innerName) {
      return undefined;
    }
    conditions.push(`${innerText} = ${outerText}`);
  }
  const from = textOf(ctx, select.fromClause[0]);
  if (!from) return undefined;
  const where = select.whereClause ? textOf(ctx, select.whereClause) : undefined;
  if (select.whereClause && !where) return undefined;
  const orWhere = asNode(select.whereClause, 'BoolExpr')?.boolop === 'OR_EXPR' ? `(${where})` : where;
  const fromText = aliasOf(inner) ? `${from} ${quoteIdent(innerName)}` : from;
  return `NOT EXISTS (SELECT 1 FROM ${fromText} WHERE ${[...(orWhere ? [orWhere] : []), ...conditions].join(' AND ')})`;
}
