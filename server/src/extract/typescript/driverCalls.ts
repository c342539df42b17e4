import * as ts from 'typescript';
import type { PlaceholderStyle } from '../embeddedSql';
import type { Dialect } from '../../settings';
import { chainRootName, isPlainStringLiteral, namePath, shortName, unwrapExpression } from './expressionShapes';
import { styleOfContent } from '../../scan/placeholders';
import type { EngineHint } from '../engines';

/** Read once: every `ts.X` access goes through a module getter. */
const SyntaxKind = ts.SyntaxKind;
const { isArrayLiteralExpression, isCallExpression, isIdentifier, isObjectLiteralExpression, isPropertyAccessExpression, isPropertyAssignment, isShorthandPropertyAssignment } = ts;

/**
 * Which calls and tags hand SQL to a database: pg, mysql2, sqlite3 / better-sqlite3, knex,
 * Prisma, Sequelize, TypeORM, postgres.js, slonik and any `sql` tag. Recognition is by the
 * written name of the method or tag (there is no type checker here), narrowed where a name is
 * common outside databases (`query`, `execute`, `where`).
 */

/** How a call takes the values of its placeholders, for the parameterisation fix. */
export type ValuesConvention =
  /** In an array, the second argument: pg, mysql2, knex, sqlite3, TypeORM. */
  | 'array-argument'
  /** In `{ replacements: [...] }`, the second argument: Sequelize. */
  | 'replacements-option'
  /** Through a tagged-template twin that binds its holes: `$queryRawUnsafe` → `$queryRaw`, `sql.unsafe` → `sql`. */
  | 'tagged-twin'
  | 'none';

/** A call recognised as running SQL, or as taking a SQL fragment. */
export interface SqlCall {
  call: ts.CallExpression;
  /** The method or function name: `query`, `whereRaw`, `$queryRawUnsafe`. */
  method: string;
  /** The expression holding the SQL: the first argument, or its `text` / `sql` property. */
  sqlExpression: ts.Expression;
  /** Whether `sqlExpression` is the first argument itself. */
  direct: boolean;
  /** `statement`, or a fragment analysed inside `fragmentPrefix`. */
  shape: 'statement' | 'fragment';
  fragmentPrefix?: string;
  /** `knex.raw` inside `.select(…)`: a statement if it starts with a keyword, else a select list. */
  selectListFallback?: boolean;
  origin: string;
  /** The placeholder style, or how to choose it. */
  style: PlaceholderStyle | 'driver' | 'content-or-dollar' | 'content-or-question';
  values: ValuesConvention;
  /** For `tagged-twin`: the tag's method (`$queryRaw`), or '' when the receiver itself is the tag (`sql`). */
  twin?: string;
  /**
   * The method's name is common outside SQL drivers: the call counts only with a database-like
   * receiver, a driver import, or text that parses as SQL.
   */
  generic: boolean;
  /** Whether the receiver is named like a database handle (`pool`, `db`, `knex`, `queryRunner`). */
  databaseReceiver: boolean;
}

const WHERE_PREFIX = 'SELECT * FROM ql_fragment WHERE ';
const HAVING_PREFIX = 'SELECT * FROM ql_fragment HAVING ';

/** knex's raw fragment methods and the statement each is analysed inside. */
const KNEX_FRAGMENT_PREFIXES: Record<string, string> = {
  whereRaw: WHERE_PREFIX,
  orWhereRaw: WHERE_PREFIX,
  andWhereRaw: WHERE_PREFIX,
  havingRaw: HAVING_PREFIX,
  orHavingRaw: HAVING_PREFIX,
  andHavingRaw: HAVING_PREFIX,
  orderByRaw: 'SELECT * FROM ql_fragment ORDER BY ',
  groupByRaw: 'SELECT * FROM ql_fragment GROUP BY ',
  // `joinRaw('LEFT JOIN t ON …')` is a whole join clause.
  joinRaw: 'SELECT * FROM ql_fragment ',
  fromRaw: 'SELECT * FROM ',
  selectRaw: 'SELECT ',
};

/** TypeORM's query builder conditions (`:name` parameters). */
const TYPEORM_FRAGMENT_PREFIXES: Record<string, string> = {
  where: WHERE_PREFIX,
  andWhere: WHERE_PREFIX,
  orWhere: WHERE_PREFIX,
  having: HAVING_PREFIX,
  andHaving: HAVING_PREFIX,
  orHaving: HAVING_PREFIX,
};

