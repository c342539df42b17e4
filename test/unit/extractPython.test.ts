import * as assert from 'assert';
import { initParsers } from '../../server/src/analyze/parse';
import { extractQueriesFromPython } from '../../server/src/extract/python/extractPython';
import type { Tree } from '@lezer/common';
import { parser as lezerPython } from '@lezer/python';
import { clearPythonParseCache, forgetPythonText, parsePython } from '../../server/src/extract/python/pythonSyntaxTree';
import type { Query, TextEdit } from '../../server/src/extract/query';
import type { Dialect } from '../../server/src/settings';

function extract(doc: string, dialect: Dialect = 'postgresql'): Query[] {
  const queries = extractQueriesFromPython(doc, { dialect });
  for (let i = 1; i < queries.length; i++) {
    assert.ok(queries[i - 1].start <= queries[i].start, 'queries are sorted by start');
  }
  return queries;
}

/** The one query of `doc`. */
function only(doc: string, dialect: Dialect = 'postgresql'): Query {
  const queries = extract(doc, dialect);
  assert.strictEqual(queries.length, 1, `one query expected, got ${JSON.stringify(queries.map((q) => q.sql))}`);
  return queries[0];
}

/** What the document says where `sqlText` (found in the query's SQL by substring) is. */
function written(doc: string, query: Query, sqlText: string, occurrence = 0): string {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) at = query.sql.indexOf(sqlText, at + 1);
  assert.ok(at >= 0, `${JSON.stringify(sqlText)} not in ${JSON.stringify(query.sql)}`);
  const [from, to] = query.sqlRangeToDocument(at, at + sqlText.length);
  return doc.slice(from, to);
}

/** Each parameter as [sql text, document text, source, expression]. */
function parameters(doc: string, query: Query): [string, string, string, string | undefined][] {
  return query.parameters.map((p) => [query.sql.slice(p.sqlStart, p.sqlEnd), doc.slice(p.docStart, p.docEnd), p.source, p.expression]);
}

function applyEdits(doc: string, edits: TextEdit[]): string {
  let out = doc;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) {
    out = out.slice(0, edit.start) + edit.newText + out.slice(edit.end);
  }
  return out;
}

/** The document after the query's parameterisation fix. */
function fixed(doc: string, query: Query): string {
  assert.ok(query.parameterisationFix, `a fix expected for ${JSON.stringify(query.sql)}`);
  return applyEdits(doc, query.parameterisationFix.edits);
}

