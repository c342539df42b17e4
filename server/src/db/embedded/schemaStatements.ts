/**
 * Which statements of a schema script the embedded database runs, and where in the file a
 * failure is. Pure functions: the embedded process uses them, tests call them directly.
 */
import { splitSqlStatements, SqlStatement } from '../../extract/sqlSplitter';
import { codePointOffsetToIndex } from '../../text/offsets';
import { leadingWords } from '../../scan/sqlTokens';

/** What to do with a statement of a schema file, and why it is skipped. */
export type StatementAction =
  | { run: true }
  | { run: false; reason: 'data' | 'transaction control' | 'session role' | 'maintenance' | 'cluster-wide' };

/** First words after which the statement only moves data: the embedded tables stay empty. */
const DATA_WORDS = new Set(['insert', 'update', 'delete', 'merge', 'copy', 'truncate']);
/** Each statement runs on its own, so a failure never aborts the ones after it. */
const TRANSACTION_WORDS = new Set(['begin', 'start', 'commit', 'end', 'rollback', 'abort', 'savepoint', 'release']);
/**
 * Statistics would make the empty tables look empty to the planner (estimates of one row); left
 * unanalysed, it assumes ten pages per table, and plans keep the shape they have on real data.
 */
const MAINTENANCE_WORDS = new Set(['vacuum', 'analyze', 'analyse', 'cluster', 'checkpoint', 'reindex', 'lock', 'load']);

/**
 * Run, or skip and why: data statements (INSERT, UPDATE, DELETE, MERGE, COPY, TRUNCATE, and a WITH
 * that writes), transaction control (each statement runs alone), role switches (we stay the
 * superuser who owns everything), statistics and maintenance, and cluster-wide statements
 * (databases, tablespaces, server settings).
 */
export function classifySchemaStatement(text: string): StatementAction {
  const [first = '', second = '', third = ''] = leadingWords(text, 3);
  if (DATA_WORDS.has(first)) {
    return { run: false, reason: 'data' };
  }
  if (first === 'with' && /\b(insert\s+into|update\s+[^;]*?\bset|delete\s+from|merge\s+into)\b/i.test(text)) {
    return { run: false, reason: 'data' };
  }
  if (TRANSACTION_WORDS.has(first) || (first === 'prepare' && second === 'transaction')) {
    return { run: false, reason: 'transaction control' };
  }
  if (
    ((first === 'set' || first === 'reset') && (second === 'role' || (second === 'session' && third === 'authorization'))) ||
    (first === 'set' && (second === 'local' || second === 'session') && third === 'role')
  ) {
    return { run: false, reason: 'session role' };
  }
  if (MAINTENANCE_WORDS.has(first)) {
    return { run: false, reason: 'maintenance' };
  }
  if (
    ((first === 'create' || first === 'drop' || first === 'alter') && (second === 'database' || second === 'tablespace')) ||
    (first === 'alter' && second === 'system')
  ) {
    return { run: false, reason: 'cluster-wide' };
  }
  return { run: true };
}

/**
 * SQLSTATEs of a statement that needs something not created yet: a relation (42P01), a type,
 * operator class or other object (42704), a schema (3F000), a function or operator (42883), a
 * column (42703). Files load in path order, which is not the order they were written in when
 * `a_views.sql` sorts before `z_tables.sql`: such a statement is tried again after the others.
 */
const MISSING_OBJECT_CODES = new Set(['42P01', '42704', '3F000', '42883', '42703']);

/**
 * Whether a statement that failed with SQLSTATE `code` may load once the statements after it have
 * run. Never a DROP: one whose object does not exist yet is not waiting for it, and run after
 * the statement that creates it (a script's `DROP TABLE t; CREATE TABLE t …`), it would drop it.
 */
export function mayLoadAfterOthers(text: string, code: string | undefined): boolean {
  return code !== undefined && MISSING_OBJECT_CODES.has(code) && leadingWords(text, 1)[0] !== 'drop';
}

/**
 * Whether the statement creates a table that lasts: `CREATE TABLE`, `CREATE TABLE IF NOT EXISTS`,
 * `CREATE UNLOGGED TABLE` (not a temporary one). What makes a `.sql` file a schema file when no
 * file matches `queryLens.schemaFiles`.
 */
export function createsTable(text: string): boolean {
  const [first, second, third] = leadingWords(text, 3);
  return first === 'create' && (second === 'table' || (second === 'unlogged' && third === 'table'));
}

/** The statements of a schema file as psql would send them (meta-commands and COPY data left out). */
export function schemaStatements(text: string): SqlStatement[] {
  return splitSqlStatements(text, { dialect: 'postgresql', psql: true });
}

/**
 * The extension named by `CREATE EXTENSION [IF NOT EXISTS] name`, as PostgreSQL folds it
 * (unquoted names are lower-cased), or undefined for any other statement.
 */
export function createdExtension(text: string): string | undefined {
  const match = /^\s*create\s+extension\s+(?:if\s+not\s+exists\s+)?(?:"((?:[^"]|"")+)"|([a-z_][a-z0-9_$]*))/i.exec(text);
  if (!match) {
    return undefined;
  }
  return match[1] !== undefined ? match[1].replace(/""/g, '"') : match[2].toLowerCase();
}

/** 1-based line and column (UTF-16 code units, as editors count) of `offset` in `text`. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/**
 * The offset in the file where PostgreSQL's error points: its `position` counts characters (code
 * points) from 1 in the statement it was sent; without one, the statement's start.
 */
export function errorOffset(statement: SqlStatement, position: string | number | undefined): number {
  const characters = Number(position);
  if (position === undefined || !Number.isInteger(characters) || characters < 1) {
    return statement.start;
  }
  return statement.start + codePointOffsetToIndex(statement.text, characters - 1);
}
