import * as pgQuery from 'libpg-query';
import type { Dialect } from '../settings';
import { codePointOffsetToIndex } from '../text/offsets';
import { scanSqlTokens } from '../scan/sqlTokens';

/** Where and why a statement could not be read, in offsets (UTF-16) into the statement text. */
export interface ParseProblem {
  /**
   * `syntax`: the dialect's exact parser rejects the statement (PostgreSQL would too).
   * `not-analysed`: a parser that does not cover the whole dialect could not read it; the
   * statement may well be valid, so this is never an error.
   */
  kind: 'syntax' | 'not-analysed';
  message: string;
  start: number;
  end: number;
}

export type ParseOutcome =
  | { ok: true; dialect: Dialect; ast: unknown }
  | { ok: false; dialect: Dialect; problem: ParseProblem };

let pgReady: Promise<void> | undefined;

/**
 * Loads PostgreSQL's parser (WebAssembly, about 15 ms). Must be awaited once before
 * `parseStatement` is called for the PostgreSQL dialect.
 */
export function initParsers(): Promise<void> {
  pgReady ??= pgQuery.loadModule();
  return pgReady;
}

/** The label of the parser used for a dialect, as shown to users. */
export function parserLabel(dialect: Dialect): string {
  return dialect === 'postgresql' ? "PostgreSQL's parser (libpg-query)" : `node-sql-parser (${dialectLabel(dialect)})`;
}

export function dialectLabel(dialect: Dialect): string {
  switch (dialect) {
    case 'postgresql':
      return 'PostgreSQL';
    case 'mysql':
      return 'MySQL';
    case 'mariadb':
      return 'MariaDB';
    case 'sqlite':
      return 'SQLite';
  }
}

/** Parses one statement (no trailing delimiter needed) in the given dialect. */
export function parseStatement(sql: string, dialect: Dialect): ParseOutcome {
  return dialect === 'postgresql' ? parsePostgres(sql) : parseWithNodeSqlParser(sql, dialect);
}

interface PgErrorDetails {
  message: string;
  cursorPosition: number;
}

function parsePostgres(sql: string): ParseOutcome {
  try {
    return { ok: true, dialect: 'postgresql', ast: pgQuery.parseSync(sql) };
  } catch (error) {
    const details = (error as { sqlDetails?: PgErrorDetails }).sqlDetails;
    const message = details?.message ?? (error instanceof Error ? error.message : String(error));
    // libpg-query reports the cursor in code points, 0-based; PostgreSQL points at the token it
    // could not take (or at the end of the input).
    const at = details ? codePointOffsetToIndex(sql, details.cursorPosition) : 0;
    const [start, end] = pgErrorRange(sql, at, message);
    return { ok: false, dialect: 'postgresql', problem: { kind: 'syntax', message: shortenNearText(message), start, end } };
  }
}

const NEAR_TEXT = /^([\s\S]* at or near ")([\s\S]*)"$/;

/**
 * The range PostgreSQL's message points at. "at or near "X"" names the token, so X at the
 * cursor is the range; "at end of input" gets the last token, so that the squiggle sits where
 * the statement stops; an unterminated literal gets its opening word.
 */
function pgErrorRange(sql: string, at: number, message: string): [number, number] {
  const near = NEAR_TEXT.exec(message)?.[2];
  if (near !== undefined && near.length > 0 && !/\s/.test(near) && sql.startsWith(near, at)) {
    return [at, at + near.length];
  }
  if (at >= sql.trimEnd().length) {
    const last = lastPgToken(sql);
    if (last) {
      return last;
    }
  }
  return wordAt(sql, at);
}

/** The last token that is not a comment (the one SQL scanner agrees with PostgreSQL's on every regression statement). */
function lastPgToken(sql: string): [number, number] | undefined {
  const tokens = scanSqlTokens(sql);
  const last = tokens[tokens.length - 1];
  return last ? [last.start, last.end] : undefined;
}

/**
 * PostgreSQL quotes the rest of the input after an unterminated literal; in an editor that can be
 * the rest of the file, so the quoted text is cut at its first line or 40 characters.
 */
function shortenNearText(message: string): string {
  const match = NEAR_TEXT.exec(message);
  if (!match) {
    return message;
  }
  const near = match[2];
  const firstLine = near.split(/\r?\n/, 1)[0];
  const short = firstLine.length > 40 ? firstLine.slice(0, 40) : firstLine;
  return short === near ? message : `${match[1]}${short}…"`;
}

/** A fallback range: from `at` to the next white space, at least one character. */
function wordAt(sql: string, at: number): [number, number] {
  if (at >= sql.length) {
    const trimmed = sql.trimEnd().length;
    return [Math.max(0, trimmed - 1), trimmed];
  }
  const match = /\S+/y;
  match.lastIndex = at;
  const found = match.exec(sql);
  return found ? [at, at + found[0].length] : [at, Math.min(sql.length, at + 1)];
}

interface NodeSqlParser {
  astify(sql: string, options: { database: string }): unknown;
}

const nodeSqlParsers = new Map<Dialect, NodeSqlParser>();

/**
 * node-sql-parser ships one build per dialect; each is loaded on first use so a PostgreSQL
 * workspace never pays for them.
 */
function nodeSqlParserFor(dialect: Exclude<Dialect, 'postgresql'>): NodeSqlParser {
  let parser = nodeSqlParsers.get(dialect);
  if (!parser) {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const module =
      dialect === 'mysql'
        ? require('node-sql-parser/build/mysql')
        : dialect === 'mariadb'
          ? require('node-sql-parser/build/mariadb')
          : require('node-sql-parser/build/sqlite');
    parser = new module.Parser() as NodeSqlParser;
    nodeSqlParsers.set(dialect, parser);
  }
  return parser;
}

const NODE_SQL_PARSER_DATABASE: Record<Exclude<Dialect, 'postgresql'>, string> = {
  mysql: 'MySQL',
  mariadb: 'MariaDB',
  sqlite: 'Sqlite',
};

function parseWithNodeSqlParser(sql: string, dialect: Exclude<Dialect, 'postgresql'>): ParseOutcome {
  try {
    const ast = nodeSqlParserFor(dialect).astify(sql, { database: NODE_SQL_PARSER_DATABASE[dialect] });
    return { ok: true, dialect, ast };
  } catch (error) {
    const location = (error as { location?: { start: { offset: number } } }).location;
    const at = location ? Math.min(location.start.offset, sql.length) : 0;
    const [start, end] = wordAt(sql, at);
    const found = sql.slice(start, end);
    const message =
      `Not analysed: node-sql-parser's ${dialectLabel(dialect)} grammar cannot read this statement ` +
      (at >= sql.length ? 'past its end' : `from "${found.length > 40 ? found.slice(0, 40) + '…' : found}" on`) +
      ', so Query Lens checks nothing in it. The statement may still be valid.';
    return { ok: false, dialect, problem: { kind: 'not-analysed', message, start, end } };
  }
}