/** The prefix a standalone tagged fragment (`sql\`WHERE …\``) is analysed inside, by its first keyword. */
export function taggedFragmentPrefix(text: string): string | undefined {
  const keyword = /^\s*([A-Za-z]+)(\s+BY\b)?/i.exec(text);
  if (!keyword) {
    return undefined;
  }
  const word = keyword[1].toUpperCase();
  if (word === 'AND' || word === 'OR') {
    return 'SELECT * FROM ql_fragment WHERE true ';
  }
  if (((word === 'ORDER' || word === 'GROUP') && keyword[2]) || CLAUSE_KEYWORDS.has(word)) {
    return 'SELECT * FROM ql_fragment ';
  }
  return undefined;
}

const CLAUSE_KEYWORDS = new Set(['WHERE', 'HAVING', 'LIMIT', 'OFFSET', 'JOIN', 'LEFT', 'RIGHT', 'INNER', 'FULL', 'CROSS', 'NATURAL']);

/** Receivers named like a database handle. */
const DATABASE_RECEIVER = /(?:db|database|pool|client|conn|connection|knex|prisma|sequelize|manager|runner|datasource|trx|tx|transaction|sql|pg|mysql|sqlite|postgres|^em$)/i;

/** Where the SQL driver's own placeholder style comes from an import. */
const DRIVER_FAMILIES: Record<string, 'dollar' | 'question'> = {
  pg: 'dollar',
  'pg-pool': 'dollar',
  'pg-promise': 'dollar',
  'pg-native': 'dollar',
  postgres: 'dollar',
  slonik: 'dollar',
  '@vercel/postgres': 'dollar',
  '@neondatabase/serverless': 'dollar',
  mysql: 'question',
  mysql2: 'question',
  mariadb: 'question',
  sqlite3: 'question',
  'better-sqlite3': 'question',
  sqlite: 'question',
  'bun:sqlite': 'question',
  'node:sqlite': 'question',
  '@libsql/client': 'question',
};

const SQLITE_MODULES = ['sqlite3', 'better-sqlite3', 'sqlite', 'bun:sqlite', 'node:sqlite'];

/** Modules whose presence says that SQL is run in this file. */
const SQL_MODULES = new Set([...Object.keys(DRIVER_FAMILIES), 'knex', 'sequelize', 'typeorm', '@prisma/client', 'kysely', 'drizzle-orm']);

/**
 * Whether a call's receiver is knex's: the file imports knex (or Objection or Bookshelf, built on
 * it), or the chain starts from a value named `knex` or `trx` (a knex passed in, a transaction).
 */
function usesKnex(receiver: ts.Expression, imports: DriverImports): boolean {
  if (imports.knex) return true;
  const root = chainRootName(receiver);
  return root === 'knex' || root === 'trx';
}

/** What the file's imports say about its SQL drivers. */
export interface DriverImports {
  /** The placeholder style of the one driver family imported, if exactly one is. */
  style?: 'dollar' | 'question';
  /** Whether any SQL library is imported. */
  anySql: boolean;
  sqlite: boolean;
  typeorm: boolean;
  /** knex, or an ORM built on it (Objection, Bookshelf). */
  knex: boolean;
  /** The engine the file's SQL is for when its drivers say it is not PostgreSQL's (sqlite3 alone, mysql2 alone, a ClickHouse client). */
  engine?: EngineHint;
}

const POSTGRES_MODULES = ['pg', 'pg-pool', 'pg-promise', 'pg-native', 'postgres', 'slonik', '@vercel/postgres', '@neondatabase/serverless', '@prisma/client', 'kysely', 'drizzle-orm', 'knex', 'sequelize', 'typeorm'];
const MYSQL_MODULES = ['mysql', 'mysql2', 'mysql2/promise', 'mariadb'];
const OTHER_ENGINE_MODULES: Record<string, string> = { '@clickhouse/client': 'ClickHouse', clickhouse: 'ClickHouse', '@google-cloud/bigquery': 'BigQuery', 'snowflake-sdk': 'Snowflake', mssql: 'SQL Server', tedious: 'SQL Server', oracledb: 'Oracle', duckdb: 'DuckDB' };

