import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { initParsers, parseStatement } from '../../server/src/analyze/parse';
import type { ParameterisationFix, Query } from '../../server/src/extract/query';
import { extractQueriesFromTypescript, forgetTypescriptExtractionCaches, forgetTypescriptText, TypescriptExtractOptions } from '../../server/src/extract/typescript/extractTypescript';
import { parseTypescriptSource } from '../../server/src/extract/typescript/sourceFiles';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'typescript');

function extract(text: string, options: Partial<TypescriptExtractOptions> = {}): Query[] {
  const queries = extractQueriesFromTypescript(text, { dialect: 'postgresql', languageId: 'typescript', ...options });
  for (let i = 1; i < queries.length; i++) {
    assert.ok(queries[i - 1].start <= queries[i].start, 'queries are sorted by start');
  }
  return queries;
}

function single(text: string, options: Partial<TypescriptExtractOptions> = {}): Query {
  const queries = extract(text, options);
  assert.strictEqual(queries.length, 1, `one query expected, got ${JSON.stringify(queries.map((q) => q.sql))}`);
  return queries[0];
}

/** The document text a query spans. */
function docOf(text: string, query: Query): string {
  return text.slice(query.start, query.end);
}

/** The document text the `occurrence`-th `needle` of the query's SQL maps to. */
function docOfSql(text: string, query: Query, needle: string, occurrence = 0): string {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = query.sql.indexOf(needle, at + 1);
    assert.ok(at >= 0, `${JSON.stringify(needle)} not in ${JSON.stringify(query.sql)}`);
  }
  const [from, to] = query.sqlRangeToDocument(at, at + needle.length);
  return text.slice(from, to);
}

/** Each parameter as [index, source, the document text it maps to, expression]. */
function parametersOf(text: string, query: Query): [number, string, string, string | undefined][] {
  return query.parameters.map((p) => [p.index, p.source, text.slice(p.docStart, p.docEnd), p.expression]);
}

function applyFix(text: string, fix: ParameterisationFix | undefined): string {
  assert.ok(fix, 'a parameterisation fix expected');
  let out = text;
  for (const edit of [...fix.edits].sort((a, b) => b.start - a.start)) {
    out = out.slice(0, edit.start) + edit.newText + out.slice(edit.end);
  }
  return out;
}

