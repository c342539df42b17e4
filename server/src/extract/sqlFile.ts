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
  const statements = splitSqlStatements(text, { dialect, psql: dialect === 'postgresql' });
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

/** Characters without which a statement has no placeholder of any syntax above. */
const PLACEHOLDER_CHARS = /[:%{?@$]|sqlc\./;

/** The query of one statement of a SQL file, its placeholders rewritten as `$n` where it has any. */
export function sqlStatementQuery(statement: SqlStatement, dialect: Dialect): Query {
  if (dialect !== 'postgresql' || !PLACEHOLDER_CHARS.test(statement.text)) {
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
