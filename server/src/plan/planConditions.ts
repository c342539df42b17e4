/**
 * What a plan's conditions say about indexes. EXPLAIN prints a node's `Filter` and `Join Filter`
 * as SQL expressions (`((customer_id = $1) AND (status = 'paid'::text))`), so PostgreSQL's own
 * parser reads them: `SELECT 1 WHERE <condition>`. The parser must be loaded (`initParsers`);
 * a condition it cannot read answers "no columns".
 */
import { parseStatement } from '../analyze/parse';
import { parenthesisDepth } from '../text/parentheses';

/** The columns of one table a b-tree index could serve in a condition, in the condition's order. */
export interface IndexableColumns {
  /** Compared with `=`, `= ANY (…)` (an IN list) or `IS NULL`. */
  equality: string[];
  /** Compared with `<`, `<=`, `>`, `>=`. */
  range: string[];
  /** Equality columns compared with a literal (`status = 'pending'::text`), the literal as written: what a partial index's predicate can hold. */
  literals?: { column: string; literal: string }[];
}

type Node = Record<string, unknown>;

const RANGE_OPERATORS = new Set(['<', '<=', '>', '>=']);
/** Casts that only relabel a text column (`(name)::text` of a varchar): its index still applies. */
const RELABELLING_TYPES = new Set(['text', 'varchar']);
/** A subplan's result depends on what it reads: as a comparison's operand it is no constant. */
const SUBPLAN_REFERENCE = /\((?:alternatives: )?(?:hashed )?SubPlan \d+(?: or hashed SubPlan \d+)?\)/g;
/** An InitPlan runs once before the scan, so its output (`(InitPlan 1).col1`, PostgreSQL 17+) is a constant. */
const INITPLAN_OUTPUT = /\(InitPlan \d+\)\.col\d+/g;
/** Stands in for a subplan's result: a column no table has, so the comparison compares two columns. */
const SUBPLAN_COLUMN = '"query lens subplan"';

/**
 * The columns of the scanned table that `condition` compares with a constant or parameter in a
 * way a b-tree index serves: `=`, `= ANY`, `IS NULL`, ranges. Only top-level AND terms count (an
 * OR needs every branch indexed); comparisons of two columns, LIKE and functions of a column do
 * not. `qualifiers` are the names the scan's columns may be prefixed with (its alias, its
 * relation); a column with another prefix is another table's.
 */
export function indexableColumns(condition: string, qualifiers: readonly string[]): IndexableColumns | undefined {
  const where = parseCondition(condition);
  if (!where) return undefined;
  const equality: string[] = [];
  const range: string[] = [];
  const literals: { column: string; literal: string }[] = [];
  for (const term of andTerms(where)) {
    const found = comparedColumn(term, qualifiers) ?? comparedExpression(term, qualifiers, `${CONDITION_PREFIX}${condition}`);
    if (!found) continue;
    const list = found.kind === 'equality' ? equality : range;
    if (!list.includes(found.column)) list.push(found.column);
    const literal = found.kind === 'equality' ? literalCompared(term) : undefined;
    if (literal !== undefined && !literals.some((l) => l.column === found.column)) literals.push({ column: found.column, literal });
  }
  return { equality, range: range.filter((column) => !equality.includes(column)), ...(literals.length > 0 ? { literals } : {}) };
}

/**
 * The index keys each branch of an OR needs (`(customer_id = $1) OR (email = $2)` gives
 * `[["customer_id"], ["email"]]`): PostgreSQL serves an OR from indexes only by a BitmapOr of one
 * index scan per branch, so every branch must have a column of the scanned table it compares with
 * a constant; else undefined. The OR is the condition itself or one of its top-level AND terms
 * (the first such). A branch's keys are its equality columns, then one range column; branches
 * that need the same keys (`a = 1 OR a = 2`) are one.
 */
export function orBranchColumns(condition: string, qualifiers: readonly string[]): string[][] | undefined {
  const where = parseCondition(condition);
  if (!where) return undefined;
  for (const term of andTerms(where)) {
    const bool = term.BoolExpr as Node | undefined;
    if (bool?.boolop !== 'OR_EXPR' || !Array.isArray(bool.args)) continue;
    const branches: string[][] = [];
    for (const branch of orTerms(term)) {
      const equality: string[] = [];
      const range: string[] = [];
      for (const part of andTerms(branch)) {
        const found = comparedColumn(part, qualifiers) ?? comparedExpression(part, qualifiers, `${CONDITION_PREFIX}${condition}`);
        if (!found) continue;
        const list = found.kind === 'equality' ? equality : range;
        if (!list.includes(found.column)) list.push(found.column);
      }
      const keys = [...equality, ...range.filter((column) => !equality.includes(column)).slice(0, 1)];
      if (keys.length === 0) return undefined;
      if (!branches.some((known) => known.join() === keys.join())) branches.push(keys);
    }
    return branches;
  }
  return undefined;
}

