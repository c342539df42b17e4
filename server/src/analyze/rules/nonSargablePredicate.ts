/**
 * `non-sargable-predicate`: a condition in WHERE or JOIN … ON that applies a function, a cast or
 * arithmetic to a column before comparing it (`lower(email) = $1`, `created_at::date = $1`,
 * `price * 1.1 > 100`). The planner can use an index only for a condition on what the index
 * stores: the bare column, or exactly that expression. The message gives the rewrite that
 * compares the bare column when there is one, and the expression index otherwise.
 *
 * Quiet when the other side also depends on the row's columns (two columns of one table can
 * be compared by no index), for `<>` (no index serves it anyway), for negated conditions, and
 * for casts to `text`/`varchar`, which are usually a mere relabelling of a text column that
 * keeps its index usable.
 */
import { asNode, nodeType, type Rule, type RuleContext } from './rule';
import {
  aliasOf,
  alternativesOf,
  columnParts,
  conjunctsOf,
  columnRefs,
  constantOf,
  contains,
  excerpt,
  filterConditions,
  functionName,
  holeOf,
  isBareColumn,
  isParameter,
  listNames,
  namesOf,
  numberOf,
  operatorOf,
  spanOf,
  tableOfColumn,
  isSystemCatalog,
  textOf,
  unqualifiedTextOf,
  type Constant,
  type Fields,
  walkTree,
  type Scope,
} from './ast';

/** The comparisons a b-tree index can answer. */
const COMPARISONS = new Set(['=', '<', '<=', '>', '>=']);
/** Arithmetic that moves to the other side of a comparison (`%` does not: `id % $2 = $3` shards rows). */
const ARITHMETIC = new Set(['+', '-', '*', '/']);
/** The same comparison with its operands swapped. */
const SWAPPED: Record<string, string> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
/** Casts that usually only relabel a text column (varchar → text): its index still applies. */
const RELABELLING_TYPES = new Set(['text', 'varchar']);
/** Built-in aggregates: in a WHERE they are an enclosing query's, a constant for this one. */
const AGGREGATES = new Set(['count', 'sum', 'avg', 'min', 'max', 'array_agg', 'string_agg', 'bool_and', 'bool_or', 'every', 'json_agg', 'jsonb_agg', 'json_object_agg', 'jsonb_object_agg', 'bit_and', 'bit_or', 'stddev', 'variance']);
/** Units of `date_trunc` whose ranges `interval '1 <unit>'` describes. */
const TRUNC_UNITS = new Set(['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year']);

/** A comparison with the side that wraps a column on the left, however it was written. */
interface Comparison {
  /** The wrapped side. */
  wrapped: unknown;
  /** `=`, `<` … as if `wrapped` were on the left; `in`, `between`, `any` for those forms. */
  operator: string;
  /** What it is compared with. */
  values: unknown[];
  /** The whole condition. */
  condition: unknown;
}

export const nonSargablePredicate: Rule = {
  id: 'non-sargable-predicate',
  summary: 'A function, cast or arithmetic on a column in WHERE or JOIN hides the column from its index.',
  defaultSeverity: 'warning',
  scope: 'all',
  inOneOffFiles: false,
  check(ctx) {
    for (const { condition, negated, scope, place } of filterConditions(ctx)) {
      if (negated) continue;
      for (const comparison of comparisonsOf(condition)) {
        if (!wrapsColumn(comparison.wrapped) || !ofOneTable(comparison.wrapped, scope)) continue;
        if (!comparison.values.every((value) => isIndependent(value, comparison.wrapped, scope))) continue;
        // An index serves an OR only when it serves every arm: beside an arm none can serve
        // (`char_length(w) > 6 OR w NOT SIMILAR TO '\d+'`), an index for this one is never used.
        if (!alternativesOf(place).every((arm) => mayUseIndex(arm, scope))) continue;
        if (conjunctsOf(place).some((conjunct) => findsRowsByKey(conjunct, comparison.wrapped, scope) || splicedCondition(ctx, conjunct))) continue;
        // In WHERE, a condition on the nullable side of an outer join (`LEFT JOIN destinations …
        // WHERE x > COALESCE(destinations.y, 0)`) is checked on the joined rows: the join finds
        // them by its own key, and no index of that side can serve it.
        if (onNullableSide(comparison.wrapped, condition, scope)) continue;
        reportComparison(ctx, comparison, scope);
      }
    }
  },
};

