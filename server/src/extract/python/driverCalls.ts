/**
 * The database calls of Python code: which drivers a file imports, which calls hand SQL to a
 * driver or an ORM, and the placeholder style their SQL uses.
 */
import type { SyntaxNode } from '@lezer/common';
import type { PlaceholderStyle } from '../embeddedSql';
import { placeholderUse } from '../../scan/placeholders';
import { calleeName, lastSegment, readArguments, variableName, type CallArguments } from './syntaxNodes';
import type { EngineHint } from '../engines';

/**
 * DB-API drivers of engines whose SQL is not PostgreSQL's (Redash's query runners import one
 * each): a file that imports one and no PostgreSQL driver runs that engine's SQL.
 */
const OTHER_ENGINE_DRIVERS: Record<string, string> = {
  nzpy: 'Netezza',
  oracledb: 'Oracle',
  cx_Oracle: 'Oracle',
  pymssql: 'SQL Server',
  pyodbc: 'an ODBC data source',
  jaydebeapi: 'a JDBC data source',
  'snowflake.connector': 'Snowflake',
  vertica_python: 'Vertica',
  ibm_db: 'Db2',
  ibm_db_dbi: 'Db2',
  teradatasql: 'Teradata',
  pyhive: 'Hive',
  impala: 'Impala',
  trino: 'Trino',
  prestodb: 'Presto',
  pyathena: 'Athena',
  'google.cloud.bigquery': 'BigQuery',
  clickhouse_driver: 'ClickHouse',
  clickhouse_connect: 'ClickHouse',
  duckdb: 'DuckDB',
  cassandra: 'Cassandra',
  pyexasol: 'Exasol',
  hdbcli: 'SAP HANA',
  'databricks.sql': 'Databricks',
  fdb: 'Firebird',
  pydruid: 'Druid',
  pinotdb: 'Pinot',
};

/** The engine whose driver a dotted module name is, or is part of. */
function otherEngineOf(module: string): string | undefined {
  let prefix = '';
  for (const part of module.split('.')) {
    prefix = prefix ? `${prefix}.${part}` : part;
    const engine = OTHER_ENGINE_DRIVERS[prefix];
    if (engine !== undefined) return engine;
  }
  return undefined;
}

/** What a file's imports say about the database code in it. */
export class DatabaseImports {
  /** psycopg, psycopg2, MySQLdb, pymysql, Django …: `%s` and `%(name)s`. */
  formatDriver = false;
  /** A PostgreSQL driver (psycopg, psycopg2, asyncpg, pg8000, aiopg). */
  postgresDriver = false;
  /** A MySQL driver (MySQLdb, pymysql, mysql.connector, aiomysql). */
  mysqlDriver = false;
  /** sqlite3, aiosqlite: `?` and `:name`. */
  sqlite = false;
  /**
   * psycopg 3 and nothing that writes values into the text: it binds them on the server, where
   * a utility statement takes no parameter. psycopg2, pg8000's format style and the MySQL drivers
   * write each value into the text before sending it.
   */
  get bindsOnServer(): boolean {
    return this.psycopg3 && !this.psycopg2;
  }
  psycopg3 = false;
  psycopg2 = false;
  asyncpg = false;
  django = false;
  sqlalchemy = false;
  /** The driver of an engine Query Lens does not parse (Netezza's nzpy, Oracle's oracledb, pyodbc…). */
  otherEngine: string | undefined;
  /**
   * The engine the file's SQL is for when its imports say it is not PostgreSQL: another engine's
   * driver and no PostgreSQL driver; or sqlite3 or a MySQL driver, and no PostgreSQL driver,
   * SQLAlchemy or Django (which may speak any).
   */
  engine(): EngineHint | undefined {
    if (this.otherEngine !== undefined && !this.postgresDriver) return { name: this.otherEngine };
    if (this.postgresDriver || this.sqlalchemy || this.django) return undefined;
    if (this.sqlite && !this.mysqlDriver) return { dialect: 'sqlite', name: 'SQLite' };
    if (this.mysqlDriver && !this.sqlite) return { dialect: 'mysql', name: 'MySQL' };
    return undefined;
  }

  /** Whether any database module is imported. */
  get any(): boolean {
    return this.formatDriver || this.sqlite || this.asyncpg || this.django || this.sqlalchemy;
  }
  /** Local names of SQLAlchemy's `text`. */
  readonly textFunctions = new Set<string>();
  /** Local names of modules that have a `text` function: `sa` in `import sqlalchemy as sa`. */
  readonly textModules = new Set<string>();

