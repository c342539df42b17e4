import { parseStatement, type ParseOutcome } from '../analyze/parse';
import { parseQuery } from '../analyze/parseQuery';
import type { Query } from './query';
import { firstKeyword } from '../scan/sqlTokens';
import { SqlScanner, Tok } from '../scan/sqlScanner';

/** Keywords a SQL statement worth analysing starts with. */
const LEADING_KEYWORDS = new Set(['select', 'insert', 'update', 'delete', 'with', 'merge', 'create', 'alter', 'drop', 'truncate', 'copy', 'explain', 'values', 'call']);

/**
 * Keywords any statement a driver runs may start with: a string handed to a driver is SQL by
 * where it goes, so transaction control, `SET`, `LISTEN`, `DO` and the like count too.
 */
const DRIVER_KEYWORDS = new Set([
  ...LEADING_KEYWORDS,
  'table', 'show', 'set', 'reset', 'begin', 'start', 'commit', 'end', 'abort', 'rollback', 'savepoint', 'release', 'grant', 'revoke',
  'vacuum', 'analyze', 'analyse', 'lock', 'listen', 'notify', 'unlisten', 'refresh', 'do', 'declare', 'fetch', 'move', 'close',
  'cluster', 'reindex', 'comment', 'prepare', 'execute', 'deallocate', 'discard', 'checkpoint', 'security', 'load', 'import',
  'pragma', 'replace', 'attach', 'detach', 'upsert',
]);

/** The statement kinds a string found by its content alone may be. */
const QUERY_STATEMENTS = new Set([
  'SelectStmt',
  'InsertStmt',
  'UpdateStmt',
  'DeleteStmt',
  'MergeStmt',
  'CreateStmt',
  'IndexStmt',
  'AlterTableStmt',
  'DropStmt',
  'TruncateStmt',
  'CopyStmt',
  'ExplainStmt',
  'CallStmt',
  'ViewStmt',
  'CreateTableAsStmt',
]);

/** Signs of SQL structure that prose rarely has. */
const STRUCTURE = /[*=,()<>;.]|\$\d|\?|%s|%\(|:[A-Za-z_]|\n|\u0000/;

/** Whether `text` starts with a SQL keyword (a cheap first test before parsing). */
export function startsWithSqlKeyword(text: string): boolean {
  const keyword = firstKeyword(text);
  return keyword !== undefined && LEADING_KEYWORDS.has(keyword);
}

/** Whether SQL handed to a driver call starts like any statement (`BEGIN`, `SET`, `LISTEN` too). */
export function startsWithDriverSqlKeyword(text: string): boolean {
  const keyword = firstKeyword(text, true);
  return keyword !== undefined && DRIVER_KEYWORDS.has(keyword);
}

/**
 * Whether a string literal that no known driver call receives is SQL, judged by its content:
 * it starts with a SQL keyword, PostgreSQL's parser accepts it (holes and placeholders already
 * rewritten to `$n`) as a query or DDL statement, and it either writes its first keyword in
 * capitals or has some SQL structure (`*`, `=`, `,`, parentheses, placeholders, several lines).
 * So "select a row from the list" and "Select an option" are prose, while
 * "select * from users" and "SELECT id FROM users" are SQL.
 */
export function looksLikeSql(sql: string): boolean {
  return looksLike(sql, parseStatement(sql, 'postgresql'));
}

/**
 * `looksLikeSql` for a query built with holes: parsed as the analysis parses it, so that a hole
 * standing for a name (`FROM ${schema}.jobs`) does not keep a query from being recognised.
 */
export function looksLikeSqlQuery(query: Query): boolean {
  if (query.parameters.length === 0) return looksLikeSql(query.sql);
  const outcome = parseQuery(query, 'postgresql').outcome;
  if (outcome.ok) return looksLike(query.sql, outcome);
  // SQL text spliced in where neither a value nor a name stands (`FROM t ${joins} WHERE …
  // ${filters} GROUP BY`): the query is completed at run time, but what is written is SQL all
  // the same, as it reads without those holes. Listed, it is *not analysed*, with the reason.
  const without = withoutSplicedText(query);
  return without !== undefined && looksLike(without.sql, without.outcome);
}

/**
 * The query's SQL with the holes the parser stops at blanked out, one at a time, until it
 * parses; undefined when it stops anywhere else.
 */
function withoutSplicedText(query: Query): { sql: string; outcome: ParseOutcome } | undefined {
  let sql = query.sql;
  const holes = query.parameters.filter((p) => p.source === 'interpolated' || p.source === 'template');
  for (let round = 0; round <= holes.length; round++) {
    const outcome = parseStatement(sql, 'postgresql');
    if (outcome.ok) return round === 0 ? undefined : { sql, outcome };
    const at = outcome.problem.start;
    const hole = holes.find((p) => sql.charCodeAt(p.sqlStart) === 36 /* $ */ && at >= p.sqlStart - 1 && at <= p.sqlEnd);
    if (!hole) return undefined;
    sql = sql.slice(0, hole.sqlStart) + ' '.repeat(hole.sqlEnd - hole.sqlStart) + sql.slice(hole.sqlEnd);
  }
  return undefined;
}

function looksLike(sql: string, outcome: ParseOutcome): boolean {
  const scanner = new SqlScanner(sql);
  let kind = scanner.next();
  // A string that starts with `(` is a piece of a larger query far more often than a query.
  while (kind === Tok.LineComment || kind === Tok.BlockComment) {
    kind = scanner.next();
  }
  if (kind !== Tok.Word || !LEADING_KEYWORDS.has(sql.slice(scanner.start, scanner.end).toLowerCase())) {
    return false;
  }
  const keyword = sql.slice(scanner.start, scanner.end);
  const rest = sql.slice(scanner.end);
  if (!outcome.ok) {
    return false;
  }
  const statements = (outcome.ast as { stmts?: { stmt: Record<string, unknown> }[] }).stmts ?? [];
  if (statements.length === 0 || !statements.every((s) => QUERY_STATEMENTS.has(Object.keys(s.stmt)[0]) && !isEmptySelect(s.stmt))) {
    return false;
  }
  return keyword === keyword.toUpperCase() || STRUCTURE.test(rest);
}

/** `SELECT ALL` and `SELECT DISTINCT` parse, as selects of nothing: prose, not a query. */
function isEmptySelect(statement: Record<string, unknown>): boolean {
  const select = statement.SelectStmt as { targetList?: unknown[]; fromClause?: unknown[]; valuesLists?: unknown[]; op?: string } | undefined;
  return select !== undefined && select.op === 'SETOP_NONE' && !select.targetList && !select.fromClause && !select.valuesLists;
}