/** The sides of a condition that could be the wrapped one (both, for `a = b`). */
function comparisonsOf(condition: unknown): Comparison[] {
  const expr = asNode(condition, 'A_Expr');
  if (!expr) return [];
  const operator = operatorOf(expr);
  switch (expr.kind) {
    case 'AEXPR_OP':
      if (!COMPARISONS.has(operator) || expr.lexpr === undefined) return [];
      return [
        { wrapped: expr.lexpr, operator, values: [expr.rexpr], condition },
        { wrapped: expr.rexpr, operator: SWAPPED[operator], values: [expr.lexpr], condition },
      ];
    case 'AEXPR_OP_ANY':
      return operator === '=' ? [{ wrapped: expr.lexpr, operator: 'any', values: [expr.rexpr], condition }] : [];
    case 'AEXPR_IN': {
      const items = (expr.rexpr as { List?: { items?: unknown[] } }).List?.items;
      return operator === '=' && Array.isArray(items) ? [{ wrapped: expr.lexpr, operator: 'in', values: items, condition }] : [];
    }
    case 'AEXPR_BETWEEN': {
      const bounds = (expr.rexpr as { List?: { items?: unknown[] } }).List?.items;
      return Array.isArray(bounds) ? [{ wrapped: expr.lexpr, operator: 'between', values: bounds, condition }] : [];
    }
    default:
      return [];
  }
}

/**
 * Whether an index could serve a condition, as far as the parse tree tells: a comparison, range
 * or `LIKE` of a bare column or of an expression (an expression index), `IS NULL`, an `AND` with
 * one such condition, an `OR` of them. `NOT`, `NOT SIMILAR TO`, `EXISTS` and the like: no.
 */
function mayUseIndex(condition: unknown, scope: Scope): boolean {
  const bool = asNode(condition, 'BoolExpr');
  if (bool) {
    const args = (bool.args as unknown[] | undefined) ?? [];
    if (bool.boolop === 'AND_EXPR') return args.some((arg) => mayUseIndex(arg, scope));
    if (bool.boolop === 'OR_EXPR') return args.every((arg) => mayUseIndex(arg, scope));
    return false;
  }
  const nullTest = asNode(condition, 'NullTest');
  if (nullTest) return isBareColumn(nullTest.arg);
  const expr = asNode(condition, 'A_Expr');
  if (expr && (expr.kind === 'AEXPR_LIKE' || expr.kind === 'AEXPR_ILIKE')) {
    return (operatorOf(expr) === '~~' || operatorOf(expr) === '~~*') && isBareColumn(expr.lexpr);
  }
  return comparisonsOf(condition).some(
    (c) => (isBareColumn(c.wrapped) || wrapsColumn(c.wrapped)) && ofOneTable(c.wrapped, scope) && c.values.every((value) => isIndependent(value, c.wrapped, scope)),
  );
}

/**
 * Whether `conjunct` compares a bare column of the wrapped columns' table with a parameter
 * (`name = $1`): a key the application looks rows up by, which an index usually serves, leaving
 * the wrapped condition to filter the few rows found. A constant (`state = 'active'`) is often a
 * flag most rows share, and does not count.
 */
function findsRowsByKey(conjunct: unknown, wrapped: unknown, scope: Scope): boolean {
  const expr = asNode(conjunct, 'A_Expr');
  // `user_id = ANY($1)`: the rows of a list of keys, found by the key's index just the same.
  if (expr?.kind === 'AEXPR_OP_ANY' && operatorOf(expr) === '=' && isParameter(expr.rexpr)) {
    const ref = asNode(expr.lexpr, 'ColumnRef');
    const table = ref ? tableOfColumn(scope, ref) : undefined;
    return table !== undefined && columnRefs(wrapped).every((own) => tableOfColumn(scope, own) === table);
  }
  if (!expr || expr.kind !== 'AEXPR_OP' || operatorOf(expr) !== '=') return false;
  const [column, value] = isBareColumn(expr.lexpr) ? [expr.lexpr, expr.rexpr] : [expr.rexpr, expr.lexpr];
  const ref = asNode(column, 'ColumnRef');
  if (!ref || !isParameter(value)) return false;
  const table = tableOfColumn(scope, ref);
  return table !== undefined && columnRefs(wrapped).every((own) => tableOfColumn(scope, own) === table);
}

