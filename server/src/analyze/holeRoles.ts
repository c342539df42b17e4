/**
 * What a hole stands for. A value spliced into SQL text at run time (`${x}`, `{x}`, `%s` with
 * `%`, a template's `{{x}}`) is parsed as a parameter `$n`; where the parse tree puts that
 * parameter says what the application really splices there: a value (`id = $1`), or a piece of
 * SQL (`WHERE $1` is a whole condition, `ORDER BY $1` an ordering, `SELECT $1 FROM` a column
 * list, `b.a_id $1` a clause after a name, which PostgreSQL reads as a typed literal). Only a hole
 * that stands for a value leaves the statement plannable as written, and only such a hole is an
 * injection a parameter can close.
 */
import type { QueryParameter } from '../extract/query';
import { utf8OffsetTable } from '../text/offsets';
import type { PgStatement } from './rules/rule';
import { walkTree } from './rules/ast';

export type HoleRole =
  /** Where a value goes: a parameter can stand there. */
  | 'value'
  /**
   * A value that is a name inside text the statement builds (`$1 || '.version'`,
   * `'DROP INDEX ' || $1 || '.job_i7'`): planned as the value it is, but no value of the user's.
   */
  | 'name in text'
  /** A whole condition of WHERE, HAVING, ON, or an AND/OR operand. */
  | 'condition'
  /** An ORDER BY item. */
  | 'ordering'
  /** A GROUP BY item. */
  | 'grouping'
  /** A select-list or RETURNING item. */
  | 'columns'
  /** Right after a name (`b.a_id {where}`): SQL text that follows it, parsed as a typed literal. */
  | 'clause'
  /** Where a name goes (`FROM {table}`): parsed only with the hole as a name. */
  | 'name'
  /** A schema before a table (`${schema}.jobs`): parsed with the hole as a name. */
  | 'schema'
  /** Anywhere in a statement that takes no parameters (`SET statement_timeout TO {ms}`, DDL). */
  | 'utility';

/** How each role reads in a message: "`{where}` adds SQL text at run time (a condition)". */
export const ROLE_WORDS: Record<Exclude<HoleRole, 'value' | 'name in text'>, string> = {
  condition: 'a condition',
  ordering: 'an ORDER BY list',
  grouping: 'a GROUP BY list',
  columns: 'a column list',
  clause: 'SQL text',
  name: 'a name',
  schema: 'a schema name',
  utility: 'a value of a statement that takes no parameters',
};

/** Statements whose values can be parameters: every other statement takes its values as text. */
const PARAMETERISABLE = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt', 'DeclareCursorStmt', 'CallStmt', 'ExplainStmt', 'CreateTableAsStmt', 'PrepareStmt']);

/**
 * The role of each hole (parameters that are not the driver's own placeholders) that parsed as
 * `$n`, by its index in `parameters`.
 */
export function holeRoles(sql: string, statements: readonly PgStatement[], parameters: readonly QueryParameter[]): Map<number, HoleRole> {
  const roles = new Map<number, HoleRole>();
  const holesAt = new Map<number, number>();
  parameters.forEach((parameter, index) => {
    if (parameter.source !== 'placeholder' && parameter.source !== 'bound' && sql.charCodeAt(parameter.sqlStart) === 36 /* $ */) {
      holesAt.set(parameter.sqlStart, index);
    }
  });
  if (holesAt.size === 0) {
    return roles;
  }
  if (statements.length === 1 && !PARAMETERISABLE.has(Object.keys(statements[0].stmt)[0] ?? '')) {
    for (const index of holesAt.values()) {
      roles.set(index, 'utility');
    }
    return roles;
  }
  let byteToIndex: Int32Array | undefined;
  // Asked once, not at each hole: a statement of thousands of holes read its whole text each time.
  let ascii: boolean | undefined;
  const offsetOf = (location: number) => {
    ascii ??= !/[^\x00-\x7f]/.test(sql);
    if (ascii) {
      return location;
    }
    byteToIndex ??= utf8OffsetTable(sql);
    return byteToIndex[Math.min(Math.max(location, 0), byteToIndex.length - 1)];
  };
  walkTree(statements, (type, fields, ancestors) => {
    if (type !== 'ParamRef' || typeof fields.location !== 'number') {
      return;
    }
    const index = holesAt.get(offsetOf(fields.location));
    if (index !== undefined) {
      roles.set(index, roleOf(fields, ancestors));
    }
  });
  return roles;
}

type Ancestor = { type: string; fields: Record<string, unknown> };

