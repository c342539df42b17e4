import type { Dialect } from '../settings';

/**
 * The query model: one query found in a document, whether a statement of a SQL file or a string
 * that application code hands to a driver or an ORM.
 */

/**
 * Where a query came from: `sql-file` for a statement of a SQL file; otherwise the call or
 * construct it was found in, as written in the host language's terms, e.g. `pool.query`,
 * `knex.raw`, `prisma.$queryRaw`, `sql```, `cursor.execute`, `text()`, or `string` for a
 * literal recognised as SQL by its content alone.
 */
export type QueryOrigin = string;

/** How a parameter reached the query. */
export type ParameterSource =
  /** Written as a placeholder in the SQL text: `$1`, `?`, `%s`, `%(name)s`, `:name`. */
  | 'placeholder'
  /** A hole of a tagged template or builder (`sql`…${x}``): sent to the database as a parameter. */
  | 'bound'
  /** A value spliced into the SQL text: `${x}` in a plain template, an f-string, `+`, `%`. Unsafe. */
  | 'interpolated'
  /**
   * A template engine's placeholder the application fills in before the driver sees the text
   * (`{{name}}`, `%order%`, a psql variable standing for a name): a value or a piece of SQL.
   */
  | 'template';

export interface QueryParameter {
  /** The `$n` number it has in `Query.sql` (PostgreSQL), 1-based. */
  index: number;
  /** Its placeholder's range in `Query.sql`. */
  sqlStart: number;
  sqlEnd: number;
  /** What stands for it in the document: the placeholder or the interpolated expression. */
  docStart: number;
  docEnd: number;
  source: ParameterSource;
  /** `:name` and `%(name)s` placeholders. */
  name?: string;
  /** The host-language expression of a hole, as written. */
  expression?: string;
  /** A name spliced in: the type its declaration gives it (`number`, `int`, `'ASC' | 'DESC'`). */
  declaredType?: string;
  /** A name spliced in: the expression it is set to once, as written (a constant's value, a parameter's default). */
  definition?: string;
  /**
   * Spliced into the text of a constant that is itself spliced in here (`const insert = \`… '${name}'\``
   * then `\`WITH ins AS (${insert}) …\``): the constant's name. The hole's range is then the constant's.
   */
  carriedBy?: string;
  /**
   * Spliced inside a SQL string literal (`'${name}'`, `'%s'`): the program means a value there.
   * A hole outside quotes in a value's place is a number, a name or SQL text (a string there
   * would not parse), which tells a column name spliced in (`WHERE %s NOT IN …`) from a value.
   */
  inString?: boolean;
}

/** What the host program says of a name spliced into the SQL text. */
export type HoleFacts = Pick<QueryParameter, 'declaredType' | 'definition' | 'carriedBy' | 'inString'>;

/** A text edit in document offsets. */
export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

/** An edit of the host code that passes interpolated values as parameters instead. */
export interface ParameterisationFix {
  /** Shown as the quick fix's title, e.g. "Pass id as parameter $1 of pool.query". */
  title: string;
  edits: TextEdit[];
}

/**
 * A finding's `data` when the query's `parameterisationFix` may be offered for it. The fix
 * itself is not carried: a finding is reused while its SQL text is unchanged, even when the
 * query has moved in the document, and a fix holds document offsets (and, with thousands of
 * holes, tens of KB of text). It is taken from the query of the current analysis when asked for.
 */
export interface ParameterisationOffer {
  parameterise: true;
}

export interface Query {
  /**
   * The SQL to analyse. Placeholders and holes of every style are rewritten to the dialect's
   * own (`$1`, `$2` … for PostgreSQL, `?` for the others), so the parser sees valid SQL.
   */
  sql: string;
  /** Document offset (UTF-16) of the query's first character. */
  start: number;
  /** Document offset just past the query's last character. */
  end: number;
  origin: QueryOrigin;
  /**
   * `statement`: a whole statement. `fragment`: a piece of one (`whereRaw('lower(email) = ?')`);
   * `sql` is then a statement built around it and `fragmentPrefixLength` says how much of it is
   * ours. Syntax errors in our part are never reported.
   */
  shape: 'statement' | 'fragment';
  fragmentPrefixLength?: number;
  /** Where an offset in `sql` is in the document. */
  sqlOffsetToDocument(offset: number): number;
  /** The document range of the SQL range [start, end). */
  sqlRangeToDocument(start: number, end: number): [number, number];
  parameters: QueryParameter[];
  /** Values spliced into the text (`interpolated` parameters), by concatenation or formatting. */
  construction?: 'template' | 'f-string' | 'concatenation' | 'format';
  /** The rewrite to driver parameters, when the extractor can write one. */
  parameterisationFix?: ParameterisationFix;
  /** The loop that runs the query once per item, when the call that runs it is written in one. */
  loop?: QueryLoop;
  /** The name a SQL file of named queries gives it (`-- name: get_user`). */
  name?: string;
  /** The function or method it is written in (`flush`, `clickhouseQuery`): what its statements are for. */
  enclosingFunction?: string;
  /**
   * The dialect its driver speaks, when not the setting's: SQL handed to sqlite3 or a MySQL driver
   * in a PostgreSQL project, or written in a function named for another engine, is judged as that
   * engine's SQL (and never as PostgreSQL's).
   */
  dialect?: Dialect;
  /** SQL for an engine Query Lens does not read (ClickHouse, BigQuery…), by its name: never judged. */
  otherEngine?: string;
  /**
   * A driver call whose SQL is built at run time from what cannot be read here (a variable
   * assigned in several places, a function's result): the expression it is handed, as written.
   * `sql` is empty: the call is listed and counted, never analysed.
   */
  builtAtRunTime?: string;
  /** Template control tags (`{% if … %}`) choose which of its text is sent: not the statement that runs. */
  templateTags?: true;
  /**
   * The driver writes each placeholder's value into the text before sending it (psycopg2's
   * `%s`; Synapse's `?`, turned into it): a placeholder may stand where PostgreSQL's grammar
   * takes no parameter (`ALTER SEQUENCE s RESTART WITH %s`, `SET statement_timeout TO %s`).
   */
  clientSideParameters?: true;
  /**
   * Written in a background update that finishes a migration (a function named
   * `_background_populate_…`, `…_bg_update`): it runs against the schema of the migration under
   * way, so a table or column missing today is no error in it.
   */
  backgroundUpdate?: true;
}