/**
 * `WHERE {clause} AND length(key_id) = 6`: a condition spliced in beside it (often the key that
 * finds the rows, `user_id = ANY(?)`) is not in the text, so whether an index serves the query is
 * not either.
 */
function splicedCondition(ctx: RuleContext, conjunct: unknown): boolean {
  const hole = holeOf(ctx, conjunct);
  return hole !== undefined && ctx.holeRoles.get(hole.index) === 'condition';
}

/**
 * Whether every column of `wrapped` is of a table on the nullable side of an outer join (the
 * right of a LEFT JOIN, the left of a RIGHT JOIN, either of a FULL JOIN), and the condition is in
 * the statement's WHERE rather than in the join's ON.
 */
function onNullableSide(wrapped: unknown, condition: unknown, scope: Scope): boolean {
  const nullable = new Set<string>();
  const collect = (item: unknown, isNullable: boolean) => {
    const join = asNode(item, 'JoinExpr');
    if (join) {
      const type = join.jointype;
      collect(join.larg, isNullable || type === 'JOIN_RIGHT' || type === 'JOIN_FULL');
      collect(join.rarg, isNullable || type === 'JOIN_LEFT' || type === 'JOIN_FULL');
      return;
    }
    const rangeVar = asNode(item, 'RangeVar');
    if (rangeVar && isNullable) nullable.add(aliasOf(rangeVar) ?? String(rangeVar.relname));
  };
  for (const item of Array.isArray(scope.statement.fromClause) ? scope.statement.fromClause : []) collect(item, false);
  if (nullable.size === 0) return false;
  let inWhere = false;
  walkTree(scope.statement.whereClause, (_type, fields) => {
    if (fields === Object.values(condition as Fields)[0]) inWhere = true;
  });
  const refs = columnRefs(wrapped);
  return inWhere && refs.length > 0 && refs.every((ref) => {
    const relation = tableOfColumn(scope, ref);
    return relation !== undefined && nullable.has(relation.refName);
  });
}

/** A function, cast, `coalesce`/`greatest`/`least` or arithmetic over at least one column. */
function wrapsColumn(node: unknown): boolean {
  switch (nodeType(node)) {
    case 'FuncCall': {
      // Aggregates here belong to an enclosing query (HAVING is not searched).
      const call = asNode(node, 'FuncCall')!;
      const aggregate = call.agg_star || call.agg_distinct || call.agg_order || call.agg_filter || AGGREGATES.has(functionName(call));
      return !call.over && !aggregate && columnRefs(node).length > 0;
    }
    case 'TypeCast': {
      const cast = asNode(node, 'TypeCast')!;
      if (isBareColumn(cast.arg) && RELABELLING_TYPES.has(typeNameOf(cast))) return false;
      return columnRefs(node).length > 0;
    }
    case 'CoalesceExpr':
    case 'MinMaxExpr':
      return columnRefs(node).length > 0;
    case 'A_Expr': {
      const expr = asNode(node, 'A_Expr')!;
      return expr.kind === 'AEXPR_OP' && ARITHMETIC.has(operatorOf(expr)) && columnRefs(node).length > 0;
    }
    default:
      return false;
  }
}

/**
 * Whether the wrapped columns belong to one table of this statement, which could have an
 * index: not to a subquery, function or WITH query (no index), not to two tables (no index
 * spans two), and not all to an enclosing query (then the expression is a constant here).
 * An unqualified column in a statement with several tables is taken to be one of them.
 */
function ofOneTable(wrapped: unknown, scope: Scope): boolean {
  if (scope.relations.length === 0) return false; // only subqueries, functions, VALUES, WITH queries
  const owners = new Set<string>();
  const itemCount = scope.relations.length + scope.derived.length;
  for (const ref of columnRefs(wrapped)) {
    const { qualifier } = columnParts(ref);
    if (qualifier !== undefined) {
      if (scope.derived.includes(qualifier)) return false;
      owners.add(scope.relations.some((r) => r.refName === qualifier) ? qualifier : 'outer');
    } else if (itemCount === 1 && scope.derived.length === 1) {
      return false;
    } else if (itemCount === 1) {
      owners.add(scope.relations[0].refName);
    }
  }
  const tables = [...owners].filter((owner) => owner !== 'outer');
  return tables.length <= 1 && !(owners.size === 1 && owners.has('outer'));
}

/**
 * Whether the other side can be computed before the row is read: no column at all, or a bare
 * column of another table (a join key, known when the join looks the row up).
 */