/** The engine a file's imports name when none of them is a PostgreSQL driver or a general ORM. */
function importedEngine(modules: ReadonlySet<string>): EngineHint | undefined {
  if (POSTGRES_MODULES.some((name) => modules.has(name))) {
    return undefined;
  }
  const engines: EngineHint[] = [];
  if (SQLITE_MODULES.some((name) => modules.has(name))) engines.push({ dialect: 'sqlite', name: 'SQLite' });
  if (MYSQL_MODULES.some((name) => modules.has(name))) engines.push({ dialect: 'mysql', name: 'MySQL' });
  for (const [module, name] of Object.entries(OTHER_ENGINE_MODULES)) {
    if (modules.has(module)) engines.push({ name });
  }
  return engines.length === 1 ? engines[0] : undefined;
}

/** Reads the drivers a file uses from the modules it imports. */
export function driverImports(modules: ReadonlySet<string>): DriverImports {
  const styles = new Set<'dollar' | 'question'>();
  let anySql = false;
  for (const name of modules) {
    const family = DRIVER_FAMILIES[name];
    if (family) {
      styles.add(family);
    }
    anySql ||= SQL_MODULES.has(name);
  }
  const engine = importedEngine(modules);
  return {
    style: styles.size === 1 ? [...styles][0] : undefined,
    anySql,
    sqlite: SQLITE_MODULES.some((name) => modules.has(name)),
    typeorm: modules.has('typeorm'),
    knex: modules.has('knex') || modules.has('objection') || modules.has('bookshelf'),
    ...(engine ? { engine } : {}),
  };
}

/** Whether two files' imports say the same about their drivers. */
export function sameDriverImports(a: DriverImports, b: DriverImports): boolean {
  return a.style === b.style && a.anySql === b.anySql && a.sqlite === b.sqlite && a.typeorm === b.typeorm && a.knex === b.knex && a.engine?.name === b.engine?.name;
}

/** Recognises a call that runs SQL or takes a SQL fragment; undefined for any other call. */
export function recogniseSqlCall(call: ts.CallExpression, imports: DriverImports): SqlCall | undefined {
  const first = call.arguments[0];
  if (!first || first.kind === SyntaxKind.SpreadElement) {
    return undefined;
  }
  const callee = unwrapExpression(call.expression);
  let method: string;
  let receiver: ts.Expression | undefined;
  if (isPropertyAccessExpression(callee)) {
    method = callee.name.text;
    receiver = callee.expression;
  } else if (isIdentifier(callee)) {
    method = callee.text;
  } else {
    return undefined;
  }
  if (!KNOWN_METHODS.has(method) || (SQLITE_METHODS.has(method) && !imports.sqlite)) {
    return undefined; // most calls of a file (`map.get(k)`): decided before any name is computed
  }
  const receiverPath = receiver ? namePath(receiver) : [];
  const receiverName = receiverPath[receiverPath.length - 1] ?? '';
  const databaseReceiver = DATABASE_RECEIVER.test(receiverName);
  // One object filled in field by field: spreading a shared base into each case's literal cost
  // about a microsecond a call, on every edit, for every call of the file.
  const site: SqlCall = {
    call,
    method,
    sqlExpression: first,
    direct: true,
    shape: 'statement',
    origin: shortName(namePath(callee)),
    style: 'content-or-question',
    values: 'none',
    generic: true,
    databaseReceiver,
  };
  switch (method) {
    case 'query':
    case 'execute': {
      const config = configObjectSql(first);
      if (config) {
        site.sqlExpression = config;
        site.direct = false;
      }
      site.style = 'driver';
      site.values = /sequelize/i.test(receiverName) ? 'replacements-option' : 'array-argument';
      return site;
    }
    case 'raw':
      // knex's `raw`: on knex itself or a knex builder, in a file that uses knex. `Prisma.raw`
      // and `sql.raw` write text into a tagged template, and are read there.
      if (!receiver || !usesKnex(receiver, imports)) {
        return undefined;
      }
      site.selectListFallback = isSelectListArgument(call);
      site.style = hasObjectLiteralArgument(call, 1) ? 'colon' : 'question';
      site.values = 'array-argument';
      return site;
    case '$queryRawUnsafe':
    case '$executeRawUnsafe':
      site.style = 'content-or-dollar';
      site.values = 'tagged-twin';
      site.twin = method.replace('Unsafe', '');
      site.generic = false;
      return site;
    case 'unsafe':
      if (!/sql$/i.test(receiverName)) {
        return undefined;
      }
      site.style = 'content-or-dollar';
      site.values = 'tagged-twin';
      site.twin = '';
      site.generic = false;
      return site;
    case 'prepare':
    case 'exec':
      return receiver ? site : undefined; // content-or-question, no values
    case 'run':
    case 'all':
    case 'get':
    case 'each':
      site.values = 'array-argument';
      return receiver ? site : undefined;
    default:
      break;
  }
  if (!receiver) {
    return undefined;
  }
  const fragmentOrigin = `${chainRootName(receiver) ?? receiverName}.${method}`;
  const knexPrefix = KNEX_FRAGMENT_PREFIXES[method];
  // Query builders are known by where they come from: an application's own builder (for
  // ClickHouse, say) may well have a `whereRaw` too.
  if (knexPrefix !== undefined && usesKnex(receiver, imports)) {
    site.shape = 'fragment';
    site.fragmentPrefix = knexPrefix;
    site.origin = fragmentOrigin;
    site.style = hasObjectLiteralArgument(call, 1) ? 'colon' : 'question';
    site.values = 'array-argument';
    site.generic = false;
    return site;
  }
  const typeormPrefix = TYPEORM_FRAGMENT_PREFIXES[method];
  if (typeormPrefix !== undefined && isTypeormBuilderCall(call, receiver, imports)) {
    site.shape = 'fragment';
    site.fragmentPrefix = typeormPrefix;
    site.origin = fragmentOrigin;
    site.style = 'colon';
    site.values = 'none';
    site.generic = false;
    return site;
  }
  return undefined;
}

