import type { Dialect } from '../settings';
import { familyOf, ScanSyntax, SqlScanner, Tok, TokenFlag } from '../scan/sqlScanner';

/** One SQL statement of a script, with its exact place in the document. */
export interface SqlStatement {
  /** Offset (UTF-16) of the statement's first token in the document. */
  start: number;
  /** Offset just past the statement's last token (before the terminating delimiter). */
  end: number;
  /** `document.slice(start, end)`. */
  text: string;
  /** The name its header gives it, in a file of named queries (`-- name: get_user`). */
  name?: string;
  /** Which loader's header named it, and so which placeholders its text uses. */
  loader?: NamedQueryLoader;
  /**
   * Whether the splitter saw a token that may be a placeholder of a driver, loader or template
   * (a psql variable, `%`, `{`, `?`, `@`, `sqlc.`): without one, the statement is read as written.
   */
  mayHavePlaceholders?: boolean;
}

/**
 * The loaders that read named queries from SQL files, told apart by their headers:
 * `sqlc` (`-- name: GetAuthor :one`), `pgtyped` (`/* @name FindBook *\/`), `hugsql`
 * (`-- :name get-user :? :1`), `aiosql` for the `-- name: get_user` headers that aiosql,
 * yesql and goyesql share, `dashed` for Procrastinate's `-- get_user --`, and `dotted` for the
 * `-- UserRepository.getById` headers of files that document each method's query (Immich's).
 */
export type NamedQueryLoader = 'sqlc' | 'pgtyped' | 'hugsql' | 'aiosql' | 'dashed' | 'dotted';

export interface SplitOptions {
  dialect: Dialect;
  /**
   * Treat the text as a psql script: backslash meta-commands (`\set`, `\if`, `\i` …) are not
   * SQL, and `COPY … FROM stdin` is followed by data up to `\.`. On for `.sql` files in the
   * PostgreSQL dialect.
   */
  psql: boolean;
}

/** `-- name: get_user`, `-- name: GetAuthor :one`, `-- :name get-user :? :1`. */
const LINE_HEADER = /^--[ \t]*(?:name[ \t]*:[ \t]*([^\s]+)(?:[ \t]+(:[a-z]+))?|:name[ \t]+([^\s]+))/;
/**
 * `-- defer_job --` alone on its line, as Procrastinate's loader splits its queries file (no `;`
 * between queries). Lower-case snake case only: `-- Tables --` is a section title.
 */
const DASHED_HEADER = /^--[ \t]+([a-z][a-z0-9_]*)[ \t]+--[ \t]*\r?$/;
/**
 * `-- UserRepository.getById` alone on its line (or with a remark: `-- MemoryRepository.statistics
 * (date filter)`): a class's method and the query it runs, as a generator writes them one after
 * the other without `;`. A capital first: `-- users.email` is prose.
 */
