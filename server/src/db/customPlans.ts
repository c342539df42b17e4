/**
 * Plans as PostgreSQL would run them. A prepared statement is planned for the values of each call
 * (a custom plan) until a plan for any values (the generic plan) costs no more than the custom
 * plans did (`plan_cache_mode = auto`). A query with optional filters (`$1 IS NULL OR status =
 * $1`) or a partial index (`WHERE kind = 'a'`) has a generic plan that scans everything, while
 * every real call is planned with its values and uses an index. So a query whose generic plan
 * has findings is planned again for representative values of its parameters, taken from the
 * column statistics (`pg_stats`): a common value, a rare value, and NULL where the query tests a
 * parameter for NULL. When those custom plans are cheaper, they are what the calls run, and only
 * what they show is reported, with the values that showed it.
 */
import { parseStatement } from '../analyze/parse';
import { asNode, createRuleContext, type PgStatement } from '../analyze/rules/rule';
import { columnParts, filterConditions, isParameter, operatorOf, tableOfColumn } from '../analyze/rules/ast';
import { sqlFileQuery } from '../extract/query';
import type { ActivePlanner } from './databaseService';
import type { ColumnStatistics } from './planner';

/** A parameter compared with a column of a table: the column's statistics give it values. */
interface ParameterColumn {
  /** The `$n` number. */
  number: number;
  table: string;
  column: string;
}

/** One set of values a query is planned for, and how to say so in a message. */
export interface ValueSet {
  values: (string | null)[];
  /** `$1 = 'paid', the most common status`, `$1 NULL`. */
  description: string;
}

/**
 * PostgreSQL switches to the generic plan when it costs no more than the custom plans' mean plus
 * the planning that reuse saves; this margin stands for that saving.
 */
const GENERIC_MARGIN = 1.1;

/**
 * The sets of values to plan a query for: a common value and a rare value of each parameter's
 * column, and all NULL when the query tests a parameter for NULL (an optional filter). Undefined
 * when no parameter is compared with a column whose statistics the database has.
 */
export async function representativeValues(sql: string, parameterCount: number, active: ActivePlanner): Promise<ValueSet[] | undefined> {
  const parsed = parseStatement(sql, 'postgresql');
  if (!parsed.ok) {
    return undefined;
  }
  const statements = ((parsed.ast as { stmts?: PgStatement[] }).stmts ?? []) as PgStatement[];
  const { columns, nullTested } = parameterColumns(sql, statements);
  if (columns.length === 0) {
    return undefined;
  }
  const common: (string | null)[] = new Array(parameterCount).fill(null);
  const rare: (string | null)[] = new Array(parameterCount).fill(null);
  const said: { common: string[]; rare: string[] } = { common: [], rare: [] };
  for (const { number, table, column } of columns) {
    const statistics = await columnStatistics(active, table, column);
    if (!statistics || common[number - 1] !== null) continue;
    const mostCommon = statistics.mostCommon[0];
    const histogram = statistics.histogram;
    const rareValue = histogram.length > 0 ? histogram[Math.floor(histogram.length / 2)] : statistics.mostCommon[statistics.mostCommon.length - 1];
    const commonValue = mostCommon ?? rareValue;
    if (commonValue === undefined) continue;
    common[number - 1] = commonValue;
    rare[number - 1] = rareValue ?? commonValue;
    said.common.push(`$${number} = ${literal(commonValue)}${mostCommon !== undefined ? `, the most common ${column}` : ''}`);
    said.rare.push(`$${number} = ${literal(rareValue ?? commonValue)}${rareValue !== undefined && rareValue !== commonValue ? `, a rare ${column}` : ''}`);
  }
  if (said.common.length === 0) {
    return undefined;
  }
  const sets: ValueSet[] = [{ values: common, description: listed(said.common) }];
  if (rare.some((value, i) => value !== common[i])) {
    sets.push({ values: rare, description: listed(said.rare) });
  }
  if (nullTested) {
    sets.push({ values: new Array(parameterCount).fill(null), description: parameterCount === 1 ? '$1 NULL' : 'every parameter NULL' });
  }
  return sets;
}

/** Whether PostgreSQL would run custom plans: they cost less than the generic plan, by the margin reuse saves. */
export function prefersCustomPlans(genericCost: number, customCosts: readonly number[]): boolean {
  if (customCosts.length === 0) return false;
  const mean = customCosts.reduce((sum, cost) => sum + cost, 0) / customCosts.length;
  return mean * GENERIC_MARGIN < genericCost;
}

/** `a`, `a and b`, `a; b and c`: values that carry commas of their own, listed. */
function listed(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join('; ')} and ${items[items.length - 1]}`;
}

/** `'paid'`: a value as a SQL literal. */
export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Which column each parameter is compared with (`status = $1`, `created_at > $2`, `id IN ($3)`,
 * `id = ANY($3)`), and whether one is tested for NULL (`$1 IS NULL OR …`).
 */
function parameterColumns(sql: string, statements: readonly PgStatement[]): { columns: ParameterColumn[]; nullTested: boolean } {
  const columns: ParameterColumn[] = [];
  let nullTested = false;
  const context = createRuleContext(sqlFileQuery(sql, 0), sql, 'sql', statements, new Map(), () => undefined);
  for (const { condition, scope } of filterConditions(context)) {
    const test = asNode(condition, 'NullTest');
    if (test && isParameter(test.arg)) {
      nullTested = true;
      continue;
    }
    const expr = asNode(condition, 'A_Expr');
    if (!expr) continue;
    const operator = operatorOf(expr);
    if (!['=', '<', '<=', '>', '>=', '<>', '!='].includes(operator) && expr.kind !== 'AEXPR_IN' && expr.kind !== 'AEXPR_OP_ANY') continue;
    const sides: [unknown, unknown][] = [
      [expr.lexpr, expr.rexpr],
      [expr.rexpr, expr.lexpr],
    ];
    for (const [columnSide, valueSide] of sides) {
      const ref = asNode(columnSide, 'ColumnRef');
      const values = Array.isArray(valueSide) ? valueSide : [valueSide];
      const param = values.map(parameterNumber).find((n) => n !== undefined);
      if (!ref || param === undefined) continue;
      const relation = tableOfColumn(scope, ref);
      if (relation) columns.push({ number: param, table: String(relation.rangeVar.schemaname ? `${relation.rangeVar.schemaname}.${relation.rangeVar.relname}` : relation.rangeVar.relname), column: columnParts(ref).column });
    }
  }
  return { columns, nullTested };
}

/** `$3`, `$3::int`, `ANY($3)`: the parameter's number. */
function parameterNumber(node: unknown): number | undefined {
  let value = node;
  for (let cast = asNode(value, 'TypeCast'); cast; cast = asNode(value, 'TypeCast')) value = cast.arg;
  const param = asNode(value, 'ParamRef');
  return param && typeof param.number === 'number' ? param.number : undefined;
}

/** The column's statistics, read once per schema version and kept with the planner. */
async function columnStatistics(active: ActivePlanner, table: string, column: string): Promise<ColumnStatistics | undefined> {
  const dot = table.indexOf('.');
  const name = dot >= 0 ? table.slice(dot + 1) : table;
  const known = dot >= 0 ? active.tables.get(table) : [...active.tables.values()].find((candidate) => candidate.name === name);
  if (!known) return undefined;
  return active.planner.columnStatistics(known.schema, known.name, column);
}