/**
 * The placeholder style of a recognised call's SQL. For `.query` / `.execute`, shared by pg,
 * mysql2, Sequelize and TypeORM: Sequelize's options, then the one driver the file imports, then
 * the placeholders the SQL itself uses, then the dialect's usual style.
 */
export function placeholderStyleOf(site: SqlCall, sql: string, imports: DriverImports, dialect: Dialect): PlaceholderStyle {
  switch (site.style) {
    case 'driver':
      return driverStyle(site, sql, imports, dialect);
    case 'content-or-dollar':
    case 'content-or-question': {
      const content = styleOfContent(sql);
      return content === 'dollar' || content === 'question' ? content : site.style === 'content-or-dollar' ? 'dollar' : 'question';
    }
    default:
      return site.style;
  }
}

function driverStyle(site: SqlCall, sql: string, imports: DriverImports, dialect: Dialect): PlaceholderStyle {
  if (site.values === 'replacements-option') {
    const options = site.call.arguments[1];
    if (options && isObjectLiteralExpression(options)) {
      const replacements = propertyValue(options, 'replacements');
      if (replacements) {
        return isArrayLiteralExpression(unwrapExpression(replacements)) ? 'question' : 'colon';
      }
      if (propertyValue(options, 'bind')) {
        return 'dollar';
      }
    }
    const content = styleOfContent(sql);
    return content === 'none' ? 'question' : content;
  }
  if (imports.style) {
    return imports.style;
  }
  const content = styleOfContent(sql);
  if (content !== 'none') {
    return content;
  }
  return site.method === 'execute' || dialect !== 'postgresql' ? 'question' : 'dollar';
}

/** pg's `{ text, values }` and mysql2's `{ sql, values }` query configs. */
function configObjectSql(argument: ts.Expression): ts.Expression | undefined {
  const object = unwrapExpression(argument);
  if (!isObjectLiteralExpression(object)) {
    return undefined;
  }
  return propertyValue(object, 'text') ?? propertyValue(object, 'sql');
}

/** The value of property `name` of an object literal (`name: value` or shorthand `name`). */
function propertyValue(object: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const property of object.properties) {
    const key = property.name;
    const keyText = key && (isIdentifier(key) || isPlainStringLiteral(key)) ? key.text : undefined;
    if (keyText !== name) {
      continue;
    }
    if (isPropertyAssignment(property)) {
      return property.initializer;
    }
    if (isShorthandPropertyAssignment(property)) {
      return property.name;
    }
  }
  return undefined;
}

function hasObjectLiteralArgument(call: ts.CallExpression, index: number): boolean {
  const argument = call.arguments[index];
  return argument !== undefined && isObjectLiteralExpression(unwrapExpression(argument));
}

/** `knex.select(knex.raw('count(*) as n'))`: a raw select-list item. */
function isSelectListArgument(call: ts.CallExpression): boolean {
  const parent = call.parent;
  if (!parent || !isCallExpression(parent) || !parent.arguments.includes(call)) {
    return false;
  }
  const callee = unwrapExpression(parent.expression);
  const name = isPropertyAccessExpression(callee) ? callee.name.text : isIdentifier(callee) ? callee.text : '';
  return name === 'select' || name === 'columns' || name === 'column' || name === 'distinct';
}