/**
 * A loop over a collection that runs a query on each pass: the N+1 pattern. Nothing in it is a
 * position, so a finding drawn from it holds wherever the loop moves.
 */
export interface QueryLoop {
  /** How the loop is written, in the host language's terms: `for…of loop`, `forEach callback`, `for loop`, `list comprehension`. */
  kind: string;
  /** The collection it goes over, as written (shortened), when the loop names one. */
  over?: string;
  /**
   * Whether what the call passes (its SQL, values or holes) reads a name the loop binds or its
   * body declares: a query per item. Otherwise the same query runs on every pass.
   */
  perItem: boolean;
  /** The names the loop binds and its body declares (`row`, `table_name`): what reads the item. */
  itemNames?: string[];
}

/** The kinds of document Query Lens reads. */
export type DocumentKind = 'sql' | 'typescript' | 'javascript' | 'python' | 'unsupported';

const LANGUAGE_KINDS: Record<string, DocumentKind> = {
  sql: 'sql',
  pgsql: 'sql',
  postgres: 'sql',
  postgresql: 'sql',
  psql: 'sql',
  mysql: 'sql',
  sqlite: 'sql',
  typescript: 'typescript',
  typescriptreact: 'typescript',
  javascript: 'javascript',
  javascriptreact: 'javascript',
  python: 'python',
};

const EXTENSION_KINDS: Record<string, DocumentKind> = {
  '.sql': 'sql',
  '.pgsql': 'sql',
  '.psql': 'sql',
  '.ts': 'typescript',
  '.tsx': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.js': 'javascript',
  '.jsx': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.py': 'python',
  '.pyi': 'python',
};

/** The VS Code language id a file would open with, from its extension (the CLI's view). */
export function languageIdOfPath(path: string): string | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.tsx')) return 'typescriptreact';
  if (lower.endsWith('.jsx')) return 'javascriptreact';
  const kind = documentKindOfPath(path);
  return kind === 'unsupported' ? undefined : kind;
}

/** The file extensions Query Lens reads, for messages. */
export const SUPPORTED_EXTENSIONS = Object.keys(EXTENSION_KINDS);

export function documentKindOfLanguage(languageId: string): DocumentKind {
  return LANGUAGE_KINDS[languageId.toLowerCase()] ?? 'unsupported';
}

/** The document kind of a file on disk, from its extension (the CLI's view). */
export function documentKindOfPath(path: string): DocumentKind {
  const dot = path.lastIndexOf('.');
  const extension = dot < 0 ? '' : path.slice(dot).toLowerCase();
  if (path.toLowerCase().endsWith('.d.ts')) {
    return 'unsupported'; // declarations hold no queries
  }
  return EXTENSION_KINDS[extension] ?? 'unsupported';
}

/** A statement of a SQL file: the SQL is the document's own text, shifted. */
export function sqlFileQuery(sql: string, start: number, name?: string): Query {
  const query = new SqlFileQuery(sql, start);
  if (name !== undefined) {
    query.name = name;
  }
  return query;
}

/**
 * A class, not an object literal with two closures: a file of a thousand statements makes a
 * thousand of these on every analysis, and methods on the prototype make each a third the size.
 */
class SqlFileQuery implements Query {
  readonly end: number;
  readonly origin = 'sql-file';
  readonly shape = 'statement';
  readonly parameters: QueryParameter[] = [];
  name?: string;
  dialect?: Dialect;
  otherEngine?: string;

  constructor(
    readonly sql: string,
    readonly start: number,
  ) {
    this.end = start + sql.length;
  }

  sqlOffsetToDocument(offset: number): number {
    return this.start + offset;
  }

  sqlRangeToDocument(from: number, to: number): [number, number] {
    return [this.start + from, this.start + to];
  }
}

/**
 * A driver call whose SQL cannot be read (see `Query.builtAtRunTime`), at the document range of
 * the expression it is handed.
 */
export function runTimeQuery(expression: string, start: number, end: number, origin: string): Query {
  return {
    sql: '',
    start,
    end,
    origin,
    shape: 'statement',
    parameters: [],
    builtAtRunTime: expression,
    sqlOffsetToDocument: () => start,
    sqlRangeToDocument: () => [start, start],
  };
}
