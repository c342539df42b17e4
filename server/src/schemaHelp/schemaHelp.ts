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

/** The table a name in a query means: by its name (schema-qualified or not), or by an alias the query gave it. */
export function tableNamed(name: string, tables: Iterable<TableStats>, sql?: string, schema?: string): TableStats | undefined {
  const all = [...tables];
  const direct = all.find((table) => table.name === name && (schema === undefined || table.schema === schema)) ?? all.find((table) => table.name === name);
  if (direct) return direct;
  const aliased = sql ? aliasesOf(sql).get(name) : undefined;
  return aliased ? all.find((table) => table.name === aliased) : undefined;
}

/** `FROM orders o`, `JOIN public.customers AS c`: alias (and each table's own name) → table name. */
export function aliasesOf(sql: string): Map<string, string> {
  const aliases = new Map<string, string>();
  const pattern = /\b(?:from|join|update|into)\s+((?:[A-Za-z_][\w$]*|"(?:[^"]|"")+")(?:\.(?:[A-Za-z_][\w$]*|"(?:[^"]|"")+"))?)(?:\s+(?:as\s+)?([A-Za-z_][\w$]*))?/gi;
  for (const match of sql.matchAll(pattern)) {
    const table = unquote(match[1].split('.').pop()!);
    const alias = match[2]?.toLowerCase();
    if (!aliases.has(table)) aliases.set(table, table);
    if (alias && !KEYWORDS.has(alias)) aliases.set(alias, table);
  }
  return aliases;
}

/** Words that follow a table reference without being its alias. */
const KEYWORDS = new Set(['where', 'join', 'left', 'right', 'inner', 'outer', 'full', 'cross', 'on', 'using', 'group', 'order', 'limit', 'offset', 'set', 'values', 'returning', 'natural', 'lateral', 'union', 'except', 'intersect', 'window', 'having', 'for', 'default', 'select']);

function unquote(name: string): string {
  return name.startsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name.toLowerCase();
}

/** Markdown for a hover over a table's name: its size, columns and indexes. */
export function tableHover(table: TableStats, source: string): string {
  const lines = [`**${table.schema}.${table.name}**${table.rows > 0 ? ` · ~${formatCount(table.rows)} rows` : ''} · ${source}`, ''];
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
  const tableItems = (): SchemaCompletion[] => all.map((table) => ({ label: table.name, kind: 'table' as const, detail: `${table.schema}.${table.name}${table.rows > 0 ? ` · ~${formatCount(table.rows)} rows` : ''}` }));
  const columnItems = (table: TableStats): SchemaCompletion[] => (table.columns ?? []).map((column) => ({ label: column.name, kind: 'column' as const, detail: `${table.name}.${column.name} ${column.type}` }));
  if (dotted) {
    const table = tableNamed(unquote(dotted[1]), all, sql);
    return table ? columnItems(table) : [];
  }
  if (/\b(?:from|join|update|into)\s+[A-Za-z_\w$]*$/i.test(before)) return tableItems();
  const named = new Set([...aliasesOf(sql).values()]);
  const columns = all.filter((table) => named.has(table.name)).flatMap(columnItems);
  return [...columns, ...tableItems()];
}