/** Whether `value` is the node wrapper `{ ParamRef: fields }` (or a list holding it). */
function holds(value: unknown, fields: Record<string, unknown>): boolean {
  if (Array.isArray(value)) {
    return value.some((item) => holds(item, fields));
  }
  return value !== null && typeof value === 'object' && (value as { ParamRef?: unknown }).ParamRef === fields;
}

function roleOf(param: Record<string, unknown>, ancestors: readonly Ancestor[]): HoleRole {
  const parent = ancestors[ancestors.length - 1];
  if (!parent) {
    return 'value';
  }
  const f = parent.fields;
  switch (parent.type) {
    case 'SelectStmt':
      if (holds(f.whereClause, param) || holds(f.havingClause, param)) return 'condition';
      if (holds(f.groupClause, param)) return 'grouping';
      return 'value';
    case 'UpdateStmt':
    case 'DeleteStmt':
      return holds(f.whereClause, param) ? 'condition' : 'value';
    case 'JoinExpr':
      return holds(f.quals, param) ? 'condition' : 'value';
    case 'BoolExpr':
      return 'condition';
    case 'SortBy':
      return 'ordering';
    case 'ResTarget': {
      const grandparent = ancestors[ancestors.length - 2];
      if (!grandparent || !holds(f.val, param)) return 'value';
      const target = grandparent.fields;
      const inSelectList = grandparent.type === 'SelectStmt' && Array.isArray(target.targetList) && target.targetList.some((item) => (item as { ResTarget?: unknown }).ResTarget === f);
      // libpg-query 18 puts RETURNING's items in `returningClause.exprs` (`returningList` before).
      const returning = (target.returningClause as { exprs?: unknown } | undefined)?.exprs ?? target.returningList;
      const inReturning = Array.isArray(returning) && returning.some((item) => (item as { ResTarget?: unknown }).ResTarget === f);
      return inSelectList || inReturning ? 'columns' : 'value';
    }
    case 'A_Expr': {
      // `'DROP INDEX ' || $1 || '.job_i7'`, `to_regclass($1 || '.version')`: a hole spliced into
      // a string right before `.name` is a schema inside text the statement builds: a value to
      // the planner, but a name to the reader.
      if (operatorOfExpr(f) !== '||') return 'value';
      if (holds(f.lexpr, param) && /^\.[A-Za-z_"]/.test(stringConstant(f.rexpr) ?? '')) return 'name in text';
      if (holds(f.rexpr, param)) {
        if (/[A-Za-z_0-9"]\.$/.test(lastString(f.lexpr) ?? '')) return 'name in text';
        // `(… || $1) || '.name'`: the text after the hole is the next operand up the chain.
        const grandparent = ancestors[ancestors.length - 2];
        if (grandparent?.type === 'A_Expr' && operatorOfExpr(grandparent.fields) === '||' && (grandparent.fields.lexpr as { A_Expr?: unknown } | undefined)?.A_Expr === f && /^\.[A-Za-z_"]/.test(stringConstant(grandparent.fields.rexpr) ?? '')) {
          return 'name in text';
        }
      }
      return 'value';
    }
    case 'TypeCast': {
      // `b.a_id $1` parses as a typed literal of type `b.a_id`: a hole right after a name.
      const typeName = f.typeName as { location?: number } | undefined;
      return typeof typeName?.location === 'number' && typeof param.location === 'number' && typeName.location < param.location ? 'clause' : 'value';
    }
    default:
      return 'value';
  }
}

/** The text of a string constant (`'…'`), or of the leftmost one a `||` chain starts with. */
function stringConstant(node: unknown): string | undefined {
  const constant = (node as { A_Const?: { sval?: { sval?: string } } } | undefined)?.A_Const;
  if (constant?.sval) return constant.sval.sval ?? '';
  const expr = (node as { A_Expr?: { lexpr?: unknown } } | undefined)?.A_Expr;
  return expr ? stringConstant(expr.lexpr) : undefined;
}

/** The text of a string constant, or of the rightmost one a `||` chain ends with. */
function lastString(node: unknown): string | undefined {
  const constant = (node as { A_Const?: { sval?: { sval?: string } } } | undefined)?.A_Const;
  if (constant?.sval) return constant.sval.sval ?? '';
  const expr = (node as { A_Expr?: { rexpr?: unknown } } | undefined)?.A_Expr;
  return expr ? lastString(expr.rexpr) : undefined;
}

function operatorOfExpr(fields: Record<string, unknown>): string | undefined {
  return (fields.name as { String?: { sval?: string } }[] | undefined)?.[0]?.String?.sval;
}