function isIndependent(value: unknown, wrapped: unknown, scope: Scope): boolean {
  const refs = columnRefs(value);
  if (refs.length === 0) return true;
  const ref = asNode(value, 'ColumnRef');
  if (!ref || refs.length !== 1) return false;
  const qualifier = columnParts(ref).qualifier;
  if (qualifier === undefined) return false;
  return columnRefs(wrapped).every((own) => {
    const ownQualifier = columnParts(own).qualifier;
    if (ownQualifier !== undefined) return ownQualifier !== qualifier;
    const ownTable = tableOfColumn(scope, own);
    return ownTable !== undefined && ownTable.refName !== qualifier;
  });
}

function typeNameOf(cast: Fields): string {
  const names = namesOf((cast.typeName as Fields | undefined)?.names);
  const name = names[names.length - 1] ?? '';
  return name === 'bpchar' ? 'char' : name;
}


function reportComparison(ctx: RuleContext, comparison: Comparison, scope: Scope): void {
  const span = spanOf(ctx, comparison.wrapped);
  if (!span) return;
  const columns = [...new Set(columnRefs(comparison.wrapped).map((ref) => textOf(ctx, { ColumnRef: ref }) ?? columnParts(ref).column))];
  const tables = new Set(columnRefs(comparison.wrapped).map((ref) => tableOfColumn(scope, ref)?.table));
  const table = tables.size === 1 ? [...tables][0] : undefined;
  // PostgreSQL's own catalogs (`pg_namespace`, `information_schema.tables`) are small and take no
  // index of ours: nothing to advise.
  if (table !== undefined && isSystemCatalog(table)) return;
  const condition = excerpt(textOf(ctx, comparison.condition) ?? '');
  const { what, fix, rewrite, index } = advice(ctx, comparison, columns, table);
  // A parameter inside the expression (`least(a.n, $4) * $5`): no index can store it, and
  // without a rewrite that frees the column there is nothing to advise.
  if (contains(comparison.wrapped, 'ParamRef') && !rewrite) return;
  const conditionSpan = spanOf(ctx, comparison.condition);
  ctx.report({
    start: span[0],
    end: span[1],
    message: `${condition}: ${what} in every row, so an index on ${listNames(columns)} cannot serve this condition. ${fix}`,
    // `rewrite` replaces the whole condition (`condition`), not the flagged expression.
    data: { columns, table, rewrite, condition: rewrite ? conditionSpan : undefined, index },
  });
}

interface Advice {
  /** What the condition does to the column. */
  what: string;
  /** What to do, as a sentence. */
  fix: string;
  /** The condition rewritten to compare the bare column, when there is such a form. */
  rewrite?: string;
  /** The expression index that would serve the condition as written. */
  index?: string;
}