describe('extractQueriesFromTypescript', () => {
  before(() => initParsers());

  describe('pg', () => {
    it('reads pool.query and client.query with $n placeholders', () => {
      const text = "import { Pool } from 'pg';\nawait pool.query('SELECT id FROM users WHERE id = $1', [id]);\nawait client.query(\"DELETE FROM t WHERE a = $1 AND b = $2\", [a, b]);";
      const [first, second] = extract(text);
      assert.strictEqual(first.sql, 'SELECT id FROM users WHERE id = $1');
      assert.strictEqual(first.origin, 'pool.query');
      assert.strictEqual(first.shape, 'statement');
      assert.strictEqual(docOf(text, first), 'SELECT id FROM users WHERE id = $1');
      assert.deepStrictEqual(parametersOf(text, first), [[1, 'placeholder', '$1', undefined]]);
      assert.strictEqual(second.origin, 'client.query');
      assert.deepStrictEqual(parametersOf(text, second).map((p) => p[2]), ['$1', '$2']);
    });

    it('names the callee by its last two segments', () => {
      const text = 'class Repo {\n  find(id: number) {\n    return this.db.query(`SELECT * FROM users WHERE id = $1`, [id]);\n  }\n}\nexport const q = getPool().query("SELECT 1 AS one");';
      assert.deepStrictEqual(
        extract(text).map((q) => q.origin),
        ['db.query', 'getPool.query'],
      );
    });

    it('reads { text, values } query configs, also with a shorthand constant', () => {
      const text = "const text = 'UPDATE users SET name = $1 WHERE id = $2';\nawait pool.query({ text: 'SELECT * FROM users WHERE id = $1', values: [id] });\nawait pool.query({ name: 'rename', text, values: [name, id] });";
      const queries = extract(text);
      assert.deepStrictEqual(
        queries.map((q) => [q.sql, q.origin, docOf(text, q)]),
        [
          ['UPDATE users SET name = $1 WHERE id = $2', 'pool.query', 'UPDATE users SET name = $1 WHERE id = $2'],
          ['SELECT * FROM users WHERE id = $1', 'pool.query', 'SELECT * FROM users WHERE id = $1'],
        ],
      );
    });

    it('reads a bare query() helper and Cloudflare D1 prepare when the text is SQL', () => {
      const text = "export const find = (id) => query('SELECT * FROM users WHERE id = $1', [id]);\nconst row = await env.DB.prepare('SELECT name FROM users WHERE id = ?').bind(id).first();\nquery('Select your plan');";
      assert.deepStrictEqual(
        extract(text).map((q) => [q.origin, q.sql]),
        [
          ['query', 'SELECT * FROM users WHERE id = $1'],
          ['DB.prepare', 'SELECT name FROM users WHERE id = $1'],
        ],
      );
    });

    it('takes any <x>.query whose first argument is SQL, and leaves other .query calls alone', () => {
      const text = "const rows = await conn.query('SELECT a FROM t');\nconst el = document.query('#main');\nrouter.query('select the first item');";
      const query = single(text);
      assert.strictEqual(query.origin, 'conn.query');
    });
  });

  describe('mysql2 and sqlite', () => {
    it("uses ? placeholders when the file imports mysql2, whatever the call", () => {
      const text = "import mysql from 'mysql2/promise';\nconst [rows] = await connection.execute('SELECT * FROM users WHERE id = ? AND org = ?', [id, org]);\nawait connection.query('UPDATE users SET seen = now() WHERE id = ?', [id]);";
      const [execute, query] = extract(text);
      assert.strictEqual(execute.origin, 'connection.execute');
      // A file that imports mysql2 and no PostgreSQL driver runs MySQL's SQL.
      assert.strictEqual(execute.dialect, 'mysql');
      assert.strictEqual(execute.sql, 'SELECT * FROM users WHERE id = ? AND org = ?');
      assert.deepStrictEqual(parametersOf(text, execute), [
        [1, 'placeholder', '?', undefined],
        [2, 'placeholder', '?', undefined],
      ]);
      assert.strictEqual(query.sql, 'UPDATE users SET seen = now() WHERE id = ?');
    });

    it('keeps ? for the mysql dialect', () => {
      const text = "const mysql = require('mysql2');\nconnection.query('SELECT * FROM users WHERE id = ?', [id]);";
      assert.strictEqual(single(text, { dialect: 'mysql' }).sql, 'SELECT * FROM users WHERE id = ?');
    });

    it('reads the style from the SQL when no driver is imported: $n, then ?', () => {
      const dollar = single("db.query('SELECT * FROM t WHERE a = $1', [a]);");
      assert.strictEqual(dollar.parameters[0].source, 'placeholder');
      const question = single("db.query('SELECT * FROM t WHERE a = ? AND b = ?', [a, b]);");
      assert.strictEqual(question.sql, 'SELECT * FROM t WHERE a = $1 AND b = $2');
    });

    it('reads better-sqlite3 and sqlite3 calls when the file imports them', () => {
      const text = "import Database from 'better-sqlite3';\nconst row = db.prepare('SELECT name FROM users WHERE id = ?').get(id);\ndb.exec('CREATE TABLE t (a int)');\ndb.run('INSERT INTO t (a) VALUES (?)', [1]);";
      assert.deepStrictEqual(
        extract(text).map((q) => [q.origin, q.sql]),
        [
          ['db.prepare', 'SELECT name FROM users WHERE id = ?'],
          ['db.exec', 'CREATE TABLE t (a int)'],
          ['db.run', 'INSERT INTO t (a) VALUES (?)'],
        ],
      );
    });
  });

  describe('knex', () => {
    it('reads knex.raw with ? and ?? bindings', () => {
      const text = "await knex.raw('SELECT ?? FROM users WHERE id = ?', ['name', id]);";
      const query = single(text);
      assert.strictEqual(query.origin, 'knex.raw');
      assert.strictEqual(query.sql, 'SELECT ql_identifier FROM users WHERE id = $1');
      assert.strictEqual(docOfSql(text, query, 'ql_identifier'), '??');
    });

    it('reads named bindings when the bindings are an object', () => {
      const query = single("await knex.raw('SELECT * FROM users WHERE id = :id', { id });");
      assert.strictEqual(query.sql, 'SELECT * FROM users WHERE id = $1');
      assert.strictEqual(query.parameters[0].name, 'id');
    });

    const fragments: [string, string][] = [
      ['whereRaw', 'SELECT * FROM ql_fragment WHERE '],
      ['orWhereRaw', 'SELECT * FROM ql_fragment WHERE '],
      ['andWhereRaw', 'SELECT * FROM ql_fragment WHERE '],
      ['havingRaw', 'SELECT * FROM ql_fragment HAVING '],
      ['orHavingRaw', 'SELECT * FROM ql_fragment HAVING '],
      ['orderByRaw', 'SELECT * FROM ql_fragment ORDER BY '],
      ['groupByRaw', 'SELECT * FROM ql_fragment GROUP BY '],
    ];
    for (const [method, prefix] of fragments) {
      it(`wraps .${method} fragments in a statement`, () => {
        const fragment = method.includes('order') || method.includes('group') ? 'lower(email), id' : 'lower(email) = ?';
        const text = `const rows = await knex('users').where('active', true).${method}('${fragment}', [email]);`;
        const query = single(text);
        assert.strictEqual(query.shape, 'fragment');
        assert.strictEqual(query.origin, `knex.${method}`);
        assert.strictEqual(query.fragmentPrefixLength, prefix.length);
        assert.strictEqual(query.sql, prefix + fragment.replace('?', '$1'));
        assert.strictEqual(docOf(text, query), fragment);
        assert.strictEqual(docOfSql(text, query, 'email'), 'email');
        assert.ok(parseStatement(query.sql, 'postgresql').ok);
      });
    }

    it('wraps .joinRaw as a join clause and a raw select item as a select list', () => {
      const text = "import knex from 'knex';\ndb('orders').joinRaw('LEFT JOIN users u ON u.id = orders.user_id').select(knex.raw('count(*) AS n'));";
      const [join, select] = extract(text);
      assert.strictEqual(join.sql, 'SELECT * FROM ql_fragment LEFT JOIN users u ON u.id = orders.user_id');
      assert.strictEqual(join.origin, 'db.joinRaw');
      assert.strictEqual(select.sql, 'SELECT count(*) AS n');
      assert.strictEqual(select.shape, 'fragment');
      assert.strictEqual(select.fragmentPrefixLength, 'SELECT '.length);
    });

    it('leaves raw values that are not statements alone', () => {
      assert.deepStrictEqual(extract("knex('t').where('created_at', '<', knex.raw('now()'));"), []);
    });
  });

  describe('Prisma', () => {
    it('reads $queryRaw and $executeRaw tagged templates with bound holes', () => {
      const text = 'const users = await prisma.$queryRaw`SELECT * FROM users WHERE email = ${email} AND org = ${org.id}`;\nawait this.prisma.$executeRaw`UPDATE users SET seen = now() WHERE id = ${id}`;';
      const [query, execute] = extract(text);
      assert.strictEqual(query.sql, 'SELECT * FROM users WHERE email = $1 AND org = $2');
      assert.strictEqual(query.origin, 'prisma.$queryRaw');
      assert.strictEqual(query.construction, undefined);
      assert.deepStrictEqual(parametersOf(text, query), [
        [1, 'bound', 'email', 'email'],
        [2, 'bound', 'org.id', 'org.id'],
      ]);
      assert.strictEqual(execute.origin, 'prisma.$executeRaw');
      assert.strictEqual(execute.sql, 'UPDATE users SET seen = now() WHERE id = $1');
    });

    it('reads Prisma.sql, and $queryRawUnsafe with $n values', () => {
      const text = "const q = Prisma.sql`SELECT id FROM users WHERE name = ${name}`;\nawait prisma.$queryRawUnsafe('SELECT * FROM users WHERE id = $1', id);";
      const [sql, unsafe] = extract(text);
      assert.strictEqual(sql.origin, 'Prisma.sql');
      assert.strictEqual(sql.parameters[0].source, 'bound');
      assert.strictEqual(unsafe.origin, 'prisma.$queryRawUnsafe');
      assert.deepStrictEqual(parametersOf(text, unsafe), [[1, 'placeholder', '$1', undefined]]);
    });

    it('reads Prisma.join as one parameter, Prisma.raw of a constant as its text, and lists a query Prisma.raw of a value builds as built at run time', () => {
      const text = [
        'const DAYS = 720;',
        'await prisma.$queryRaw`SELECT * FROM users WHERE id IN (${Prisma.join(ids)})`;',
        'await prisma.$queryRaw`SELECT * FROM users WHERE seen_at > now() - interval \'${Prisma.raw("720")} days\' ${Prisma.empty}`;',
        'await prisma.$queryRaw`SELECT * FROM ${Prisma.raw(table)}`;',
      ].join('\n');
      assert.deepStrictEqual(
        extract(text).map((q) => [q.sql, q.builtAtRunTime]),
        [
          ['SELECT * FROM users WHERE id IN ($1)', undefined],
          ["SELECT * FROM users WHERE seen_at > now() - interval '720 days' ", undefined],
          ['', '`SELECT * FROM ${Prisma.raw(table)}`'],
        ],
      );
    });
  });

  describe('Sequelize and TypeORM', () => {
    it('reads sequelize.query with named or positional replacements', () => {
      const text = "await sequelize.query('SELECT * FROM users WHERE id = :id', { replacements: { id }, type: QueryTypes.SELECT });\nawait sequelize.query('SELECT * FROM users WHERE id = ?', { replacements: [id] });";
      const [named, positional] = extract(text);
      assert.strictEqual(named.sql, 'SELECT * FROM users WHERE id = $1');
      assert.deepStrictEqual(parametersOf(text, named), [[1, 'placeholder', ':id', undefined]]);
      assert.strictEqual(named.origin, 'sequelize.query');
      assert.strictEqual(positional.sql, 'SELECT * FROM users WHERE id = $1');
    });

    it('reads dataSource, manager and queryRunner .query', () => {
      const text = "import { DataSource } from 'typeorm';\nawait dataSource.query('SELECT * FROM users WHERE id = $1', [id]);\nawait manager.query('DELETE FROM sessions WHERE user_id = $1', [id]);\nawait queryRunner.query('ALTER TABLE users ADD COLUMN seen timestamptz');";
      assert.deepStrictEqual(
        extract(text).map((q) => q.origin),
        ['dataSource.query', 'manager.query', 'queryRunner.query'],
      );
    });

    it('wraps createQueryBuilder conditions, with :name and :...list parameters', () => {
      const text =
        "const users = await dataSource.getRepository(User).createQueryBuilder('user')\n  .where('user.email = :email', { email })\n  .andWhere('user.id IN (:...ids)', { ids })\n  .orWhere('lower(user.name) LIKE :name', { name })\n  .having('count(*) > 1')\n  .getMany();";
      const queries = extract(text);
      assert.deepStrictEqual(
        queries.map((q) => [q.origin, q.shape, q.sql]),
        [
          ['dataSource.where', 'fragment', 'SELECT * FROM ql_fragment WHERE user.email = $1'],
          ['dataSource.andWhere', 'fragment', 'SELECT * FROM ql_fragment WHERE user.id IN ($1)'],
          ['dataSource.orWhere', 'fragment', 'SELECT * FROM ql_fragment WHERE lower(user.name) LIKE $1'],
          ['dataSource.having', 'fragment', 'SELECT * FROM ql_fragment HAVING count(*) > 1'],
        ],
      );
      assert.deepStrictEqual(parametersOf(text, queries[0]), [[1, 'placeholder', ':email', undefined]]);
      assert.deepStrictEqual(parametersOf(text, queries[1]), [[1, 'bound', ':...ids', 'ids']]);
    });

    it('takes .where on a query builder variable when the file imports TypeORM', () => {
      const text = "import { Brackets } from 'typeorm';\nfunction byEmail(qb: SelectQueryBuilder<User>, email: string) {\n  return qb.where('user.email = :email', { email });\n}";
      const query = single(text);
      assert.deepStrictEqual([query.origin, query.sql], ['qb.where', 'SELECT * FROM ql_fragment WHERE user.email = $1']);
    });

    it("does not take knex's .where(column, value) for a condition", () => {
      assert.deepStrictEqual(extract("knex('users').where('email', email).andWhere('id', '>', 5);"), []);
    });
  });

  describe('sql tagged templates (postgres.js, slonik, any `sql` tag)', () => {
    it('reads sql`…` with bound holes, and names tags ending in .sql', () => {
      const text = 'const users = await sql`SELECT * FROM users WHERE id = ${id}`;\nconst rows = await db.sql`SELECT name FROM users WHERE org = ${org}`;';
      const [bare, member] = extract(text);
      assert.strictEqual(bare.origin, 'sql');
      assert.deepStrictEqual(parametersOf(text, bare), [[1, 'bound', 'id', 'id']]);
      assert.strictEqual(docOf(text, bare), 'SELECT * FROM users WHERE id = ${id');
      assert.strictEqual(member.origin, 'db.sql');
    });

    it('reads nested sql fragments into the text, keeping their positions', () => {
      const text = 'await sql`SELECT * FROM users WHERE active ${sql`AND org = ${org}`} ORDER BY id`;';
      const query = single(text);
      assert.strictEqual(query.sql, 'SELECT * FROM users WHERE active AND org = $1 ORDER BY id');
      assert.strictEqual(docOfSql(text, query, 'AND org'), 'AND org');
      assert.deepStrictEqual(parametersOf(text, query), [[1, 'bound', 'org', 'org']]);
    });

    it('reads a fragment kept in a constant where it is used, and not on its own', () => {
      const text = 'const byOrg = sql`WHERE org = ${org}`;\nconst users = await sql`SELECT * FROM users ${byOrg}`;';
      const query = single(text);
      assert.strictEqual(query.sql, 'SELECT * FROM users WHERE org = $1');
      assert.strictEqual(docOfSql(text, query, 'WHERE'), 'byOrg');
      assert.deepStrictEqual(parametersOf(text, query), [[1, 'bound', 'byOrg', 'org']]);
    });

    it('analyses a standalone clause fragment inside a statement', () => {
      const text = 'const filter = sql.fragment`WHERE a = ${a} AND b = ${b}`;';
      const query = single(text);
      assert.strictEqual(query.origin, 'sql.fragment');
      assert.strictEqual(query.shape, 'fragment');
      assert.strictEqual(query.sql, 'SELECT * FROM ql_fragment WHERE a = $1 AND b = $2');
      assert.strictEqual(query.fragmentPrefixLength, 'SELECT * FROM ql_fragment '.length);
      assert.strictEqual(docOf(text, query), 'WHERE a = ${a} AND b = ${b');
    });

    it("reads a builder's names and a helper's call in one statement, and lists one that still does not parse as built at run time", () => {
      const text = [
        'const { table, fields } = convertToIdentifiers(Instances);',
        'await pool.query(sql`update ${table} set ${fields.consumedAt} = ${now()} where ${fields.id} = ${id}`);',
        'await pool.query(sql`select id from instances where ${condition()} ${order()}`);',
      ].join('\n');
      assert.deepStrictEqual(
        extract(text).map((q) => [q.sql, q.builtAtRunTime ?? null]),
        [
          ['update $1 set $2 = $3 where $4 = $5', null],
          ['', '`select id from instances where ${condition()} ${order()}`'],
        ],
      );
    });

    it('takes a fragment that is only a keyword (sql.join glue, a prefix given to a builder) for no query', () => {
      const text = [
        'const joint = (all: boolean) => (all ? sql` and ` : sql` or `);',
        'const search = (prefix = sql`where `) => sql`${prefix} name ilike ${term}`;',
        'const list = sql.join(columns, sql`, `);',
        'const filter = sql`and org = ${org}`;',
      ].join('\n');
      assert.deepStrictEqual(
        extract(text).map((q) => q.sql),
        ['SELECT * FROM ql_fragment WHERE true and org = $1'],
      );
    });

    it('reads slonik sql.type(…)`…` and postgres.js sql.unsafe', () => {
      const text = "const row = await pool.one(sql.type(User)`SELECT id FROM users WHERE id = ${id}`);\nawait sql.unsafe('SELECT * FROM users WHERE id = $1', [id]);";
      assert.deepStrictEqual(
        extract(text).map((q) => [q.origin, q.sql]),
        [
          ['sql.type', 'SELECT id FROM users WHERE id = $1'],
          ['sql.unsafe', 'SELECT * FROM users WHERE id = $1'],
        ],
      );
    });

    it('lists queries assembled at run time from conditional fragments, each fragment analysed on its own', () => {
      const text = [
        'await sql`SELECT * FROM users ${admin ? sql`WHERE admin` : sql``}`;',
        'let where = sql``;',
        'if (org) where = sql`WHERE org = ${org}`;',
        'await sql`SELECT * FROM users ${where}`;',
        'let filter;',
        'filter = admin ? sql`WHERE admin` : sql`WHERE NOT admin`;',
        'await sql`SELECT * FROM users ${filter}`;',
        'const inner = sql`SELECT id FROM users ${admin ? sql`WHERE admin` : sql``}`;',
        'await sql`SELECT * FROM orders WHERE user_id IN (${cond ? inner : sql`SELECT 1`})`;',
      ].join('\n');
      assert.deepStrictEqual(
        extract(text).map((q) => [q.sql, q.builtAtRunTime ?? null]),
        [
          ['', '`SELECT * FROM users ${admin ? sql`WHERE admin` : sql``}`'],
          ['SELECT * FROM ql_fragment WHERE admin', null],
          ['SELECT * FROM ql_fragment WHERE org = $1', null],
          ['', '`SELECT * FROM users ${where}`'],
          ['SELECT * FROM ql_fragment WHERE admin', null],
          ['SELECT * FROM ql_fragment WHERE NOT admin', null],
          ['', '`SELECT * FROM users ${filter}`'],
          ['', '`SELECT id FROM users ${admin ? sql`WHERE admin` : sql``}`'],
          ['SELECT * FROM ql_fragment WHERE admin', null],
          ['', '`SELECT * FROM orders WHERE user_id IN (${cond ? inner : sql`SELECT 1`})`'],
          ['SELECT 1', null],
        ],
      );
    });

    it("reads postgres.js's sql() helpers: a list after IN, named columns of INSERT and SET, names otherwise", () => {
      const text = [
        'await sql`SELECT id FROM users WHERE id IN ${sql(ids)}`;',
        "await sql`INSERT INTO users ${sql(user, 'name', 'age')} RETURNING id`;",
        "await sql`UPDATE users SET ${sql(user, 'name', 'Age')} WHERE id = ${id}`;",
        'await sql`SELECT ${sql(columns)} FROM ${sql(table)}`;',
        'await sql`INSERT INTO users ${sql(user)}`;',
      ].join('\n');
      const queries = extract(text);
      assert.deepStrictEqual(
        queries.map((q) => [q.sql, q.parameters.map((p) => `${p.source} ${p.expression}`)]),
        [
          ['SELECT id FROM users WHERE id IN ($1)', ['bound sql(ids)']],
          ['INSERT INTO users (name, age) VALUES ($1, $2) RETURNING id', ['bound user.name', 'bound user.age']],
          ['UPDATE users SET name = $1, "Age" = $2 WHERE id = $3', ['bound user.name', 'bound user.Age', 'bound id']],
          ['SELECT $1 FROM $2', ['template sql(columns)', 'template sql(table)']],
          ['INSERT INTO users $1', ['template sql(user)']],
        ],
      );
      // Each value maps to the column name it is taken for.
      assert.strictEqual(docOfSql(text, queries[1], '$2'), "'age'");
      assert.strictEqual(docOfSql(text, queries[0], '($1)'), 'sql(ids)');
    });

    it("reads slonik's sql.identifier of literals as the name, sql.join of values as a list, and other joins as SQL", () => {
      const text = [
        "await pool.query(sql.unsafe`SELECT ${sql.identifier(['public', 'Users'])}.id FROM orders`);",
        'await pool.query(sql.unsafe`SELECT id FROM orders WHERE id IN (${sql.join(ids, sql.fragment`, `)})`);',
        'await pool.query(sql.unsafe`SELECT id FROM orders WHERE ${sql.join(conditions, sql.fragment` AND `)}`);',
        'await pool.query(sql.unsafe`SELECT id FROM ${sql.identifier([schema, table])}`);',
      ].join('\n');
      assert.deepStrictEqual(
        extract(text).map((q) => [q.sql, q.parameters.map((p) => p.source)]),
        [
          ['SELECT "public"."Users".id FROM orders', []],
          ['SELECT id FROM orders WHERE id IN ($1)', ['bound']],
          ['SELECT id FROM orders WHERE $1', ['template']],
          ['SELECT id FROM $1', ['template']],
        ],
      );
    });

    it('lists as built at run time a query whose hole may be a fragment when it does not parse with a parameter there', () => {
      const text = 'await sql`SELECT * FROM users WHERE a = 1 ${filters(f)}`;\nawait sql`SELECT * FROM users WHERE a = ${Number(a)}`;';
      assert.deepStrictEqual(
        extract(text).map((q) => [q.sql, q.builtAtRunTime ?? null]),
        [
          ['', '`SELECT * FROM users WHERE a = 1 ${filters(f)}`'],
          ['SELECT * FROM users WHERE a = $1', null],
        ],
      );
    });

    it("reads Kysely's sql`…`.execute(db) once: the template, not the call on it", () => {
      const text = "import { sql } from 'kysely';\nawait sql`CREATE INDEX idx_owner ON assets (owner_id)`.execute(db);\nconst rows = await sql<{ id: string }>`SELECT id FROM assets WHERE owner_id = ${owner}`.execute(trx);";
      assert.deepStrictEqual(
        extract(text).map((q) => [q.origin, q.sql, q.builtAtRunTime ?? null]),
        [
          ['sql', 'CREATE INDEX idx_owner ON assets (owner_id)', null],
          ['sql', 'SELECT id FROM assets WHERE owner_id = $1', null],
        ],
      );
    });

    it('reads Kysely-style typed tags', () => {
      const query = single('const rows = await sql<Person>`SELECT first_name FROM person WHERE id = ${id}`.execute(db);');
      assert.strictEqual(query.sql, 'SELECT first_name FROM person WHERE id = $1');
    });

    it('ignores fragments that are not clauses and templates with other tags', () => {
      const text = 'db.select().where(sql`${users.id} = ${id}`);\nconst query = gql`query { users { id } }`;\nconst page = html`SELECT a theme`;';
      assert.deepStrictEqual(extract(text), []);
    });

    it('finds String.raw templates by their content, backslashes as written', () => {
      const text = "export const migrations = {\n  '0001.sql': String.raw`CREATE TABLE :SCHEMA.jobs (id int, pattern text DEFAULT '\\d+');`,\n};";
      const query = single(text);
      assert.strictEqual(query.sql, "CREATE TABLE $1.jobs (id int, pattern text DEFAULT '\\d+');");
      assert.strictEqual(docOfSql(text, query, "'\\d+'"), "'\\d+'");
    });
  });

  describe('constants', () => {
    it('reads a constant passed to a call where the constant is written, with the call as origin', () => {
      const text = "const FIND_USER = 'SELECT * FROM users WHERE id = $1';\n\nexport async function find(id: number) {\n  return pool.query(FIND_USER, [id]);\n}";
      const query = single(text);
      assert.strictEqual(query.origin, 'pool.query');
      assert.strictEqual(docOf(text, query), 'SELECT * FROM users WHERE id = $1');
      assert.strictEqual(query.start, text.indexOf('SELECT'));
    });

    it('follows function-level constants, templates without holes, let and var never reassigned, and constants declared later', () => {
      const text = [
        'function a() {',
        '  const q = `SELECT 1 AS a`;',
        '  return db.query(q);',
        '}',
        'function b() {',
        "  let q = 'SELECT 2 AS b';",
        '  return db.query(q);',
        '}',
        'function c() {',
        '  return db.query(LATER);',
        '}',
        "var LATER = 'SELECT 3 AS c';",
      ].join('\n');
      assert.deepStrictEqual(
        extract(text).map((q) => [q.sql, q.origin]),
        [
          ['SELECT 1 AS a', 'db.query'],
          ['SELECT 2 AS b', 'db.query'],
          ['SELECT 3 AS c', 'db.query'],
        ],
      );
    });

    it('does not follow reassigned variables or names a parameter shadows', () => {
      const text = [
        "let q = 'SELECT * FROM users';",
        "if (admin) q = q + ' WHERE admin';",
        'db.query(q);',
        "const SQL = 'DELETE FROM t';",
        'function run(SQL: string) { return db.query(SQL); }',
      ].join('\n');
      // Both literals are still found by their content, as strings; each call runs SQL built at
      // run time, listed and counted but not analysed.
      assert.deepStrictEqual(
        extract(text).map((q) => [q.sql, q.origin, q.builtAtRunTime]),
        [
          ['SELECT * FROM users', 'string', undefined],
          ['', 'db.query', 'q'],
          ['DELETE FROM t', 'string', undefined],
          ['', 'db.query', 'SQL'],
        ],
      );
    });

    it('reports a constant used by two calls once', () => {
      const text = "const Q = 'SELECT * FROM users WHERE id = $1';\npool.query(Q, [1]);\npool.query(Q, [2]);";
      assert.strictEqual(single(text).origin, 'pool.query');
    });

    it('reads constants spliced into a template or a concatenation as their text, mapped to the name', () => {
      const text = "const TABLE = 'users';\nconst COLUMNS = 'id, name';\nawait pool.query(`SELECT ${COLUMNS} FROM ${TABLE} WHERE id = $1`, [id]);\nawait pool.query('SELECT * FROM ' + TABLE + ' WHERE name = $1', [name]);";
      const [template, concatenation] = extract(text);
      assert.strictEqual(template.sql, 'SELECT id, name FROM users WHERE id = $1');
      assert.strictEqual(template.construction, undefined);
      assert.strictEqual(docOfSql(text, template, 'users'), 'TABLE');
      assert.strictEqual(docOfSql(text, template, 'id, name'), 'COLUMNS');
      assert.strictEqual(concatenation.sql, 'SELECT * FROM users WHERE name = $1');
      assert.strictEqual(concatenation.construction, undefined);
      assert.strictEqual(docOfSql(text, concatenation, 'users'), 'TABLE');
    });

    it('reads numeric constants spliced into the text as their digits', () => {
      const text = 'const VERSION = 3;\nconst PAGE = 50;\ndb.prepare(`SELECT * FROM cache_v${VERSION} LIMIT ${PAGE} OFFSET ${100}`);';
      const query = single(text);
      assert.strictEqual(query.sql, 'SELECT * FROM cache_v3 LIMIT 50 OFFSET 100');
      assert.strictEqual(query.construction, undefined);
      assert.strictEqual(docOfSql(text, query, '3'), 'VERSION');
    });

    it('concatenates literals in a constant', () => {
      const text = "const Q = 'SELECT id ' +\n  'FROM users ' +\n  'WHERE id = $1';\nawait pool.query(Q, [id]);";
      const query = single(text);
      assert.strictEqual(query.sql, 'SELECT id FROM users WHERE id = $1');
      assert.strictEqual(docOfSql(text, query, 'users'), 'users');
      assert.strictEqual(query.construction, undefined);
    });
  });

  describe('strings found by their content', () => {
    it('finds a template with holes that a function returns for a wrapper to run, a schema hole and a value hole among them', () => {
      const text = [
        'export function fetchJobs(schema: string, name: string) {',
        "  return `SELECT id FROM ${schema}.job WHERE name = '${name}' AND state < 'active'`;",
        '}',
      ].join('\n');
      const query = single(text);
      assert.strictEqual(query.origin, 'string');
      assert.strictEqual(query.sql, "SELECT id FROM $1.job WHERE name = $2 AND state < 'active'");
      assert.deepStrictEqual(parametersOf(text, query), [
        [1, 'interpolated', 'schema', 'schema'],
        [2, 'interpolated', 'name', 'name'],
      ]);
    });

    it('reads a piece spliced into a template as part of it, not as a query of its own', () => {
      const text = [
        'export function update(schema: string, notify: boolean) {',
        "  const tail = notify ? `, n AS (SELECT pg_notify('c', 'x')) SELECT id FROM upd` : `SELECT id FROM upd`;",
        '  return `WITH upd AS (UPDATE ${schema}.queue SET updated_on = now() RETURNING name AS id) ${tail}`;',
        '}',
      ].join('\n');
      assert.deepStrictEqual(
        extract(text).map((q) => q.sql),
        ["WITH upd AS (UPDATE $1.queue SET updated_on = now() RETURNING name AS id) , n AS (SELECT pg_notify('c', 'x')) SELECT id FROM upd"],
      );
    });

    it('finds SQL literals with origin string and a style by content', () => {
      const text = "const a = 'SELECT id, name FROM users WHERE id = $1';\nconst b = \"UPDATE users SET name = ? WHERE id = ?\";\nconst c = `DELETE FROM sessions WHERE user_id = :id`;\nconst d = 'select * from users';";
      const queries = extract(text);
      assert.deepStrictEqual(
        queries.map((q) => [q.origin, q.sql, q.parameters.map((p) => text.slice(p.docStart, p.docEnd))]),
        [
          ['string', 'SELECT id, name FROM users WHERE id = $1', ['$1']],
          ['string', 'UPDATE users SET name = $1 WHERE id = $2', ['?', '?']],
          ['string', 'DELETE FROM sessions WHERE user_id = $1', [':id']],
          ['string', 'select * from users', []],
        ],
      );
    });

    it('finds a concatenation of literals as one query', () => {
      const text = "const report = 'SELECT region, sum(total) ' +\n  'FROM orders ' +\n  'GROUP BY region';";
      const query = single(text);
      assert.strictEqual(query.sql, 'SELECT region, sum(total) FROM orders GROUP BY region');
      assert.strictEqual(docOfSql(text, query, 'orders'), 'orders');
    });

    it('finds nothing in prose, log lines, errors, comments, JSX text, imports, keys and types', () => {
      const text = [
        "import select from 'select-from-where';",
        "const label = 'select a row from the list';",
        "const hint = 'Select an option';",
        "const msg = 'Update failed';",
        "console.log('SELECT * FROM users');",
        "logger.info('DELETE FROM sessions WHERE expired');",
        "throw new Error('SELECT * FROM users failed');",
        '// SELECT * FROM users WHERE id = 1',
        '/* DELETE FROM users */',
        "const keys = { 'SELECT * FROM users': 1 };",
        "type Q = 'SELECT * FROM users';",
        "const x = map['DELETE FROM t'];",
        "const js = require('select');",
        "const tag = 'SELECT';",
        "if (node.nodeName === 'SELECT') {}",
      ].join('\n');
      assert.deepStrictEqual(extract(text), []);
    });

    it('finds nothing in JSX text or attributes', () => {
      const text = 'export const App = () => (\n  <div title="SELECT * FROM users">\n    SELECT id FROM users WHERE id = 1\n    {"DELETE FROM users"}\n  </div>\n);';
      assert.deepStrictEqual(extract(text, { languageId: 'typescriptreact' }), []);
      assert.deepStrictEqual(extract(text, { languageId: 'javascriptreact' }), []);
    });

    it('reads JavaScript too', () => {
      const text = "const { Pool } = require('pg');\nmodule.exports.find = (id) => pool.query('SELECT * FROM users WHERE id = $1', [id]);";
      assert.strictEqual(single(text, { languageId: 'javascript' }).origin, 'pool.query');
    });
  });

  describe('concatenation and interpolation', () => {
    it('turns concatenated operands into interpolated holes', () => {
      const text = "await pool.query('SELECT * FROM users WHERE id = ' + id + ' AND org = ' + (user.org) + '');";
      const query = single(text);
      assert.strictEqual(query.sql, 'SELECT * FROM users WHERE id = $1 AND org = $2');
      assert.strictEqual(query.construction, 'concatenation');
      assert.deepStrictEqual(parametersOf(text, query), [
        [1, 'interpolated', 'id', 'id'],
        [2, 'interpolated', '(user.org)', '(user.org)'],
      ]);
    });

    it('turns ${} in a plain template into interpolated holes', () => {
      const text = 'await client.query(`SELECT * FROM users WHERE id = ${id} AND name = ${user.name}`);';
      const query = single(text);
      assert.strictEqual(query.construction, 'template');
      assert.deepStrictEqual(parametersOf(text, query), [
        [1, 'interpolated', 'id', 'id'],
        [2, 'interpolated', 'user.name', 'user.name'],
      ]);
    });

    it('reads a value spliced into SQL quotes as a parameter', () => {
      const text = "await pool.query(`SELECT * FROM users WHERE name = '${name}' AND bio LIKE '%${term}%'`);";
      const query = single(text);
      assert.strictEqual(query.sql, "SELECT * FROM users WHERE name = $1 AND bio LIKE '%' || $2 || '%'");
      assert.deepStrictEqual(parametersOf(text, query), [
        [1, 'interpolated', 'name', 'name'],
        [2, 'interpolated', 'term', 'term'],
      ]);
      assert.ok(parseStatement(query.sql, 'postgresql').ok);
    });

    it('reads a value spliced into a comment or a quoted identifier without losing later holes', () => {
      const text = 'await pool.query(`SELECT * FROM "${table}" -- by ${user}\nWHERE id = ${id}`);';
      const query = single(text);
      assert.strictEqual(query.sql, 'SELECT * FROM $1 -- by x\nWHERE id = $2');
      assert.deepStrictEqual(parametersOf(text, query).map((p) => p[2]), ['table', 'id']);
      assert.strictEqual(docOfSql(text, query, '-- by x'), '-- by ${user');
    });

    it('reads a conditional between two literals as text', () => {
      const text = "await pool.query(`SELECT * FROM users ORDER BY name ${desc ? 'DESC' : 'ASC'}`);";
      const query = single(text);
      assert.strictEqual(query.sql, 'SELECT * FROM users ORDER BY name DESC');
      assert.strictEqual(query.construction, undefined);
    });
  });

  describe('the parameterisation fix', () => {
    /** Name, source, fixed source, title, and the fixed SQL when it differs (a repeated value). */
    const cases: [string, string, string, string, string?][] = [
      [
        'pg template',
        'await pool.query(`SELECT * FROM users WHERE id = ${id}`);',
        "await pool.query('SELECT * FROM users WHERE id = $1', [id]);",
        'Pass id as parameter $1 of pool.query',
      ],
      [
        'pg concatenation with two values',
        "await pool.query('SELECT * FROM users WHERE id = ' + id + ' AND name = ' + name);",
        "await pool.query('SELECT * FROM users WHERE id = $1 AND name = $2', [id, name]);",
        'Pass id, name as parameters $1, $2 of pool.query',
      ],
      [
        'pg, appending to an existing array after existing placeholders',
        'await pool.query(`SELECT * FROM users WHERE org = $1 AND id = ${id}`, [org]);',
        "await pool.query('SELECT * FROM users WHERE org = $1 AND id = $2', [org, id]);",
        'Pass id as parameter $2 of pool.query',
      ],
      [
        'pg, a repeated value once',
        'await pool.query(`SELECT * FROM t WHERE a = ${v} OR b = ${v}`);',
        "await pool.query('SELECT * FROM t WHERE a = $1 OR b = $1', [v]);",
        'Pass v as parameter $1 of pool.query',
        'SELECT * FROM t WHERE a = $1 OR b = $1',
      ],
      [
        'a value inside SQL quotes',
        "await pool.query(`SELECT * FROM users WHERE name = '${name}'`);",
        "await pool.query('SELECT * FROM users WHERE name = $1', [name]);",
        'Pass name as parameter $1 of pool.query',
      ],
      [
        'a LIKE pattern around a value',
        "await pool.query(`SELECT * FROM users WHERE name LIKE '${prefix}%'`);",
        'await pool.query("SELECT * FROM users WHERE name LIKE $1 || \'%\'", [prefix]);',
        'Pass prefix as parameter $1 of pool.query',
      ],
      [
        'SQL with a quote: double quotes',
        "await pool.query(`SELECT * FROM users WHERE kind = 'admin' AND id = ${id}`);",
        'await pool.query("SELECT * FROM users WHERE kind = \'admin\' AND id = $1", [id]);',
        'Pass id as parameter $1 of pool.query',
      ],
      [
        'SQL on several lines: a template without holes',
        'await pool.query(`\n  SELECT *\n  FROM users\n  WHERE id = ${id}\n`);',
        'await pool.query(`\n  SELECT *\n  FROM users\n  WHERE id = $1\n`, [id]);',
        'Pass id as parameter $1 of pool.query',
      ],
      [
        'a constant stays a constant',
        "const T = 'users';\nawait pool.query(`SELECT * FROM ${T} WHERE id = ${id}`);",
        "const T = 'users';\nawait pool.query(`SELECT * FROM ${T} WHERE id = $1`, [id]);",
        'Pass id as parameter $1 of pool.query',
      ],
      [
        'mysql2: ? and an array, merged in placeholder order',
        "import mysql from 'mysql2';\nconn.query(`SELECT * FROM t WHERE a = ${a} AND b = ? AND c = ${c}`, [b]);",
        "import mysql from 'mysql2';\nconn.query('SELECT * FROM t WHERE a = ? AND b = ? AND c = ?', [a, b, c]);",
        'Pass a, c as parameters of conn.query',
      ],
      [
        'pg, four values: the title counts them',
        'await pool.query(`INSERT INTO t VALUES (${a}, ${b}, ${c}, ${d})`);',
        "await pool.query('INSERT INTO t VALUES ($1, $2, $3, $4)', [a, b, c, d]);",
        'Pass 4 values as parameters of pool.query',
      ],
      [
        'pg, three values: the title names them',
        'await pool.query(`INSERT INTO t VALUES (${a}, ${b}, ${c})`);',
        "await pool.query('INSERT INTO t VALUES ($1, $2, $3)', [a, b, c]);",
        'Pass a, b, c as parameters $1, $2, $3 of pool.query',
      ],
      [
        'postgres.js, four values: the title counts them',
        'await sql.unsafe(`INSERT INTO t VALUES (${a}, ${b}, ${c}, ${d})`);',
        'await sql`INSERT INTO t VALUES (${a}, ${b}, ${c}, ${d})`;',
        'Pass 4 values as bound parameters of sql',
      ],
      [
        'knex.raw: ?',
        "knex.raw('SELECT * FROM users WHERE id = ' + id);",
        "knex.raw('SELECT * FROM users WHERE id = ?', [id]);",
        'Pass id as a parameter of knex.raw',
      ],
      [
        'knex whereRaw: ?',
        "knex('users').whereRaw(`email = ${email}`);",
        "knex('users').whereRaw('email = ?', [email]);",
        'Pass email as a parameter of knex.whereRaw',
      ],
      [
        'Sequelize: replacements',
        'await sequelize.query(`SELECT * FROM users WHERE id = ${id}`);',
        "await sequelize.query('SELECT * FROM users WHERE id = ?', { replacements: [id] });",
        'Pass id as a parameter of sequelize.query',
      ],
      [
        'Prisma: $queryRawUnsafe becomes $queryRaw',
        'await prisma.$queryRawUnsafe(`SELECT * FROM users WHERE id = ${id}`);',
        'await prisma.$queryRaw`SELECT * FROM users WHERE id = ${id}`;',
        'Pass id as a bound parameter of prisma.$queryRaw',
      ],
      [
        'Prisma: a concatenation becomes a tagged template',
        "await prisma.$executeRawUnsafe('DELETE FROM users WHERE id = ' + id);",
        'await prisma.$executeRaw`DELETE FROM users WHERE id = ${id}`;',
        'Pass id as a bound parameter of prisma.$executeRaw',
      ],
      [
        'postgres.js: sql.unsafe becomes sql',
        'await sql.unsafe(`SELECT * FROM users WHERE id = ${id}`);',
        'await sql`SELECT * FROM users WHERE id = ${id}`;',
        'Pass id as a bound parameter of sql',
      ],
    ];
    for (const [name, before, after, title, fixedSql] of cases) {
      it(`rewrites to driver parameters: ${name}`, () => {
        const query = single(before);
        assert.ok(query.construction === 'template' || query.construction === 'concatenation');
        assert.strictEqual(query.parameterisationFix?.title, title);
        assert.strictEqual(applyFix(before, query.parameterisationFix), after);
        // The fixed source has the same SQL, now without spliced values.
        const fixed = single(after);
        assert.strictEqual(fixed.construction, undefined);
        assert.strictEqual(fixed.sql, fixedSql ?? query.sql);
      });
    }

    it('keeps CRLF line ends in a multi-line fix', () => {
      const before = 'await pool.query(`SELECT *\r\n  FROM users\r\n  WHERE id = ${id}`);\r\n';
      const query = single(before);
      assert.strictEqual(applyFix(before, query.parameterisationFix), 'await pool.query(`SELECT *\r\n  FROM users\r\n  WHERE id = $1`, [id]);\r\n');
    });

    it('offers no fix when the values cannot be extended or the SQL is not written in the call', () => {
      const text = [
        'await pool.query(`SELECT * FROM users WHERE id = ${id}`, values);',
        'await pool.query(`SELECT * FROM users WHERE id = ${id}`, (err, res) => done(err, res));',
        'const q = `SELECT * FROM users WHERE id = ${id}`;',
        'await pool.query(q);',
        'await pool.query({ text: `SELECT * FROM users WHERE id = ${id}` });',
        'await prisma.$queryRawUnsafe(`SELECT * FROM users WHERE id = ${id} AND b = $1`, b);',
        "await pool.query(`SELECT * FROM users WHERE id IN (${ids.join(',')})`);",
      ].join('\n');
      const queries = extract(text);
      assert.strictEqual(queries.length, 6);
      for (const query of queries) {
        assert.strictEqual(query.parameters.some((p) => p.source === 'interpolated'), true);
        assert.strictEqual(query.parameterisationFix, undefined, query.sql);
      }
    });
  });

  describe('the loop a query runs in', () => {
    const loopOf = (body: string) => extract(`import { Pool } from 'pg';\nconst pool = new Pool();\n${body}\n`).map((q) => q.loop);
    const loopsBySql = (body: string) => extract(`import { Pool } from 'pg';\nconst pool = new Pool();\n${body}\n`).map((q) => [q.sql, q.loop]);

    it('records the loop, the collection as written, and whether the call reads the item', () => {
      assert.deepStrictEqual(loopOf("for await (const [id, name] of rows.entries()) await pool.query('SELECT 1 FROM t WHERE a = $1', [name]);"), [
        { kind: 'for await…of loop', over: 'rows.entries()', perItem: true, itemNames: ['id', 'name'] },
      ]);
      assert.deepStrictEqual(loopOf("await Promise.all(orders.filter(isOpen).map(async (order) => { const key = order.id; return pool.query(`SELECT 1 FROM t WHERE a = ${key}`); }));"), [
        { kind: 'map callback', over: 'orders.filter(isOpen)', perItem: true, itemNames: ['order', 'key'] },
      ]);
      assert.deepStrictEqual(loopOf("for (let i = 0; i <= this.batch.size; i++) { await pool.query('SELECT now()'); }"), [{ kind: 'for loop', over: 'this.batch', perItem: false }]);
      // A property named like the item is not the item.
      assert.deepStrictEqual(loopOf("for (const id of ids) await pool.query({ text: 'SELECT 1 FROM t WHERE a = $1', id: 3 });"), [{ kind: 'for…of loop', over: 'ids', perItem: false }]);
    });

    it('records none outside a loop body: the collection, a while loop, a function run later, a connection per item', () => {
      assert.deepStrictEqual(
        loopsBySql(
          [
            "for (const row of (await pool.query('SELECT id FROM a')).rows) console.log(row);",
            "while (more) more = (await pool.query('DELETE FROM b WHERE id IN (SELECT id FROM b LIMIT 10)')).rowCount;",
            "for (const x of xs) later.push(function () { return pool.query('SELECT 1 FROM c WHERE a = $1', [x]); });",
            "for (const shard of shards) await shard.pool.query('SELECT 1 FROM d');",
            "for (let i = 0; i < 10; i++) await pool.query('SELECT 1 FROM e');",
          ].join('\n'),
        ),
        [
          ['SELECT id FROM a', undefined],
          ['DELETE FROM b WHERE id IN (SELECT id FROM b LIMIT 10)', undefined],
          ['SELECT 1 FROM c WHERE a = $1', undefined],
          ['SELECT 1 FROM d', undefined],
          ['SELECT 1 FROM e', undefined],
        ],
      );
    });
  });

  describe('exact positions', () => {
    it('maps characters written with escapes back to the escapes', () => {
      const text = "await pool.query('SELECT \\'it\\'\\'s\\' AS \\x61, \\u0062, \\u{63} FROM\\tt WHERE d = \\\"x\\\"');";
      const query = single(text);
      assert.strictEqual(query.sql, "SELECT 'it''s' AS a, b, c FROM\tt WHERE d = \"x\"");
      assert.strictEqual(docOfSql(text, query, "'it''s'"), "\\'it\\'\\'s\\'");
      assert.strictEqual(docOfSql(text, query, 'a'), '\\x61');
      assert.strictEqual(docOfSql(text, query, 'b'), '\\u0062');
      assert.strictEqual(docOfSql(text, query, 'c'), '\\u{63}');
      assert.strictEqual(docOfSql(text, query, '\t'), '\\t');
      assert.strictEqual(docOfSql(text, query, 'FROM'), 'FROM');
      assert.strictEqual(docOfSql(text, query, '"x"'), '\\"x\\"');
    });

    it('maps across line continuations, which produce no character', () => {
      const text = "pool.query('SELECT id \\\n  FROM users \\\r\nWHERE id = $1', [id]);";
      const query = single(text);
      assert.strictEqual(query.sql, 'SELECT id   FROM users WHERE id = $1');
      assert.strictEqual(docOfSql(text, query, 'users'), 'users');
      assert.strictEqual(docOfSql(text, query, 'WHERE'), 'WHERE');
      assert.strictEqual(docOfSql(text, query, '$1'), '$1');
    });

    it('maps templates with CRLF line ends, escaped backticks and dollars, and holes', () => {
      const text = 'await client.query(`SELECT \\`a\\`, \'\\${x}\'\r\nFROM users\r\nWHERE id = ${user.id} AND x = 1`);';
      const query = single(text);
      assert.strictEqual(query.sql, "SELECT `a`, '${x}'\nFROM users\nWHERE id = $1 AND x = 1");
      assert.strictEqual(docOfSql(text, query, '\n'), '\r\n');
      assert.strictEqual(docOfSql(text, query, '\nWHERE'), '\r\nWHERE');
      assert.strictEqual(docOfSql(text, query, '`a`'), '\\`a\\`');
      assert.strictEqual(docOfSql(text, query, '${x}'), '\\${x}');
      assert.strictEqual(docOfSql(text, query, '$1'), 'user.id');
      assert.strictEqual(docOfSql(text, query, 'x = 1'), 'x = 1');
    });

    it('maps a syntax error to the exact document characters', () => {
      const text = "const f = async () => {\r\n  await pool.query(\r\n    'SELECT id,\\n' +\r\n    '  name\\tFROM users WHERE WHERE id = ' + id,\r\n  );\r\n};";
      const query = single(text);
      const outcome = parseStatement(query.sql, 'postgresql');
      assert.ok(!outcome.ok);
      const [from, to] = query.sqlRangeToDocument(outcome.problem.start, outcome.problem.end);
      assert.strictEqual(text.slice(from, to), 'WHERE');
      assert.strictEqual(from, text.indexOf('WHERE WHERE') + 'WHERE '.length);
    });

    it('maps characters outside the BMP and surrogate pairs', () => {
      const text = "pool.query('SELECT \\u{1F600} AS e, \u{1F601} AS f FROM t');";
      const query = single(text);
      assert.strictEqual(query.sql, 'SELECT \u{1F600} AS e, \u{1F601} AS f FROM t');
      assert.strictEqual(docOfSql(text, query, 'f FROM'), 'f FROM');
      assert.strictEqual(docOfSql(text, query, 'AS e'), 'AS e');
    });
  });

  describe('reuse after edits', () => {
    /** Everything a query says, its whole position map included, as plain data. */
    function snapshot(queries: Query[]): unknown[] {
      return queries.map((q) => ({
        sql: q.sql,
        start: q.start,
        end: q.end,
        origin: q.origin,
        shape: q.shape,
        fragmentPrefixLength: q.fragmentPrefixLength,
        construction: q.construction,
        parameters: q.parameters,
        fix: q.parameterisationFix,
        loop: q.loop,
        map: Array.from({ length: q.sql.length + 1 }, (_, i) => q.sqlOffsetToDocument(i)),
        ranges: Array.from({ length: q.sql.length }, (_, i) => q.sqlRangeToDocument(i, Math.min(q.sql.length, i + 3))),
      }));
    }

    it('finds the same queries, at the same positions, as a fresh parse after every edit', () => {
      const original = fs.readFileSync(path.join(FIXTURES, 'mixed.ts'), 'utf8');
      let seed = 7;
      const random = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
      const pieces = ['', ' ', '\n', "'", '`', '${x}', '}', '{', '(', ')', 'SELECT ', ' AND AND ', '+ id', ';', '\\', 'sql`', '/*', '*/', '// ', '\r\n'];
      const versions: string[] = [original];
      for (let i = 0; i < 120; i++) {
        const previous = versions[versions.length - 1];
        const at = random(previous.length);
        const removed = random(4) === 0 ? random(12) : 0;
        versions.push(previous.slice(0, at) + pieces[random(pieces.length)] + previous.slice(at + removed));
      }
      const fresh = versions.map((text) => {
        forgetTypescriptExtractionCaches();
        return snapshot(extract(text));
      });
      forgetTypescriptExtractionCaches();
      versions.forEach((text, i) => {
        assert.deepStrictEqual(snapshot(extract(text)), fresh[i], `version ${i}`);
      });
    });

    it('finds the same queries as a fresh parse when an edit changes what other statements read', () => {
      // Each version edits one statement; the queries of the others are reused only when what
      // they read outside themselves (constants, imports, names assigned anywhere, the file's
      // line break) is unchanged.
      const v0 = [
        '// The queries of the orders service.',
        "import { Pool } from 'pg';",
        "const FIND = 'SELECT id FROM users WHERE id = $1';",
        "let table = 'users';",
        'export async function a(pool: Pool, id: number) {',
        '  return pool.query(FIND, [id]);',
        '}',
        'export async function b(pool: Pool, name: string) {',
        "  return pool.query(`SELECT * FROM t\n    WHERE name = '${name}' AND id = ${id}`);",
        '}',
        'export async function c(pool: Pool) {',
        '  let where = 0;',
        '  where = 1;',
        "  return pool.query('SELECT count(*) FROM ' + table + ' WHERE x = ' + where);",
        '}',
        'export async function e(pool: Pool, day: string) {',
        "  return pool.query(`SELECT * FROM events\n    WHERE day = '${day}'`);",
        '}',
        "const LONELY = 'SELECT 1 FROM lonely WHERE a = 1';",
        'export async function f(pool: Pool, users: { id: number }[]) {',
        "  for (const user of users) await pool.query('SELECT 3 FROM loops WHERE id = $1', [user.id]);",
        '}',
        'export async function d(sql: Sql, where: unknown) {',
        '  return sql`SELECT * FROM orders ${where}`;',
        '}',
        '',
      ].join('\n');
      const edits: [string, string][] = [
        ["'SELECT id FROM users WHERE id = $1'", "'SELECT id, name FROM users WHERE id = $1'"], // a constant another statement runs
        ['return pool.query(`SELECT', 'await pool.query(LONELY);\n  return pool.query(`SELECT'], // a call starts running a lone constant
        ['return sql`', "table = 'accounts';\n  return sql`"], // `table` is no longer a constant
        ['  where = 1;', '  where = sql`WHERE x = 1`;'], // a `where` holds a fragment
        ["from 'pg'", "from 'mysql2'"], // the driver and its placeholders
        ['service.\n', 'service.\r\n'], // the line break fixes write
        ['export async function c(', '// moved\n\nexport async function c('], // the statements after it move
        ['  return pool.query(FIND, [id]);', "  const FIND = 'SELECT 2 AS two';\n  return pool.query(FIND, [id]);"], // a local constant shadows
        ["const LONELY = 'SELECT 1 FROM lonely WHERE a = 1';", ''], // the constant a call ran is gone
        ["from 'mysql2'", "from 'pg'"],
        ['[user.id]);', '[0]);'], // the loop's query no longer reads the item
        ['  for (const user of users) await', '  await'], // nor runs in the loop
      ];
      const versions = [v0];
      for (const [from, to] of edits) {
        const previous = versions[versions.length - 1];
        assert.ok(previous.includes(from), `${JSON.stringify(from)} in version ${versions.length - 1}`);
        versions.push(previous.replace(from, to));
      }
      const fresh = versions.map((text) => {
        forgetTypescriptExtractionCaches();
        return snapshot(extract(text));
      });
      forgetTypescriptExtractionCaches();
      for (const order of [versions.map((_, i) => i), versions.map((_, i) => versions.length - 1 - i)]) {
        for (const i of order) {
          assert.deepStrictEqual(snapshot(extract(versions[i])), fresh[i], `version ${i}`);
        }
      }
      assert.notDeepStrictEqual(fresh[0], fresh[1]);
      // The same statements read for another dialect.
      const last = versions[versions.length - 1];
      forgetTypescriptExtractionCaches();
      const freshMysql = snapshot(extract(last, { dialect: 'mysql' }));
      assert.deepStrictEqual(snapshot(extract(last)), fresh[fresh.length - 1]);
      assert.deepStrictEqual(snapshot(extract(last, { dialect: 'mysql' })), freshMysql);
    });

    it('re-reads only the statements that use a name whose meaning an edit changed', () => {
      const v0 = [
        "import { Pool } from 'pg';",
        "const FIND = 'SELECT id FROM users WHERE id = $1';",
        'export async function a(pool: Pool, id: number) {',
        '  return pool.query(FIND, [id]);',
        '}',
        'export async function b(pool: Pool, name: string) {',
        "  return pool.query(`SELECT * FROM t WHERE name = '${name}' AND id = ${id}`);",
        '}',
        'export async function c(pool: Pool, day: string) {',
        "  return pool.query(`SELECT * FROM events WHERE day = '${day}'`);",
        '}',
        'export const version = 1;',
        '',
      ].join('\n');
      // Declared at the end, so that no statement with a query moves (nor is touched by the
      // incremental parse, which re-reads the statement just before an edit): a query kept is
      // the same object. (`a` runs the constant of another statement: it is always read again.)
      const unrelated = v0 + 'const unrelated = 1;\n';
      const idDeclared = unrelated + 'const id = 42;\n';
      forgetTypescriptExtractionCaches();
      const expected = [v0, unrelated, idDeclared].map((text) => {
        forgetTypescriptExtractionCaches();
        return snapshot(extract(text));
      });
      forgetTypescriptExtractionCaches();
      const first = extract(v0);
      assert.deepStrictEqual(snapshot(first), expected[0]);
      const second = extract(unrelated);
      assert.deepStrictEqual(snapshot(second), expected[1]);
      // A query of a statement read again is a new object: the first extraction, of a text parsed
      // from scratch, kept no built query to hand back.
      assert.deepStrictEqual([second[1] === first[1], second[2] === first[2]], [true, true], 'a name nobody uses: b and c kept');
      const third = extract(idDeclared);
      assert.deepStrictEqual(snapshot(third), expected[2]);
      // b's `${id}` is now the constant 42, written into its SQL; a's `id` is its own parameter.
      assert.match(third[1].sql, /AND id = 42$/);
      assert.deepStrictEqual([third[1] === second[1], third[2] === second[2]], [false, true], 'b reads `id`: read again; c kept');
    });

    it('finds the same queries when an edit is undone and when files alternate', () => {
      const a = fs.readFileSync(path.join(FIXTURES, 'mixed.ts'), 'utf8');
      const b = a.replace('LIMIT ${limit}', 'LIMIT 10').replace("'SELECT id, email", "'SELECT id, email, name");
      forgetTypescriptExtractionCaches();
      const expectedA = snapshot(extract(a));
      forgetTypescriptExtractionCaches();
      const expectedB = snapshot(extract(b));
      for (const [text, expected] of [[a, expectedA], [b, expectedB], [a, expectedA], [a, expectedA], [b, expectedB]] as const) {
        assert.deepStrictEqual(snapshot(extract(text)), expected);
      }
      // The same text as JavaScript is parsed as JavaScript, not taken from the TypeScript tree.
      forgetTypescriptExtractionCaches();
      const expectedJs = snapshot(extract(a, { languageId: 'javascript' }));
      extract(a);
      assert.deepStrictEqual(snapshot(extract(a, { languageId: 'javascript' })), expectedJs);
    });

    it('finds everything in the mixed fixture', () => {
      const text = fs.readFileSync(path.join(FIXTURES, 'mixed.ts'), 'utf8');
      assert.deepStrictEqual(
        extract(text).map((q) => [q.origin, q.sql]),
        [
          ['db.query', 'SELECT id, email FROM users WHERE id = $1'],
          ['pool.query', "SELECT o.id, o.total FROM orders o WHERE o.status = 'open' AND o.customer_id = $1"],
          ['db.query', "SELECT * FROM users WHERE email LIKE '%' || $1 || '%' LIMIT $2"],
          ['pool.query', 'UPDATE users SET name = $1 WHERE id = $2'],
          ['db.whereRaw', "SELECT * FROM ql_fragment WHERE created_at > now() - ($1 || ' days')::interval"],
          ['db.orderByRaw', 'SELECT * FROM ql_fragment ORDER BY created_at DESC NULLS LAST'],
          // The template's text as sent, white space around it included.
          ['sql', '\n    SELECT c.id, c.name, sum(o.total) AS total\n    FROM customers c JOIN orders o ON o.customer_id = c.id\n    WHERE c.country = $1 AND o.total > $2\n    GROUP BY c.id, c.name\n  '],
          ['prisma.$queryRaw', 'SELECT p.id, i.quantity FROM products p JOIN inventory i ON i.product_id = p.id WHERE p.sku = $1'],
          ['prisma.$executeRawUnsafe', 'DELETE FROM reservations WHERE sku = $1'],
          ['string', 'SELECT region, sum(total) FROM orders GROUP BY region'],
          ['Prisma.sql', 'SELECT 1 AS one'],
          ['pool.query', "SELECT 'it''s' AS a, b AS b, E'\\n' AS c FROM\tt"],
        ],
      );
    });
  });

  describe('speed', () => {
    /** A 5,000-line module with 500 queries in the forms application code writes them. */
    function generateModule(): { text: string; editLine: number } {
      const lines = ["import { Pool } from 'pg';", "import knex from 'knex';", "import postgres from 'postgres';", "import { PrismaClient } from '@prisma/client';", ''];
      const forms = [
        (i: number) => [`export async function orders${i}(customerId: number) {`, '  const { rows } = await pool.query(', '    `SELECT o.id, o.total, o.status', '     FROM orders o', `     WHERE o.customer_id = $1 AND o.total > ${i}\`,`, '    [customerId],', '  );', '  return rows;', '}', ''],
        (i: number) => [`export function shipped${i}(since: Date) {`, '  return db.raw(', "    'SELECT s.id, s.carrier FROM shipments s ' +", `      'WHERE s.shipped_at >= ? AND s.weight > ${i}',`, '    [since],', '  );', '}', `// shipments ${i}`, '', ''],
        (i: number) => [`export async function totals${i}(country: string) {`, '  return sql`', '    SELECT c.id, sum(o.total) AS total', '    FROM customers c JOIN orders o ON o.customer_id = c.id', `    WHERE c.country = \${country} AND o.total > ${i}`, '    GROUP BY c.id', '  `;', '}', '', ''],
        (i: number) => [`export async function stock${i}(sku: string) {`, `  const label = 'stock ' + sku + ' ${i}';`, '  console.log(label);', '  return prisma.$queryRaw`', '    SELECT p.id, i.quantity FROM products p JOIN inventory i ON i.product_id = p.id', `    WHERE p.sku = \${sku} AND i.quantity > ${i}\`;`, '}', '', '', ''],
      ];
      for (let i = 0; i < 500; i++) {
        lines.push(...forms[i % forms.length](i));
      }
      return { text: lines.join('\n'), editLine: 5 + 248 * 10 + 4 };
    }

    it("lets go of a closed document's tree, and only that one", () => {
      forgetTypescriptExtractionCaches();
      const closed = 'pool.query("SELECT 1");\n';
      // Little text in common: not an edit of the first, so each keeps a tree of its own.
      const open = 'export async function load(client) {\n  return client.query(`DELETE FROM t`);\n}\n';
      const closedTree = parseTypescriptSource(closed, 'typescript');
      const openTree = parseTypescriptSource(open, 'typescript');
      assert.strictEqual(parseTypescriptSource(closed, 'typescript'), closedTree, 'kept while the document is open');
      forgetTypescriptText(closed);
      assert.notStrictEqual(parseTypescriptSource(closed, 'typescript'), closedTree, 'parsed afresh after its document closed');
      assert.strictEqual(parseTypescriptSource(open, 'typescript'), openTree, 'the other document keeps its tree');
    });

    // Speed is measured by `npm run bench`, not asserted here: this checks that the incremental
    // re-parse after an edit gives the same queries as a fresh extraction.
    it('extracts 500 queries from 5,000 lines, fresh and after one-line edits', function () {
      this.timeout(60_000);
      const { text, editLine } = generateModule();
      const lines = text.split('\n');
      assert.ok(lines.length >= 5000);
      forgetTypescriptExtractionCaches();
      assert.strictEqual(extract(text).length, 500);
      for (let i = 0; i < 30; i++) {
        const copy = lines.slice();
        copy[editLine] = copy[editLine].replace(' AND ', i % 2 ? ' AND AND ' : ' OR ');
        const edited = copy.join('\n');
        const incremental = extract(edited);
        forgetTypescriptExtractionCaches();
        const fresh = extract(edited);
        assert.strictEqual(incremental.length, 500);
        assert.deepStrictEqual(incremental.map((q) => [q.start, q.end, q.sql]), fresh.map((q) => [q.start, q.end, q.sql]));
      }
    });
  });

  describe('bad input', () => {
    it('survives syntax errors in the host file and still finds what it can', () => {
      const text = "const x = {{{ ;\nawait pool.query('SELECT 1 AS one'\nfunction (\nconst y = 'SELECT id FROM users WHERE";
      const queries = extract(text);
      assert.deepStrictEqual(queries.map((q) => q.sql), ['SELECT 1 AS one']);
    });

    it('survives an unterminated template and string', () => {
      assert.doesNotThrow(() => extract('pool.query(`SELECT * FROM t WHERE a = ${a'));
      assert.doesNotThrow(() => extract("pool.query('SELECT * FROM t"));
      assert.doesNotThrow(() => extract('sql`SELECT ${'));
    });

    it('survives binary junk', () => {
      let seed = 42;
      const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
      for (let round = 0; round < 8; round++) {
        let junk = '';
        for (let i = 0; i < 2000; i++) {
          junk += String.fromCharCode(Math.floor(random() * 0x3000));
        }
        for (const languageId of ['typescript', 'typescriptreact', 'javascript', 'javascriptreact'] as const) {
          assert.doesNotThrow(() => extract(junk + "pool.query('SELECT 1')" + junk, { languageId }));
        }
      }
    });

    it('survives a 100,000-character line and deep nesting', () => {
      const longLine = `const q = '${'x'.repeat(100_000)}';\npool.query('SELECT 1 AS a');`;
      assert.strictEqual(single(longLine).sql, 'SELECT 1 AS a');
      const deepParens = 'const a = ' + '('.repeat(5000) + "'SELECT 1'" + ')'.repeat(5000) + ';';
      assert.doesNotThrow(() => extract(deepParens));
      const deepArrays = 'const a = ' + '['.repeat(20000) + ']'.repeat(20000) + ';';
      assert.doesNotThrow(() => extract(deepArrays));
      const longConcatenation = "pool.query('SELECT 1 AS a' " + "+ ' ' ".repeat(20000) + ');';
      assert.strictEqual(single(longConcatenation).sql, 'SELECT 1 AS a' + ' '.repeat(20000));
      const deepTemplates = 'sql`SELECT ${'.repeat(200) + 'x' + '}`'.repeat(200) + ';';
      assert.doesNotThrow(() => extract(deepTemplates));
      const deepFunctions = 'function f() {'.repeat(3000) + "pool.query('SELECT 2 AS b');" + '}'.repeat(3000);
      assert.doesNotThrow(() => extract(deepFunctions));
    });
  });
});