const DOTTED_HEADER = /^--[ \t]*([A-Z][\w$]*(?:\.[A-Za-z_$][\w$]*)+)(?:[ \t]+\([^)\n]*\))?[ \t]*\r?$/;
/** PgTyped's `/* @name FindBook *\/`. */
const BLOCK_HEADER = /^\/\*[\s*]*@name[ \t]+([A-Za-z_$][\w$]*)/;
/** sqlc's query kinds, after the name. */
const SQLC_KINDS = new Set([':one', ':many', ':exec', ':execrows', ':execresult', ':execlastid', ':copyfrom', ':batchexec', ':batchmany', ':batchone']);
/** aiosql's operation suffixes (`get_user^`, `add_user<!`): not part of the name. */
const AIOSQL_SUFFIX = /(?:<!|\*!|[!#^$])$/;

/** U+FEFF, which a file saved "with BOM" starts with. */
const BYTE_ORDER_MARK = 0xfeff;

/**
 * Splits a SQL script into statements the way the dialect's own command-line client does
 * (psql for PostgreSQL, the mysql client for MySQL/MariaDB, sqlite3 for SQLite): a delimiter
 * ends a statement only outside quotes, comments, parentheses and procedural bodies. A file of
 * named queries (aiosql, yesql, HugSQL, sqlc, PgTyped) is split at each header as well: its
 * loader reads the text between two headers as one query, `;` or not. Reads the text with the
 * one SQL scanner, in one pass; an unterminated quote or comment runs to the end of the text and
 * is a statement of its own there, for the parser to report.
 */
export function splitSqlStatements(text: string, options: SplitOptions): SqlStatement[] {
  const statements: SqlStatement[] = [];
  const family = familyOf(options.dialect);
  const mysqlLike = family === 'mysql';
  // A byte order mark is how the file was saved, not SQL: an editor that sends it at the start
  // of the text made `\uFEFFSELECT` the first word. Skipped, offsets stay the document's.
  const textStart = text.charCodeAt(0) === BYTE_ORDER_MARK ? 1 : 0;
  const scanner = new SqlScanner(text, family, options.psql ? ScanSyntax.Psql : ScanSyntax.None, textStart);
  let delimiter = ';';
  let customDelimiter = false;

  let stmtStart = -1; // first token of the current statement, -1 when none yet
  let lastTokenEnd = -1; // end of the last token (not comment) of the current statement
  let parenDepth = 0;
  // psql's heuristic for CREATE FUNCTION … BEGIN ATOMIC … END (and SQLite/MySQL trigger and
  // routine bodies): count BEGIN/CASE against END only in statements that create routines.
  let beginDepth = 0;
  let wordCount = 0;
  let routineStatement = false;
  let mayCreateRoutine = false;
  /** Whether the statement starts with COPY: only then may data follow it (`COPY … FROM stdin`). */
  let firstIsCopy = false;
  let mayHavePlaceholders = false;
  let leadingWords = '';
  /** Set once a named-query header is seen: every header then starts a query. */
  let named = false;
  let pendingName: { name: string; loader: NamedQueryLoader } | undefined;

  const finishStatement = (): void => {
    if (stmtStart >= 0 && lastTokenEnd > stmtStart) {
      const statement: SqlStatement = { start: stmtStart, end: lastTokenEnd, text: text.slice(stmtStart, lastTokenEnd), mayHavePlaceholders };
      if (pendingName) {
        statement.name = pendingName.name;
        statement.loader = pendingName.loader;
      }
      statements.push(statement);
    }
    stmtStart = -1;
    lastTokenEnd = -1;
    parenDepth = 0;
    beginDepth = 0;
    wordCount = 0;
    routineStatement = false;
    mayCreateRoutine = false;
    firstIsCopy = false;
    mayHavePlaceholders = false;
    leadingWords = '';
  };
  const atLineStart = (at: number): boolean => {
    let j = at - 1;
    while (j >= textStart && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) {
      j--;
    }
    return j < textStart || text.charCodeAt(j) === 10 || text.charCodeAt(j) === 13;
  };
  const endOfLine = (from: number): number => {
    const nl = text.indexOf('\n', from);
    return nl < 0 ? text.length : nl;
  };
  /** After `COPY … FROM stdin`, psql reads data lines up to a line holding only `\.`. */
  const skipCopyData = (from: number): number => {
    let lineStart = from;
    while (lineStart < text.length) {
      const lineEnd = endOfLine(lineStart);
      if (text.slice(lineStart, lineEnd).replace(/\r$/, '') === '\\.') {
        return lineEnd;
      }
      lineStart = lineEnd + 1;
    }
    return text.length;
  };
  const isCopyFromStdin = (statementText: string): boolean =>
    /^\s*copy\b[\s\S]*\bfrom\s+stdin\b/i.test(statementText) || /^\\copy\b[^\n]*\bfrom\s+stdin\b/i.test(statementText);
  /** A named-query header, when the comment just read is one (at a line start, outside parentheses). */
  const header = (kind: number): { name: string; loader: NamedQueryLoader } | undefined => {
    // Most comments are prose: after `--` and blanks, a header goes on with `name` or `:name`;
    // a block header holds `@name`. Only those are read further.
    if (kind === Tok.LineComment) {
      let j = scanner.start + 2;
      while (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9) j++;
      const c = text.charCodeAt(j);
      const end = text.charCodeAt(scanner.end - 1) === 13 ? scanner.end - 2 : scanner.end - 1;
      if (c >= 97 && c <= 122 && text.charCodeAt(end) === 45 /* - */) {
        const dashed = DASHED_HEADER.exec(text.slice(scanner.start, scanner.end));
        if (dashed) return parenDepth === 0 && atLineStart(scanner.start) ? { name: dashed[1], loader: 'dashed' } : undefined;
      }
      if (c >= 65 && c <= 90) {
        const dotted = DOTTED_HEADER.exec(text.slice(scanner.start, scanner.end));
        if (dotted) return parenDepth === 0 && atLineStart(scanner.start) ? { name: dotted[1], loader: 'dotted' } : undefined;
      }
      if (c !== 110 /* n */ && c !== 58 /* : */) return undefined;
    } else {
      const at = text.indexOf('@name', scanner.start);
      if (at < 0 || at >= scanner.end) return undefined;
    }
    if (parenDepth > 0 || !atLineStart(scanner.start)) {
      return undefined;
    }
    const comment = text.slice(scanner.start, kind === Tok.LineComment ? scanner.end : Math.min(scanner.end, scanner.start + 200));
    if (kind === Tok.LineComment) {
      const match = LINE_HEADER.exec(comment);
      if (!match) return undefined;
      if (match[3] !== undefined) return { name: match[3], loader: 'hugsql' };
      const sqlc = match[2] !== undefined && SQLC_KINDS.has(match[2]);
      return { name: sqlc ? match[1] : match[1].replace(AIOSQL_SUFFIX, ''), loader: sqlc ? 'sqlc' : 'aiosql' };
    }
    const match = BLOCK_HEADER.exec(comment);
    return match ? { name: match[1], loader: 'pgtyped' } : undefined;
  };

  for (let kind = scanner.next(); kind !== Tok.End; kind = scanner.next()) {
    const start = scanner.start;
    // A custom delimiter (MySQL's DELIMITER command) is matched before anything else.
    if (customDelimiter && text.startsWith(delimiter, start)) {
      finishStatement();
      scanner.moveTo(start + delimiter.length);
      continue;
    }
    switch (kind) {
      case Tok.Word: {
        const end = scanner.end;
        const length = end - start;
        // MySQL client: `DELIMITER //` on its own line changes the statement delimiter.
        if (mysqlLike && stmtStart < 0 && length === 9 && atLineStart(start)) {
          const lineEnd = endOfLine(start);
          const match = /^delimiter[ \t]+(\S+)/i.exec(text.slice(start, lineEnd));
          if (match) {
            delimiter = match[1];
            customDelimiter = delimiter !== ';';
            scanner.moveTo(lineEnd);
            continue;
          }
        }
        if (stmtStart < 0) {
          stmtStart = start; // the statement's first token
        }
        lastTokenEnd = end;
        // Only the first few words decide whether this statement creates a routine, and only
        // when the first is CREATE (most statements: one comparison, no string built).
        if (wordCount === 0) {
          mayCreateRoutine = length === 6 && text.slice(start, end).toLowerCase() === 'create';
          firstIsCopy = length === 4 && text.slice(start, end).toLowerCase() === 'copy';
        }
        if (length === 4 && (text.charCodeAt(start) | 32) === 115 /* s */ && text.charCodeAt(end) === 46 /* . */ && text.slice(start, end).toLowerCase() === 'sqlc') {
          mayHavePlaceholders = true; // sqlc.arg(…)
        }
        if (mayCreateRoutine && wordCount < 6) {
          leadingWords += text.slice(start, end).toLowerCase() + ' ';
          routineStatement = /^create (or replace )?(temp |temporary )?(function|procedure|trigger) /.test(leadingWords);
        }
        wordCount++;
        if (routineStatement && parenDepth === 0 && length <= 5) {
          const word = text.slice(start, end).toLowerCase();
          if (word === 'begin') {
            // PostgreSQL bodies are `BEGIN ATOMIC`; a plain BEGIN inside a PostgreSQL routine
            // header does not occur outside dollar quotes, so psql counts every BEGIN.
            beginDepth++;
          } else if (word === 'case') {
            if (beginDepth > 0) {
              beginDepth++;
            }
          } else if (word === 'end') {
            if (beginDepth > 0) {
              beginDepth--;
            }
          }
        }
        continue;
      }
      case Tok.Punctuation: {
        const c = text.charCodeAt(start);
        if (c === 59 /* ; */ && !customDelimiter) {
          if (parenDepth === 0 && beginDepth === 0) {
            const copy = firstIsCopy && options.psql && isCopyFromStdin(text.slice(stmtStart, lastTokenEnd));
            finishStatement();
            if (copy) {
              scanner.moveTo(skipCopyData(endOfLine(scanner.end) + 1));
            }
            continue;
          }
          lastTokenEnd = scanner.end;
          continue;
        }
        if (stmtStart < 0) {
          stmtStart = start;
        }
        lastTokenEnd = scanner.end;
        if (c === 40 /* ( */) {
          parenDepth++;
        } else if (c === 41 /* ) */ && parenDepth > 0) {
          parenDepth--;
        }
        continue;
      }
      case Tok.LineComment:
      case Tok.BlockComment: {
        if (scanner.flags & TokenFlag.Unterminated && kind === Tok.BlockComment) {
          // PostgreSQL says "unterminated /* comment": the statement runs to the end of the text,
          // so that the parser reports it instead of the rest of the file silently disappearing.
          if (stmtStart < 0) stmtStart = start;
          lastTokenEnd = scanner.end;
          continue;
        }
        const found = named || stmtStart < 0 ? header(kind) : undefined;
        if (found) {
          finishStatement();
          named = true;
          pendingName = found;
          if (found.loader === 'pgtyped') {
            // PgTyped's `$$ids` spreads a list: not the start of a dollar quote.
            scanner.syntax |= ScanSyntax.DollarName;
          }
        }
        continue;
      }
      case Tok.PsqlCommand: {
        // \g and friends send the query buffer; any meta-command ends what we treat as a statement.
        const command = text.slice(start, scanner.end);
        finishStatement();
        if (/^\\copy\b/i.test(command) && isCopyFromStdin(command)) {
          scanner.moveTo(skipCopyData(scanner.end + 1));
        }
        continue;
      }
      default: {
        if (stmtStart < 0) {
          stmtStart = start;
        }
        lastTokenEnd = scanner.end;
        if (kind === Tok.Operator) {
          const c = text.charCodeAt(start);
          const last = text.charCodeAt(scanner.end - 1);
          if (c === 37 || c === 123 || c === 63 || c === 64 || last === 37 || last === 63 || last === 64) mayHavePlaceholders = true; // % { ? @
        } else if (kind === Tok.PsqlVariable || kind === Tok.Placeholder || kind === Tok.TemplateHole) {
          mayHavePlaceholders = true;
        }
      }
    }
  }
  finishStatement();
  return statements;
}
