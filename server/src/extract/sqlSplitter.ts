import type { Dialect } from '../settings';

/** One SQL statement of a script, with its exact place in the document. */
export interface SqlStatement {
  /** Offset (UTF-16) of the statement's first token in the document. */
  start: number;
  /** Offset just past the statement's last token (before the terminating delimiter). */
  end: number;
  /** `document.slice(start, end)`. */
  text: string;
}

export interface SplitOptions {
  dialect: Dialect;
  /**
   * Treat the text as a psql script: backslash meta-commands (`\set`, `\if`, `\i` …) are not
   * SQL, `COPY … FROM stdin` is followed by data up to `\.`, and `:name` variables are psql's.
   * On for `.sql` files in the PostgreSQL dialect.
   */
  psql: boolean;
}

const CH_NEWLINE = 10;
const CH_CR = 13;
const CH_SPACE = 32;
const CH_TAB = 9;
const CH_DQUOTE = 34;
const CH_HASH = 35;
const CH_DOLLAR = 36;
const CH_SQUOTE = 39;
const CH_LPAREN = 40;
const CH_RPAREN = 41;
const CH_STAR = 42;
const CH_MINUS = 45;
const CH_SLASH = 47;
const CH_SEMI = 59;
const CH_LBRACKET = 91;
const CH_BACKSLASH = 92;
const CH_RBRACKET = 93;
const CH_BACKTICK = 96;

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 128;
}

function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57) || c === CH_DOLLAR;
}

function isSpace(c: number): boolean {
  return c === CH_SPACE || c === CH_NEWLINE || c === CH_TAB || c === CH_CR || c === 12 || c === 11;
}

/**
 * Splits a SQL script into statements the way the dialect's own command-line client does
 * (psql for PostgreSQL, the mysql client for MySQL/MariaDB, sqlite3 for SQLite): a delimiter
 * ends a statement only outside quotes, comments, parentheses and procedural bodies. Runs in one
 * pass over the text, so a whole file costs about a millisecond per 200 KB; unterminated quotes
 * and comments simply run to the end of the text, where the parser reports them.
 */