/** The branches of an OR, nested ORs flattened. */
function orTerms(expression: Node): Node[] {
  const bool = expression.BoolExpr as Node | undefined;
  if (bool?.boolop === 'OR_EXPR' && Array.isArray(bool.args)) return bool.args.filter(isNode).flatMap(orTerms);
  return [expression];
}

/**
 * The columns of the inner table in a join condition's equalities between two tables
 * (`(i.order_id = o.id)` gives `order_id` for inner `i`), in the condition's order.
 */
export function innerJoinColumns(condition: string, innerQualifiers: readonly string[]): string[] {
  const where = parseCondition(condition);
  if (!where) return [];
  const columns: string[] = [];
  for (const term of andTerms(where)) {
    const comparison = term.A_Expr as Node | undefined;
    if (!comparison || comparison.kind !== 'AEXPR_OP' || operatorOf(comparison) !== '=') continue;
    const sides = [columnRefOf(comparison.lexpr), columnRefOf(comparison.rexpr)];
    if (!sides[0] || !sides[1]) continue;
    const inner = sides.filter((side) => side!.qualifier !== undefined && innerQualifiers.includes(side!.qualifier));
    if (inner.length === 1 && !columns.includes(inner[0]!.column)) columns.push(inner[0]!.column);
  }
  return columns;
}

/**
 * The columns of the scanned table an expression EXPLAIN printed refers to (`(o.status =
 * 'paid'::text)` and `o.total` give `status` and `total`), in order of first mention; columns
 * qualified by another table's name are left out. Undefined when the expression names a whole
 * row (`o.*`), holds a subplan, or cannot be read: its columns cannot then be listed.
 */
export function referencedColumns(expression: string, qualifiers: readonly string[]): string[] | undefined {
  if (expression.search(SUBPLAN_REFERENCE) >= 0) return undefined;
  const tree = parseCondition(expression);
  if (!tree) return undefined;
  const columns: string[] = [];
  const pending: unknown[] = [tree];
  while (pending.length > 0) {
    const next = pending.pop();
    if (Array.isArray(next)) {
      for (let i = next.length - 1; i >= 0; i--) pending.push(next[i]);
    } else if (isNode(next)) {
      if (isNode(next.ColumnRef)) {
        const reference = columnRefOf(next);
        if (!reference) return undefined; // `o.*`
        if (reference.qualifier !== undefined && !qualifiers.includes(reference.qualifier)) continue;
        if (!columns.includes(reference.column)) columns.push(reference.column);
      } else {
        const values = Object.values(next);
        for (let i = values.length - 1; i >= 0; i--) pending.push(values[i]);
      }
    }
  }
  return columns;
}

/** The parse tree of a condition EXPLAIN printed, or undefined when it is not one SQL expression. */
const CONDITION_PREFIX = 'SELECT 1 WHERE ';

function parseCondition(condition: string): Node | undefined {
  const sql = `${CONDITION_PREFIX}${condition.replace(SUBPLAN_REFERENCE, SUBPLAN_COLUMN).replace(INITPLAN_OUTPUT, '$0')}`;
  const outcome = parseStatement(sql, 'postgresql');
  if (!outcome.ok) return undefined;
  const statements = (outcome.ast as { stmts?: { stmt?: { SelectStmt?: Node } }[] }).stmts;
  const where = statements?.length === 1 ? statements[0].stmt?.SelectStmt?.whereClause : undefined;
  return isNode(where) ? where : undefined;
}

/** The terms of a condition's top-level AND (itself when it is not an AND). */
function andTerms(expression: Node): Node[] {
  const bool = expression.BoolExpr as Node | undefined;
  if (bool?.boolop === 'AND_EXPR' && Array.isArray(bool.args)) return bool.args.filter(isNode).flatMap(andTerms);
  return [expression];
}

