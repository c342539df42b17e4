/**
 * `no-implicit-cross-join`: tables listed in FROM (`FROM a, b`) with nothing in WHERE that
 * links them. Every row of one is paired with every row of the other: usually a join
 * condition was forgotten, and the result and its cost are the product of the tables' sizes.
 *
 * A WHERE condition links the tables whose columns it names (qualified: `o.customer_id =
 * c.id`; a subquery's references to them count too). Quiet, because intended or unknowable:
 * an explicit `CROSS JOIN`; functions (`unnest(…)`, `generate_series(…)`), subqueries and
 * `VALUES` in FROM, and references to WITH queries (often a one-row list of parameters);
 * conditions comparing unqualified columns, whose tables cannot be told without the schema. A
 * builder's columns (`${a.fields.id} = ${b.fields.aId}`) link the tables spliced in from the same
 * objects (`${a.table}`, `${b.table}`).
 */
import { asNode, type Rule, type RuleContext } from './rule';
import { aliasOf, ancestorsOf, columnParts, columnRefs, conjuncts, cteNames, fromItems, fromItemSpan, functionName, listNames, nodesOf, quoteIdent, tableName, walkTree, type Fields } from './ast';

/** One comma-separated FROM item, explicit joins kept whole. */
interface Unit {
  /** The names its columns are qualified with: aliases, else table or function names. */
  names: Set<string>;
  /** The tables in it; none when it is no table (function, subquery, WITH query). */
  tables: Fields[];
  item: unknown;
}

export const noImplicitCrossJoin: Rule = {
  id: 'no-implicit-cross-join',
  summary: 'Tables listed in FROM with no condition linking them pair every row with every row.',
  defaultSeverity: 'warning',
  scope: 'all',
  inOneOffFiles: true,
  // A test pairs every row of its few fixture rows on purpose more often than by mistake.
  inTestFiles: false,
  check(ctx) {
    for (const node of nodesOf(ctx, 'SelectStmt', 'UpdateStmt', 'DeleteStmt')) {
      const { type, fields } = node;
      const items = fromItems(type, fields, false);
      if (items.length < 2) continue;
      const ctes = cteNames(fields, ancestorsOf(node));
      const units = items.map((item) => unitOf(item, ctes));
      if (units.filter((unit) => unit.tables.length > 0).length < 2) continue;
      reportUnlinked(ctx, units, linkedComponents(units, fields.whereClause, ctx));
    }
  },
};

function unitOf(item: unknown, ctes: ReadonlySet<string>): Unit {
  const names = new Set<string>();
  const tables: Fields[] = [];
  // Walk the item's own FROM structure (joins, samples), not its subqueries.
  const stack = [item];
  while (stack.length > 0) {
    const current = stack.pop();
    const rangeVar = asNode(current, 'RangeVar');
    const join = asNode(current, 'JoinExpr');
    const sample = asNode(current, 'RangeTableSample');
    const func = asNode(current, 'RangeFunction');
    const other = current !== null && typeof current === 'object' ? (Object.values(current as Fields)[0] as Fields | undefined) : undefined;
    if (rangeVar) {
      const name = String(rangeVar.relname ?? '');
      names.add(aliasOf(rangeVar) ?? name);
      if (rangeVar.schemaname !== undefined || !ctes.has(name)) tables.push(rangeVar);
    } else if (join) {
      if (aliasOf(join)) names.add(aliasOf(join)!);
      stack.push(join.rarg, join.larg);
    } else if (sample) {
      stack.push(sample.relation);
    } else if (func) {
      if (aliasOf(func)) names.add(aliasOf(func)!);
      // Without an alias, a function's columns are qualified with its name: `unnest.x`.
      walkTree(func.functions, (innerType, inner) => {
        if (innerType === 'FuncCall') names.add(functionName(inner));
        return false;
      });
    } else if (other && typeof other === 'object' && aliasOf(other)) {
      names.add(aliasOf(other)!);
    }
  }
  return { names, tables, item };
}

/**
 * Groups the units into components linked by WHERE conditions and by the correlated
 * references of LATERAL subqueries and functions. Returns each unit's component number.
 */
