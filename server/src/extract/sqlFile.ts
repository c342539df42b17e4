/**
 * The queries of a SQL file: a psql script, a schema or migration, or a file of named queries
 * that an application's loader reads (aiosql, yesql, HugSQL, sqlc, PgTyped, goyesql). Each
 * statement is a query; one whose text holds placeholders that something fills in before
 * PostgreSQL sees it (psql variables, a loader's `:name`, `@name`, `$name`, `sqlc.arg(x)`,
 * psycopg's `%(name)s`, template holes such as `{{name}}` or `%order%`) is rewritten with `$n`
 * parameters, keeping an exact map back to the file, so that it parses and plans as it will run.
 */
import { parseStatement } from '../analyze/parse';
import type { Dialect } from '../settings';
import { Placeholder, ScanSyntax, SqlScanner, Tok } from '../scan/sqlScanner';
import { EmbeddedSqlBuilder } from './embeddedSql';
import { sqlFileQuery, type Query } from './query';
import { NamedQueryLoader, splitSqlStatements, SqlStatement } from './sqlSplitter';

/** Every statement of a SQL file as a query, in document order. */
export function extractSqlFileQueries(text: string, dialect: Dialect): Query[] {
  const statements = splitSqlStatements(text, { dialect, psql: dialect === 'postgresql' }).flatMap((statement) => (statement.loader === 'dotted' && dialect === 'postgresql' ? runTogether(statement) : [statement]));
  const queries: Query[] = [];
  for (const statement of statements) {
    const query = sqlStatementQuery(statement, dialect);
    // A template's tag alone (`{% endif %}` after the last `;` of its block) is no statement.
    if (!(query.templateTags && query.sql.trim() === '')) {
      queries.push(query);
    }
  }
  return queries;
}

/** What a generator starts each statement of a method's entry with, on a line of its own. */
const STATEMENT_START = /^(?:select|with|insert|update|delete|set|begin|commit|rollback|values)\b/i;

/**
 * The statements a generator wrote one after the other under one `-- Repository.method` header,
 * without `;` (`begin`, `set local …`, then the query; a query, then its fallback): split where
 * PostgreSQL's parser stops at a line that starts a statement. Only in such files, whose entries
 * are never run as they are written; in a script, a missing `;` is an error.
 */
function runTogether(statement: SqlStatement): SqlStatement[] {
  const pieces: SqlStatement[] = [];
  let rest = statement;
  for (const at of splitPoints(statement.text)) {
    const offset = at - (rest.start - statement.start);
    const head = rest.text.slice(0, offset).trimEnd();
    pieces.push({ ...rest, end: rest.start + head.length, text: head, mayHavePlaceholders: undefined });
    rest = { ...rest, start: rest.start + offset, text: rest.text.slice(offset), mayHavePlaceholders: undefined };
  }
  pieces.push(rest);
  return pieces;
}

/**
 * Where, in an entry's text, a statement run together with the one before starts. Kept by text:
 * the file is split again on every edit, and an entry not edited is not parsed again.
 */
const splitPointsByText = new Map<string, number[]>();
const SPLIT_POINTS_KEPT = 2000;

function splitPoints(text: string): number[] {
  const known = splitPointsByText.get(text);
  if (known) return known;
  const points: number[] = [];
  let from = 0;
  for (let round = 0; round < 20; round++) {
    const rest = text.slice(from);
    const outcome = parseStatement(rest, 'postgresql');
    const at = outcome.ok ? -1 : outcome.problem.start;
    if (!(at > 0 && /\n[ \t]*$/.test(rest.slice(0, at)) && STATEMENT_START.test(rest.slice(at)))) break;
    from += at;
    points.push(from);
  }
  if (splitPointsByText.size >= SPLIT_POINTS_KEPT) splitPointsByText.clear();
  splitPointsByText.set(text, points);
  return points;
}

/**
 * The placeholder syntaxes a statement is read with: psql's variables and meta-commands, the
 * template holes and psycopg placeholders an application may fill in, and its loader's own.
 */