function advice(ctx: RuleContext, comparison: Comparison, columns: string[], table: string | undefined): Advice {
  const { wrapped } = comparison;
  const text = oneLine(textOf(ctx, wrapped) ?? '');
  const column = columns[0];
  const index = expressionIndex(ctx, wrapped, table);
  const indexFix = `create an expression index that stores it: ${index}`;
  const call = asNode(wrapped, 'FuncCall');
  const cast = asNode(wrapped, 'TypeCast');

  const truncated = dateTruncation(ctx, wrapped);
  if (truncated) {
    const rewrite = rangeRewrite(ctx, truncated.column, truncated.unit, comparison);
    const what = cast ? `casting ${truncated.column} to date truncates it` : `${functionName(call!)}() truncates ${truncated.column}`;
    return rewrite
      ? { what, fix: `Compare the bare column with a range instead: ${rewrite}.`, rewrite }
      : { what, fix: `Compare the bare column with the range of ${truncated.column} values that truncate to the value.` };
  }

  const year = extractedYear(ctx, wrapped);
  if (year) {
    const rewrite = yearRewrite(ctx, year, comparison);
    const what = `extracting the year computes it from ${year}`;
    return rewrite
      ? { what, fix: `Compare the bare column with the year's range instead: ${rewrite}.`, rewrite }
      : { what, fix: `Compare the bare column with the year's range instead (${year} >= make_date(y, 1, 1) AND ${year} < make_date(y + 1, 1, 1)).` };
  }

  const arithmetic = asNode(wrapped, 'A_Expr');
  if (arithmetic) {
    const rewrite = arithmeticRewrite(ctx, arithmetic, comparison);
    const what = `${text} is computed`;
    if (rewrite) {
      // Moved next to an operator, an untyped `$1` would take its type from the other operand.
      const value = comparison.values[0];
      const typing = isUntyped(value) ? ` (with ${oneLine(textOf(ctx, value) ?? '')} cast to ${columns[0]}'s type: an untyped value takes its type from the arithmetic around it)` : '';
      const caveat = typing + (rewrite.integerDivision ? ' (in integer arithmetic, check the rounding)' : '');
      // With a parameter in it, the expression is no index's to store.
      if (contains(wrapped, 'ParamRef')) return { what, fix: `Move the arithmetic to the other side and compare the bare column: ${rewrite.text}${caveat}.`, rewrite: rewrite.text };
      return { what, fix: `Move the arithmetic to the other side and compare the bare column: ${rewrite.text}${caveat}; or ${indexFix}.`, rewrite: rewrite.text, index };
    }
    return { what, fix: `Move the arithmetic to the other side so that the bare column is compared, or ${indexFix}.`, index };
  }

  const coalesce = asNode(wrapped, 'CoalesceExpr');
  if (coalesce) {
    const rewrite = coalesceRewrite(ctx, coalesce, comparison);
    const what = `coalesce() replaces NULLs of ${column}`;
    return rewrite
      ? { what, fix: `Compare the bare column, NULLs handled apart: ${rewrite}.`, rewrite }
      : { what, fix: `Compare the bare column and handle NULLs apart (${column} = … OR ${column} IS NULL when the default is the value compared), or ${indexFix}.`, index };
  }

  if (cast) {
    const type = oneLine(textOf(ctx, { TypeName: cast.typeName }) ?? typeNameOf(cast));
    const argument = oneLine(textOf(ctx, cast.arg) ?? column);
    // Casting the compared value instead only helps when the column itself is cast.
    const fix = isBareColumn(cast.arg) ? `Cast the other side to ${column}'s type instead, or ${indexFix}.` : `${capitalise(indexFix)}.`;
    return { what: `casting ${argument} to ${type} computes a new value`, fix, index };
  }

  const name = call ? functionName(call) : (textOf(ctx, wrapped) ?? '').split('(')[0].toLowerCase();
  if (call && (name === 'lower' || name === 'upper')) {
    const argument = Array.isArray(call.args) && call.args.length === 1 ? oneLine(textOf(ctx, call.args[0]) ?? column) : column;
    return {
      what: `${name}() is applied to ${argument}`,
      fix: `Create an expression index that stores it: ${index}; or make the column case-insensitive (citext, or a nondeterministic collation).`,
      index,
    };
  }
  // `f1 AT TIME ZONE 'utc'` is timezone('utc', f1): name what was written, not the function.
  const written = call?.funcformat === 'COERCE_SQL_SYNTAX' && !text.toLowerCase().startsWith(name) ? `${text} is computed` : undefined;
  return { what: written ?? `${name}() is applied to ${listNames(columns)}`, fix: `Compare the bare column if the condition can be turned around, or ${indexFix}.`, index };
}

/** `CREATE INDEX ON <table> (<expression>)`, qualifiers removed from the expression. */
function expressionIndex(ctx: RuleContext, wrapped: unknown, table: string | undefined): string {
  const expression = oneLine(unqualifiedTextOf(ctx, wrapped) ?? '');
  // A function call may stand bare in an index definition (`lower(email)`); anything else,
  // SQL syntax such as `x AT TIME ZONE 'UTC'` included, needs parentheses.
  const type = nodeType(wrapped);
  const bare = (type === 'FuncCall' || type === 'CoalesceExpr' || type === 'MinMaxExpr' || type === 'TypeCast') && isOneCall(expression);
  return `CREATE INDEX ON ${table ?? '<table>'} (${bare ? expression : `(${expression})`})`;
}

/** `created_at::date`, `CAST(created_at AS date)`, `date(created_at)`, `date_trunc('day', created_at)`. */
function dateTruncation(ctx: RuleContext, wrapped: unknown): { column: string; unit: string } | undefined {
  const cast = asNode(wrapped, 'TypeCast');
  if (cast) {
    return typeNameOf(cast) === 'date' && isBareColumn(cast.arg) ? { column: textOf(ctx, cast.arg)!, unit: 'day' } : undefined;
  }
  const call = asNode(wrapped, 'FuncCall');
  const args = call && Array.isArray(call.args) ? call.args : [];
  if (call && functionName(call) === 'date' && args.length === 1 && isBareColumn(args[0])) {
    return { column: textOf(ctx, args[0])!, unit: 'day' };
  }
  if (call && functionName(call) === 'date_trunc' && args.length === 2 && isBareColumn(args[1])) {
    const unit = constantOf(args[0]);
    if (unit?.kind === 'string' && TRUNC_UNITS.has(unit.value.toLowerCase())) {
      return { column: textOf(ctx, args[1])!, unit: unit.value.toLowerCase() };
    }
  }
  return undefined;
}