function linkedComponents(units: Unit[], where: unknown, ctx: RuleContext): number[] {
  const parent = units.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const union = (list: number[]) => {
    for (const i of list.slice(1)) parent[find(i)] = find(list[0]);
  };
  const unitsNamed = (expr: unknown): number[] => {
    const touched = new Set<number>();
    walkTree(expr, (type, fields) => {
      if (type !== 'ColumnRef') return;
      const { qualifier } = columnParts(fields);
      if (qualifier === undefined) return;
      units.forEach((unit, i) => {
        if (unit.names.has(qualifier)) touched.add(i);
      });
    });
    return [...touched];
  };
  // The objects each unit's tables are spliced in from, read once, when a condition asks.
  let unitRoots: Set<string>[] | undefined;
  for (const condition of where ? conjuncts(where) : []) {
    const own = columnRefs(condition);
    if (own.length >= 2 && own.some((ref) => columnParts(ref).qualifier === undefined)) {
      // `customer_id = id`: the columns' tables are unknown, so assume the condition joins.
      union(units.map((_, i) => i));
      continue;
    }
    // `${secrets.fields.id} = ${relations.fields.secretId}`: a builder's columns, each of the
    // table spliced in from the same object (`${secrets.table}`).
    const roots = holeRoots(ctx, condition);
    if (roots.size > 0) unitRoots ??= units.map((unit) => holeRoots(ctx, unit.tables.map((table) => ({ RangeVar: table }))));
    const touched = roots.size === 0 ? [] : units.flatMap((_, i) => ([...unitRoots![i]].some((root) => roots.has(root)) ? [i] : []));
    union([...unitsNamed(condition), ...touched]);
  }
  // LATERAL subqueries and functions, also inside explicit joins, link what they refer to.
  units.forEach((unit, i) => {
    const touched = unitsNamed(unit.item).filter((j) => j !== i);
    if (touched.length > 0) union([i, ...touched]);
  });
  return units.map((_, i) => find(i));
}

/**
 * The object a hole's expression starts from (`secrets` of `${secrets.fields.id}` and of
 * `${secrets.table}`), for a hole of `node`'s subtree or at a table's place; undefined for a
 * plain name (`${target}`), which says nothing of a table.
 */
function holeRoots(ctx: RuleContext, node: unknown): Set<string> {
  const roots = new Set<string>();
  const add = (offset: number) => {
    const parameter = ctx.query.parameters.find((p) => p.sqlStart === offset && p.source !== 'placeholder');
    const root = /^\s*(?:this\.)?([\w$]+)\s*\./.exec(parameter?.expression ?? '')?.[1];
    if (root !== undefined) roots.add(root);
  };
  walkTree(node, (type, fields) => {
    if ((type === 'ParamRef' || type === 'RangeVar') && typeof fields.location === 'number') add(ctx.offsetOf(fields.location));
  });
  return roots;
}

/**
 * Reports the first table of every component but the largest (the one the others should be
 * joined to; the first one on a tie), on its FROM item.
 */
function reportUnlinked(ctx: RuleContext, units: Unit[], components: number[]): void {
  const tablesByComponent = new Map<number, Fields[]>();
  units.forEach((unit, i) => {
    if (unit.tables.length > 0) tablesByComponent.set(components[i], [...(tablesByComponent.get(components[i]) ?? []), ...unit.tables]);
  });
  if (tablesByComponent.size < 2) return;
  let anchor = -1;
  for (const [component, tables] of tablesByComponent) {
    if (anchor < 0 || tables.length > tablesByComponent.get(anchor)!.length) anchor = component;
  }
  const anchorTables = tablesByComponent.get(anchor)!.map(displayName);
  const reported = new Set<number>([anchor]);
  units.forEach((unit, i) => {
    if (unit.tables.length === 0 || reported.has(components[i])) return;
    reported.add(components[i]);
    const span = fromItemSpan(ctx, unit.item);
    if (!span) return;
    const tables = unit.tables.map(displayName);
    const table = tables.length === 1 ? tables[0] : `The join of ${listNames(tables)}`;
    const others = anchorTables.length > 3 ? `${anchorTables.slice(0, 3).join(', ')} …` : listNames(anchorTables);
    ctx.report({
      start: span[0],
      end: span[1],
      message:
        `${table} is listed in FROM with no condition joining it to ${others}: every row of one is paired with every row of the other, ` +
        `so the result and its cost are the product of their sizes. Add the join condition (JOIN ${tables[0]} ON …, or a WHERE condition), ` +
        `or write CROSS JOIN if the product is intended.`,
      data: { tables, unlinkedFrom: anchorTables },
    });
  });
}

/** A table as the statement names it: `customers c`, `public.orders`. */
function displayName(rangeVar: Fields): string {
  const alias = aliasOf(rangeVar);
  return alias ? `${tableName(rangeVar)} ${quoteIdent(alias)}` : tableName(rangeVar);
}