  /** Reads one `import …` or `from … import …` statement. */
  read(node: SyntaxNode, text: string): void {
    const words: { name: string; node: SyntaxNode }[] = [];
    for (let child = node.firstChild; child; child = child.nextSibling) {
      words.push({ name: child.name, node: child });
    }
    const from = words[0]?.name === 'from';
    let i = 1;
    const dotted = (): string => {
      const parts: string[] = [];
      while (i < words.length && (words[i].name === 'VariableName' || words[i].name === '.' || words[i].name === '...')) {
        parts.push(text.slice(words[i].node.from, words[i].node.to));
        i++;
      }
      return parts.join('');
    };
    if (from) {
      const module = dotted();
      this.noteModule(module);
      const textModule = /^(sqlalchemy|sqlmodel)(\.sql(\.expression)?)?$/.test(module);
      while (i < words.length) {
        const word = words[i];
        if (word.name === '*' && textModule) {
          this.textFunctions.add('text');
        } else if (word.name === 'VariableName') {
          const imported = text.slice(word.node.from, word.node.to);
          const local = words[i + 1]?.name === 'as' && words[i + 2]?.name === 'VariableName' ? text.slice(words[i + 2].node.from, words[i + 2].node.to) : imported;
          if (textModule && imported === 'text') this.textFunctions.add(local);
          // `from app.utils import sqlalchemy as sa`: a project that re-exports SQLAlchemy.
          if (imported === 'sqlalchemy' || imported === 'sqlmodel') {
            this.textModules.add(local);
            this.sqlalchemy = true;
          }
          if (textModule && imported === 'sql') this.textModules.add(local);
          if (module === 'django' && imported === 'db') this.django = true;
          // `from google.cloud import bigquery`, `from snowflake import connector`.
          this.otherEngine ??= otherEngineOf(`${module}.${imported}`);
          if (local !== imported) i += 2;
        }
        i++;
      }
      return;
    }
    while (i < words.length) {
      if (words[i].name !== 'VariableName') {
        i++;
        continue;
      }
      const module = dotted();
      this.noteModule(module);
      let local = module.split('.')[0];
      if (words[i]?.name === 'as' && words[i + 1]?.name === 'VariableName') {
        local = text.slice(words[i + 1].node.from, words[i + 1].node.to);
        i += 2;
      }
      if (module === 'sqlalchemy' || module === 'sqlmodel') this.textModules.add(local);
      if (module === 'sqlalchemy.sql' && local !== 'sqlalchemy') this.textModules.add(local);
    }
  }

  private noteModule(module: string): void {
    const top = module.split('.')[0];
    const other = otherEngineOf(module);
    if (other !== undefined) {
      this.otherEngine ??= other;
      return;
    }
    switch (top) {
      case 'sqlite3':
      case 'aiosqlite':
        this.sqlite = true;
        break;
      case 'psycopg':
      case 'psycopg2':
      case 'psycopg_pool':
      case 'aiopg':
      case 'pg8000':
        if (top === 'psycopg' || top === 'psycopg_pool') this.psycopg3 = true;
        else this.psycopg2 = true;
        this.formatDriver = true;
        this.postgresDriver = true;
        break;
      case 'MySQLdb':
      case 'pymysql':
      case 'aiomysql':
        this.formatDriver = true;
        this.mysqlDriver = true;
        break;
      case 'mysql':
        if (module.startsWith('mysql.connector')) {
          this.formatDriver = true;
          this.mysqlDriver = true;
        }
        break;
      case 'asyncpg':
        this.asyncpg = true;
        this.postgresDriver = true;
        break;
      case 'django':
        if (module === 'django.db' || module.startsWith('django.db.')) this.django = true;
        break;
      case 'sqlalchemy':
      case 'sqlmodel':
        this.sqlalchemy = true;
        break;
    }
  }
}

/** How a recognised call takes its SQL. */
export type CallKind =
  /** DB-API `execute`, `executemany`, `mogrify`; SQLAlchemy `exec_driver_sql`, `session.execute`. */
  | 'dbapi'
  /** sqlite3 `executescript`: several statements, no parameters. */
  | 'script'
  /** asyncpg `fetch`, `fetchrow`, `fetchval`, `prepare`. */
  | 'asyncpg'
  /** SQLAlchemy `text()`. */
  | 'text'
  /** Django `Model.objects.raw()`. */
  | 'raw';

export interface DatabaseCall {
  kind: CallKind;
  /** The method (`execute`) or function (`text`) called. */
  method: string;
  /** The callee's last two segments (`cursor.execute`), or `text()`. */
  origin: string;
  call: SyntaxNode;
  args: CallArguments;
  /** The argument that holds the SQL. */
  sql: SyntaxNode;
  /**
   * Whether the call is a database call beyond doubt: `text()`, `objects.raw()`, a receiver
   * named like a database handle (`cursor`, `conn`, `db`, `session` …), or any call in a file
   * that imports a database module. `executor.execute("update cache")` in a file that does not
   * is only taken when its string parses as SQL.
   */
  certain: boolean;
  /** Whether it is positional (the parameterisation fix needs that). */
  sqlIsFirstPositional: boolean;
  awaited: boolean;
}

const DBAPI_METHODS = new Set(['execute', 'executemany', 'mogrify', 'exec_driver_sql']);
const ASYNCPG_METHODS = new Set(['fetch', 'fetchrow', 'fetchval']);
const OTHER_METHODS = new Set(['executescript', 'prepare', 'raw', 'text']);
/** Receivers named like a cursor, a connection, a pool, a session or a database. */
const DATABASE_HANDLE = /cur|conn|db|database|session|pool|engine|tx|transaction|sql|sqlite|pg|mysql/i;
/** Keyword names drivers give the SQL argument. */
const SQL_KEYWORDS = ['query', 'sql', 'operation', 'statement', 'stmt', 'raw_query'];