/** The scan's column a term compares with a constant, and whether as equality or range. */
function comparedColumn(term: Node, qualifiers: readonly string[]): { column: string; kind: 'equality' | 'range' } | undefined {
  const nullTest = term.NullTest as Node | undefined;
  if (nullTest) {
    const column = scanColumnOf(nullTest.arg, qualifiers);
    return column !== undefined && nullTest.nulltesttype === 'IS_NULL' ? { column, kind: 'equality' } : undefined;
  }
  const comparison = term.A_Expr as Node | undefined;
  if (!comparison) return undefined;
  const operator = operatorOf(comparison);
  switch (comparison.kind) {
    case 'AEXPR_OP': {
      if (operator !== '=' && !RANGE_OPERATORS.has(operator ?? '')) return undefined;
      const kind = operator === '=' ? 'equality' : 'range';
      // Either side may hold the column: `customer_id = $1` or `$1 = customer_id`.
      const left = scanColumnOf(comparison.lexpr, qualifiers);
      if (left !== undefined && isConstant(comparison.rexpr)) return { column: left, kind };
      const right = scanColumnOf(comparison.rexpr, qualifiers);
      if (right !== undefined && isConstant(comparison.lexpr)) return { column: right, kind };
      return undefined;
    }
    case 'AEXPR_OP_ANY':
    case 'AEXPR_IN': {
      const column = scanColumnOf(comparison.lexpr, qualifiers);
      return operator === '=' && column !== undefined && isConstant(comparison.rexpr) ? { column, kind: 'equality' } : undefined;
    }
    case 'AEXPR_BETWEEN': {
      const column = scanColumnOf(comparison.lexpr, qualifiers);
      return column !== undefined && isConstant(comparison.rexpr) ? { column, kind: 'range' } : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * An expression of one column of the scanned table compared with a constant, as an expression
 * index's key: `lower(email) = 'x'` gives `lower(email)`, `(payload ->> 'type') = 'click'` gives
 * `payload ->> 'type'::text` (EXPLAIN's own spelling, which PostgreSQL reads back as the same
 * expression). The key is the condition's own text, qualifiers dropped.
 */
function comparedExpression(term: Node, qualifiers: readonly string[], sql: string): { column: string; kind: 'equality' | 'range' } | undefined {
  const comparison = term.A_Expr as Node | undefined;
  if (!comparison || comparison.kind !== 'AEXPR_OP' || typeof comparison.location !== 'number') return undefined;
  const operator = operatorOf(comparison);
  if (operator !== '=' && !RANGE_OPERATORS.has(operator ?? '')) return undefined;
  const expression = comparison.lexpr;
  if (!isNode(expression) || !(isNode(expression.FuncCall) || isNode(expression.A_Expr)) || !isConstant(comparison.rexpr)) return undefined;
  const references: { qualifier?: string; column: string }[] = [];
  let start = Infinity;
  const pending: unknown[] = [expression];
  while (pending.length > 0) {
    const next = pending.pop();
    if (Array.isArray(next)) pending.push(...next);
    else if (isNode(next)) {
      if (typeof next.location === 'number') start = Math.min(start, next.location);
      if (isNode(next.SubLink)) return undefined;
      const reference = columnRefOf(next);
      if (reference) {
        references.push(reference);
        const location = (next.ColumnRef as Node).location;
        if (typeof location === 'number') start = Math.min(start, location);
      } else pending.push(...Object.values(next));
    }
  }
  // One column of this table, and nothing volatile the planner would not match (`random()`).
  const columns = new Set(references.map((reference) => reference.column));
  if (columns.size !== 1 || references.some((reference) => reference.qualifier !== undefined && !qualifiers.includes(reference.qualifier))) return undefined;
  if (/\b(random|now|clock_timestamp|nextval|gen_random_uuid)\s*\(/i.test(sql.slice(start, comparison.location))) return undefined;
  let text = sql.slice(start, comparison.location).trim();
  // The comparison's own parentheses close after the left side's: keep the left side balanced.
  while (text.endsWith(')') && parenthesisDepth(text) < 0) text = text.slice(0, -1).trimEnd();
  if (parenthesisDepth(text) !== 0 || text === '') return undefined;
  for (const qualifier of qualifiers) {
    const name = /^[a-z_][a-z0-9_$]*$/.test(qualifier) ? qualifier : `"${qualifier.replace(/"/g, '""')}"`;
    text = text.replace(new RegExp(`(?<![A-Za-z0-9_$."])${name.replace(/[.*+?^${}()|[\]\\$]/g, '\\$&')}\\.`, 'g'), '');
  }
  return { column: text, kind: operator === '=' ? 'equality' : 'range' };
}

/**
 * The literal a `column = literal` term compares with, written back as SQL (`'pending'::text`,
 * `42`, `true`): a string, number or boolean constant, possibly cast to a named type.
 */
function literalCompared(term: Node): string | undefined {
  const comparison = term.A_Expr as Node | undefined;
  if (!comparison || comparison.kind !== 'AEXPR_OP' || operatorOf(comparison) !== '=') return undefined;
  return literalOf(columnRefOf(comparison.lexpr) || isNode((comparison.lexpr as Node | undefined)?.TypeCast) ? comparison.rexpr : comparison.lexpr);
}

function literalOf(expression: unknown): string | undefined {
  if (!isNode(expression)) return undefined;
  const cast = expression.TypeCast as Node | undefined;
  if (cast) {
    const names = ((cast.typeName as Node | undefined)?.names ?? []) as Node[];
    const type = (names[names.length - 1]?.String as Node | undefined)?.sval;
    const inner = literalOf(cast.arg);
    return inner !== undefined && typeof type === 'string' && /^[a-z_][a-z0-9_]*$/.test(type) && !Array.isArray((cast.typeName as Node | undefined)?.arrayBounds) ? `${inner}::${type}` : undefined;
  }
  const constant = expression.A_Const as Node | undefined;
  if (!constant) return undefined;
  const text = (constant.sval as Node | undefined)?.sval;
  if (typeof text === 'string') return `'${text.replace(/'/g, "''")}'`;
  const integer = (constant.ival as Node | undefined)?.ival;
  if (typeof integer === 'number') return String(integer);
  if (isNode(constant.ival)) return '0'; // libpg-query leaves a zero's value out
  const decimal = (constant.fval as Node | undefined)?.fval;
  if (typeof decimal === 'string') return decimal;
  const boolean = (constant.boolval as Node | undefined)?.boolval;
  if (isNode(constant.boolval)) return boolean === true ? 'true' : 'false';
  return undefined;
}

function operatorOf(expression: Node): string | undefined {
  const name = expression.name;
  if (!Array.isArray(name) || name.length !== 1) return undefined;
  return ((name[0] as Node).String as Node | undefined)?.sval as string | undefined;
}

/** A column of the scanned table, bare or relabelled to text: `customer_id`, `o.status`, `(name)::text`. */
function scanColumnOf(expression: unknown, qualifiers: readonly string[]): string | undefined {
  if (!isNode(expression)) return undefined;
  const cast = expression.TypeCast as Node | undefined;
  if (cast) {
    const names = ((cast.typeName as Node | undefined)?.names ?? []) as Node[];
    const type = (names[names.length - 1]?.String as Node | undefined)?.sval;
    const isArray = Array.isArray((cast.typeName as Node | undefined)?.arrayBounds);
    return typeof type === 'string' && RELABELLING_TYPES.has(type) && !isArray ? scanColumnOf(cast.arg, qualifiers) : undefined;
  }
  const reference = columnRefOf(expression);
  if (!reference || (reference.qualifier !== undefined && !qualifiers.includes(reference.qualifier))) return undefined;
  return reference.column;
}

/** `column` or `qualifier.column`. */
function columnRefOf(expression: unknown): { qualifier?: string; column: string } | undefined {
  const reference = isNode(expression) ? (expression.ColumnRef as Node | undefined) : undefined;
  const fields = Array.isArray(reference?.fields) ? (reference!.fields as Node[]) : [];
  const names = fields.map((field) => (field.String as Node | undefined)?.sval);
  if (names.some((name) => typeof name !== 'string')) return undefined;
  if (names.length === 1) return { column: names[0] as string };
  if (names.length === 2) return { qualifier: names[0] as string, column: names[1] as string };
  return undefined;
}

/** Constants, parameters and expressions of them (`now() - '1 day'::interval`): no column anywhere. */
function isConstant(expression: unknown): boolean {
  if (expression === undefined) return false;
  const pending: unknown[] = [expression];
  while (pending.length > 0) {
    const value = pending.pop();
    // Loops, not push(...): a list in the tree (an IN list's values) is unbounded.
    if (Array.isArray(value)) for (const item of value) pending.push(item);
    else if (isNode(value)) {
      if ('ColumnRef' in value) return false;
      pending.push(...Object.values(value));
    }
  }
  return true;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