function syntaxOf(loader: NamedQueryLoader | undefined): number {
  const common = ScanSyntax.Psql | ScanSyntax.Templates | ScanSyntax.Format;
  switch (loader) {
    case 'sqlc':
      return common | ScanSyntax.At;
    case 'pgtyped':
      return common | ScanSyntax.DollarName;
    case 'hugsql':
      // HugSQL's `:v*:ids` and `:i:col` forms, and yesql's positional `?`.
      return ScanSyntax.Colon | ScanSyntax.Question | ScanSyntax.Templates | ScanSyntax.Format;
    case 'aiosql':
      return common | ScanSyntax.Question;
    default:
      return common;
  }
}

/**
 * What a statement must hold to have a placeholder of any syntax above: a `:` before a name or a
 * quote (not `::`), `%`, `{`, `?`, or a loader's own (`@`, `sqlc.`, PgTyped's `$name`). A cast or
 * a `$1` alone does not make the statement go through the scanner a second time.
 */
function mayHavePlaceholders(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 37 /* % */ || c === 123 /* { */ || c === 63 /* ? */) return true;
    if (c === 58 /* : */) {
      const next = text.charCodeAt(i + 1);
      if (next === 58) {
        i++; // a cast
        continue;
      }
      const before = i > 0 ? text.charCodeAt(i - 1) : 32;
      const word = (before >= 48 && before <= 57) || (before >= 65 && before <= 90) || (before >= 97 && before <= 122) || before === 95;
      if (!word && ((next >= 65 && next <= 90) || (next >= 97 && next <= 122) || next === 95 || next === 39 || next === 34 || next === 123)) return true;
    }
  }
  return false;
}
const LOADER_CHARS: Partial<Record<NamedQueryLoader, RegExp>> = { sqlc: /@|sqlc\./, pgtyped: /\$\$?[A-Za-z_]/ };

/** The query of one statement of a SQL file, its placeholders rewritten as `$n` where it has any. */
export function sqlStatementQuery(statement: SqlStatement, dialect: Dialect): Query {
  const loaderChars = statement.loader ? LOADER_CHARS[statement.loader] : undefined;
  const candidates = statement.mayHavePlaceholders ?? (mayHavePlaceholders(statement.text) || loaderChars?.test(statement.text));
  if (dialect !== 'postgresql' || !candidates) {
    return sqlFileQuery(statement.text, statement.start, statement.name);
  }
  const syntax = syntaxOf(statement.loader);
  const found = placeholdersIn(statement.text, syntax);
  if (found === 'none') {
    return sqlFileQuery(statement.text, statement.start, statement.name);
  }
  if (found === 'ambiguous' && parseStatement(statement.text, 'postgresql').ok) {
    // `a %s` and `a ? b` are also PostgreSQL (a modulo, a jsonb operator): valid as written, it
    // is read as written.
    return sqlFileQuery(statement.text, statement.start, statement.name);
  }
  return new EmbeddedSqlBuilder().text(statement.text, statement.start).build({
    origin: 'sql-file',
    style: 'dollar',
    syntax,
    dialect,
    ...(statement.name !== undefined ? { name: statement.name } : {}),
  });
}

/**
 * What placeholders a statement holds: `none`, only ones that are also PostgreSQL syntax
 * (`%s`, `?`, `%%`, `%name%`), or at least one that is not (`:name`, `%(name)s`, `{{x}}`, …).
 */
function placeholdersIn(sql: string, syntax: number): 'none' | 'ambiguous' | 'certain' {
  const scanner = new SqlScanner(sql, 'postgresql', syntax);
  let found: 'none' | 'ambiguous' | 'certain' = 'none';
  for (let kind = scanner.next(); kind !== Tok.End; kind = scanner.next()) {
    if (kind === Tok.Placeholder) {
      const placeholder = scanner.placeholder;
      if (placeholder === Placeholder.Question || placeholder === Placeholder.FormatPositional || placeholder === Placeholder.FormatPercent) {
        found = 'ambiguous';
      } else {
        return 'certain';
      }
    } else if (kind === Tok.PsqlVariable) {
      return 'certain';
    } else if (kind === Tok.TemplateHole) {
      if (sql.charCodeAt(scanner.start) === 37 /* % */) {
        found = 'ambiguous';
      } else {
        return 'certain';
      }
    } else if (kind === Tok.Word && syntax & ScanSyntax.At && scanner.end - scanner.start === 4 && sql.slice(scanner.start, scanner.end).toLowerCase() === 'sqlc') {
      return 'certain';
    }
  }
  return found;
}
