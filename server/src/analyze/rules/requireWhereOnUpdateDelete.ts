/**
 * `require-where-on-update-delete`: an UPDATE or DELETE without WHERE changes every row of the
 * table. Usually a condition got lost (a fragment not appended, a filter left empty).
 */
import type { Rule, RuleContext } from './rule';
import { BULK_INTENT } from '../../extract/engines';
import { findTokenBefore, nodesOf, spanOf, tableName, type Fields } from './ast';

export const requireWhereOnUpdateDelete: Rule = {
  id: 'require-where-on-update-delete',
  summary: 'UPDATE or DELETE without WHERE changes every row of the table.',
  defaultSeverity: 'warning',
  scope: 'all',
  inOneOffFiles: false,
  check(ctx) {
    // A function named for it (`flush`, `clear_cache`, `resetTables`) empties tables on purpose.
    if (ctx.query.enclosingFunction !== undefined && BULK_INTENT.test(ctx.query.enclosingFunction)) return;
    // Data-modifying WITH queries and rule actions are statements too.
    for (const { type, fields } of nodesOf(ctx, 'UpdateStmt', 'DeleteStmt')) {
      const relation = fields.relation as Fields | undefined;
      const name = !fields.whereClause && relation ? spanOf(ctx, { RangeVar: relation }) : undefined;
      if (!relation || !name) continue;
      // A table named at run time (`UPDATE {table} SET …`): code that works on any table, whole.
      if (splicedName(ctx, name[0])) continue;
      // From the UPDATE or DELETE keyword (ONLY and FROM lie between) to the table's name.
      const keyword = type === 'UpdateStmt' ? 'update' : 'delete';
      const start = findTokenBefore(ctx, name[0], (text) => text === keyword)?.[0] ?? name[0];
      const table = tableName(relation);
      const using = type === 'UpdateStmt' ? fields.fromClause : fields.usingClause;
      const joined = Array.isArray(using) && using.length > 0 ? ` (${type === 'UpdateStmt' ? 'FROM' : 'USING'} adds tables but no condition)` : '';
      const message =
        type === 'UpdateStmt'
          ? `UPDATE without WHERE changes every row of ${table}${joined}: it writes a new version of each (dead ones to vacuum) and locks them all until the transaction ends. ` +
            `Add the WHERE clause that picks the rows; if every row is meant, say so with -- query-lens-ignore require-where-on-update-delete.`
          : `DELETE without WHERE removes every row of ${table}${joined}. ` +
            `Add the WHERE clause that picks the rows; to empty the table on purpose, TRUNCATE ${table} says so and is faster (it locks the table exclusively and fires no DELETE triggers).`;
      ctx.report({ start, end: name[1], message, data: { statement: keyword, table } });
    }
  },
};

/** Whether a hole spliced in at run time stands at `at` as a name (or its schema). */
function splicedName(ctx: RuleContext, at: number): boolean {
  for (const [index, role] of ctx.holeRoles) {
    if ((role === 'name' || role === 'schema') && ctx.query.parameters[index].sqlStart === at) return true;
  }
  return false;
}
