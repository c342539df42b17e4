/**
 * Schema-aware help while typing SQL: a table's columns and indexes on hover over its name, and
 * completion of table and column names, inside `.sql` files and recognised query strings. The
 * schema is the one plans come from (the connected database, or the embedded one built from the
 * workspace's schema files): `TableStats` as the catalog read gives it. Pure functions over the
 * query's text; the server finds the query under the cursor and the tables.
 */
import type { TableStats } from '../plan/insights';
import { formatCount } from '../text/numbers';
import { scanSqlTokens } from '../scan/sqlTokens';

/** The identifier (bare, or `"quoted"`) that holds `offset` in `sql`, with where it starts and ends. */
export function identifierAt(sql: string, offset: number): { name: string; start: number; end: number; qualifier?: string } | undefined {
  for (const token of scanSqlTokens(sql)) {
    if (token.start > offset) break;
    // The token's text is folded to lower case; a quoted name keeps its case in the SQL itself.
    const written = sql.slice(token.start, token.end);
    if (token.end < offset || !/^(?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+")$/.test(written)) continue;
    const name = unquote(written);
    const before = sql.slice(0, token.start);
    const qualifier = /([A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+")\.$/.exec(before)?.[1];
    return { name, start: token.start, end: token.end, ...(qualifier ? { qualifier: unquote(qualifier) } : {}) };
  }
  return undefined;
}

/**
 * A table (or CTE, or subquery) a query reads, where it is written: `FROM public.orders AS o`,
 * `JOIN lists`, `, subscriber_lists sl`, `UPDATE t`, `INSERT INTO t`, `(SELECT …) sub`.
 */
interface Reference {
  /** The table's name as PostgreSQL folds it; undefined for a subquery (its alias names no table). */
  table?: string;
  schema?: string;
  /** Where the table's name (its last part) is written. */
  start: number;
  end: number;
  alias?: string;
  aliasStart?: number;
  /** The `(` that opens the innermost parenthesised group holding the reference (-1 at top level). */
  scope: number;
  /** A CTE of the query, not a table. */
  cte: boolean;
  /** The target of INSERT INTO (EXCLUDED in ON CONFLICT means its row). */
  insertTarget: boolean;
}

const NAME = /^(?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+")$/;
/** Words after which a FROM list ends, or that follow a table reference without being its alias. */
const NOT_ALIAS = new Set([
  'where', 'join', 'left', 'right', 'inner', 'outer', 'full', 'cross', 'on', 'using', 'group', 'order', 'limit', 'offset', 'set', 'values', 'returning',
  'natural', 'lateral', 'union', 'except', 'intersect', 'window', 'having', 'for', 'default', 'select', 'tablesample', 'fetch', 'do', 'overriding',
  'with', 'as', 'only', 'and', 'or', 'not', 'into', 'from', 'update', 'delete', 'insert', 'merge', 'when', 'then', 'conflict',
]);
/** Words that end the FROM list a comma continues. */
const FROM_LIST_END = new Set(['where', 'group', 'order', 'limit', 'offset', 'having', 'window', 'union', 'except', 'intersect', 'returning', 'set', 'for', 'on', 'using', 'select', 'values', 'fetch']);

/** The tables, CTEs and subqueries a query's text reads, in order (read on tokens: unfinished SQL too). */
function referencesOf(sql: string): Reference[] {
  const tokens = scanSqlTokens(sql);
  const written = (i: number) => (i < tokens.length ? sql.slice(tokens[i].start, tokens[i].end) : '');
  const ctes = new Map<string, { start: number; end: number }[]>();
  const references: Reference[] = [];
  const groups: number[] = [];
  /** The depth of the FROM list a comma continues, or -1. */
  let fromListDepth = -1;
  let pendingSubquery: { depth: number } | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const text = tokens[i].text;
    if (text === '(') {
      groups.push(tokens[i].start);
      continue;
    }
    if (text === ')') {
      groups.pop();
      if (fromListDepth > groups.length) fromListDepth = -1;
      // `) AS sub` / `) sub` after a subquery in a FROM list: a name that is no table here.
      if (pendingSubquery && pendingSubquery.depth === groups.length) {
        pendingSubquery = undefined;
        let j = i + 1;
        if (tokens[j]?.text === 'as') j++;
        if (j < tokens.length && NAME.test(written(j)) && !NOT_ALIAS.has(tokens[j].text)) {
          references.push({ start: tokens[j].start, end: tokens[j].end, alias: unquote(written(j)), aliasStart: tokens[j].start, scope: groups.at(-1) ?? -1, cte: false, insertTarget: false });
        }
      }
      continue;
    }
    // `WITH name AS (`, `, name AS (`, `name (a, b) AS MATERIALIZED (`: a CTE's name.
    if ((text === 'with' || text === ',' || text === 'recursive') && NAME.test(written(i + 1))) {
      let j = i + 2;
      if (tokens[j]?.text === '(') {
        // A column list: `name (a, b) AS (`.
        while (j < tokens.length && tokens[j].text !== ')') j++;
        j++;
      }
      if (tokens[j]?.text === 'as') {
        let k = j + 1;
        if (tokens[k]?.text === 'not') k++;
        if (tokens[k]?.text === 'materialized') k++;
        if (tokens[k]?.text === '(') {
          // Its body: inside it (unless recursive), the name is still the table's.
          let depth = 0;
          let close = k;
          for (; close < tokens.length; close++) {
            if (tokens[close].text === '(') depth++;
            else if (tokens[close].text === ')' && --depth === 0) break;
          }
          const name = unquote(written(i + 1));
          ctes.set(name, [...(ctes.get(name) ?? []), { start: tokens[k].start, end: close < tokens.length ? tokens[close].end : sql.length }]);
        }
      }
    }
    const depth = groups.length;
    if (FROM_LIST_END.has(text) && fromListDepth === depth) fromListDepth = -1;
    const startsReference = text === 'from' || text === 'join' || text === 'update' || text === 'into' || (text === ',' && fromListDepth === depth);
    if (!startsReference) continue;
    if (text === 'from' || text === ',') fromListDepth = depth;
    let j = i + 1;
    while (tokens[j] && (tokens[j].text === 'only' || tokens[j].text === 'lateral')) j++;
    if (tokens[j]?.text === '(') {
      pendingSubquery = { depth };
      continue;
    }
    if (j >= tokens.length || !NAME.test(written(j)) || NOT_ALIAS.has(tokens[j].text)) continue;
    let schema: string | undefined;
    let nameAt = j;
    if (tokens[j + 1]?.text === '.' && NAME.test(written(j + 2))) {
      schema = unquote(written(j));
      nameAt = j + 2;
    }
    const table = unquote(written(nameAt));
    const reference: Reference = { table, ...(schema ? { schema } : {}), start: tokens[nameAt].start, end: tokens[nameAt].end, scope: groups.at(-1) ?? -1, cte: false, insertTarget: text === 'into' && tokens[i - 1]?.text === 'insert' };
    let k = nameAt + 1;
    if (tokens[k]?.text === 'as') k++;
    if (k < tokens.length && NAME.test(written(k)) && !NOT_ALIAS.has(tokens[k].text)) {
      reference.alias = unquote(written(k));
      reference.aliasStart = tokens[k].start;
    }
    references.push(reference);
    i = nameAt;
  }
  for (const reference of references) {
    const bodies = reference.schema === undefined && reference.table !== undefined ? ctes.get(reference.table) : undefined;
    reference.cte = bodies !== undefined && !bodies.some((body) => reference.start > body.start && reference.start < body.end);
  }
  return references;
}

/** The `(` offsets of the groups that hold `offset`, innermost first, then -1 (the top level). */
function scopesAt(sql: string, offset: number): number[] {
  const open: number[] = [];
  for (const token of scanSqlTokens(sql)) {
    if (token.start >= offset) break;
    if (token.text === '(') open.push(token.start);
    else if (token.text === ')') open.pop();
  }
  return [...open.reverse(), -1];
}

/**
 * What `name` means at `offset`: the reference it is the alias of (or, without an alias, the
 * table's own name), in the innermost scope that has one (`c` in a CTE's body is that body's
 * `c`, not the outer query's).
 */
function referenceNamed(sql: string, references: Reference[], name: string, offset: number): Reference | undefined {
  const candidates = references.filter((reference) => (reference.alias ?? reference.table) === name);
  if (candidates.length <= 1) return candidates[0];
  for (const scope of scopesAt(sql, offset)) {
    const inScope = candidates.filter((reference) => reference.scope === scope);
    if (inScope.length > 0) return inScope[inScope.length - 1];
  }
  return candidates[candidates.length - 1];
}

function tableOf(reference: Reference | undefined, tables: TableStats[]): TableStats | undefined {
  if (!reference?.table || reference.cte) return undefined;
  return tables.find((table) => table.name === reference.table && (reference.schema === undefined || table.schema === reference.schema));
}

/**
 * The table the name at `offset` means, for a hover: a table's name where the query reads it
 * (`FROM public.orders`), an alias where it is given or used as a qualifier (`o` in `o.id`), or
 * EXCLUDED in `ON CONFLICT … DO UPDATE`. A column, a column's alias (`AS lists`), a CTE or a
 * subquery gets none, even when a table shares its name.
 */
export function tableAt(sql: string, offset: number, tables: Iterable<TableStats>): { table: TableStats; start: number; end: number } | undefined {
  const name = identifierAt(sql, offset);
  if (!name) return undefined;
  const all = [...tables];
  const references = referencesOf(sql);
  const written = references.find((reference) => reference.start === name.start || reference.aliasStart === name.start);
  const usedAsQualifier = /^\s*\./.test(sql.slice(name.end));
  const reference = written ?? (usedAsQualifier && !name.qualifier ? qualifierReference(sql, references, name.name, name.start) : undefined);
  const table = reference ? tableOf(reference, all) : undefined;
  return table ? { table, start: name.start, end: name.end } : undefined;
}

/** What `qualifier.` means at `offset`: an alias or table of the query, EXCLUDED, or a table of the schema not named in the query yet. */
function qualifierReference(sql: string, references: Reference[], qualifier: string, offset: number): Reference | undefined {
  const named = referenceNamed(sql, references, qualifier, offset);
  if (named) return named;
  if (qualifier === 'excluded') return references.find((reference) => reference.insertTarget);
  // `orders.` typed before the FROM clause: the table of that name, unless a CTE has it.
  return { table: qualifier, start: offset, end: offset, scope: -1, cte: references.some((reference) => reference.cte && reference.table === qualifier), insertTarget: false };
}

/**
 * The columns a name at `offset` may mean: with a qualifier (`o.totl`), those of the table it
 * names; without one, those of every table the query reads.
 */
export function columnsInScope(sql: string, offset: number, qualifier: string | undefined, tables: Iterable<TableStats>): string[] {
  const all = [...tables];
  const references = referencesOf(sql);
  const scope = qualifier === undefined ? references.map((reference) => tableOf(reference, all)) : [tableOf(qualifierReference(sql, references, qualifier, offset), all)];
  return [...new Set(scope.flatMap((table) => (table?.columns ?? []).map((column) => column.name)))];
}

/** `FROM orders o`, `JOIN public.customers AS c`: alias (and each table's own name) → table name (CTEs and subqueries left out). */
export function aliasesOf(sql: string): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const reference of referencesOf(sql)) {
    if (!reference.table || reference.cte) continue;
    if (!aliases.has(reference.table)) aliases.set(reference.table, reference.table);
    if (reference.alias) aliases.set(reference.alias, reference.table);
  }
  return aliases;
}

/** ` · ~2,000 rows`, ` · ~1 row`; nothing for an empty (or never analysed) table. */
function rowsNote(table: TableStats): string {
  return table.rows > 0 ? ` · ~${formatCount(table.rows)} ${table.rows === 1 ? 'row' : 'rows'}` : '';
}

function unquote(name: string): string {
  return name.startsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name.toLowerCase();
}

/** Markdown for a hover over a table's name: its size, columns and indexes. */
export function tableHover(table: TableStats, source: string): string {
  const lines = [`**${table.schema}.${table.name}**${rowsNote(table)} · ${source}`, ''];
  if (table.columns?.length) {
    lines.push('| column | type |', '|:--|:--|');
    for (const column of table.columns) lines.push(`| \`${column.name}\` | ${column.type}${column.notNull ? ' not null' : ''} |`);
    lines.push('');
  }
  if (table.indexes.length > 0) {
    lines.push('Indexes:');
    for (const index of table.indexes) lines.push(`- \`${index.name}\` ${index.definition ? `\`${index.definition.replace(/^CREATE (UNIQUE )?INDEX \S+ ON \S+ /, '$1')}\`` : `(${index.columns.join(', ')})`}`);
  } else {
    lines.push('No indexes.');
  }
  return lines.join('\n');
}

export interface SchemaCompletion {
  label: string;
  kind: 'table' | 'column';
  /** The column's type, or the table's schema and size. */
  detail: string;
}

/**
 * What to offer at `offset` in `sql`: after `alias.` or `table.`, that table's columns; after
 * FROM, JOIN, UPDATE or INTO, the tables; elsewhere, the columns of the tables the query names,
 * then the tables.
 */
export function schemaCompletions(sql: string, offset: number, tables: Iterable<TableStats>): SchemaCompletion[] {
  const all = [...tables];
  const before = sql.slice(0, offset);
  const dotted = /([A-Za-z_][\w$]*|"(?:[^"]|"")+")\.[A-Za-z_\w$]*$/.exec(before);
  const tableItems = (): SchemaCompletion[] => all.map((table) => ({ label: table.name, kind: 'table' as const, detail: `${table.schema}.${table.name}${rowsNote(table)}` }));
  const columnItems = (table: TableStats): SchemaCompletion[] => (table.columns ?? []).map((column) => ({ label: column.name, kind: 'column' as const, detail: `${table.name}.${column.name} ${column.type}` }));
  const references = referencesOf(sql);
  if (dotted) {
    const table = tableOf(qualifierReference(sql, references, unquote(dotted[1]), dotted.index), all);
    return table ? columnItems(table) : [];
  }
  if (/\b(?:from|join|update|into)\s+[A-Za-z_\w$]*$/i.test(before)) return tableItems();
  const named: TableStats[] = [];
  for (const reference of references) {
    const table = tableOf(reference, all);
    if (table && !named.includes(table)) named.push(table);
  }
  return [...named.flatMap(columnItems), ...tableItems()];
}