export function splitSqlStatements(text: string, options: SplitOptions): SqlStatement[] {
  const statements: SqlStatement[] = [];
  const n = text.length;
  const mysqlLike = options.dialect === 'mysql' || options.dialect === 'mariadb';
  const sqlite = options.dialect === 'sqlite';
  const postgres = options.dialect === 'postgresql';
  let delimiter = ';';

  let stmtStart = -1; // first token of the current statement, -1 when none yet
  let lastTokenEnd = -1; // end of the last token (not comment, not space) of the current statement
  let parenDepth = 0;
  // psql's heuristic for CREATE FUNCTION … BEGIN ATOMIC … END (and SQLite/MySQL trigger and
  // routine bodies): count BEGIN/CASE against END only in statements that create routines.
  let beginDepth = 0;
  let identifierCount = 0;
  let routineStatement = false;
  let mayCreateRoutine = false;
  let leadingWords = '';

  let i = 0;

  const finishStatement = (): void => {
    if (stmtStart >= 0 && lastTokenEnd > stmtStart) {
      statements.push({ start: stmtStart, end: lastTokenEnd, text: text.slice(stmtStart, lastTokenEnd) });
    }
    stmtStart = -1;
    lastTokenEnd = -1;
    parenDepth = 0;
    beginDepth = 0;
    identifierCount = 0;
    routineStatement = false;
    mayCreateRoutine = false;
    leadingWords = '';
  };
  const atLineStart = (at: number): boolean => {
    let j = at - 1;
    while (j >= 0 && (text.charCodeAt(j) === CH_SPACE || text.charCodeAt(j) === CH_TAB)) {
      j--;
    }
    return j < 0 || text.charCodeAt(j) === CH_NEWLINE || text.charCodeAt(j) === CH_CR;
  };
  const endOfLine = (from: number): number => {
    const nl = text.indexOf('\n', from);
    return nl < 0 ? n : nl;
  };
  /** After `COPY … FROM stdin`, psql reads data lines up to a line holding only `\.`. */
  const skipCopyData = (from: number): number => {
    let lineStart = from;
    while (lineStart < n) {
      const lineEnd = endOfLine(lineStart);
      if (text.slice(lineStart, lineEnd).replace(/\r$/, '') === '\\.') {
        return lineEnd;
      }
      lineStart = lineEnd + 1;
    }
    return n;
  };
  const isCopyFromStdin = (statementText: string): boolean =>
    /^\s*copy\b[\s\S]*\bfrom\s+stdin\b/i.test(statementText) || /^\\copy\b[^\n]*\bfrom\s+stdin\b/i.test(statementText);

  while (i < n) {
    const c = text.charCodeAt(i);

    if (isSpace(c)) {
      i++;
      continue;
    }

    // A custom delimiter (MySQL's DELIMITER command) is matched before anything else.
    if (delimiter !== ';' && text.startsWith(delimiter, i)) {
      finishStatement();
      i += delimiter.length;
      continue;
    }

    // Line comments: `--` everywhere, `#` in MySQL.
    if ((c === CH_MINUS && text.charCodeAt(i + 1) === CH_MINUS) || (mysqlLike && c === CH_HASH)) {
      i = endOfLine(i);
      continue;
    }
    // Block comments; PostgreSQL nests them, the others do not.
    if (c === CH_SLASH && text.charCodeAt(i + 1) === CH_STAR) {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        const d = text.charCodeAt(j);
        if (d === CH_STAR && text.charCodeAt(j + 1) === CH_SLASH) {
          depth--;
          j += 2;
        } else if (postgres && d === CH_SLASH && text.charCodeAt(j + 1) === CH_STAR) {
          depth++;
          j += 2;
        } else {
          j++;
        }
      }
      i = j;
      continue;
    }

    // psql meta-commands: a backslash outside quotes runs to the end of the line and is not SQL.
    if (options.psql && c === CH_BACKSLASH) {
      const lineEnd = endOfLine(i);
      const command = text.slice(i, lineEnd);
      // \g and friends send the query buffer; any meta-command ends what we treat as a statement.
      finishStatement();
      i = lineEnd;
      if (/^\\copy\b/i.test(command) && isCopyFromStdin(command)) {
        i = skipCopyData(i + 1);
      }
      continue;
    }

    // MySQL client: `DELIMITER //` on its own line changes the statement delimiter.
    if (mysqlLike && stmtStart < 0 && (c === 68 || c === 100) && atLineStart(i)) {
      const lineEnd = endOfLine(i);
      const match = /^delimiter[ \t]+(\S+)/i.exec(text.slice(i, lineEnd));
      if (match) {
        delimiter = match[1];
        i = lineEnd;
        continue;
      }
    }

    if (c === CH_SEMI && delimiter === ';') {
      if (parenDepth === 0 && beginDepth === 0) {
        const statementText = stmtStart >= 0 ? text.slice(stmtStart, lastTokenEnd) : '';
        finishStatement();
        i++;
        if (options.psql && isCopyFromStdin(statementText)) {
          i = skipCopyData(endOfLine(i) + 1);
        }
        continue;
      }
      lastTokenEnd = i + 1;
      i++;
      continue;
    }

    if (stmtStart < 0) {
      stmtStart = i; // the statement's first token
    }

    // Quoted strings and identifiers.
    if (c === CH_SQUOTE || c === CH_DQUOTE || (mysqlLike || sqlite ? c === CH_BACKTICK : false)) {
      // PostgreSQL: E'…' strings take backslash escapes; MySQL strings always do.
      const prev = i > 0 ? text.charCodeAt(i - 1) : 0;
      const escapeString =
        c !== CH_BACKTICK &&
        (mysqlLike ||
          (postgres &&
            c === CH_SQUOTE &&
            (prev === 69 || prev === 101) &&
            !(i > 1 && isIdentChar(text.charCodeAt(i - 2)))));
      let j = i + 1;
      let closed = false;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (escapeString && d === CH_BACKSLASH) {
          j += 2;
          continue;
        }
        if (d === c) {
          if (text.charCodeAt(j + 1) === c) {
            j += 2; // a doubled quote stands for itself
            continue;
          }
          closed = true;
          j++;
          break;
        }
        j++;
      }
      i = closed ? j : n;
      lastTokenEnd = i;
      continue;
    }
    if (sqlite && c === CH_LBRACKET) {
      const close = text.indexOf(']', i + 1);
      i = close < 0 ? n : close + 1;
      lastTokenEnd = i;
      continue;
    }

    // PostgreSQL dollar quoting: $$…$$ or $tag$…$tag$ (but not $1, and not inside an identifier).
    if (postgres && c === CH_DOLLAR && !(i > 0 && isIdentChar(text.charCodeAt(i - 1)))) {
      let j = i + 1;
      if (j < n && isIdentStart(text.charCodeAt(j))) {
        j++;
        while (j < n && isIdentChar(text.charCodeAt(j)) && text.charCodeAt(j) !== CH_DOLLAR) {
          j++;
        }
      }
      if (text.charCodeAt(j) === CH_DOLLAR) {
        const tag = text.slice(i, j + 1);
        const close = text.indexOf(tag, j + 1);
        i = close < 0 ? n : close + tag.length;
        lastTokenEnd = i;
        continue;
      }
    }

    if (c === CH_LPAREN) {
      parenDepth++;
      i++;
      lastTokenEnd = i;
      continue;
    }
    if (c === CH_RPAREN) {
      if (parenDepth > 0) {
        parenDepth--;
      }
      i++;
      lastTokenEnd = i;
      continue;
    }

    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentChar(text.charCodeAt(j))) {
        j++;
      }
      // Only the first few words decide whether this statement creates a routine, and only
      // when the first is CREATE (most statements: one comparison, no string built).
      if (identifierCount === 0) {
        mayCreateRoutine = j - i === 6 && text.slice(i, j).toLowerCase() === 'create';
      }
      if (mayCreateRoutine && identifierCount < 6) {
        leadingWords += text.slice(i, j).toLowerCase() + ' ';
        routineStatement = /^create (or replace )?(temp |temporary )?(function|procedure|trigger) /.test(leadingWords);
      }
      identifierCount++;
      if (routineStatement && parenDepth === 0 && j - i <= 5) {
        const word = text.slice(i, j).toLowerCase();
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
      i = j;
      lastTokenEnd = i;
      continue;
    }

    // Array subscripts and everything else: one character at a time.
    if (c === CH_LBRACKET || c === CH_RBRACKET) {
      i++;
      lastTokenEnd = i;
      continue;
    }
    i++;
    lastTokenEnd = i;
  }
  finishStatement();
  return statements;
}