/** Whether a method of this name may take SQL (`execute`, `fetch`, `raw`, `text` …). */
export function isDatabaseMethod(name: string): boolean {
  return DBAPI_METHODS.has(name) || ASYNCPG_METHODS.has(name) || OTHER_METHODS.has(name);
}


/** The call, when it is one that hands SQL to a driver or an ORM. */
export function recogniseDatabaseCall(call: SyntaxNode, text: string, imports: DatabaseImports): DatabaseCall | null {
  const callee = call.firstChild;
  const list = call.lastChild;
  if (!callee || !list || list.name !== 'ArgList') {
    return null;
  }
  let kind: CallKind | null = null;
  let method = '';
  let origin = '';
  let certain = imports.any;
  if (callee.name === 'VariableName') {
    method = text.slice(callee.from, callee.to);
    if (imports.textFunctions.has(method)) {
      kind = 'text';
      origin = 'text()';
      certain = true;
    }
  } else if (callee.name === 'MemberExpression') {
    const property = callee.lastChild;
    const receiver = callee.firstChild;
    if (!property || property.name !== 'PropertyName' || !receiver) {
      return null;
    }
    method = text.slice(property.from, property.to);
    if (DBAPI_METHODS.has(method)) kind = 'dbapi';
    else if (method === 'executescript') kind = 'script';
    else if (ASYNCPG_METHODS.has(method) || (method === 'prepare' && imports.asyncpg)) kind = 'asyncpg';
    else if (method === 'raw' && (imports.django || lastSegment(receiver, text) === 'objects')) kind = 'raw';
    else if (method === 'text' && imports.textModules.has(variableName(receiver, text) ?? '')) {
      kind = 'text';
      origin = 'text()';
    }
    if (kind && !origin) origin = calleeName(callee, text);
    certain ||= kind === 'text' || kind === 'raw' || DATABASE_HANDLE.test(lastSegment(receiver, text));
  }
  if (!kind) {
    return null;
  }
  const args = readArguments(list, text);
  let sql: SyntaxNode | undefined = args.items[0]?.kind === 'positional' ? args.items[0].value : undefined;
  const sqlIsFirstPositional = sql !== undefined;
  for (let k = 0; !sql && k < SQL_KEYWORDS.length; k++) {
    sql = args.keywords.get(SQL_KEYWORDS[k]);
  }
  if (!sql) {
    return null;
  }
  const awaited = call.parent?.name === 'AwaitExpression';
  return { kind, method, origin, call, args, sql, certain, sqlIsFirstPositional, awaited };
}

/**
 * The placeholder style of a call's SQL. What the text writes decides first when it is
 * unambiguous (`%s`, `$1`); then the file's imports: a `?` is a parameter to sqlite3 but an
 * operator of PostgreSQL's jsonb and hstore, so only a sqlite3 import makes it a placeholder;
 * then `:name` (SQLAlchemy's and sqlite3's named style); `%s` is the default, being what psycopg,
 * MySQL drivers and Django all use. The text is read with the one SQL scanner, so a `%s` or a
 * `:name` in a comment does not count.
 */
export function placeholderStyle(call: DatabaseCall, imports: DatabaseImports, sqlText: string): PlaceholderStyle {
  switch (call.kind) {
    case 'script':
      return 'none';
    case 'asyncpg':
      return 'dollar';
    case 'text':
      return 'colon';
    case 'raw':
      return 'format';
    case 'dbapi':
      break;
  }
  const use = placeholderUse(sqlText);
  if (use.formatPlaceholders > 0) return 'format';
  if (use.maxDollar > 0) return 'dollar';
  // Every `?` where a value goes: a placeholder, whatever the file imports (Synapse writes `?` for
  // both of its engines and turns them into `%s` for psycopg2). jsonb's `?` follows an operand.
  if (use.questionMarks > 0 && use.valueQuestionMarks === use.questionMarks && !imports.asyncpg) return 'question';
  if (imports.asyncpg && call.awaited && !imports.formatDriver && !imports.sqlite) return 'dollar';
  if (imports.sqlite && !imports.formatDriver && !imports.django) return 'question';
  if (imports.formatDriver || imports.django) return 'format';
  if (use.colonNames > 0) return 'colon';
  return 'format';
}

/** The placeholder style of a SQL string found by its content alone (no driver call says it). */
export function placeholderStyleOfText(sqlText: string, imports: DatabaseImports): PlaceholderStyle {
  const use = placeholderUse(sqlText);
  if (use.formatPlaceholders > 0) return 'format';
  if (use.maxDollar > 0) return 'dollar';
  if (use.questionMarks > 0 && (imports.sqlite || use.valueQuestionMarks === use.questionMarks)) return 'question';
  if (use.colonNames > 0) return 'colon';
  return 'none';
}