/**
 * The range form of a truncated comparison: `trunc(c) = v` is `c >= v AND c < v + 1 unit`.
 * For days (a date compares with a timestamp at midnight) the other operators have exact
 * forms too; for coarser units only `=` does, since `v` need not fall on a boundary.
 */
function rangeRewrite(ctx: RuleContext, column: string, unit: string, comparison: Comparison): string | undefined {
  const values = comparison.values.map((value) => operand(ctx, value));
  if (values.some((value) => value === undefined)) return undefined;
  const [v, w] = values as string[];
  // `v + interval '1 day'` where v has no type yet (`$2`, `'2024-05-01'`) would read v as an
  // interval; the value was compared with a date, so say so. A parameter already compared with
  // the column just before has the column's type.
  const step = (node: unknown, text: string, typedBefore: boolean) =>
    `${isUntyped(node) && !(typedBefore && asNode(node, 'ParamRef')) ? `${text}::date` : text} + interval '1 ${unit}'`;
  const [first, second] = comparison.values;
  if (comparison.operator === '=') return `${column} >= ${v} AND ${column} < ${step(first, v, true)}`;
  if (unit !== 'day') return undefined;
  switch (comparison.operator) {
    case '<':
      return `${column} < ${v}`;
    case '>=':
      return `${column} >= ${v}`;
    case '>':
      return `${column} >= ${step(first, v, false)}`;
    case '<=':
      return `${column} < ${step(first, v, false)}`;
    case 'between':
      return `${column} >= ${v} AND ${column} < ${step(second, w, false)}`;
    default:
      return undefined;
  }
}

/** A parameter or a string literal written without a type: PostgreSQL infers it from around it. */
function isUntyped(node: unknown): boolean {
  return asNode(node, 'ParamRef') !== undefined || constantOf(node)?.kind === 'string' && asNode(node, 'A_Const') !== undefined;
}

/** The column of `extract(year from c)` or `date_part('year', c)`. */
function extractedYear(ctx: RuleContext, wrapped: unknown): string | undefined {
  const call = asNode(wrapped, 'FuncCall');
  const args = call && Array.isArray(call.args) ? call.args : [];
  if (!call || (functionName(call) !== 'extract' && functionName(call) !== 'date_part') || args.length !== 2 || !isBareColumn(args[1])) return undefined;
  const field = constantOf(args[0]);
  return field?.kind === 'string' && field.value.toLowerCase() === 'year' ? textOf(ctx, args[1]) : undefined;
}

/** `extract(year from c) = 2024` is `c >= '2024-01-01' AND c < '2025-01-01'`. */
function yearRewrite(ctx: RuleContext, column: string, comparison: Comparison): string | undefined {
  const [value] = comparison.values;
  const year = numberOf(value);
  let from: string;
  let to: string;
  if (year !== undefined && Number.isInteger(year) && year > 0 && year < 10000) {
    from = `'${String(year).padStart(4, '0')}-01-01'`;
    to = `'${String(year + 1).padStart(4, '0')}-01-01'`;
  } else {
    const v = operand(ctx, value);
    if (v === undefined || comparison.values.length !== 1) return undefined;
    from = `make_date(${v}, 1, 1)`;
    to = `make_date(${v} + 1, 1, 1)`;
  }
  switch (comparison.operator) {
    case '=':
      return `${column} >= ${from} AND ${column} < ${to}`;
    case '<':
      return `${column} < ${from}`;
    case '>=':
      return `${column} >= ${from}`;
    case '>':
      return `${column} >= ${to}`;
    case '<=':
      return `${column} < ${to}`;
    default:
      return undefined;
  }
}

/** The inverse of each arithmetic operator, to move it to the other side. */
const INVERSE: Record<string, string> = { '+': '-', '-': '+', '*': '/', '/': '*' };
const FLIPPED: Record<string, string> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/**
 * `price * 1.1 > 100` → `price > 100 / 1.1`: for `+` and `-` always; for `*` and `/` when the
 * factor is a constant whose sign is known (a negative one turns the comparison around).
 */