describe('extractQueriesFromPython', () => {
  before(() => initParsers());

  describe('DB-API drivers', () => {
    it('marks a query written in a background update (a function named _background_…, or nested in one) as one that runs against a migration under way', () => {
      const doc = [
        'class RoomStore:',
        '    async def _background_populate_min_depth2(self, progress, batch_size):',
        '        def process(txn):',
        '            txn.execute("UPDATE room_depth SET min_depth2 = min_depth WHERE room_id = ?", (progress,))',
        '    async def get_depth(self, room_id):',
        '        def f(txn):',
        '            txn.execute("SELECT min_depth FROM room_depth WHERE room_id = ?", (room_id,))',
        '',
      ].join('\n');
      assert.deepStrictEqual(
        extract(doc).map((query) => [query.sql, query.backgroundUpdate ?? false]),
        [
          ['UPDATE room_depth SET min_depth2 = min_depth WHERE room_id = $1', true],
          ['SELECT min_depth FROM room_depth WHERE room_id = $1', false],
        ],
      );
    });

    it('reads cursor.execute with %s parameters (psycopg2)', () => {
      const doc = 'import psycopg2\n\ndef get(cursor, uid):\n    cursor.execute("SELECT id, email FROM users WHERE id = %s", (uid,))\n';
      const q = only(doc);
      assert.strictEqual(q.sql, 'SELECT id, email FROM users WHERE id = $1');
      assert.strictEqual(q.origin, 'cursor.execute');
      assert.strictEqual(q.shape, 'statement');
      assert.strictEqual(doc.slice(q.start, q.end), 'SELECT id, email FROM users WHERE id = %s');
      assert.deepStrictEqual(parameters(doc, q), [['$1', '%s', 'placeholder', undefined]]);
      assert.strictEqual(written(doc, q, 'users'), 'users');
      assert.strictEqual(q.construction, undefined);
      assert.strictEqual(q.parameterisationFix, undefined);
    });

    it('names the callee by its last two segments', () => {
      const doc = [
        'import psycopg',
        'class Repo:',
        '    def one(self):',
        '        self.cursor.execute("SELECT 1 FROM a")',
        '        self.db.conn.execute("SELECT 1 FROM b")',
        '        get_cursor().execute("SELECT 1 FROM c")',
        '        cur.executemany("INSERT INTO d (x) VALUES (%s)", rows)',
      ].join('\n');
      assert.deepStrictEqual(
        extract(doc).map((q) => [q.origin, q.sql]),
        [
          ['cursor.execute', 'SELECT 1 FROM a'],
          ['conn.execute', 'SELECT 1 FROM b'],
          ['get_cursor().execute', 'SELECT 1 FROM c'],
          ['cur.executemany', 'INSERT INTO d (x) VALUES ($1)'],
        ],
      );
    });

    it('reads %(name)s parameters, the same name being the same parameter', () => {
      const doc = 'import psycopg2\ncur.executemany("UPDATE t SET a = %(a)s WHERE id = %(id)s OR parent = %(id)s", rows)\n';
      const q = only(doc);
      assert.strictEqual(q.sql, 'UPDATE t SET a = $1 WHERE id = $2 OR parent = $2');
      assert.deepStrictEqual(
        q.parameters.map((p) => [p.name, doc.slice(p.docStart, p.docEnd)]),
        [
          ['a', '%(a)s'],
          ['id', '%(id)s'],
          ['id', '%(id)s'],
        ],
      );
    });

    it('reads ? parameters for sqlite3, whose SQL is SQLite\'s, not PostgreSQL\'s', () => {
      const doc = 'import sqlite3\nconn = sqlite3.connect("app.db")\nconn.execute("SELECT name FROM users WHERE id = ? AND org = ?", (uid, org))\n';
      const q = only(doc);
      assert.strictEqual(q.origin, 'conn.execute');
      assert.strictEqual(q.dialect, 'sqlite');
      assert.strictEqual(q.sql, 'SELECT name FROM users WHERE id = ? AND org = ?');
      assert.deepStrictEqual(parameters(doc, q), [
        ['?', '?', 'placeholder', undefined],
        ['?', '?', 'placeholder', undefined],
      ]);
    });

    it("reads SQL in a function named for another engine as that engine's (a PostgreSQL app with a SpatiaLite side)", () => {
      const doc = 'import psycopg\ndef _on_sqlite_connect(con):\n    cur = con.cursor()\n    cur.execute("SELECT load_extension(\'mod_spatialite\')")\n    cur.execute("PRAGMA journal_mode = WAL")\n';
      assert.deepStrictEqual(
        extractQueriesFromPython(doc, { dialect: 'postgresql' }).map((q) => [q.sql, q.dialect, q.enclosingFunction]),
        [
          ["SELECT load_extension('mod_spatialite')", 'sqlite', '_on_sqlite_connect'],
          ['PRAGMA journal_mode = WAL', 'sqlite', '_on_sqlite_connect'],
        ],
      );
    });

    it("takes the SQL of a file that imports another engine's driver for that engine's, whatever its module path", () => {
      const nz = 'import nzpy\ndef schema(cursor):\n    cursor.execute("SELECT a FROM columns WHERE s NOT IN (^information_schema^)")\n';
      const bq = 'from google.cloud import bigquery\ndef rows(cursor):\n    cursor.execute("SELECT * FROM `proj.ds.t`")\n';
      const mixed = 'import psycopg2\nimport pyodbc\ndef rows(cursor):\n    cursor.execute("SELECT id FROM users WHERE id = %s", (1,))\n';
      assert.deepStrictEqual(
        [nz, bq, mixed].map((doc) => extractQueriesFromPython(doc, { dialect: 'postgresql' }).map((q) => [q.origin, q.otherEngine])),
        [[['cursor.execute', 'Netezza']], [['cursor.execute', 'BigQuery']], [['cursor.execute', undefined]]],
      );
    });

    it('keeps ? as jsonb’s operator when the file uses psycopg', () => {
      const doc = "import psycopg\ncur.execute(\"SELECT * FROM docs WHERE data ? 'tags' AND id = %s\", (i,))\n";
      assert.strictEqual(only(doc).sql, "SELECT * FROM docs WHERE data ? 'tags' AND id = $1");
    });

    it('writes ? parameters for the MySQL dialect (pymysql)', () => {
      const doc = 'import pymysql\ncur.execute("SELECT * FROM users WHERE id = %s", (uid,))\n';
      assert.strictEqual(only(doc, 'mysql').sql, 'SELECT * FROM users WHERE id = ?');
    });

    it('reads Django’s connection.cursor() and cursor.execute', () => {
      const doc = [
        'from django.db import connection',
        '',
        'def rows(pk):',
        '    with connection.cursor() as cursor:',
        '        cursor.execute("SELECT foo FROM bar WHERE baz = %s", [pk])',
        '        return cursor.fetchall()',
      ].join('\n');
      const q = only(doc);
      assert.deepStrictEqual([q.origin, q.sql], ['cursor.execute', 'SELECT foo FROM bar WHERE baz = $1']);
    });

    it('reads sqlite3 executescript without placeholders', () => {
      const doc = 'import sqlite3\nconn.executescript("CREATE TABLE t (a int); INSERT INTO t VALUES (1)")\n';
      const q = only(doc);
      assert.deepStrictEqual([q.origin, q.sql, q.parameters.length], ['conn.executescript', 'CREATE TABLE t (a int); INSERT INTO t VALUES (1)', 0]);
    });

    it('takes statements that are not queries when a driver runs them', () => {
      const doc = 'import psycopg2\ncur.execute("SET search_path TO app")\ncur.execute("VACUUM ANALYZE users")\nexecutor.execute("task-1")\n';
      assert.deepStrictEqual(
        extract(doc).map((q) => q.sql),
        ['SET search_path TO app', 'VACUUM ANALYZE users'],
      );
    });

    it('takes a generic .execute for SQL only when the receiver or the imports say so, or it parses', () => {
      // No database import: `cursor` is a database handle by its name, and a broken query in it
      // must still be found (analysis reports the error); `executor` is not.
      const doc = 'def run(cursor, executor):\n    cursor.execute("SELECT * FROM WHERE")\n    executor.execute("update cache now")\n    executor.execute("UPDATE t SET a = 1")\n';
      assert.deepStrictEqual(
        extract(doc).map((q) => [q.origin, q.sql]),
        [
          ['cursor.execute', 'SELECT * FROM WHERE'],
          ['executor.execute', 'UPDATE t SET a = 1'],
        ],
      );
    });

    it('reads the SQL passed by keyword', () => {
      const doc = 'import psycopg2\ncur.execute(query="SELECT 1 FROM t WHERE a = %s", vars=(1,))\n';
      assert.strictEqual(only(doc).sql, 'SELECT 1 FROM t WHERE a = $1');
    });
  });

  describe('asyncpg', () => {
    it('reads fetch, fetchrow, fetchval and execute with $n parameters', () => {
      const doc = [
        'import asyncpg',
        '',
        'async def main(conn, uid):',
        '    rows = await conn.fetch("SELECT * FROM users WHERE org = $1", org)',
        '    row = await conn.fetchrow("SELECT * FROM users WHERE id = $1", uid)',
        '    n = await conn.fetchval("SELECT count(*) FROM users")',
        '    await conn.execute("DELETE FROM sessions WHERE user_id = $1", uid)',
      ].join('\n');
      const queries = extract(doc);
      assert.deepStrictEqual(
        queries.map((q) => q.origin),
        ['conn.fetch', 'conn.fetchrow', 'conn.fetchval', 'conn.execute'],
      );
      assert.strictEqual(queries[3].sql, 'DELETE FROM sessions WHERE user_id = $1');
      assert.deepStrictEqual(parameters(doc, queries[1]), [['$1', '$1', 'placeholder', undefined]]);
    });
  });

  describe('SQLAlchemy', () => {
    it('reads text() with :name parameters', () => {
      const doc = [
        'from sqlalchemy import text',
        '',
        'def find(session, email):',
        '    return session.execute(text("SELECT id FROM users WHERE email = :email AND a::text = :email"), {"email": email})',
      ].join('\n');
      const q = only(doc);
      assert.strictEqual(q.origin, 'text()');
      assert.strictEqual(q.sql, 'SELECT id FROM users WHERE email = $1 AND a::text = $1');
      assert.deepStrictEqual(
        q.parameters.map((p) => [p.name, doc.slice(p.docStart, p.docEnd), p.source]),
        [
          ['email', ':email', 'placeholder'],
          ['email', ':email', 'placeholder'],
        ],
      );
    });

    it('reads sa.text() and an aliased text', () => {
      const doc = 'import sqlalchemy as sa\nfrom sqlalchemy.sql import text as sql_text\nq1 = sa.text("SELECT 1 FROM a")\nq2 = sql_text("SELECT 1 FROM b")\n';
      assert.deepStrictEqual(
        extract(doc).map((q) => [q.origin, q.sql]),
        [
          ['text()', 'SELECT 1 FROM a'],
          ['text()', 'SELECT 1 FROM b'],
        ],
      );
    });

    it('reads connection.execute and session.execute with a bare string', () => {
      const doc = 'from sqlalchemy import create_engine\nwith engine.connect() as connection:\n    connection.execute("UPDATE t SET a = :a")\n    session.execute("SELECT * FROM t")\n';
      assert.deepStrictEqual(
        extract(doc).map((q) => [q.origin, q.sql]),
        [
          ['connection.execute', 'UPDATE t SET a = $1'],
          ['session.execute', 'SELECT * FROM t'],
        ],
      );
    });

    it('does not take a text() that is not SQLAlchemy’s for a driver call', () => {
      const doc = 'from ui import text\nlabel = text("Select an option")\n';
      assert.deepStrictEqual(extract(doc), []);
    });
  });

  describe('Django', () => {
    it('reads Model.objects.raw with %s parameters', () => {
      const doc = 'from myapp.models import Person\npeople = Person.objects.raw("SELECT * FROM myapp_person WHERE last_name = %s", [lname])\n';
      const q = only(doc);
      assert.deepStrictEqual([q.origin, q.sql], ['objects.raw', 'SELECT * FROM myapp_person WHERE last_name = $1']);
    });
  });

  describe('string forms', () => {
    const forms: [string, string][] = [
      ["'SELECT a FROM t'", 'single quotes'],
      ['"SELECT a FROM t"', 'double quotes'],
      ["'''SELECT a FROM t'''", 'triple single quotes'],
      ['"""SELECT a FROM t"""', 'triple double quotes'],
      ['r"SELECT a FROM t"', 'r prefix'],
      ["R'SELECT a FROM t'", 'R prefix'],
      ['u"SELECT a FROM t"', 'u prefix'],
      ['U"""SELECT a FROM t"""', 'U prefix, triple quotes'],
    ];
    for (const [literal, label] of forms) {
      it(`reads ${label}`, () => {
        const doc = `import psycopg2\ncur.execute(${literal})\n`;
        const q = only(doc);
        assert.strictEqual(q.sql, 'SELECT a FROM t');
        assert.strictEqual(doc.slice(q.start, q.end), 'SELECT a FROM t');
      });
    }

    it('ignores bytes', () => {
      const doc = 'import psycopg2\ncur.execute(b"SELECT a FROM t")\ncur.execute(rb"SELECT a FROM t")\nx = B"SELECT a, b FROM t"\n';
      assert.deepStrictEqual(extract(doc), []);
    });

    it('joins implicit concatenation with exact positions', () => {
      const doc = 'import psycopg2\ncur.execute(\n    "SELECT id, name "\n    \'FROM users \'  # the table\n    "WHERE id = %s",\n    (uid,),\n)\n';
      const q = only(doc);
      assert.strictEqual(q.sql, 'SELECT id, name FROM users WHERE id = $1');
      assert.strictEqual(written(doc, q, 'FROM users'), 'FROM users');
      assert.strictEqual(written(doc, q, 'name FROM'), 'name "\n    \'FROM');
      assert.strictEqual(doc.slice(q.start, q.end), 'SELECT id, name "\n    \'FROM users \'  # the table\n    "WHERE id = %s');
      assert.deepStrictEqual(parameters(doc, q), [['$1', '%s', 'placeholder', undefined]]);
    });

    it('follows line continuations between and inside strings', () => {
      const doc = 'import psycopg2\nsql = "SELECT a " \\\n    "FROM t"\ncur.execute(sql)\ncur.execute("SELECT b \\\nFROM u")\n';
      const [first, second] = extract(doc);
      assert.strictEqual(first.sql, 'SELECT a FROM t');
      assert.strictEqual(written(doc, first, 'FROM t'), 'FROM t');
      assert.strictEqual(second.sql, 'SELECT b FROM u');
      assert.strictEqual(written(doc, second, 'FROM u'), 'FROM u');
    });

    it('reads escapes and maps each character to what was written for it', () => {
      const doc = [
        'import psycopg2',
        String.raw`cur.execute("SELECT 'it\'s',\t\"x\", '\\', '\x41\u0042\103', '\N{EM DASH}'\nFROM t")`,
      ].join('\n');
      const q = only(doc);
      assert.strictEqual(q.sql, "SELECT 'it's',\t\"x\", '\\', 'ABC', '\u2014'\nFROM t");
      assert.strictEqual(written(doc, q, "'"), "'");
      assert.strictEqual(written(doc, q, "t's"), String.raw`t\'s`);
      assert.strictEqual(written(doc, q, '\t'), String.raw`\t`);
      assert.strictEqual(written(doc, q, '"x"'), String.raw`\"x\"`);
      assert.strictEqual(written(doc, q, '\\'), String.raw`\\`);
      assert.strictEqual(written(doc, q, 'ABC'), String.raw`\x41\u0042\103`);
      assert.strictEqual(written(doc, q, '\u2014'), String.raw`\N{EM DASH}`);
      assert.strictEqual(written(doc, q, '\nFROM'), String.raw`\nFROM`);
    });

    it('keeps backslashes in raw strings', () => {
      const doc = String.raw`import psycopg2` + '\n' + String.raw`cur.execute(r"SELECT * FROM t WHERE a ~ '\d+\''")` + '\n';
      const q = only(doc);
      assert.strictEqual(q.sql, String.raw`SELECT * FROM t WHERE a ~ '\d+\''`);
      assert.strictEqual(written(doc, q, String.raw`\d+`), String.raw`\d+`);
    });

    it('follows backslash-CRLF line continuations, inside strings and between them', () => {
      const doc = 'import psycopg2\r\ncur.execute("SELECT a \\\r\nFROM t")\r\nx = "SELECT b " \\\r\n    "FROM u WHERE c = \'\\\\\'"\r\ncur.execute(x)\r\n';
      const [first, second] = extract(doc);
      assert.strictEqual(first.sql, 'SELECT a FROM t');
      assert.strictEqual(written(doc, first, 'a FROM'), 'a \\\r\nFROM');
      assert.strictEqual(second.sql, "SELECT b FROM u WHERE c = '\\'");
      assert.strictEqual(written(doc, second, 'FROM u'), 'FROM u');
    });

    it('reads CRLF files: a CRLF in a string is one newline', () => {
      const doc = 'import psycopg2\r\ncur.execute("""\r\n    SELECT a\r\n    FROM t\r\n    WHERE b = %s\r\n""", (b,))\r\n';
      const q = only(doc);
      assert.strictEqual(q.sql, '\n    SELECT a\n    FROM t\n    WHERE b = $1\n');
      assert.strictEqual(written(doc, q, 'FROM t'), 'FROM t');
      assert.strictEqual(written(doc, q, 'a\n    FROM'), 'a\r\n    FROM');
      assert.strictEqual(doc.slice(q.parameters[0].docStart, q.parameters[0].docEnd), '%s');
    });
  });

  describe('f-strings', () => {
    it('makes {expr} an interpolated parameter at the expression', () => {
      const doc = 'import psycopg2\ncur.execute(f"SELECT * FROM users WHERE id = {user.id} AND org = { org }")\n';
      const q = only(doc);
      assert.strictEqual(q.sql, 'SELECT * FROM users WHERE id = $1 AND org = $2');
      assert.strictEqual(q.construction, 'f-string');
      assert.deepStrictEqual(parameters(doc, q), [
        ['$1', 'user.id', 'interpolated', 'user.id'],
        ['$2', 'org', 'interpolated', 'org'],
      ]);
      assert.strictEqual(written(doc, q, 'users'), 'users');
    });

    it('reads {{ and }} as braces, and skips conversions and format specs', () => {
      const doc = "import psycopg2\ncur.execute(f\"SELECT '{{1,2}}'::int[], {x!r:>10}, {y:{width}}, {z!s} FROM t\")\n";
      const q = only(doc);
      assert.strictEqual(q.sql, "SELECT '{1,2}'::int[], $1, $2, $3 FROM t");
      assert.deepStrictEqual(
        parameters(doc, q).map((p) => p[3]),
        ['x', 'y', 'z'],
      );
      assert.strictEqual(written(doc, q, '{1,2}'), '{{1,2}}');
      assert.strictEqual(written(doc, q, ', $3 FROM'), ', {z!s} FROM');
    });

    it('reads rf-strings and mixes f-strings with plain strings', () => {
      const doc = String.raw`import psycopg2` + '\n' + String.raw`cur.execute("SELECT a " rf"FROM t WHERE a ~ '\d' AND id = {i}")` + '\n';
      const q = only(doc);
      assert.strictEqual(q.sql, String.raw`SELECT a FROM t WHERE a ~ '\d' AND id = $1`);
      assert.strictEqual(q.construction, 'f-string');
    });

    it('reads {x=} as its label and the value', () => {
      const doc = 'import psycopg2\ncur.execute(f"SELECT * FROM t WHERE {a=}")\n';
      const q = only(doc);
      assert.strictEqual(q.sql, 'SELECT * FROM t WHERE a=$1');
      assert.strictEqual(q.parameterisationFix, undefined);
    });
  });

  describe('% and .format() and +', () => {
    it('makes %s of a % template interpolated parameters at the %s', () => {
      const doc = "import psycopg2\ncur.execute(\"SELECT * FROM t WHERE a = %s AND b LIKE 'x%%' AND c = %d\" % (a, b.c))\n";
      const q = only(doc);
      assert.strictEqual(q.sql, "SELECT * FROM t WHERE a = $1 AND b LIKE 'x%' AND c = $2");
      assert.strictEqual(q.construction, 'format');
      assert.deepStrictEqual(parameters(doc, q), [
        ['$1', '%s', 'interpolated', 'a'],
        ['$2', '%d', 'interpolated', 'b.c'],
      ]);
    });

    it('reads % with one value and with a dict', () => {
      const doc = 'import psycopg2\nq1 = "SELECT * FROM t WHERE a = %s" % value\nq2 = "SELECT * FROM t WHERE b = %(b)s" % {"b": bee}\n';
      const [q1, q2] = extract(doc);
      assert.deepStrictEqual(parameters(doc, q1), [['$1', '%s', 'interpolated', 'value']]);
      assert.deepStrictEqual(parameters(doc, q2), [['$1', '%(b)s', 'interpolated', 'bee']]);
      assert.strictEqual(q1.origin, 'string');
    });

    it('makes .format() fields interpolated parameters', () => {
      const doc = 'import psycopg2\ncur.execute("SELECT * FROM t WHERE a = {} AND b = {name} AND c = {0} AND d = \'{{}}\'".format(x, name=n))\n';
      const q = only(doc);
      assert.strictEqual(q.sql, "SELECT * FROM t WHERE a = $1 AND b = $2 AND c = $3 AND d = '{}'");
      assert.strictEqual(q.construction, 'format');
      assert.deepStrictEqual(parameters(doc, q), [
        ['$1', '{}', 'interpolated', 'x'],
        ['$2', '{name}', 'interpolated', 'n'],
        ['$3', '{0}', 'interpolated', 'x'],
      ]);
    });

    it('makes concatenated values interpolated parameters', () => {
      const doc = 'import psycopg2\ncur.execute("SELECT * FROM t WHERE a = " + str(a) + " AND b = 1")\n';
      const q = only(doc);
      assert.strictEqual(q.sql, 'SELECT * FROM t WHERE a = $1 AND b = 1');
      assert.strictEqual(q.construction, 'concatenation');
      assert.deepStrictEqual(parameters(doc, q), [['$1', 'str(a)', 'interpolated', 'str(a)']]);
      assert.strictEqual(written(doc, q, 'AND b'), 'AND b');
    });
  });

  describe("psycopg's sql composition", () => {
    const head = 'from psycopg import sql as pysql\nfrom psycopg.sql import SQL, Identifier, Literal, Placeholder\n\ndef run(cur, table, osm_id, name):\n';

    it('writes identifiers, SQL text and placeholders of literals into the text, once per query', () => {
      const doc =
        head +
        '    cur.execute(pysql.SQL("SELECT id FROM {}.{} WHERE name = %s").format(pysql.Identifier("public"), pysql.Identifier("Users")), (name,))\n' +
        '    query = SQL("SELECT {cols} FROM users WHERE id = {id}").format(cols=SQL(", ").join([Identifier("id"), Identifier("name")]), id=Placeholder())\n' +
        '    cur.execute(query, (osm_id,))\n';
      const queries = extract(doc);
      assert.deepStrictEqual(
        queries.map((q) => [q.sql, q.origin]),
        [
          ['SELECT id FROM "public"."Users" WHERE name = $1', 'cur.execute'],
          ['SELECT "id", "name" FROM users WHERE id = $1', 'cur.execute'],
        ],
      );
      assert.strictEqual(written(doc, queries[0], '"Users"'), '{}');
      assert.strictEqual(written(doc, queries[1], '"id", "name"'), '{cols}');
    });

    it('leaves names and values psycopg renders at run time as its holes: no splice, no fix', () => {
      const doc = head + '    cur.execute(pysql.SQL("DELETE FROM {} WHERE id = {}").format(pysql.Identifier(table), pysql.Literal(osm_id)))\n';
      const query = only(doc);
      assert.strictEqual(query.sql, 'DELETE FROM $1 WHERE id = $2');
      assert.deepStrictEqual(parameters(doc, query), [
        ['$1', '{}', 'template', 'pysql.Identifier(table)'],
        ['$2', '{}', 'template', 'pysql.Literal(osm_id)'],
      ]);
      assert.strictEqual(query.construction, undefined);
      assert.strictEqual(query.parameterisationFix, undefined);
    });
  });

  describe('constants', () => {
    it('reads a constant written into an f-string where it is used, and not on its own; two queries may write the same one', () => {
      const doc = [
        'def due(txn, now):',
        '    sql_update = "UPDATE delayed_events SET is_processed = TRUE"',
        '    txn.execute(f"WITH d AS ({sql_update} WHERE send_ts <= %s RETURNING *) SELECT delay_id FROM d", (now,))',
        '    txn.execute(f"WITH d AS ({sql_update} WHERE delay_id = %s RETURNING *) SELECT delay_id FROM d", (now,))',
      ].join('\n');
      assert.deepStrictEqual(
        extract(doc).map((q) => [q.origin, q.sql]),
        [
          ['txn.execute', 'WITH d AS (UPDATE delayed_events SET is_processed = TRUE WHERE send_ts <= $1 RETURNING *) SELECT delay_id FROM d'],
          ['txn.execute', 'WITH d AS (UPDATE delayed_events SET is_processed = TRUE WHERE delay_id = $1 RETURNING *) SELECT delay_id FROM d'],
        ],
      );
    });

    it('reads a module constant used by a call, with the call as origin', () => {
      const doc = [
        'import psycopg2',
        '',
        'USER_BY_EMAIL = """',
        '    SELECT id FROM users WHERE email = %s',
        '"""',
        '',
        'def find(cur, email):',
        '    cur.execute(USER_BY_EMAIL, (email,))',
      ].join('\n');
      const q = only(doc);
      assert.strictEqual(q.origin, 'cur.execute');
      assert.strictEqual(q.sql, '\n    SELECT id FROM users WHERE email = $1\n');
      assert.strictEqual(written(doc, q, 'users'), 'users');
      assert.ok(q.start < doc.indexOf('def find'), 'the query is where the constant is written');
    });

    it('reads a function constant, and a constant used as a % template', () => {
      const doc = [
        'import asyncpg',
        'TEMPLATE = "SELECT * FROM t WHERE id = %s"',
        'async def run(conn, i):',
        '    sql = f"SELECT * FROM u WHERE id = {i}"',
        '    await conn.fetch(sql)',
        '    await conn.fetch(TEMPLATE % i)',
      ].join('\n');
      const [template, fstring] = extract(doc);
      assert.deepStrictEqual([template.origin, template.sql, template.construction], ['conn.fetch', 'SELECT * FROM t WHERE id = $1', 'format']);
      assert.deepStrictEqual([fstring.origin, fstring.sql, fstring.construction], ['conn.fetch', 'SELECT * FROM u WHERE id = $1', 'f-string']);
      // The rewrite would have to edit the constant far from the call: not offered.
      assert.strictEqual(fstring.parameterisationFix, undefined);
    });

    it('gives a constant used by two calls one query', () => {
      const doc = 'import psycopg2\nQ = "SELECT * FROM t"\ncur.execute(Q)\nother.execute(Q)\n';
      const q = only(doc);
      assert.strictEqual(q.origin, 'cur.execute');
    });

    it('does not follow a name assigned twice, a parameter or a class attribute', () => {
      const doc = [
        'import psycopg2',
        'SQL = "SELECT * FROM a"',
        'if flag:',
        '    SQL = "SELECT * FROM b"',
        'cur.execute(SQL)',
        'Q = "SELECT * FROM c"',
        'def f(cur, Q):',
        '    cur.execute(Q)',
        'class Repo:',
        '    QUERY = "SELECT * FROM d"',
        '    def g(self):',
        '        self.cur.execute(QUERY)',
      ].join('\n');
      // Each literal is still SQL by its content alone; each call is a query built at run time,
      // listed and counted but not analysed.
      assert.deepStrictEqual(
        extract(doc).map((q) => [q.origin, q.sql, q.builtAtRunTime]),
        [
          ['string', 'SELECT * FROM a', undefined],
          ['string', 'SELECT * FROM b', undefined],
          ['cur.execute', '', 'SQL'],
          ['string', 'SELECT * FROM c', undefined],
          ['cur.execute', '', 'Q'],
          ['string', 'SELECT * FROM d', undefined],
          ['cur.execute', '', 'QUERY'],
        ],
      );
    });
  });

  describe('strings found by their content', () => {
    it('leaves a string that += extends later to the call that sends the whole, listed as built at run time', () => {
      const doc = [
        'def counts(txn, engine):',
        '    if engine == "postgres":',
        '        count_sql = "SELECT room_id, count(*) AS count FROM event_search WHERE vector @@ to_tsquery(?)"',
        '    count_sql += " GROUP BY room_id"',
        '    txn.execute(count_sql)',
        '    other_sql = "SELECT room_id FROM rooms WHERE creator = ?"',
        '    return other_sql',
      ].join('\n');
      assert.deepStrictEqual(
        extract(doc).map((q) => [q.origin, q.sql, q.builtAtRunTime ?? null]),
        [
          ['txn.execute', '', 'count_sql'],
          ['string', 'SELECT room_id FROM rooms WHERE creator = $1', null],
        ],
      );
    });

    it('reads any string literal that parses as a query', () => {
      const doc = [
        'REPORT = "SELECT region, sum(total) FROM orders GROUP BY region"',
        'lower = "select * from users"',
        'fq = f"SELECT * FROM t WHERE id = {i}"',
        'cat = "DELETE FROM sessions WHERE expires < now() - interval \'1 day\' AND user_id = " + str(uid)',
        'pct = "SELECT * FROM t WHERE id = %s" % uid',
        'run(build("UPDATE t SET a = 1 WHERE b = 2"))',
      ].join('\n');
      assert.deepStrictEqual(
        extract(doc).map((q) => [q.origin, q.sql, q.construction]),
        [
          ['string', 'SELECT region, sum(total) FROM orders GROUP BY region', undefined],
          ['string', 'select * from users', undefined],
          ['string', 'SELECT * FROM t WHERE id = $1', 'f-string'],
          ['string', "DELETE FROM sessions WHERE expires < now() - interval '1 day' AND user_id = $1", 'concatenation'],
          ['string', 'SELECT * FROM t WHERE id = $1', 'format'],
          ['string', 'UPDATE t SET a = 1 WHERE b = 2', undefined],
        ],
      );
    });

    it('takes no docstrings, prose, log messages or comments for SQL', () => {
      const doc = [
        '"""SELECT * FROM users"""',
        'import logging',
        'logger = logging.getLogger(__name__)',
        '# SELECT * FROM users',
        'def f():',
        '    """',
        '    SELECT id FROM users WHERE id = 1',
        '    """',
        '    "UPDATE t SET a = 1"  # a string used as a comment',
        '    logger.info("select the file")',
        '    logger.debug("SELECT * FROM users")',
        '    self.log.warning(f"DELETE FROM t WHERE id = {i}")',
        '    print("SELECT * FROM users")',
        '    msg = "select a row from the list"',
        '    label = "Update failed"',
        '    choice = "Select an option"',
        '    words = {"select": 1, "SELECT": 2, "DELETE": 3}',
        '    raise ValueError("delete from cart failed")',
      ].join('\n');
      assert.deepStrictEqual(extract(doc), []);
    });

    it('takes no SQL fragments for queries, and a psycopg composition for the query it is run as', () => {
      const doc = [
        'from psycopg import sql',
        'from sqlalchemy import select, text',
        'stmt = select(User).where(text("id > :id")).order_by(text("created_at DESC"))',
        'q = sql.SQL("SELECT * FROM {} WHERE id = %s").format(sql.Identifier(table))',
        'cur.execute(q, (i,))',
      ].join('\n');
      // The composition is read once, where it is run; the table psycopg names at run time is a hole.
      assert.deepStrictEqual(
        extract(doc).map((q) => [q.origin, q.sql, q.builtAtRunTime]),
        [['cur.execute', 'SELECT * FROM $1 WHERE id = $2', undefined]],
      );
    });

    it('uses the dialect for placeholders', () => {
      const doc = 'Q = "SELECT * FROM t WHERE id = %s"\n';
      assert.strictEqual(only(doc, 'sqlite').sql, 'SELECT * FROM t WHERE id = ?');
    });
  });

  describe('the parameterisation fix', () => {
    it('rewrites an f-string in cursor.execute to %s and a params tuple', () => {
      const doc = 'import psycopg2\ncursor.execute(f"SELECT * FROM users WHERE id = {uid}")\n';
      const q = only(doc);
      assert.strictEqual(q.parameterisationFix?.title, 'Pass uid as parameter %s of cursor.execute');
      assert.strictEqual(fixed(doc, q), 'import psycopg2\ncursor.execute("SELECT * FROM users WHERE id = %s", (uid,))\n');
    });

    it('rewrites an f-string in asyncpg to $n and arguments, a repeated name once', () => {
      const doc = "import asyncpg\nrows = await conn.fetch(f'SELECT * FROM t WHERE a = {a} AND b > {b + 1} OR c = {a}')\n";
      const q = only(doc);
      assert.strictEqual(q.parameterisationFix?.title, 'Pass a, b + 1 as parameters $1, $2 of conn.fetch');
      assert.strictEqual(fixed(doc, q), "import asyncpg\nrows = await conn.fetch('SELECT * FROM t WHERE a = $1 AND b > $2 OR c = $1', a, b + 1)\n");
    });

    it('uses ? for sqlite3', () => {
      const doc = 'import sqlite3\nconn.execute(f"DELETE FROM t WHERE id = {i}")\n';
      assert.strictEqual(fixed(doc, only(doc)), 'import sqlite3\nconn.execute("DELETE FROM t WHERE id = ?", (i,))\n');
    });

    it('doubles literal % for %s drivers, drops quotes around a value, keeps triple quotes and layout', () => {
      const doc = [
        'import psycopg2',
        'cur.execute(',
        '    f"""',
        "    SELECT * FROM t WHERE name = '{name}' AND code LIKE 'A%'",
        '    AND {{x}} IS NULL',
        '    """',
        ')',
      ].join('\n');
      assert.strictEqual(
        fixed(doc, only(doc)),
        ['import psycopg2', 'cur.execute(', '    """', "    SELECT * FROM t WHERE name = %s AND code LIKE 'A%%'", '    AND {x} IS NULL', '    """, (name,)', ')'].join('\n'),
      );
    });

    it('edits each piece of an implicit concatenation in place', () => {
      const doc = ['import psycopg2', 'cur.execute(', '    "SELECT a "', '    f"FROM t WHERE id = {i} "', "    rf'AND b ~ \\d'", ')'].join('\n');
      assert.strictEqual(fixed(doc, only(doc)), ['import psycopg2', 'cur.execute(', '    "SELECT a "', '    "FROM t WHERE id = %s "', "    r'AND b ~ \\d', (i,)", ')'].join('\n'));
    });

    it('rewrites % formatting to parameters', () => {
      const doc = [
        'import psycopg2',
        'cur.execute("SELECT * FROM t WHERE a = %s" % a)',
        "cur.execute(\"SELECT * FROM t WHERE a = '%s' AND b = %d AND c LIKE 'x%%'\" % (a, b))",
        'cur.execute("SELECT * FROM t WHERE a = %(a)s" % {"a": a})',
      ].join('\n');
      const queries = extract(doc);
      assert.strictEqual(queries.length, 3);
      const lines = queries.map((q) => fixed(doc, q).split('\n'));
      assert.strictEqual(lines[0][1], 'cur.execute("SELECT * FROM t WHERE a = %s", (a,))');
      assert.strictEqual(lines[1][2], "cur.execute(\"SELECT * FROM t WHERE a = %s AND b = %s AND c LIKE 'x%%'\", (a, b))");
      assert.strictEqual(lines[2][3], 'cur.execute("SELECT * FROM t WHERE a = %(a)s", {"a": a})');
    });

    it('rewrites % formatting for asyncpg and sqlite3', () => {
      const asyncpg = "import asyncpg\nawait conn.fetch(\"SELECT * FROM t WHERE a = %s AND b = %s AND c LIKE 'x%%'\" % (a, b))\n";
      assert.strictEqual(fixed(asyncpg, only(asyncpg)), "import asyncpg\nawait conn.fetch(\"SELECT * FROM t WHERE a = $1 AND b = $2 AND c LIKE 'x%'\", a, b)\n");
      const sqlite = 'import sqlite3\nconn.execute("SELECT * FROM t WHERE a = %s" % (a,))\n';
      assert.strictEqual(fixed(sqlite, only(sqlite)), 'import sqlite3\nconn.execute("SELECT * FROM t WHERE a = ?", (a,))\n');
    });

    it('rewrites .format() to parameters', () => {
      const doc = 'import psycopg2\ncur.execute("SELECT * FROM t WHERE a = {} AND b = {b} AND c LIKE \'5%\'".format(a, b=bee))\n';
      assert.strictEqual(fixed(doc, only(doc)), 'import psycopg2\ncur.execute("SELECT * FROM t WHERE a = %s AND b = %s AND c LIKE \'5%%\'", (a, bee))\n');
    });

    it('rewrites concatenation into one literal, str(x) into x', () => {
      const doc = [
        'import psycopg2',
        'cur.execute("SELECT * FROM t WHERE a = " + str(a) + " AND b = \'" + b + "\'")',
        'cur.execute(\'DELETE FROM t WHERE id = \' + i)',
      ].join('\n');
      const [first, second] = extract(doc);
      assert.strictEqual(fixed(doc, first).split('\n')[1], 'cur.execute("SELECT * FROM t WHERE a = %s AND b = %s", (a, b))');
      assert.strictEqual(fixed(doc, second).split('\n')[2], "cur.execute('DELETE FROM t WHERE id = %s', (i,))");
    });

    it('rewrites Django raw() too', () => {
      const doc = 'from django.db import models\nPerson.objects.raw(f"SELECT * FROM person WHERE id = {pk}")\n';
      assert.strictEqual(fixed(doc, only(doc)), 'from django.db import models\nPerson.objects.raw("SELECT * FROM person WHERE id = %s", (pk,))\n');
    });

    it('offers no fix where the values are not plain SQL values', () => {
      const doc = [
        'import psycopg2',
        'cur.execute(f"SELECT * FROM t WHERE id = {i}", extra)', // parameters already passed
        'cur.executemany(f"INSERT INTO t (a) VALUES ({a})", rows)', // executemany
        'cur.execute(f"SELECT * FROM {table} WHERE id = 1")', // a table name
        'cur.execute(f"SELECT * FROM t WHERE id IN ({ids})")', // a list
        'cur.execute(f"SELECT * FROM t_{suffix}")', // part of a name
        "cur.execute(f\"SELECT * FROM t WHERE name LIKE '%{term}%'\")", // part of a literal
        'cur.execute(f"SELECT * FROM t ORDER BY {column}")', // a column
        'cur.execute(f"SELECT * FROM t WHERE {condition}")', // a condition
        'cur.execute(f"SELECT * FROM t WHERE a = %s AND b = {b}")', // half parameterised already
        'cur.execute(f"INSERT INTO t ({col}) VALUES (1)")', // a column list
      ].join('\n');
      const queries = extract(doc);
      assert.strictEqual(queries.length, 10);
      assert.deepStrictEqual(
        queries.map((q) => q.parameterisationFix),
        queries.map(() => undefined),
      );
    });

    it('offers no fix where the driver’s parameter style is unknown (SQLAlchemy without a driver)', () => {
      const doc = 'from sqlalchemy.orm import Session\nsession.execute(f"DELETE FROM t WHERE id = {i}")\nsession.execute(text(f"DELETE FROM t WHERE id = {i}"))\n';
      const queries = extract(doc);
      assert.deepStrictEqual(
        queries.map((q) => [q.origin, q.construction, q.parameterisationFix]),
        [
          ['session.execute', 'f-string', undefined],
          ['string', 'f-string', undefined],
        ],
      );
    });

    it('writes parameters where SQL takes values: VALUES, functions, LIMIT, BETWEEN, ANY', () => {
      const doc = 'import psycopg2\ncur.execute(f"INSERT INTO t (a, b) VALUES ({a}, lower({b})) RETURNING id")\ncur.execute(f"SELECT * FROM t WHERE d BETWEEN {x} AND {y} AND id = ANY({ids}) LIMIT {n}")\n';
      const [insert, select] = extract(doc);
      assert.strictEqual(fixed(doc, insert).split('\n')[1], 'cur.execute("INSERT INTO t (a, b) VALUES (%s, lower(%s)) RETURNING id", (a, b))');
      assert.strictEqual(fixed(doc, select).split('\n')[2], 'cur.execute("SELECT * FROM t WHERE d BETWEEN %s AND %s AND id = ANY(%s) LIMIT %s", (x, y, ids, n))');
    });
  });

  describe('the loop a query runs in', () => {
    const loopOf = (body: string) => extract(`import psycopg\n${body}\n`).map((q) => q.loop);

    it('records a for loop or a comprehension, the collection as written, and whether the call reads the item', () => {
      assert.deepStrictEqual(loopOf('for a, (b, c) in pairs.items():\n    cur.execute("SELECT 1 FROM t WHERE x = %s", (c,))'), [{ kind: 'for loop', over: 'pairs.items()', perItem: true, itemNames: ['a', 'b', 'c'] }]);
      assert.deepStrictEqual(loopOf('async def f(conn):\n    async for r in stream:\n        key = r.id\n        await conn.fetch("SELECT 1 FROM t WHERE x = $1", key)'), [
        { kind: 'async for loop', over: 'stream', perItem: true, itemNames: ['r', 'key'] },
      ]);
      assert.deepStrictEqual(loopOf('totals = {c: cur.execute("SELECT sum(x) FROM t") for c in codes if c}'), [{ kind: 'dict comprehension', over: 'codes', perItem: false }]);
    });

    it('records none for the collection, a while loop, a lambda, or a connection per item', () => {
      assert.deepStrictEqual(
        loopOf(
          [
            'for row in cur.execute("SELECT id FROM a"):',
            '    print(row)',
            'while more:',
            '    cur.execute("DELETE FROM b WHERE id IN (SELECT id FROM b LIMIT 10)")',
            'fs = [lambda: cur.execute("SELECT 1 FROM c WHERE x = %s", (n,)) for n in names]',
            'for other in connections:',
            '    other.cursor().execute("ANALYZE d")',
          ].join('\n'),
        ),
        [undefined, undefined, undefined, undefined],
      );
    });
  });

  describe('bad input', () => {
    it('survives syntax errors and still reads what it can', () => {
      // What a file looks like while being typed: an unclosed call, an unterminated string.
      const doc = 'import psycopg2\ncur.execute("SELECT 1 FROM a")\ndef broken(:\n    return 1\ncur.execute("SELECT 2 FROM b", (a,)\nx = "unterminated\ncur.execute(f"SELECT {")\ncur.execute("""SELECT 3 FROM c\n';
      const queries = extract(doc);
      assert.deepStrictEqual(queries.slice(0, 2).map((q) => q.sql), ['SELECT 1 FROM a', 'SELECT 2 FROM b']);
      for (const q of queries) {
        assert.ok(q.start >= 0 && q.end <= doc.length && q.start <= q.end);
      }
    });

    it('survives binary junk', () => {
      let seed = 7;
      const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
      for (let round = 0; round < 20; round++) {
        const doc = Array.from({ length: 4000 }, () => String.fromCharCode(Math.floor(random() * (round % 2 ? 0x10000 : 0x80)))).join('');
        extract(doc);
      }
      extract('cur.execute("SELECT \u0000 FROM t\u0000")\n\u0000\u0000');
    });

    it('reads a 100,000-character line', () => {
      const columns = Array.from({ length: 12_000 }, (_, i) => `c${i}`).join(', ');
      const doc = `import psycopg2\ncur.execute("SELECT ${columns} FROM t WHERE id = %s", (i,)); x = [${'1, '.repeat(20_000)}]\n`;
      assert.ok(doc.length > 100_000);
      const q = only(doc);
      assert.ok(q.sql.endsWith('FROM t WHERE id = $1'));
      assert.strictEqual(written(doc, q, 'c11999'), 'c11999');
    });

    it('survives deep nesting and long chains', function () {
      this.timeout(30_000);
      const deep = `x = ${'('.repeat(3000)}"SELECT 1 FROM t"${')'.repeat(3000)}\n`;
      extract(deep);
      // Deep enough for Lezer's recursive tree building to exhaust the stack: no queries, no crash.
      extract(`x = ${'('.repeat(50_000)}"SELECT 1 FROM t"${')'.repeat(50_000)}\n`);
      extract(`x = "SELECT a" ${'+ "b" '.repeat(50_000)}\n`);
      const lists = `x = ${'['.repeat(3000)}${']'.repeat(3000)}\n`;
      extract(lists);
      // Lezer splits left-leaning chains of more than a few hundred operands; reading stops there.
      extract(`import psycopg2\ncur.execute("SELECT * FROM t WHERE a IN (" ${' + x + ","'.repeat(5000)} + "0)")\n`);
      const chain = `import psycopg2\ncur.execute("SELECT * FROM t WHERE a IN (" ${' + x + ","'.repeat(250)} + "0)")\n`;
      const q = only(chain);
      assert.strictEqual(q.parameters.length, 250);
      assert.ok(q.sql.endsWith('$249,$250,0)'));
      const calls = `x = ${'f('.repeat(2000)}${')'.repeat(2000)}\n`;
      extract(calls);
    });

    it('gives the same queries after edits as a fresh parse (parse reuse)', () => {
      clearPythonParseCache();
      const lines: string[] = ['import psycopg2', ''];
      for (let i = 0; i < 60; i++) {
        lines.push(`def f${i}(cur, a):`, `    """Docs."""`, `    cur.execute(f"SELECT * FROM t${i} WHERE id = {a}")`, '    # trailing comment', '');
      }
      let doc = lines.join('\n');
      extract(doc);
      const edits: [string, string][] = [
        ['t3 WHERE', 't3 WHERE x = 1 AND'],
        ['def f10(cur, a):', 'def f10(cur, a):\n    s = """'],
        ['    s = """', '    s = "'],
        ['def f20', 'class C:\n  def f20'],
        ['FROM t40', 'FROM t40 JOIN u USING (id)'],
        ['import psycopg2', 'import sqlite3'],
      ];
      for (const [from, to] of edits) {
        const at = doc.indexOf(from);
        assert.ok(at >= 0, from);
        doc = doc.slice(0, at) + to + doc.slice(at + from.length);
        const incremental = extract(doc).map((q) => [q.start, q.end, q.sql, q.origin]);
        clearPythonParseCache();
        const fresh = extract(doc).map((q) => [q.start, q.end, q.sql, q.origin]);
        assert.deepStrictEqual(incremental, fresh, `after ${JSON.stringify(to)}`);
      }
    });
  });

  describe('parse reuse', () => {
    it("lets go of a closed document's tree, and only that one", () => {
      clearPythonParseCache();
      const closed = 'import psycopg2\ncur.execute("SELECT 1")\n';
      // Little text in common: not an edit of the first, so each keeps a tree of its own.
      const open = 'def load(connection):\n    return connection.execute(text("DELETE FROM t"))\n';
      const closedTree = parsePython(closed);
      const openTree = parsePython(open);
      assert.strictEqual(parsePython(closed), closedTree, 'kept while the document is open');
      forgetPythonText(closed);
      assert.notStrictEqual(parsePython(closed), closedTree, 'parsed afresh after its document closed');
      assert.strictEqual(parsePython(open), openTree, 'the other document keeps its tree');
    });

    /** Every node of a tree as name and range: two trees are the same when these are. */
    function shape(tree: Tree): string {
      const out: string[] = [];
      const cursor = tree.cursor();
      do out.push(`${cursor.name}:${cursor.from}-${cursor.to}`);
      while (cursor.next());
      return out.join(' ');
    }

    it('gives the tree of a full parse after every keystroke (randomised typing)', function () {
      this.timeout(60_000);
      const lines: string[] = ['import psycopg2', '', '# Reports.', ''];
      for (let i = 0; lines.length < 800; i++) {
        lines.push(`def report_${i}(cur, a):`, '    # fetch', `    cur.execute(f"SELECT * FROM t${i} WHERE id = {a}")`, '    return cur.fetchall()', '    # end', '');
        if (i % 5 === 0) lines.push(`class Repo${i}:`, '    def get(self):', `        self.cur.execute("SELECT 1 FROM u${i}")`, '', `x_${i} = 1  # note`, '');
      }
      const base = lines.join('\n');
      const snippets = ['"', "'", '"""', '(', ')', '[', '{', '\n', '\n    ', '# c\n', '    # c\n', 'x = 1\n', 'def f():\n    pass\n', '\\\n', 'f"{a}"', ':', 'if x:\n', '@dec\n', 'cur.execute("SELECT 1', '\n    y = 2', 'else:\n    pass\n'];
      let seed = 11;
      const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
      clearPythonParseCache();
      let doc = base;
      parsePython(doc);
      let checked = 0;
      for (let round = 0; round < 40; round++) {
        const at = Math.floor(random() * doc.length);
        const snippet = snippets[Math.floor(random() * snippets.length)];
        const keepIfValid = random() < 0.5; // sometimes what was typed stays, when it is valid
        const before = doc;
        const check = (k: number): boolean => {
          doc = before.slice(0, at) + snippet.slice(0, k) + before.slice(at);
          const reused = shape(parsePython(doc));
          const fresh = shape(lezerPython.parse(doc));
          // Exact on valid text; on broken text the parser's recovery is a heuristic either way.
          if (fresh.includes('⚠')) return false;
          assert.strictEqual(reused, fresh, `round ${round}: ${JSON.stringify(snippet.slice(0, k))} at ${at}`);
          checked++;
          return true;
        };
        let valid = false;
        for (let k = 1; k <= snippet.length; k++) valid = check(k);
        if (!(valid && keepIfValid)) {
          for (let k = snippet.length - 1; k >= 0; k--) check(k);
        }
      }
      assert.ok(checked > 50, `${checked} valid texts checked`);
    });

    it('re-parses the statement before an edit too: `else:` typed after a top-level `if` joins it', () => {
      const lines = ['import psycopg2', ''];
      for (let i = 0; lines.length < 900; i++) lines.push(`if flag_${i}:`, `    cur.execute("SELECT ${i} FROM t")`, '');
      const base = lines.join('\n');
      clearPythonParseCache();
      parsePython(base);
      let checked = 0;
      // Every third statement: some of them begin one of the chunks the tree is spliced by.
      for (let i = 1; i < 280; i += 3) {
        const at = base.indexOf(`if flag_${i}:`);
        const doc = base.slice(0, at) + 'else:\n    pass\n' + base.slice(at);
        assert.strictEqual(shape(parsePython(doc)), shape(lezerPython.parse(doc)), `else: before flag_${i}`);
        parsePython(base);
        checked++;
      }
      assert.strictEqual(checked, 93);
    });
  });

  describe('speed', () => {
    /** A 5,000-line module with 500 queries among ordinary code. */
    function bigModule(): string {
      const lines = ['import logging', 'import psycopg2', '', 'logger = logging.getLogger(__name__)', ''];
      for (let i = 0; lines.length < 5000; i++) {
        lines.push(
          `def handler_${i}(conn, user_id, name):`,
          `    """Fetch the rows of report ${i}."""`,
          '    cursor = conn.cursor()',
          '    logger.info("select the file %s", name)',
          `    cursor.execute("SELECT id, name, email FROM users_${i} WHERE id = %s AND name = %s", (user_id, name))`,
          '    rows = cursor.fetchall()',
          `    total = sum(r[0] for r in rows) + ${i}  # weighted`,
          '    return [dict(zip(("id", "name"), r)) for r in rows if r[1] != "x"]',
          '',
          '',
        );
      }
      return lines.join('\n');
    }

    // Speed is measured by `npm run bench`, not asserted here: this checks that the reuse of the
    // previous parse after an edit gives the same queries as a fresh parse.
    it('extracts 500 queries from 5,000 lines, fresh and after one-character edits', function () {
      this.timeout(60_000);
      const doc = bigModule();
      clearPythonParseCache();
      const fresh = extract(doc);
      assert.strictEqual(fresh.length, 500);
      let current = doc;
      for (let i = 0; i < 40; i++) {
        const at = current.indexOf(`users_${i * 12} `);
        current = current.slice(0, at) + 'x' + current.slice(at);
        const reused = extract(current);
        clearPythonParseCache();
        const reparsed = extract(current);
        assert.strictEqual(reused.length, 500);
        assert.deepStrictEqual(reused.map((q) => [q.start, q.end, q.sql]), reparsed.map((q) => [q.start, q.end, q.sql]));
      }
    });
  });
});