/**
 * `.where('user.id = :id', { id })` is TypeORM's only when the chain starts from
 * `createQueryBuilder(…)`, or when the file imports TypeORM and the receiver is named like a
 * query builder; knex's `.where('id', 1)` takes a column, not a condition.
 */
function isTypeormBuilderCall(call: ts.CallExpression, receiver: ts.Expression, imports: DriverImports): boolean {
  const second = call.arguments[1];
  if (call.arguments.length > 2 || (second && !isObjectLiteralExpression(unwrapExpression(second)))) {
    return false;
  }
  let current = unwrapExpression(receiver);
  while (isCallExpression(current)) {
    const callee = unwrapExpression(current.expression);
    const name = isPropertyAccessExpression(callee) ? callee.name.text : isIdentifier(callee) ? callee.text : '';
    if (name === 'createQueryBuilder') {
      return true;
    }
    if (!isPropertyAccessExpression(callee)) {
      return false;
    }
    current = unwrapExpression(callee.expression);
  }
  const path = namePath(current);
  return imports.typeorm && /(?:^qb$|builder$)/i.test(path[path.length - 1] ?? '');
}

/** sqlite3's statement methods: names too common to read without a sqlite import. */
const SQLITE_METHODS = new Set(['run', 'all', 'get', 'each']);

const KNOWN_METHODS = new Set([
  'query',
  'execute',
  'raw',
  '$queryRawUnsafe',
  '$executeRawUnsafe',
  'unsafe',
  'prepare',
  'exec',
  'run',
  'all',
  'get',
  'each',
  ...Object.keys(KNEX_FRAGMENT_PREFIXES),
  ...Object.keys(TYPEORM_FRAGMENT_PREFIXES),
]);

/** A tag whose template is SQL: `sql`, `*.sql`, `prisma.$queryRaw`, `$executeRaw`, `sql.fragment`, `sql.type(T)`. */
export interface SqlTag {
  origin: string;
  /** The first segment of the tag's name (`sql`, `Prisma`, `prisma`): helpers hang off it. */
  root: string;
}

const TAG_NAMES = new Set(['sql', '$queryRaw', '$executeRaw']);
const SQL_TAG_MEMBERS = new Set(['fragment', 'unsafe', 'type', 'typeAlias']);

/** Recognises a SQL tag by its name; undefined for any other tag (`gql`, `html`, `String.raw`). */
export function recogniseSqlTag(tag: ts.Expression): SqlTag | undefined {
  const path = namePath(tag);
  const last = path[path.length - 1];
  const previous = path[path.length - 2];
  if (last === undefined || !(TAG_NAMES.has(last) || (previous === 'sql' && SQL_TAG_MEMBERS.has(last)))) {
    return undefined;
  }
  return { origin: shortName(path), root: path[0] };
}

/**
 * Helpers that write SQL structure rather than a value into a tagged template: postgres.js's
 * `sql(obj, 'a', 'b')` (a column or VALUES list), slonik's `sql.identifier`, `sql.unnest`,
 * Kysely's `sql.ref` / `sql.table`, raw text (`sql.unsafe`, `Prisma.raw`) and `Prisma.empty`.
 * A query holding one cannot be read statically.
 */
const STRUCTURAL_HELPERS = new Set(['raw', 'unsafe', 'identifier', 'unnest', 'empty', 'ref', 'id', 'table']);

/** Whether a hole's expression is one of the structural helpers above. */
export function isStructuralSqlHelper(expression: ts.Expression, tagRoot: string): boolean {
  const node = unwrapExpression(expression);
  const roots = [tagRoot, 'sql', 'Prisma'];
  if (isCallExpression(node)) {
    const path = namePath(node.expression);
    if (path.length === 1) {
      return path[0] === 'sql' || (path[0] === tagRoot && tagRoot !== 'prisma');
    }
    return path.length >= 2 && roots.includes(path[0]) && STRUCTURAL_HELPERS.has(path[path.length - 1]);
  }
  if (isPropertyAccessExpression(node)) {
    const path = namePath(node);
    return path.length === 2 && roots.includes(path[0]) && path[1] === 'empty';
  }
  return false;
}