function arithmeticRewrite(ctx: RuleContext, expr: Fields, comparison: Comparison): { text: string; integerDivision: boolean } | undefined {
  const operator = operatorOf(expr);
  if (!(operator in INVERSE) || !(comparison.operator in FLIPPED) || expr.lexpr === undefined) return undefined;
  const [value] = comparison.values;
  const v = operand(ctx, value);
  if (v === undefined) return undefined;
  const columnLeft = isBareColumn(expr.lexpr) && columnRefs(expr.rexpr).length === 0;
  const columnRight = isBareColumn(expr.rexpr) && columnRefs(expr.lexpr).length === 0;
  if (!columnLeft && !columnRight) return undefined;
  const column = textOf(ctx, columnLeft ? expr.lexpr : expr.rexpr)!;
  const other = columnLeft ? expr.rexpr : expr.lexpr;
  const k = operand(ctx, other);
  if (k === undefined) return undefined;
  let compare = comparison.operator;
  let moved: string;
  if (operator === '+') {
    moved = `${v} - ${k}`; // c + k and k + c
  } else if (operator === '-') {
    if (columnLeft) {
      moved = `${v} + ${k}`; // c - k < v  ⇔  c < v + k
    } else {
      moved = `${k} - ${v}`; // k - c < v  ⇔  c > k - v
      compare = FLIPPED[compare];
    }
  } else {
    const factor = numberOf(other);
    if (factor === undefined || factor === 0 || (operator === '/' && !columnLeft)) return undefined;
    moved = operator === '*' ? `${v} / ${k}` : `${v} * ${k}`;
    if (factor < 0) compare = FLIPPED[compare];
  }
  const constant = constantOf(other);
  const integerDivision = (operator === '*' || operator === '/') && constant?.kind === 'number' && constant.integer;
  return { text: `${column} ${compare} ${moved}`, integerDivision };
}

/**
 * `coalesce(c, d) = v` is `c = v` when `d = v` is false, and `(c = v OR c IS NULL)` when it is
 * true; decided here for constants only.
 */
function coalesceRewrite(ctx: RuleContext, coalesce: Fields, comparison: Comparison): string | undefined {
  const args = Array.isArray(coalesce.args) ? coalesce.args : [];
  if (args.length !== 2 || !isBareColumn(args[0]) || !(comparison.operator in FLIPPED)) return undefined;
  const fallback = constantOf(args[1]);
  const value = constantOf(comparison.values[0]);
  const v = operand(ctx, comparison.values[0]);
  if (!fallback || !value || v === undefined) return undefined;
  const holds = compareConstants(fallback, comparison.operator, value);
  if (holds === undefined) return undefined;
  const column = textOf(ctx, args[0])!;
  const bare = `${column} ${comparison.operator} ${v}`;
  return holds ? `(${bare} OR ${column} IS NULL)` : bare;
}

function compareConstants(left: Constant, operator: string, right: Constant): boolean | undefined {
  if (left.kind === 'number' && right.kind === 'number') {
    const [a, b] = [left.value, right.value];
    return { '=': a === b, '<': a < b, '<=': a <= b, '>': a > b, '>=': a >= b }[operator];
  }
  if (left.kind === 'string' && right.kind === 'string' && operator === '=') return left.value === right.value;
  return undefined;
}

/** Whether text is one call, `name(…)`, its first parenthesis closed by its last character. */
function isOneCall(text: string): boolean {
  const open = /^[a-z_][\w$]*(\.[a-z_][\w$]*)?\s*\(/i.exec(text);
  if (!open || !text.endsWith(')')) return false;
  let depth = 0;
  for (let i = open[0].length - 1; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i === text.length - 1;
  }
  return false;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Source text for a message: its line breaks and their indentation made one space. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

/** An operand's text, parenthesised unless it is a single term. */
function operand(ctx: RuleContext, node: unknown): string | undefined {
  const found = textOf(ctx, node);
  const text = found === undefined ? undefined : oneLine(found);
  if (text === undefined) return undefined;
  const type = nodeType(node);
  const single = type === 'A_Const' || type === 'ParamRef' || type === 'ColumnRef' || type === 'FuncCall' || type === 'TypeCast' || type === 'SQLValueFunction';
  return single ? text : `(${text})`;
}
